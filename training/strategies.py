"""Unknown reasons against the simulator's truth (which knows the real reason behind every legacy
`onbekend` ending), and the estimate of what those endings were for a training run. The strategies
and the reason model themselves live in `features.unknown_reasons`.

`compare_strategies`: for each strategy, how many training rows it keeps, the P(uitval) it gives
the unknown endings (1 for `as_uitval`; p for `weighted` and `mnar_weighted`; none for the
strategies that drop them), and the Brier score of that P against the true class.
`legacy_unknown_share`: the estimated uitval share among the legacy `onbekend` endings known on a
date, with its interval; `true_unknown_share` the same share in a simulator's truth.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from lks.features.frames import landmark_frame, mondays, unknown_reason_estimate, weekly_features
from lks.features.known import Known, as_of_day, prepare
from lks.features.labels import outcomes_known
from lks.features.unknown_reasons import STRATEGIES, UnknownEstimate


def unknown_endings(known: Known, as_of: date) -> pd.Index:
    outcome = outcomes_known(known, as_of_day(as_of))
    return outcome.index[outcome["event"] == "unknown"]


def legacy_unknown_share(history: dict[str, pd.DataFrame] | Known, as_of: date | str,
                         *, weekly: pd.DataFrame | None = None, since: date | str | None = None,
                         n_boot: int = 200, seed: int = 0) -> UnknownEstimate:
    """The estimated uitval share among the legacy `onbekend` endings known on `as_of`, with a 95%
    interval (`n_boot` bootstrap resamples over endings), the legacy recording rates and the MAR
    model's share beside it. `weekly`: features per Monday as `features.frames.weekly_features`
    builds them (computed from `since`, default the first placement's start, when not given)."""
    known = history if isinstance(history, Known) else prepare(history)
    if weekly is None:
        first = since or known.tables["placements"]["start_date"].min()
        weekly = weekly_features(known, mondays(first, as_of))
    weekly = weekly[weekly["as_of"] <= pd.Timestamp(as_of)]
    return unknown_reason_estimate(known, weekly["as_of"].unique(), label_date=as_of, features=weekly,
                                   n_boot=n_boot, seed=seed)


def true_unknown_share(estimate: UnknownEstimate, truth: Path) -> float:
    """The true uitval share among the legacy unknown endings the estimate speaks about, from a
    simulator's `truth/endings.parquet` (`true_class`)."""
    true = pd.read_parquet(truth / "endings.parquet").set_index("placement_id")["true_class"]
    return float((true.reindex(estimate.legacy_unknown) == "uitval").mean())


def compare_strategies(known: Known, weekly: pd.DataFrame, as_of: date, truth: Path) -> pd.DataFrame:
    true = pd.read_parquet(truth / "endings.parquet").set_index("placement_id")["true_class"]
    unknown = unknown_endings(known, as_of)
    is_uitval = (true.reindex(unknown) == "uitval").astype(float)
    rows = []
    for strategy in STRATEGIES:
        frame = landmark_frame(known, weekly["as_of"].unique(), horizon="52w", label_date=as_of,
                               unknown_reasons=strategy, features=weekly)
        p = _assigned_probability(frame, strategy, unknown)
        covered = p.notna()
        rows.append({
            "strategy": strategy,
            "training_rows": int(len(frame)),
            "unknown_endings": int(len(unknown)),
            "unknown_endings_used": int(frame["placement_id"].isin(unknown).groupby(frame["placement_id"]).any().sum()),
            "mean_p_uitval": float(p[covered].mean()) if covered.any() else np.nan,
            "true_uitval_share": float(is_uitval.mean()) if len(is_uitval) else np.nan,
            "brier_vs_truth": float(((p[covered] - is_uitval[covered]) ** 2).mean()) if covered.any() else np.nan,
        })
    return pd.DataFrame(rows)


def _assigned_probability(frame: pd.DataFrame, strategy: str, unknown: pd.Index) -> pd.Series:
    """P(uitval) the strategy gives each unknown ending (NaN where it drops them)."""
    p = pd.Series(np.nan, index=unknown)
    if strategy == "as_uitval":
        used = frame.loc[frame["placement_id"].isin(unknown), "placement_id"].unique()
        p[used] = 1.0
    elif strategy in ("weighted", "mnar_weighted"):
        split = frame[frame["placement_id"].isin(unknown) & (frame["uitval_52w"] == 1)]
        p.update(split.groupby("placement_id")["weight"].min())
    return p
