import numpy as np
import pandas as pd
import pytest

from lks.training.metrics import date_metrics, ece, pooled, top_k


def test_top_k_counts_hits_among_the_highest_risks():
    y = np.array([1, 0, 1, 0, 0, 1])
    p = np.array([0.9, 0.8, 0.7, 0.1, 0.2, 0.05])
    assert top_k(y, p, 3) == (pytest.approx(2 / 3), pytest.approx(2 / 3))


def test_top_k_gives_a_constant_score_no_credit_for_row_order():
    y = np.r_[np.ones(50), np.zeros(950)]
    precisions = [top_k(y, np.ones(1000), 25, np.random.default_rng(s))[0] for s in range(50)]
    assert np.mean(precisions) == pytest.approx(0.05, abs=0.03)


def test_ece_is_zero_for_calibrated_bins_and_large_for_overconfidence():
    rng = np.random.default_rng(1)
    p = rng.uniform(0, 1, 200_000)
    y = rng.uniform(0, 1, p.size) < p
    assert ece(y, p) < 0.01
    assert ece(y, np.clip(p * 2, 0, 1)) > 0.1


def test_pooled_means_over_dates_with_an_interval():
    rng = np.random.default_rng(2)
    rows = []
    for d in range(8):
        y = rng.uniform(size=300) < 0.2
        p = np.where(y, 0.6, 0.3) + rng.normal(0, 0.1, 300)
        rows.append({"as_of": pd.Timestamp("2025-06-02") + pd.Timedelta(weeks=d),
                     **date_metrics(y, y, np.clip(p, 0, 1), np.clip(p, 0, 1), k=25)})
    out = pooled(pd.DataFrame(rows), n_boot=200)
    assert out["n_test_dates"] == 8 and out["k"] == 25
    assert out["roc_auc_52w_lo"] <= out["roc_auc_52w"] <= out["roc_auc_52w_hi"]
    assert out["roc_auc_52w"] > 0.9
