"""Fairness audit of backtest scores by protected ground: audit only, never a model input.

For each protected attribute (and the district, which proxies origin), per group: how often its
placements land on the weekly top-k list, what share of its uitval the list catches (recall),
and mean predicted against observed risk. fairlearn's MetricFrame does the grouping; the largest
gap between groups is what the promotion gate looks at.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame

AUDITED = ["dutch_language_level", "migration_background", "gender", "age_band", "district"]


def age_band(birth_year: pd.Series, as_of: pd.Series) -> pd.Series:
    age = pd.to_datetime(as_of).dt.year - birth_year.astype(float)
    bands = pd.cut(age, [0, 27, 35, 45, 55, 120], right=False, labels=["<27", "27-34", "35-44", "45-54", "55+"])
    return bands.astype(str)


def on_list(predictions: pd.DataFrame, risk: str, k: int) -> np.ndarray:
    """1 for the rows in the top k of their test date."""
    rank = predictions.groupby("as_of")[risk].rank(ascending=False, method="first")
    return np.asarray((rank <= k).to_numpy(int))


def audit(predictions: pd.DataFrame, persons: pd.DataFrame, model: str, k: int) -> pd.DataFrame:
    """Rows: attribute, group, n, share_on_list, recall_on_list, mean_risk, observed_rate."""
    rows = predictions.merge(persons, on="placement_id", how="left")
    rows["age_band"] = age_band(rows["birth_year"], rows["as_of"])
    y = rows["uitval_52w"].astype(float).to_numpy()
    known = ~np.isnan(y)
    rows, y = rows[known], y[known]
    listed = on_list(rows, f"{model}__risk_52w", k)
    risk = rows[f"{model}__risk_52w"].to_numpy()
    out = []
    for attribute in AUDITED:
        groups = rows[attribute].fillna("onbekend").astype(str).to_numpy()
        frame = MetricFrame(
            metrics={
                "share_on_list": lambda yt, yp: float(np.mean(yp)),
                "recall_on_list": lambda yt, yp: float(np.sum(yt * yp) / np.sum(yt)) if np.sum(yt) else np.nan,
                "observed_rate": lambda yt, yp: float(np.mean(yt)),
            },
            y_true=y, y_pred=listed, sensitive_features=groups,
        ).by_group
        mean_risk = pd.Series(risk).groupby(groups).mean()
        counts = pd.Series(groups).value_counts()
        for group, metrics in frame.iterrows():
            out.append({"attribute": attribute, "group": group, "n": int(counts[group]),
                        **metrics.to_dict(), "mean_risk": float(mean_risk[group])})
    return pd.DataFrame(out)


def largest_gaps(table: pd.DataFrame, min_n: int = 200) -> dict[str, float]:
    """Per attribute, the largest difference in recall on the list between groups of at least `min_n` rows."""
    big = table[table["n"] >= min_n]
    gaps = big.groupby("attribute")["recall_on_list"].agg(lambda s: float(s.max() - s.min()) if len(s) > 1 else 0.0)
    return {a: float(g) for a, g in gaps.items()}
