"""Metrics for one test date, and pooling over test dates with bootstrap intervals.

Everything a coordinator cares about is a list: with capacity for k conversations a week, how
many of the top k placements truly end in uitval (precision at k), and what share of all uitval
the top k catch (recall at k). The rest judge probabilities: ranking (ROC AUC, PR AUC) and
honesty (Brier score, expected calibration error).

A label may be soft: a value p in (0, 1) stands for a row whose ending is not known for certain
(an `onbekend` reason), counted as uitval with weight p and as no uitval with weight 1 - p. Every
metric then is its expectation over that split; with labels 0 and 1 nothing changes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from sklearn.metrics import average_precision_score, brier_score_loss, roc_auc_score


def ece(y: np.ndarray, p: np.ndarray, bins: int = 10, weight: np.ndarray | None = None) -> float:
    """Expected calibration error: the size-weighted mean |observed - predicted| over equal-width bins."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    w = np.ones(len(y)) if weight is None else np.asarray(weight, float)
    edges = np.linspace(0, 1, bins + 1)
    which = np.clip(np.digitize(p, edges[1:-1]), 0, bins - 1)
    total = 0.0
    for b in range(bins):
        mask = (which == b) & (w > 0)
        if mask.any():
            total += w[mask].sum() * abs(np.average(y[mask], weights=w[mask]) - np.average(p[mask], weights=w[mask]))
    return float(total / w.sum()) if w.sum() > 0 else float("nan")


def split_soft(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows with a soft label y in (0, 1) become two rows: label 1 with weight y, label 0 with weight
    1 - y. Returns (labels, scores, weights); hard labels keep weight 1."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    soft = (y > 0) & (y < 1)
    labels = np.concatenate([np.where(soft, 1.0, y), np.zeros(int(soft.sum()))])
    weights = np.concatenate([np.where(soft, y, 1.0), 1.0 - y[soft]])
    return labels, np.concatenate([p, p[soft]]), weights


def reliability(y: np.ndarray, p: np.ndarray, bins: int = 10) -> pd.DataFrame:
    """Observed rate against mean prediction per quantile bin (for the reliability plot); a soft label
    counts as its expectation."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    known = ~np.isnan(y)
    frame = pd.DataFrame({"y": y[known], "p": p[known]})
    frame["bin"] = pd.qcut(frame["p"], bins, labels=False, duplicates="drop") if len(frame) else []
    out = frame.groupby("bin").agg(predicted=("p", "mean"), observed=("y", "mean"))
    return out.reset_index(drop=True)


def top_k(y: np.ndarray, p: np.ndarray, k: int, rng: np.random.Generator | None = None) -> tuple[float, float]:
    """Precision and recall of the k highest-risk rows. Ties are broken at random, so a rule
    that gives many placements the same score earns no credit for the order it happens to have."""
    y, p = np.asarray(y, float), np.asarray(p, float)
    if len(y) == 0:
        return float("nan"), float("nan")
    tiebreak = (rng or np.random.default_rng(0)).random(len(p))
    order = np.lexsort((tiebreak, -p))[:k]
    hits = y[order].sum()
    positives = y.sum()
    return float(hits / min(k, len(y))), float(hits / positives) if positives else float("nan")


def _safe(fn: Callable[..., float], y: np.ndarray, p: np.ndarray, w: np.ndarray) -> float:
    """fn(y, p) when both classes carry weight, else NaN."""
    positive = np.sum(w * y)
    return float(fn(y, p, sample_weight=w)) if 0 < positive < np.sum(w) else float("nan")


def date_metrics(y13: np.ndarray, y52: np.ndarray, p13: np.ndarray, p52: np.ndarray, k: int) -> dict[str, float]:
    """All metrics for the placements scored on one test date (a NaN label is left out of its horizon;
    a soft label counts as expected, see the module docstring)."""
    y13, y52, p13, p52 = (np.asarray(a, float) for a in (y13, y52, p13, p52))
    known13, known52 = ~np.isnan(y13), ~np.isnan(y52)
    y13, p13, y52, p52 = y13[known13], p13[known13], y52[known52], p52[known52]
    precision, recall = top_k(y52, p52, k)
    a13, b13, w13 = split_soft(y13, p13)
    a52, b52, w52 = split_soft(y52, p52)
    return {
        "n": len(y52),
        "positives_52w": float(np.sum(y52)),
        "roc_auc_13w": _safe(roc_auc_score, a13, b13, w13),
        "roc_auc_52w": _safe(roc_auc_score, a52, b52, w52),
        "pr_auc_13w": _safe(average_precision_score, a13, b13, w13),
        "pr_auc_52w": _safe(average_precision_score, a52, b52, w52),
        "brier_13w": float(brier_score_loss(a13, b13, sample_weight=w13)) if len(y13) else float("nan"),
        "brier_52w": float(brier_score_loss(a52, b52, sample_weight=w52)) if len(y52) else float("nan"),
        "ece_52w": ece(a52, b52, weight=w52),
        "precision_at_k": precision,
        "recall_at_k": recall,
        "k": k,
    }


def pooled(per_date: pd.DataFrame, n_boot: int = 500, seed: int = 0) -> dict[str, float]:
    """Mean of each metric over test dates, with a 95% bootstrap interval over dates.

    Dates are resampled whole: the placements of one week are not independent, weeks are
    closer to it."""
    rng = np.random.default_rng(seed)
    metrics = [c for c in per_date.columns if c not in ("as_of", "n", "positives_52w", "k")]
    out: dict[str, float] = {"n_test_dates": int(len(per_date)), "k": int(per_date["k"].iloc[0])}
    values = per_date[metrics].to_numpy(float)
    boots = np.stack([np.nanmean(values[rng.integers(0, len(values), len(values))], axis=0) for _ in range(n_boot)])
    for i, name in enumerate(metrics):
        out[name] = float(np.nanmean(values[:, i]))
        out[f"{name}_lo"], out[f"{name}_hi"] = (float(v) for v in np.nanpercentile(boots[:, i], [2.5, 97.5]))
    return out
