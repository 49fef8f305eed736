"""Temporal backtest: as real use would, week by week, with a validation window that chooses the
champion and a later test window that reports it.

Worked example. Data known on 2026-11-22. A label "uitval before week 52" of a placement scored on
date T is certain once its first year has ended plus 60 days of registration grace, so the last
backtest date is 2026-11-22 - 363 - 60 days = 2025-09-25 (a Monday on or before it). With 13
validation and 13 test dates and retraining every 13 weeks (each quarter, as the team would), models
are trained on V1 = 2025-03-31 and score every placement active on V1..V1+12 weeks (validation:
the champion is chosen on these), then trained again on T1 = 2025-06-30 and score T1..T1+12 weeks
(test: the figures reported). Each time they learn from the rows usable on that day (their label
window closed plus grace, see `features.frames`). Scores are judged against what happened, as known
on 2026-11-22. Nothing a model sees was registered after its training date; no test label is seen
by any model or by the choice of the champion. Every model is scored on the same rows.

Endings with an unknown reason (`onbekend`) stay in: such a row's label is soft, P(uitval) from the
unknown-reason model (the primary figure, `PRIMARY`), and the headline metrics are also given with
those endings all counted as uitval and all as neutral (`EXTREMES`). For precision at k and the Brier
score (linear in the labels) these two readings bound every way of labelling the unknown endings; ROC
AUC of a mixed labelling can fall slightly outside them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

from lks.features.build import feature_names
from lks.features.frames import GRACE_DAYS, landmark_frame, person_period_frame
from lks.features.known import Known, as_of_day
from lks.features.labels import outcomes_known
from lks.features.unknown_reasons import DEFAULT_STRATEGY
from lks.models.base import TENURE
from lks.models.blend import RiskBlend
from lks.models.classifier import NoHoldOut
from lks.training.candidates import CANDIDATES, CANDIDATES_BY_NAME, ZORGELIJK_4W, Candidate, add_rule_signals
from lks.training.metrics import date_metrics, pooled, reliability

LANDMARK_EVERY_WEEKS = 2
# Test labels resting on an unknown reason are split as the default strategy splits them (an uitval copy with
# weight P(uitval) from the unknown-reason model that does not assume the legacy reasons are missing at random,
# a neutral copy with 1 - P), then folded into one soft label.
EVAL_STRATEGY = DEFAULT_STRATEGY
PRIMARY = "weighted"   # the figure reported and used to choose: onbekend endings counted with P(uitval)
EXTREMES = ("as_uitval", "as_neutral")  # every onbekend ending counted as uitval; as neutral
LABEL_READINGS = {"weighted": "onbekend endings counted as uitval with the unknown-reason model's P(uitval)",
                  "as_uitval": "onbekend endings counted as uitval",
                  "as_neutral": "onbekend endings counted as neutral"}


class NoTrainingRows(ValueError):
    """A training frame is empty: the strategy or the window leaves nothing to learn from."""


@dataclass(frozen=True)
class BacktestConfig:
    as_of: date
    unknown_reasons: str = DEFAULT_STRATEGY
    k: int = 25
    n_test_dates: int = 13                 # the reported test window: the last Mondays whose labels are known
    retrain_every: int = 13
    n_validation_dates: int | None = None  # the window before it that chooses the champion; None: as many

    def __post_init__(self):
        if self.k < 1 or self.n_test_dates < 1 or self.retrain_every < 1 or self.validation_dates < 1:
            raise ValueError(f"k, n_test_dates, n_validation_dates and retrain_every must be >= 1, but were "
                             f"{self.k}, {self.n_test_dates}, {self.n_validation_dates}, {self.retrain_every}")

    @property
    def validation_dates(self) -> int:
        return self.n_test_dates if self.n_validation_dates is None else self.n_validation_dates


@dataclass
class BacktestResult:
    test_dates: list[pd.Timestamp]
    per_date: dict[str, pd.DataFrame]        # model -> metrics per test date (primary labels)
    pooled: dict[str, dict[str, float]]      # model -> pooled metrics over the test window
    reliability: dict[str, pd.DataFrame]
    predictions: pd.DataFrame                # test rows: ids, labels, each model's risks
    notes: list[str] = field(default_factory=list)
    validation_dates: list[pd.Timestamp] = field(default_factory=list)
    validation: dict[str, dict[str, float]] = field(default_factory=dict)         # model -> pooled, validation
    validation_per_date: dict[str, pd.DataFrame] = field(default_factory=dict)
    extremes: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # reading -> model -> pooled
    structured_since: pd.Timestamp | None = None  # first day a structured ending was known
    choice: Any = None  # the champion rule's decision (`training.champion.ChampionChoice`), set by `lks train`


def weekly_test_dates(as_of: date, n: int) -> list[pd.Timestamp]:
    """The last `n` Mondays whose 52-week labels are all known on `as_of` (validation and test)."""
    last = pd.Timestamp(as_of) - timedelta(days=363 + GRACE_DAYS)
    last -= timedelta(days=last.weekday())
    return list(pd.date_range(end=last, periods=n, freq="7D"))


def model_features(weekly: pd.DataFrame) -> list[str]:
    """Model inputs: every feature column but tenure_weeks (the models add it themselves)."""
    return [c for c in feature_names(weekly) if c != TENURE]


def training_frames(known: Known, weekly: pd.DataFrame, train_date: pd.Timestamp, unknown_reasons: str):
    """Landmark and person-period frames of rows usable on `train_date` (as-of dates before it).

    Landmarks are taken every LANDMARK_EVERY_WEEKS weeks, counted back from the newest date: the
    rows of one placement a week apart are near-copies, so this halves the cost of the landmark
    models without losing what they learn (on a tuning date: ROC AUC 52w 0.740 against 0.741).
    The person-period frame keeps every week: each week at risk is a row of the hazard model.
    Raises NoTrainingRows, saying why, when either frame is empty."""
    earlier = weekly[weekly["as_of"] < train_date]
    dates = earlier["as_of"].unique()
    if len(earlier) == 0:
        raise NoTrainingRows(f"no training rows on {train_date:%Y-%m-%d}: no weekly features before that date "
                             f"(the first weekly as-of date is {_first(weekly)})")
    landmark_dates = np.sort(dates)[::-1][::LANDMARK_EVERY_WEEKS]
    landmark = landmark_frame(known, landmark_dates, horizon=None, label_date=train_date,
                              unknown_reasons=unknown_reasons,
                              features=earlier[earlier["as_of"].isin(landmark_dates)])
    person_period = person_period_frame(known, dates, label_date=train_date,
                                        unknown_reasons=unknown_reasons, features=earlier)
    if len(landmark) == 0 or len(person_period) == 0:
        raise NoTrainingRows(empty_frame_reason(known, earlier, train_date, unknown_reasons,
                                                len(landmark), len(person_period)))
    return add_rule_signals(landmark), person_period.assign(week=person_period[TENURE])


def empty_frame_reason(known: Known, earlier: pd.DataFrame, train_date: pd.Timestamp, unknown_reasons: str,
                       n_landmark: int, n_person_period: int) -> str:
    """Plain words for an empty training frame: which strategy, which window, how many rows."""
    window = f"{_first(earlier)} .. {pd.Timestamp(earlier['as_of'].max()):%Y-%m-%d}"
    text = (f"no training rows on {train_date:%Y-%m-%d} with unknown-reason strategy {unknown_reasons!r}: "
            f"of {len(earlier):,} weekly rows (as-of dates {window}) it keeps {n_landmark:,} landmark rows and "
            f"{n_person_period:,} person-period weeks whose label is known by then.")
    if unknown_reasons == "structured_only":
        since = structured_era_start(known, train_date)
        era = f"since {since:%Y-%m-%d}" if since is not None else "none is known on that date"
        text += (f" 'structured_only' learns only from label windows in the structured-registration era "
                 f"({era}) whose window closed plus {GRACE_DAYS} days of grace before the training date.")
    return text + " Train at a later --as-of, or choose another --unknown-reasons strategy."


def _first(frame: pd.DataFrame) -> str:
    return f"{pd.Timestamp(frame['as_of'].min()):%Y-%m-%d}" if len(frame) else "-"


def structured_era_start(known: Known, day) -> pd.Timestamp | None:
    """The first day a structured ending was known, as known on `day` (None before the change)."""
    outcome = outcomes_known(known, as_of_day(day))
    known_at = outcome.loc[outcome["registration"] == "structured", "known_at"]
    return pd.Timestamp(known_at.min()).normalize() if len(known_at) else None


def fit_candidate(candidate: Candidate, frames: tuple[pd.DataFrame, pd.DataFrame], features: list[str],
                  fitted: dict | None = None):
    """Fit one candidate on its frame; a blend reuses its members from `fitted` (name -> model) or
    fits them. Every model fitted here is added to `fitted`."""
    fitted = {} if fitted is None else fitted
    if candidate.members:
        members = [fitted[name] if name in fitted else fit_candidate(CANDIDATES_BY_NAME[name], frames, features, fitted)
                   for name in candidate.members]
        model = RiskBlend(members, candidate.weights).fit(features=features)
    else:
        landmark, person_period = frames
        frame = landmark if candidate.frame == "landmark" else person_period
        inputs = [*features, ZORGELIJK_4W] if candidate.name == "current_practice" else features
        if candidate.make is None:
            raise ValueError(f"candidate {candidate.name!r} has neither members nor a model to make")
        try:
            model = candidate.make().fit(frame, inputs)
        except NoHoldOut as err:  # a short history: said as plainly as an empty frame, not as a traceback
            raise NoTrainingRows(f"{candidate.name} cannot hold out its newest labels for early stopping ({err}): "
                                 f"too little labelled history before the training date. Train at a later --as-of, "
                                 f"from an earlier --since, or with fewer --validation-dates.") from err
    fitted[candidate.name] = model
    return model


KEYS = ["placement_id", "as_of"]


def evaluation_rows(known: Known, weekly: pd.DataFrame, dates: list[pd.Timestamp], as_of: date) -> pd.DataFrame:
    """The placements active on each date, with what happened to them as known on `as_of`; none left out.

    A row whose label rests on an `onbekend` ending gets `unknown_ending` = True, `p_unknown_uitval`
    (the unknown-reason model's P(uitval), fitted on the endings with a known reason as known on
    `as_of`), soft labels `uitval_13w`/`uitval_52w` = that P where the ending falls in the window, and
    the two extreme readings `uitval_<h>__as_uitval` and `uitval_<h>__as_neutral`."""
    known_rows = weekly[weekly["as_of"] <= pd.Timestamp(as_of)]
    frame = landmark_frame(known, dates, horizon="52w", label_date=as_of, unknown_reasons=EVAL_STRATEGY,
                           features=known_rows)
    frame = frame[frame["as_of"].isin(dates)]
    split = frame.duplicated(KEYS, keep=False).to_numpy()
    up = frame[split].drop_duplicates(KEYS, keep="first")       # the uitval copy (weight P) comes first
    down = frame[split].drop_duplicates(KEYS, keep="last").set_index(KEYS)
    out = pd.concat([frame[~split], up], ignore_index=True)
    unknown = np.r_[np.zeros(int((~split).sum()), bool), np.ones(len(up), bool)]
    p = np.where(unknown, out["weight"].to_numpy(float), np.nan)
    for h in ("13w", "52w"):
        as_uitval = out[f"uitval_{h}"].astype(float).to_numpy()
        neutral = down[f"uitval_{h}"].astype(float).reindex(pd.MultiIndex.from_frame(up[KEYS])).to_numpy()
        as_neutral = np.concatenate([as_uitval[~unknown], neutral])
        out[f"uitval_{h}__as_uitval"] = as_uitval
        out[f"uitval_{h}__as_neutral"] = as_neutral
        out[f"uitval_{h}"] = np.where(unknown, p * as_uitval + (1 - p) * as_neutral, as_uitval)
    out["unknown_ending"] = unknown
    out["p_unknown_uitval"] = p
    out = out.drop(columns="weight").sort_values(KEYS, kind="stable").reset_index(drop=True)
    return add_rule_signals(out)


def run_backtest(known: Known, weekly: pd.DataFrame, config: BacktestConfig, oracle: pd.DataFrame | None = None,
                 candidates: list[Candidate] = CANDIDATES, progress=None) -> BacktestResult:
    dates = weekly_test_dates(config.as_of, config.validation_dates + config.n_test_dates)
    validation_dates, test_dates = dates[:config.validation_dates], dates[config.validation_dates:]
    features = model_features(weekly)
    rows_all = evaluation_rows(known, weekly, dates, config.as_of)
    scored = []
    for window in (validation_dates, test_dates):  # each window starts with a fresh fit
        for start in range(0, len(window), config.retrain_every):
            train_date = window[start]
            block = window[start:start + config.retrain_every]
            frames = training_frames(known, weekly, train_date, config.unknown_reasons)
            if progress:
                progress(f"training frames on {train_date:%Y-%m-%d}")
            rows = rows_all[rows_all["as_of"].isin(block)]
            label_columns = [c for c in rows.columns if c.startswith("uitval_")]
            out = rows[["placement_id", "as_of", TENURE, *label_columns, "unknown_ending", "p_unknown_uitval"]].copy()
            out["train_date"] = train_date
            fitted: dict = {}
            for candidate in candidates:
                risks = fit_candidate(candidate, frames, features, fitted).predict_risks(rows)
                out[f"{candidate.name}__risk_13w"] = risks["risk_13w"].to_numpy()
                out[f"{candidate.name}__risk_52w"] = risks["risk_52w"].to_numpy()
                if progress:
                    progress(f"{candidate.name} on {train_date:%Y-%m-%d}")
            scored.append(out)
    predictions = pd.concat(scored, ignore_index=True)
    names = [c.name for c in candidates]
    notes = []
    if oracle is not None:
        predictions, note = attach_oracle(predictions, oracle)
        names.append("oracle")
        notes.append(note)
    check_identical_rows(predictions, names)
    test = predictions[predictions["as_of"].isin(test_dates)].reset_index(drop=True)
    validation = predictions[predictions["as_of"].isin(validation_dates)].reset_index(drop=True)
    result = summarise(test, names, test_dates, config.k, notes)
    chosen_on = summarise(validation, names, validation_dates, config.k, [], readings=(PRIMARY,))
    result.validation_dates = list(validation_dates)
    result.validation, result.validation_per_date = chosen_on.pooled, chosen_on.per_date
    result.structured_since = structured_era_start(known, config.as_of)
    result.notes.append(window_note(result))
    return result


def check_identical_rows(predictions: pd.DataFrame, names: list[str]) -> None:
    """Every model must be judged on the same rows: a risk missing for one model and not another
    would compare them on different placements."""
    risks = predictions[[f"{n}__risk_{h}" for n in names for h in ("13w", "52w")]]
    missing = risks.isna().sum()
    if missing.any():
        raise AssertionError(f"models are not scored on identical rows: missing risks {missing[missing > 0].to_dict()}")
    if predictions.duplicated(KEYS).any():
        raise AssertionError("a (placement, date) row is scored twice")


def window_note(result: BacktestResult) -> str:
    """Which weeks chose the champion, which are reported, and how many lie in the structured era."""
    since = result.structured_since

    def weeks(dates) -> str:
        if not dates:
            return "none"
        era = sum(d >= since for d in dates) if since is not None else 0
        return (f"{dates[0]:%Y-%m-%d} .. {dates[-1]:%Y-%m-%d} ({len(dates)} Mondays, {era} with their label "
                f"window in the structured era)")

    era = f"structured era since {since:%Y-%m-%d}" if since is not None else "no structured era yet"
    return (f"champion chosen on the validation weeks {weeks(result.validation_dates)}; figures reported on the "
            f"test weeks {weeks(result.test_dates)} ({era}); primary figure: {LABEL_READINGS[PRIMARY]}")


def attach_oracle(predictions: pd.DataFrame, oracle: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    """Join the simulator's true risks (truth/risk.parquet) to the test rows."""
    truth = oracle.rename(columns={"p_uitval_13w": "oracle__risk_13w", "p_uitval_52w": "oracle__risk_52w"})
    truth = truth.assign(as_of=pd.to_datetime(truth["as_of"]).astype("datetime64[ns]"))
    merged = predictions.merge(truth[["as_of", "placement_id", "oracle__risk_13w", "oracle__risk_52w"]],
                               on=["as_of", "placement_id"], how="left")
    missing = merged["oracle__risk_52w"].isna()
    merged = merged[~missing].reset_index(drop=True)
    return merged, (f"oracle: true risks found for {len(merged):,} of {len(predictions):,} test rows; "
                    "all models are scored on those rows")


def _labels(predictions: pd.DataFrame, horizon: str, reading: str) -> np.ndarray:
    column = f"uitval_{horizon}" if reading == PRIMARY or f"uitval_{horizon}__{reading}" not in predictions \
        else f"uitval_{horizon}__{reading}"
    return predictions[column].to_numpy(float)


def per_date_metrics(predictions: pd.DataFrame, name: str, k: int, reading: str = PRIMARY) -> pd.DataFrame:
    rows = []
    for as_of, group in predictions.groupby("as_of"):
        rows.append({"as_of": as_of, **date_metrics(
            _labels(group, "13w", reading), _labels(group, "52w", reading),
            group[f"{name}__risk_13w"].to_numpy(), group[f"{name}__risk_52w"].to_numpy(), k)})
    return pd.DataFrame(rows)


def summarise(predictions: pd.DataFrame, names: list[str], dates, k: int, notes: list[str],
              readings: tuple[str, ...] = (PRIMARY, *EXTREMES)) -> BacktestResult:
    per_date, pooled_metrics, curves, extremes = {}, {}, {}, {}
    for name in names:
        per_date[name] = per_date_metrics(predictions, name, k)
        pooled_metrics[name] = pooled(per_date[name])
        curves[name] = reliability(predictions["uitval_52w"].to_numpy(float), predictions[f"{name}__risk_52w"])
    for reading in readings:
        if reading != PRIMARY:
            extremes[reading] = {name: _headline(per_date_metrics(predictions, name, k, reading)) for name in names}
    return BacktestResult(list(dates), per_date, pooled_metrics, curves, predictions, notes, extremes=extremes)


HEADLINE = ("roc_auc_13w", "roc_auc_52w", "precision_at_k")  # a champion beats every baseline on each


def _headline(per_date: pd.DataFrame) -> dict[str, float]:
    """Headline metrics pooled as `pooled` does (mean over dates), without an interval."""
    return {m: float(np.nanmean(per_date[m].to_numpy(float))) if len(per_date) else float("nan") for m in HEADLINE}


def final_frames(known: Known, weekly: pd.DataFrame, as_of: date, unknown_reasons: str):
    """Frames of every row usable on `as_of`: what the registered model is trained on."""
    return training_frames(known, weekly, pd.Timestamp(as_of) + timedelta(days=1), unknown_reasons)

