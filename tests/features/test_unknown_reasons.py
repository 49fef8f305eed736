import numpy as np
import pandas as pd
import pytest

from lks.features.unknown_reasons import (
    MIN_STRUCTURED_REASONS,
    ending_descriptors,
    estimate_unknown,
    mnar_posterior,
    recording_rate,
)

START = 20_000  # a day number; every synthetic placement starts on it


def synthetic_endings(r_uitval: float, r_neutral: float, *, n_structured=1500, n_legacy=4000, seed=0,
                      structured_unknown=0.03):
    """One landmark row per ended placement, with the frames' work columns. P(uitval | x) is the same
    in both eras; a legacy reason is recorded with probability r_uitval for an uitval and r_neutral
    for a neutral ending, a structured one nearly always. Returns the rows and the true class."""
    rng = np.random.default_rng(seed)
    n = n_structured + n_legacy
    x = rng.normal(size=n)
    uitval = rng.random(n) < 1 / (1 + np.exp(-(-0.3 + 1.2 * x)))
    structured = np.arange(n) < n_structured
    recorded = rng.random(n) < np.where(structured, 1 - structured_unknown, np.where(uitval, r_uitval, r_neutral))
    week = rng.integers(1, 50, n)
    end_day = START + 7 * week + 3
    rows = pd.DataFrame({
        "placement_id": [f"PL{i}" for i in range(n)],
        "as_of": pd.Timestamp("2024-01-01"),
        "x": x, "tenure_weeks": week, "springboard": 0.0, "weeks_to_planned_end": np.nan,
        "_as_of_day": end_day - 3, "_start_day": START, "_end_day": end_day.astype(float),
        "_end_class": np.where(recorded, np.where(uitval, "uitval", "neutral"), "unknown"),
        "_end_known": end_day + 10,
        "_registration": np.where(structured, "structured", "legacy"),
    })
    return rows, pd.Series(np.where(uitval, "uitval", "neutral"), index=rows["placement_id"])


@pytest.mark.parametrize(("r_uitval", "r_neutral"), [(0.45, 0.10), (0.08, 0.40)])
def test_the_interval_covers_the_true_share_where_the_mar_model_is_biased(r_uitval, r_neutral):
    rows, true = synthetic_endings(r_uitval, r_neutral)
    est = estimate_unknown(rows, n_boot=100, seed=1)
    truth = (true[est.legacy_unknown] == "uitval").mean()
    assert est.method == "mnar"
    assert est.low <= truth <= est.high
    assert est.high - est.low < 0.08
    assert est.r_uitval == pytest.approx(r_uitval, abs=0.05) and est.r_neutral == pytest.approx(r_neutral, abs=0.05)
    # the MAR model learns P(uitval) from the selected legacy endings that carry a reason: far off,
    # in the direction of the class recorded more often
    assert abs(est.mar_share - truth) > 0.1
    assert np.sign(est.mar_share - truth) == np.sign(r_uitval - r_neutral)


def test_when_recording_does_not_depend_on_the_class_both_agree():
    rows, true = synthetic_endings(0.25, 0.25)
    est = estimate_unknown(rows, n_boot=100, seed=2)
    truth = (true[est.legacy_unknown] == "uitval").mean()
    assert est.low <= truth <= est.high
    assert est.mar_share == pytest.approx(truth, abs=0.03)
    assert est.r_uitval == pytest.approx(est.r_neutral, abs=0.05)


def test_too_few_structured_endings_fall_back_to_the_mar_model():
    rows, _ = synthetic_endings(0.45, 0.10, n_structured=MIN_STRUCTURED_REASONS - 5)
    est = estimate_unknown(rows, n_boot=20)
    assert est.method == "mar_fallback"
    assert est.share == pytest.approx(est.mar_share)
    assert np.isnan(est.r_uitval) and est.low <= est.share <= est.high
    assert "too few structured-era endings" in est.describe()


def test_probability_covers_every_unknown_ending_structured_ones_with_p():
    rows, _ = synthetic_endings(0.45, 0.10, n_legacy=2000)
    est = estimate_unknown(rows)
    unknown = rows.loc[rows["_end_class"] == "unknown", "placement_id"]
    assert set(est.probability.index) == set(unknown)
    assert len(est.legacy_unknown) == est.n_legacy_unknown < len(unknown)
    assert np.isnan(est.low)  # no bootstrap asked
    assert ((est.probability > 0) & (est.probability < 1)).all()


def test_recording_rate_is_clipped_to_a_probability():
    assert recording_rate(30, 60.0) == pytest.approx(0.5)
    assert recording_rate(90, 60.0) == 1.0
    assert 0 < recording_rate(0, 60.0) < 0.01
    assert recording_rate(0, 0.0) == 1.0


def test_posterior_of_an_unrecorded_reason():
    p = np.array([0.2, 0.5, 0.9])
    assert mnar_posterior(p, 0.3, 0.3) == pytest.approx(p)  # recording independent of the class: p itself
    # uitval recorded more often: an unrecorded reason was more likely neutral; (1-.6).5 / ((1-.6).5 + (1-.2).5)
    assert mnar_posterior(p, 0.6, 0.2)[1] == pytest.approx(0.4 / 1.2)
    assert (mnar_posterior(p, 0.1, 0.5) > p).all()
    assert mnar_posterior(p, 1.0, 1.0) == pytest.approx(p)  # nothing can be unknown: 0/0 falls back to p


def test_ending_descriptors_say_what_the_ending_itself_shows():
    last = pd.DataFrame({
        "_start_day": [START, START, START],
        "_end_day": [START + 7 * 5 + 6, START + 7 * 52 + 6, START + 7 * 30 + 6],
        "_as_of_day": [START + 7 * 5, START + 7 * 52, START + 7 * 30],
        "springboard": [0.0, 1.0, 0.0],
        "weeks_to_planned_end": [np.nan, 0.5, 1.0],
    })
    d = ending_descriptors(last)
    assert d["ending_week"].tolist() == [5, 52, 30]
    assert d["ending_in_first_13_weeks"].tolist() == [1, 0, 0]
    assert d["springboard_year_completed"].tolist() == [0, 1, 0]
    assert d["ending_at_planned_end"].tolist() == [0, 1, 1]   # no planned end (permanent contract) is never at it
