"""How the unknown-reason strategies label legacy `onbekend` endings, judged against the simulator's
truth (which knows the real reason behind every one of them).

For each strategy: how many training rows it keeps, the P(uitval) it gives the unknown endings
(1 for `as_uitval`; the model's p for `weighted`; none for the strategies that drop them), and the
Brier score of that P against the true class.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from lks.features.frames import landmark_frame
from lks.features.known import Known, as_of_day
from lks.features.labels import outcomes_known
from lks.features.unknown_reasons import STRATEGIES


def unknown_endings(known: Known, as_of: date) -> pd.Index:
    outcome = outcomes_known(known, as_of_day(as_of))
    return outcome.index[outcome["event"] == "unknown"]


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
    elif strategy == "weighted":
        split = frame[frame["placement_id"].isin(unknown) & (frame["uitval_52w"] == 1)]
        p.update(split.groupby("placement_id")["weight"].min())
    return p
