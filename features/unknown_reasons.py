"""How endings with an unknown reason (legacy `onbekend`) enter training: a training setting, and
the one home of everything about it (frames only call `resolve`).

- `mnar_weighted` (default): as `weighted`, but p does not assume that a legacy reason was left
  `onbekend` whatever it was. The May 2025 registration change is a natural experiment: since
  then nearly every ending carries a reason, so the structured-era endings are an unselected
  sample. `estimate_unknown` fits P(uitval | x) on them only, applies it to the legacy endings and
  estimates the legacy recording rates r_u = P(reason recorded | uitval) and
  r_n = P(recorded | neutral) from E[#legacy recorded uitval] = r_u * sum p(x) and
  E[#legacy recorded neutral] = r_n * sum (1 - p(x)); a legacy unknown ending then gets
  P(uitval | x, onbekend) = (1 - r_u) p / ((1 - r_u) p + (1 - r_n)(1 - p)).
  Assumption (transportability): P(uitval | x) among endings is the same before and after May
  2025, given x. Drift breaks it: placements, employers or their hazards changing around the same
  time, a reason mapping that moved reasons between classes with the new registration, or the
  new registration itself changing what is called an ending. Then r_u, r_n and p absorb the
  change. With fewer than MIN_STRUCTURED_REASONS structured endings with a reason (or fewer than
  MIN_PER_CLASS of either class) it falls back to the `weighted` (MAR) model and says so
  (`UnknownEstimate.method == "mar_fallback"`).
- `structured_only`: keep only landmark rows (and person-period weeks) whose label window lies in
  the structured-registration era, i.e. whose as-of date is on or after the first day a
  structured ending was known (`structured_since`, or pass it explicitly). An ending in such a
  window has end_date after the as-of date, so it was registered in the structured era. Dropped:
  every row with an earlier as-of date, and the few remaining rows whose label is still an
  unknown reason (a structured `onbekend`), as in `exclude`.
- `as_uitval`: an unknown ending counts as uitval (pessimistic: over-counts uitval).
- `weighted`: each row whose label depends on an unknown ending is split into an uitval copy with
  weight p and a neutral copy with weight 1 - p; p comes from `UnknownReasonModel`, a logistic
  regression of uitval vs neutral on the features of the last landmark before the ending and on
  what the ending itself shows (`ending_descriptors`: its tenure week, a springboard year
  completed, a contract ending at its planned end), fitted
  on every ending with a known reason (structured, and the legacy ones that do carry a reason)
  known on the label date. It assumes a reason was left `onbekend` whatever the reason was
  (missing at random given the features): when recording depends on the class, the legacy
  endings that carry a reason are a biased sample and p is biased with them.
- `exclude`: drop rows whose label is an unknown ending (in the person-period frame this censors
  the placement at the start of that week).

The work columns of `rows` (as `features.frames` builds them): `_as_of_day`, `_start_day`,
`_end_day` (NaN when not ended), `_end_class` (uitval, neutral, unknown or none), `_end_known` and
`_registration` (legacy or structured).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from lks.features.build import feature_names
from lks.features.known import day_number, day_to_timestamp

Classes = dict[str, np.ndarray]  # horizon -> label class per row
Resolved = tuple[pd.DataFrame, Classes, np.ndarray]  # rows, their classes and weights

STRATEGIES = ("mnar_weighted", "structured_only", "as_uitval", "weighted", "exclude")
DEFAULT_STRATEGY = "mnar_weighted"
MIN_STRUCTURED_REASONS = 50  # structured endings with a reason needed to estimate the legacy recording
MIN_PER_CLASS = 10           # ... and of each class among them


def check_strategy(strategy: str) -> str:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown_reasons must be one of {STRATEGIES}, but was {strategy!r}")
    return strategy


class UnknownReasonModel(BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type hints
    """P(uitval | an ending happened, features just before it); a constant when only one class
    (or nothing) was seen in training."""

    def __init__(self, C: float = 0.5, max_iter: int = 500):
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> UnknownReasonModel:
        y = np.asarray(y, dtype=int)
        self.base_rate_ = float(y.mean()) if len(y) else 0.5
        self.columns_ = list(X.columns)
        if len(np.unique(y)) < 2:
            self.pipeline_ = None
            return self
        self.pipeline_ = make_pipeline(_encoder(X), LogisticRegression(C=self.C, max_iter=self.max_iter))
        self.pipeline_.fit(_plain(X[self.columns_]), y)
        return self

    def predict_uitval(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "base_rate_")
        if self.pipeline_ is None or len(X) == 0:
            return np.full(len(X), self.base_rate_)
        return np.asarray(self.pipeline_.predict_proba(_plain(X[self.columns_]))[:, 1], dtype=float)


def _encoder(X: pd.DataFrame) -> ColumnTransformer:
    """Numeric columns imputed and scaled, categorical ones one-hot encoded (after `_plain`)."""
    categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
    numeric = [c for c in X.columns if c not in categorical and pd.api.types.is_numeric_dtype(X[c])]
    return ColumnTransformer([
        ("num", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()), numeric),
        ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
    ])


def _plain(X: pd.DataFrame) -> pd.DataFrame:
    """Categories as strings ('missing' for NaN) so the encoder sees no NaN."""
    out = X.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), "missing").astype(str)
    return out


def resolve(rows: pd.DataFrame, classes: Classes, *, strategy: str, primary: str,
            structured_since: pd.Timestamp | None = None) -> Resolved:
    """Apply `strategy` to the rows' label classes (one array per horizon, 'unknown' where the label
    rests on an unknown reason); returns rows, classes and weights, rows possibly dropped or
    duplicated."""
    check_strategy(strategy)
    weight = np.ones(len(rows))
    if strategy == "as_uitval":
        return rows, {h: np.where(c == "unknown", "uitval", c) for h, c in classes.items()}, weight
    if strategy in ("weighted", "mnar_weighted"):
        p = unknown_uitval_probability(rows) if strategy == "weighted" else estimate_unknown(rows).probability
        return _split(rows, classes, p)
    keep = classes[primary] != "unknown"
    if strategy == "structured_only":
        since = structured_since or _structured_since(rows)
        keep &= rows["_as_of_day"].to_numpy() >= (day_number(since) if since is not None else np.iinfo(np.int64).max)
    return rows[keep].reset_index(drop=True), {h: c[keep] for h, c in classes.items()}, weight[keep]


def _structured_since(rows: pd.DataFrame) -> pd.Timestamp | None:
    """The first day on which a structured ending was known (among the rows' placements)."""
    structured = rows["_registration"].to_numpy(object) == "structured"
    if not structured.any():
        return None
    return pd.Timestamp(day_to_timestamp(np.array([rows["_end_known"].to_numpy()[structured].min()]))[0])


def _split(rows: pd.DataFrame, classes: Classes, p: pd.Series) -> Resolved:
    """Each row resting on an unknown ending becomes an uitval copy (weight p) and a neutral copy (1 - p)."""
    unknown = np.logical_or.reduce([c == "unknown" for c in classes.values()])
    copies = np.flatnonzero(unknown)
    rows_out = pd.concat([rows, rows.iloc[copies]], ignore_index=True)
    classes_out = {
        h: np.concatenate([
            np.where(c == "unknown", "uitval", c), np.where(c[copies] == "unknown", "neutral", c[copies])
        ])
        for h, c in classes.items()
    }
    p_rows = p.reindex(rows["placement_id"].to_numpy()).to_numpy()
    weight = np.concatenate([np.where(unknown, p_rows, 1.0), 1.0 - p_rows[copies]])
    return rows_out, classes_out, weight


def endings_seen(rows: pd.DataFrame) -> pd.DataFrame:
    """One row per placement with an ending: its last landmark row before the ending, with
    `ending_descriptors`; `_end_class` and `_registration` say what was registered."""
    before = rows[rows["_end_day"].notna().to_numpy()]
    last = before.sort_values("_as_of_day").drop_duplicates("placement_id", keep="last")
    return pd.concat([last, ending_descriptors(last)], axis=1).reset_index(drop=True)


def reason_inputs(endings: pd.DataFrame) -> list[str]:
    """The unknown-reason model's inputs: the risk features and the ending descriptors."""
    return [c for c in feature_names(endings) if not c.startswith("_") and c not in ENDING_DESCRIPTORS] \
        + list(ENDING_DESCRIPTORS)


def unknown_uitval_probability(rows: pd.DataFrame) -> pd.Series:
    """`weighted`: p per placement with an unknown ending, from a logistic regression fitted on every
    ending whose reason is known (legacy or structured), each described by its last landmark row
    before the ending. This assumes a legacy reason was left `onbekend` regardless of what it was
    (missing at random given the features)."""
    return _mar_probability(endings_seen(rows))


def _mar_probability(endings: pd.DataFrame) -> pd.Series:
    names = reason_inputs(endings)
    train = endings[endings["_end_class"].isin(["uitval", "neutral"])]
    model = UnknownReasonModel().fit(train[names], (train["_end_class"] == "uitval").to_numpy())
    target = endings[endings["_end_class"] == "unknown"]
    return pd.Series(model.predict_uitval(target[names]), index=target["placement_id"].to_numpy(), dtype=float)


@dataclass(frozen=True)
class UnknownEstimate:
    """What the legacy `onbekend` endings were, as estimated from the endings known on a label date.

    `share` is the estimated share of uitval among the legacy unknown endings, `low`..`high` its
    interval (NaN without bootstrap); `mar_share` what the MAR model (`weighted`) says; `r_uitval`
    and `r_neutral` the estimated legacy recording rates (NaN on the MAR fallback);
    `probability` P(uitval) per placement with an unknown ending (legacy: the MNAR posterior;
    structured `onbekend`: p, recording being nearly complete then)."""

    method: str                   # "mnar" or "mar_fallback"
    share: float
    low: float
    high: float
    mar_share: float
    r_uitval: float
    r_neutral: float
    n_structured_reasons: int     # structured endings with a reason: the sample p is fitted on
    n_legacy: int
    n_legacy_uitval: int          # legacy endings recorded as uitval
    n_legacy_neutral: int
    n_legacy_unknown: int
    probability: pd.Series = field(repr=False, compare=False)
    legacy_unknown: pd.Index = field(repr=False, compare=False)  # the placements `share` speaks about

    def as_dict(self) -> dict[str, str | int | float]:
        return {k: v for k, v in self.__dict__.items() if k not in ("probability", "legacy_unknown")}

    def describe(self) -> str:
        if self.method == "mar_fallback":
            how = (f"too few structured-era endings with a reason ({self.n_structured_reasons}, need "
                   f"{MIN_STRUCTURED_REASONS} and {MIN_PER_CLASS} of each class): the MAR model was used")
        else:
            how = (f"MNAR estimate from {self.n_structured_reasons} structured-era endings; legacy recording "
                   f"rates r_uitval {self.r_uitval:.2f}, r_neutral {self.r_neutral:.2f}")
        return (f"Unknown reasons: estimated uitval share among {self.n_legacy_unknown} legacy onbekend endings "
                f"{self.share:.3f} (95% interval {self.low:.3f}..{self.high:.3f}; MAR model: {self.mar_share:.3f}); "
                f"{how}.")


def estimate_unknown(rows: pd.DataFrame, *, n_boot: int = 0, seed: int = 0, level: float = 0.95) -> UnknownEstimate:
    """The MNAR estimate (see the module docstring) from landmark rows with their work columns.

    With `n_boot` > 0 the interval is a percentile bootstrap over endings (structured and legacy
    endings resampled separately, the model refitted each time); each replicate also draws which
    of the legacy unknown endings were uitval from their posteriors, so the interval is one for
    the share among these very endings (what a truth table can be compared with), not only for
    its expectation."""
    endings = endings_seen(rows)
    cls = endings["_end_class"].to_numpy(object)
    reg = endings["_registration"].to_numpy(object)
    reason = np.isin(cls, ["uitval", "neutral"])
    structured = np.flatnonzero(reason & (reg == "structured"))
    legacy = np.flatnonzero(reg == "legacy")
    target = np.flatnonzero(cls == "unknown")
    legacy_target = reg[target] == "legacy"
    n_u = int((cls[structured] == "uitval").sum())
    enough = len(structured) >= MIN_STRUCTURED_REASONS and min(n_u, len(structured) - n_u) >= MIN_PER_CLASS
    mar = _mar_probability(endings)
    if enough:
        names = reason_inputs(endings)
        design = _encoder(endings[names]).set_params(sparse_threshold=0).fit_transform(_plain(endings[names]))
        w, r_u, r_n = _mnar_posterior(design, cls, reg, structured, legacy, target)
    else:
        w, r_u, r_n = mar.to_numpy(), np.nan, np.nan
    share = float(w[legacy_target].mean()) if legacy_target.any() else np.nan
    low = high = np.nan
    if n_boot > 0 and legacy_target.any():
        rng = np.random.default_rng(seed)
        shares = []
        for _ in range(n_boot):
            s = rng.choice(structured, len(structured))
            g = rng.choice(legacy, len(legacy))
            if enough:
                wb = _mnar_posterior(design, cls, reg, s, g, target)[0]
            else:
                sample = endings.iloc[np.concatenate([s, g])]
                known = sample[sample["_end_class"] != "unknown"]
                wb = _mar_probability(pd.concat([known, endings.iloc[target]])).to_numpy()
            shares.append(rng.binomial(1, wb[legacy_target]).mean())
        low, high = (float(q) for q in np.quantile(shares, [(1 - level) / 2, (1 + level) / 2]))
    legacy_cls = cls[legacy]
    return UnknownEstimate(
        method="mnar" if enough else "mar_fallback", share=share, low=low, high=high,
        mar_share=float(mar.to_numpy()[legacy_target].mean()) if legacy_target.any() else np.nan,
        r_uitval=float(r_u), r_neutral=float(r_n), n_structured_reasons=len(structured), n_legacy=len(legacy),
        n_legacy_uitval=int((legacy_cls == "uitval").sum()), n_legacy_neutral=int((legacy_cls == "neutral").sum()),
        n_legacy_unknown=int(legacy_target.sum()),
        probability=pd.Series(w, index=endings["placement_id"].to_numpy()[target], dtype=float),
        legacy_unknown=pd.Index(endings["placement_id"].to_numpy()[target][legacy_target], name="placement_id"),
    )


def _mnar_posterior(design: np.ndarray, cls: np.ndarray, reg: np.ndarray, structured: np.ndarray,
                    legacy: np.ndarray, target: np.ndarray) -> tuple[np.ndarray, float, float]:
    """P(uitval) for the `target` unknown endings, and r_u, r_n: p fitted on the `structured`
    endings with a reason; the recording rates from the `legacy` endings (moment equations).
    `design`: the encoded inputs of every ending (encoded once, so that a bootstrap refits only
    the regression)."""
    y = cls[structured] == "uitval"
    if y.all() or not y.any():
        def predict(rows: np.ndarray) -> np.ndarray:
            return np.full(len(rows), float(y.mean()))
    else:
        model = LogisticRegression(C=UnknownReasonModel().C, solver="newton-cholesky")  # fast for few columns
        model.fit(design[structured], y)

        def predict(rows: np.ndarray) -> np.ndarray:
            return model.predict_proba(design[rows])[:, 1] if len(rows) else np.zeros(0)
    p_legacy = predict(legacy)
    r_u = recording_rate(int((cls[legacy] == "uitval").sum()), float(p_legacy.sum()))
    r_n = recording_rate(int((cls[legacy] == "neutral").sum()), float((1 - p_legacy).sum()))
    p = predict(target)
    return np.where(reg[target] == "legacy", mnar_posterior(p, r_u, r_n), p), r_u, r_n


RATE_FLOOR = 1e-3


def recording_rate(recorded: int, expected: float) -> float:
    """recorded / expected endings of a class, clipped to (0, 1]: with no expected endings, 1."""
    if expected <= 0:
        return 1.0
    return float(np.clip(recorded / expected, RATE_FLOOR, 1.0))


def mnar_posterior(p: np.ndarray, r_uitval: float, r_neutral: float) -> np.ndarray:
    """P(uitval | x, reason not recorded) = (1 - r_u) p / ((1 - r_u) p + (1 - r_n)(1 - p)); p where
    both classes were always recorded (then nothing is unknown and the formula is 0/0)."""
    p = np.asarray(p, dtype=float)
    top = (1 - r_uitval) * p
    bottom = top + (1 - r_neutral) * (1 - p)
    return np.where(bottom > 0, top / np.where(bottom > 0, bottom, 1.0), p)


ENDING_DESCRIPTORS = ("ending_week", "ending_in_first_13_weeks", "springboard_year_completed", "ending_at_planned_end")


def ending_descriptors(last: pd.DataFrame) -> pd.DataFrame:
    """What the ending itself says about its reason, for the unknown-reason model only (it describes
    endings that happened; it is never a risk-model input): the tenure week it fell in, an early
    ending, a springboard job ending after its year (its planned completion) and a fixed-term
    contract ending at its planned end (not renewed). The last landmark is at most a week before."""
    week = (last["_end_day"].to_numpy(float) - last["_start_day"].to_numpy(float)) // 7
    to_end = last["weeks_to_planned_end"].to_numpy(float) - (last["_end_day"].to_numpy(float)
                                                                - last["_as_of_day"].to_numpy(float)) / 7
    return pd.DataFrame({
        "ending_week": week,
        "ending_in_first_13_weeks": (week < 13).astype(float),
        "springboard_year_completed": (last["springboard"].to_numpy(float) == 1) & (week >= 48) & (week <= 57),
        "ending_at_planned_end": np.abs(np.nan_to_num(to_end, nan=99.0)) <= 2,
    }, index=last.index).astype(float)
