"""Flip tests: how far a risk and a place on the weekly list move when one input changes.

On real backtest rows (placements active on a test date), one input at a time is set to another
value for every sampled row: a categorical input to each other category it takes, a numeric input
to its 10th and its 90th percentile (`config/governance.yaml`). Per input: the median and largest
absolute change in the 52-week risk, and the share of rows whose membership of their week's top-k
list changes under at least one of the values. A row's new place is judged against the other rows
of its week as they were (only that row changed), as the coordinator would see it.

Typical profiles: for each protected attribute and group, the inputs that proxy the attribute (see
`proxy`) are set to that group's typical values (mean or most frequent) for every row: "the same
placement with the inputs a typical member of group g has". A large move says the model treats a
group's typical profile differently, whether or not that is justified by the risk.

Worked example: week W has risks 0.9, 0.6, 0.5, 0.2 and k = 2; the list holds the first two. If
changing an input lifts the 0.5 row to 0.7, it passes the 0.6 row: its membership changes; if it
lifts it to 0.55, it does not, and its absolute change is 0.05.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pandas as pd

from lks.training.governance_config import FlipConfig

RiskFn = Callable[[pd.DataFrame], np.ndarray]  # rows -> 52-week risk per row
SEED = 0


def _week_thresholds(rows: pd.DataFrame, risk: np.ndarray, k: int) -> dict:
    """Per as-of date, the risks sorted from high to low (to find a changed row's new place)."""
    frame = pd.DataFrame({"as_of": rows["as_of"].to_numpy(), "risk": risk})
    return {d: np.sort(g["risk"].to_numpy())[::-1] for d, g in frame.groupby("as_of")}


def _on_list(risk: np.ndarray, own: np.ndarray, weeks: np.ndarray, sorted_by_week: dict, k: int) -> np.ndarray:
    """Whether each row, with `risk` instead of its original `own`, is in its week's top k (others as they were)."""
    out = np.zeros(len(risk), dtype=bool)
    for i, (r, o, w) in enumerate(zip(risk, own, weeks, strict=True)):
        others = sorted_by_week[w]
        higher = int(np.sum(others > r)) - int(o > r)  # the others above it; its own old risk does not count
        out[i] = higher < k
    return out


def _variants(rows: pd.DataFrame, column: str, config: FlipConfig) -> list:
    values = rows[column]
    if isinstance(values.dtype, pd.CategoricalDtype) or not pd.api.types.is_numeric_dtype(values):
        if isinstance(values.dtype, pd.CategoricalDtype):
            return list(values.cat.categories)
        return list(values.dropna().unique())
    present = values.dropna()
    if present.empty:
        return []
    quantiles = present.quantile([config.low_quantile, config.high_quantile]).to_numpy()
    if pd.api.types.is_integer_dtype(values):
        quantiles = np.round(quantiles)
    return list(dict.fromkeys(quantiles.tolist()))


def _set(rows: pd.DataFrame, column: str, value) -> pd.DataFrame:
    changed = rows.copy()
    if isinstance(rows[column].dtype, pd.CategoricalDtype):
        changed[column] = pd.Categorical([value] * len(rows), categories=rows[column].cat.categories)
    else:
        changed[column] = pd.Series([value] * len(rows), index=rows.index).astype(rows[column].dtype)
    return changed


def _sample(rows: pd.DataFrame, n: int) -> pd.DataFrame:
    return rows if len(rows) <= n else rows.sample(n, random_state=SEED)


def _moves(sample: pd.DataFrame, base: np.ndarray, changed: list[np.ndarray], weeks_sorted: dict, k: int) -> dict:
    """Median and max absolute risk change over rows x values, and the share of rows whose list
    membership changes under at least one value."""
    weeks = sample["as_of"].to_numpy()
    was_on = _on_list(base, base, weeks, weeks_sorted, k)
    deltas = np.concatenate([np.abs(r - base) for r in changed])
    flipped = np.zeros(len(sample), dtype=bool)
    for risk in changed:
        flipped |= _on_list(risk, base, weeks, weeks_sorted, k) != was_on
    return {"median_abs_change": float(np.median(deltas)), "max_abs_change": float(np.max(deltas)),
            "share_list_changed": float(flipped.mean()), "n_rows": int(len(sample))}


def _batched(risk_fn: RiskFn, frames: list[Callable[[], pd.DataFrame]], n: int, batch_rows: int = 40_000) -> list:
    """risk_fn over many changed copies of the same `n` rows, scored a batch at a time (one call per
    changed copy costs the models' overhead hundreds of times over)."""
    per_batch = max(1, batch_rows // max(n, 1))
    out: list[np.ndarray] = []
    for start in range(0, len(frames), per_batch):
        batch = pd.concat([make() for make in frames[start:start + per_batch]], ignore_index=True)
        risk = np.asarray(risk_fn(batch), float)
        out.extend(risk[i * n:(i + 1) * n] for i in range(len(risk) // n if n else 0))
    return out


def flip_test(rows: pd.DataFrame, features: list[str], risk_fn: RiskFn, k: int, config: FlipConfig,
              base_risk: np.ndarray | None = None) -> pd.DataFrame:
    """Per input: values tried, median_abs_change, max_abs_change, share_list_changed, n_rows, sorted by
    the median change. `rows` are backtest rows (as_of, placement_id, the inputs, tenure_weeks);
    `base_risk`, when given, is risk_fn(rows) already computed."""
    columns = ["input", "values", "median_abs_change", "max_abs_change", "share_list_changed", "n_rows"]
    if rows.empty:
        return pd.DataFrame(columns=columns)
    base_all = np.asarray(risk_fn(rows) if base_risk is None else base_risk, float)
    weeks_sorted = _week_thresholds(rows, base_all, k)
    sample = _sample(rows.reset_index(drop=True), config.sample_rows)
    base = base_all[sample.index.to_numpy()] if len(sample) < len(rows) else base_all
    sample = sample.reset_index(drop=True)
    tried = {column: [v for v in _variants(rows, column, config) if not (isinstance(v, float) and np.isnan(v))]
             for column in features}
    jobs = [(column, value) for column, values in tried.items() for value in values]
    risks = _batched(risk_fn, [partial(_set, sample, column, value) for column, value in jobs], len(sample))
    out = []
    for column, values in tried.items():
        if not values:
            continue
        changed = [risks.pop(0) for _ in values]
        moves = _moves(sample, base, changed, weeks_sorted, k)
        out.append({"input": column, "values": [str(v) for v in values], **moves})
    table = pd.DataFrame(out, columns=columns)
    return table.sort_values(["median_abs_change", "max_abs_change"], ascending=False).reset_index(drop=True)


def typical_profile(rows: pd.DataFrame, inputs: list[str]) -> dict:
    """The group's mean of each numeric input (rounded for whole numbers), and the most frequent value of
    each categorical or yes/no input. The mean, not the median: most signal counts are 0 for the median
    member of every group, which would make every group's profile the same."""
    out = {}
    for column in inputs:
        values = rows[column].dropna()
        if values.empty:
            continue
        kind = values.dtype
        if isinstance(kind, pd.CategoricalDtype) or pd.api.types.is_bool_dtype(kind) \
                or not pd.api.types.is_numeric_dtype(kind):
            out[column] = values.mode().iloc[0]
        elif pd.api.types.is_integer_dtype(kind):
            out[column] = int(round(float(values.mean())))
        else:
            out[column] = float(values.mean())
    return out


def profile_swaps(rows: pd.DataFrame, groups: pd.Series, inputs: list[str], risk_fn: RiskFn, k: int,
                  config: FlipConfig, min_rows: int = 25, base_risk: np.ndarray | None = None) -> pd.DataFrame:
    """Per group of `groups` (aligned with rows; at least `min_rows` rows): every sampled row gets the
    group's typical values of `inputs`; the median and max absolute risk change, the share whose list
    membership changes, and the mean risk before and after (a shift up or down for everyone).
    `base_risk`, when given, is risk_fn(rows) already computed."""
    rows = rows.reset_index(drop=True)
    groups = pd.Series(groups.to_numpy(), index=rows.index)
    base_all = np.asarray(risk_fn(rows) if base_risk is None else base_risk, float)
    weeks_sorted = _week_thresholds(rows, base_all, k)
    sample = _sample(rows, config.sample_rows)
    base = base_all[sample.index.to_numpy()]
    sample = sample.reset_index(drop=True)
    counts = groups.dropna().astype(str).value_counts()
    profiles = {group: typical_profile(rows[groups.astype(str) == group], inputs)
                for group in sorted(counts[counts >= min_rows].index)}
    profiles = {group: profile for group, profile in profiles.items() if profile}

    def swapped(profile: dict) -> pd.DataFrame:
        changed = sample
        for column, value in profile.items():
            changed = _set(changed, column, value)
        return changed

    risks = _batched(risk_fn, [partial(swapped, profile) for profile in profiles.values()], len(sample))
    return pd.DataFrame([{"group": group, "profile": {c: str(v) for c, v in profile.items()},
                          **_moves(sample, base, [risk], weeks_sorted, k),
                          "mean_risk_before": float(base.mean()), "mean_risk_after": float(risk.mean())}
                         for (group, profile), risk in zip(profiles.items(), risks, strict=True)])
