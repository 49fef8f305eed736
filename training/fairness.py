"""Fairness audit of backtest scores by protected ground: audit only, never a model input.

For each protected attribute (gender, migration background, Dutch language level, age band) and the
district, per group, over the backtest's test rows with the coordinator's weekly capacity k
(flagged = in the top k of its week's list): placements and placements with uitval, share flagged,
recall, false negative and false positive rate, precision, and calibration (mean predicted risk
against observed uitval), each with a bootstrap interval that resamples placements (all weekly rows
of a placement together), and the recall ratio to the largest judged group. fairlearn's MetricFrame
and metrics compute every figure; groups below the configured minimum are marked not judged.

Ties at the k boundary. When the k-th score of a week is shared by more rows than places are left,
who is on the list is arbitrary. Each group is reported in its worst case: its tied rows lose every
tie with other groups' rows, and among its own tied rows its uitval cases lose to the others. That
gives the lowest share flagged, recall and precision the ties allow for that group.

A soft label (an `onbekend` ending counted with P(uitval), see training.backtest) enters the metrics
as two weighted copies, uitval with weight p and not with 1 - p; `n_uitval` counts only certain uitval.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml
from fairlearn.metrics import (
    MetricFrame,
    false_negative_rate,
    false_positive_rate,
    mean_prediction,
    selection_rate,
    true_positive_rate,
)
from sklearn.metrics import precision_score

AUDITED = ["gender", "migration_background", "dutch_language_level", "age_band", "district"]
CONFIG_PATH = Path(__file__).parent / "config" / "gates.yaml"
METRICS = ["share_flagged", "recall", "fnr", "fpr", "precision", "mean_predicted", "observed"]
JSON_KEYS = ["group", "n_placements", "n_uitval", "recall", "recall_ratio", "recall_ratio_ci", "fpr", "precision",
             "judged"]


@dataclass(frozen=True)
class AuditSettings:
    min_placements: int = 50
    min_positives: int = 15
    n_boot: int = 200
    confidence: float = 0.95
    seed: int = 0


def load_config(path: Path = CONFIG_PATH) -> dict[str, Any]:
    """The versioned gates file: {"version", "audit": {...}, "gates": {...}}."""
    with open(path, encoding="utf-8") as fh:
        return dict(yaml.safe_load(fh))


def audit_settings(config: dict[str, Any] | None = None) -> AuditSettings:
    return AuditSettings(**(config or load_config())["audit"])


def age_band(birth_year: pd.Series, as_of: pd.Series) -> pd.Series:
    age = pd.to_datetime(as_of).dt.year - birth_year.astype(float)
    bands = pd.cut(age, [0, 27, 35, 45, 55, 120], right=False, labels=["<27", "27-34", "35-44", "45-54", "55+"])
    return bands.astype(str)


def worst_case_flags(week: np.ndarray, score: np.ndarray, y: np.ndarray, group: np.ndarray, k: int) -> np.ndarray:
    """1 where a row is on its week's top-k list when the ties at the boundary go against its own group."""
    flags = np.zeros(len(score), int)
    for w in np.unique(week):
        at = np.flatnonzero(week == w)
        s = score[at]
        if len(at) <= k:
            flags[at] = 1
            continue
        threshold = np.sort(s)[::-1][k - 1]
        above, tied = s > threshold, s == threshold
        flags[at[above]] = 1
        slots = k - int(above.sum())
        for g in np.unique(group[at[tied]]):
            mine = at[tied & (group[at] == g)]
            others = int(tied.sum()) - len(mine)
            mine_slots = max(0, slots - others)
            order = mine[np.argsort(y[mine], kind="stable")]  # its uitval cases last
            flags[order[:mine_slots]] = 1
    return flags


def tied_at_k(week: np.ndarray, score: np.ndarray, k: int) -> np.ndarray:
    """True for rows in a tie the k boundary cuts through (more tied rows than places left)."""
    out = np.zeros(len(score), bool)
    for w in np.unique(week):
        at = np.flatnonzero(week == w)
        if len(at) <= k:
            continue
        s = score[at]
        threshold = np.sort(s)[::-1][k - 1]
        tied = s == threshold
        if int(tied.sum()) > k - int((s > threshold).sum()):
            out[at[tied]] = True
    return out


def _when_defined(metric, needs: int):
    """fairlearn's rate, NaN when its denominator is empty (needs 1: positives, 0: negatives)."""
    def rate(y_true, y_pred, sample_weight):
        if not np.any(sample_weight[np.asarray(y_true) == needs] > 0):
            return float("nan")
        return float(metric(y_true, y_pred, sample_weight=sample_weight))
    return rate


def _precision(y_true, y_pred, sample_weight) -> float:
    return float(precision_score(y_true, y_pred, sample_weight=sample_weight, zero_division=np.nan))


def _mean_predicted(y_true, y_pred, risk, sample_weight) -> float:
    return float(mean_prediction(y_true, risk, sample_weight=sample_weight))


def _observed(y_true, y_pred, sample_weight) -> float:
    return float(mean_prediction(y_true, y_true, sample_weight=sample_weight))


FUNCTIONS = {"share_flagged": selection_rate, "recall": _when_defined(true_positive_rate, 1),
             "fnr": _when_defined(false_negative_rate, 1), "fpr": _when_defined(false_positive_rate, 0),
             "precision": _precision, "mean_predicted": _mean_predicted, "observed": _observed}


def by_group(y: np.ndarray, flagged: np.ndarray, risk: np.ndarray, weight: np.ndarray,
             groups: np.ndarray) -> pd.DataFrame:
    """Every metric per group (index: group), by one fairlearn MetricFrame."""
    params = {name: {"sample_weight": weight} for name in FUNCTIONS}
    params["mean_predicted"]["risk"] = risk
    frame = MetricFrame(metrics=FUNCTIONS, y_true=y, y_pred=flagged, sensitive_features=pd.Series(groups, name="g"),
                        sample_params=params)
    return frame.by_group[METRICS].astype(float)


def audit_rows(predictions: pd.DataFrame, persons: pd.DataFrame, model: str) -> pd.DataFrame:
    """Test rows with a label, the model's 52-week risk and the protected values joined for the audit."""
    rows = predictions[["placement_id", "as_of", "uitval_52w", f"{model}__risk_52w"]].rename(
        columns={f"{model}__risk_52w": "risk"}).merge(persons, on="placement_id", how="left")
    rows["age_band"] = age_band(rows["birth_year"], rows["as_of"])
    rows["y"] = rows["uitval_52w"].astype(float)
    rows = rows[rows["y"].notna()].reset_index(drop=True)
    for attribute in AUDITED:
        rows[attribute] = rows[attribute].astype(object).where(rows[attribute].notna(), "onbekend").astype(str)
    rows.loc[rows["age_band"] == "nan", "age_band"] = "onbekend"
    return rows


def _expand(rows: pd.DataFrame) -> pd.DataFrame:
    """A soft label becomes an uitval copy (weight p) and a non-uitval copy (weight 1 - p)."""
    soft = (rows["y"] > 0) & (rows["y"] < 1)
    hard = rows[~soft].assign(weight=1.0)
    up = rows[soft].assign(weight=rows.loc[soft, "y"], y=1.0)
    down = rows[soft].assign(weight=1 - rows.loc[soft, "y"], y=0.0)
    return pd.concat([hard, up, down], ignore_index=True)


def audit(predictions: pd.DataFrame, persons: pd.DataFrame, model: str, k: int,
          settings: AuditSettings | None = None) -> pd.DataFrame:
    """One row per (attribute, group); see the module docstring. `persons`: placement_id with the
    protected values and district as known on the as-of date."""
    settings = settings or audit_settings()
    rows = audit_rows(predictions, persons, model)
    if rows.empty:
        return pd.DataFrame()
    week, score, y = rows["as_of"].to_numpy(), rows["risk"].to_numpy(float), rows["y"].to_numpy(float)
    for attribute in AUDITED:
        rows[f"flag__{attribute}"] = worst_case_flags(week, score, y, rows[attribute].to_numpy(), k)
    rows["tied_at_k"] = tied_at_k(week, score, k)
    data = _expand(rows)
    codes, ids = pd.factorize(data["placement_id"])
    rng = np.random.default_rng(settings.seed)
    draws = rng.multinomial(len(ids), np.full(len(ids), 1 / len(ids)), size=settings.n_boot).astype(float)
    return pd.concat([_attribute(data, rows, attribute, codes, draws, settings) for attribute in AUDITED],
                     ignore_index=True)


def _replicates(data: pd.DataFrame, attribute: str, codes: np.ndarray, draws: np.ndarray,
                index: pd.Index) -> np.ndarray:
    """The metrics of every bootstrap replicate (n_boot x groups x METRICS). A replicate draws placements
    with replacement; a placement drawn c times counts c times with all its rows, so each replicate's
    rates are ratios of sums weighted by the draw counts (the same rates MetricFrame gives on the
    resampled rows)."""
    y, f = data["y"].to_numpy(float), data[f"flag__{attribute}"].to_numpy(float)
    w, r = data["weight"].to_numpy(float), data["risk"].to_numpy(float)
    group = pd.Categorical(data[attribute], categories=index).codes
    parts = {"tp": w * y * f, "pos": w * y, "fp": w * (1 - y) * f, "neg": w * (1 - y), "flag": w * f, "all": w,
             "risk": w * r}
    sums = {}
    for name, v in parts.items():
        table = np.zeros((draws.shape[1], len(index)))
        np.add.at(table, (codes, group), v)
        sums[name] = draws @ table
    with np.errstate(divide="ignore", invalid="ignore"):
        metrics = {"share_flagged": sums["flag"] / sums["all"], "recall": sums["tp"] / sums["pos"],
                   "fnr": 1 - sums["tp"] / sums["pos"], "fpr": sums["fp"] / sums["neg"],
                   "precision": sums["tp"] / sums["flag"], "mean_predicted": sums["risk"] / sums["all"],
                   "observed": sums["pos"] / sums["all"]}
    return np.stack([metrics[m] for m in METRICS], axis=2)


def _attribute(data: pd.DataFrame, rows: pd.DataFrame, attribute: str, codes: np.ndarray, draws: np.ndarray,
               settings: AuditSettings) -> pd.DataFrame:
    arrays = [data[c].to_numpy() for c in ("y", f"flag__{attribute}", "risk", "weight", attribute)]
    point = by_group(*arrays)
    stack = _replicates(data, attribute, codes, draws, point.index)
    groups = rows.groupby(attribute)
    counts = pd.DataFrame({
        "n_rows": groups.size(),
        "n_placements": groups["placement_id"].nunique(),
        "n_uitval": rows[rows["y"] == 1].groupby(attribute)["placement_id"].nunique(),
        "tied_at_k": groups["tied_at_k"].sum(),
    }).reindex(point.index).fillna(0).astype(int)
    out = pd.concat([counts, point], axis=1)
    out["judged"] = (out["n_placements"] >= settings.min_placements) & (out["n_uitval"] >= settings.min_positives)
    tail = (1 - settings.confidence) / 2 * 100
    for i, metric in enumerate(METRICS):
        out[f"{metric}_lo"], out[f"{metric}_hi"] = _interval(stack[:, :, i], tail)
    out["calibration_gap"] = out["mean_predicted"] - out["observed"]
    gaps = stack[:, :, METRICS.index("mean_predicted")] - stack[:, :, METRICS.index("observed")]
    out["calibration_gap_lo"], out["calibration_gap_hi"] = _interval(gaps, tail)
    judged = out[out["judged"]]
    reference = judged["n_placements"].idxmax() if len(judged) else None
    out["reference"] = out.index == reference
    recall = stack[:, :, METRICS.index("recall")]
    if reference is not None:
        ref = out.index.get_loc(reference)
        out["recall_ratio"] = out["recall"] / out.loc[reference, "recall"]
        with np.errstate(divide="ignore", invalid="ignore"):
            out["recall_ratio_lo"], out["recall_ratio_hi"] = _interval(recall / recall[:, [ref]], tail)
    else:
        out["recall_ratio"] = out["recall_ratio_lo"] = out["recall_ratio_hi"] = np.nan
    return out.rename_axis("group").reset_index().assign(attribute=attribute)[_columns()]


def _interval(values: np.ndarray, tail: float) -> tuple[np.ndarray, np.ndarray]:
    values = np.where(np.isfinite(values), values, np.nan)
    with np.errstate(all="ignore"):
        if np.isnan(values).all(axis=0).any():
            lo = np.array([np.nanpercentile(c, tail) if np.isfinite(c).any() else np.nan for c in values.T])
            hi = np.array([np.nanpercentile(c, 100 - tail) if np.isfinite(c).any() else np.nan for c in values.T])
            return lo, hi
        return np.nanpercentile(values, tail, axis=0), np.nanpercentile(values, 100 - tail, axis=0)


def _columns() -> list[str]:
    metrics = [m for name in [*METRICS, "calibration_gap", "recall_ratio"] for m in (name, f"{name}_lo", f"{name}_hi")]
    return ["attribute", "group", "n_rows", "n_placements", "n_uitval", "judged", "reference", "tied_at_k", *metrics]


def _plain(value: Any) -> Any:
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    value = float(value)
    return None if np.isnan(value) else round(value, 4)


def as_json(table: pd.DataFrame) -> dict[str, list[dict[str, Any]]]:
    """attribute -> its groups, each with the keys of `lks evaluate --json` (JSON_KEYS) and every other figure."""
    out: dict[str, list[dict[str, Any]]] = {}
    for record in table.to_dict("records"):
        group = {"group": str(record["group"]),
                 **{c: _plain(v) for c, v in record.items() if c not in ("attribute", "group")}}
        group["recall_ratio_ci"] = [group.pop("recall_ratio_lo"), group.pop("recall_ratio_hi")]
        out.setdefault(str(record["attribute"]), []).append(group)
    return out


def largest_gaps(table: pd.DataFrame) -> dict[str, float]:
    """Per attribute, the largest difference in recall between judged groups (the model card shows it)."""
    if table.empty:
        return {}
    judged = table[table["judged"]]
    gaps = judged.groupby("attribute")["recall"].agg(lambda s: float(s.max() - s.min()) if len(s) > 1 else 0.0)
    return {str(a): float(g) for a, g in gaps.items()}


def rows_fingerprint(predictions: pd.DataFrame) -> dict[str, Any]:
    """Which test rows a backtest judged on: their number and a hash of the (placement, date) keys, so
    two backtests can be recognised as judged on identical rows."""
    keys = sorted(f"{p}|{pd.Timestamp(d).date()}" for p, d in zip(predictions["placement_id"], predictions["as_of"],
                                                                 strict=True))
    return {"n": len(keys), "sha256": hashlib.sha256("\n".join(keys).encode()).hexdigest()}


def summary_fields(table: pd.DataFrame, predictions: pd.DataFrame) -> dict[str, Any]:
    """What the backtest summary (backtest.json) records of the audit."""
    return {"fairness": as_json(table) if not table.empty else {}, "fairness_gaps": largest_gaps(table),
            "test_rows": rows_fingerprint(predictions), "gates_version": load_config()["version"]}
