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


def test_a_soft_label_counts_as_its_expectation():
    y = np.array([1.0, 0.0, 0.0, 1.0, 0.0])
    p = np.array([0.9, 0.8, 0.3, 0.6, 0.1])
    soft = y.copy()
    soft[1] = 0.25  # an unknown ending: uitval with weight 0.25
    as_uitval, as_neutral, expected = (date_metrics(v, v, p, p, k=2) for v in (np.where(soft > 0, 1.0, 0.0), y,
                                                                               soft))
    for metric in ("brier_52w", "brier_13w", "precision_at_k"):
        assert expected[metric] == pytest.approx(0.25 * as_uitval[metric] + 0.75 * as_neutral[metric]), metric
    # ROC AUC weighs each (uitval, no uitval) pair by the product of its weights: the 4 pairs of certain
    # rows, the unknown row's pairs as uitval (0.25 each) and as no uitval (0.75 each), and its pair with
    # itself (0.25 * 0.75, a tie: half right)
    correct = sum(int(p[a] > p[b]) for a in (0, 3) for b in (2, 4))
    correct += 0.25 * sum(int(p[1] > p[b]) for b in (2, 4)) + 0.75 * sum(int(p[a] > p[1]) for a in (0, 3))
    correct += 0.5 * 0.25 * 0.75
    total = 4 + 0.25 * 2 + 0.75 * 2 + 0.25 * 0.75
    assert expected["roc_auc_52w"] == pytest.approx(correct / total)
    assert expected["positives_52w"] == pytest.approx(2.25)


def test_reliability_bins_by_predicted_risk_and_reports_the_observed_share():
    from lks.training.metrics import reliability

    p = np.repeat([0.1, 0.5, 0.9], 100)
    y = np.r_[np.zeros(90), np.ones(10), np.zeros(50), np.ones(50), np.zeros(10), np.ones(90)]
    curve = reliability(y, p, bins=3)
    assert curve["predicted"].tolist() == pytest.approx([0.1, 0.5, 0.9])
    assert curve["observed"].tolist() == pytest.approx([0.1, 0.5, 0.9])
