import pandas as pd
import pytest

from tests.simulator.conftest import AS_OF

pytestmark = pytest.mark.slow  # the default (Rotterdam-scale) simulation, run once per session

STRUCTURED_FROM = pd.Timestamp("2025-05-01")


def test_legacy_endings_mostly_unknown_structured_rarely(export):
    end = export["endings"]
    legacy = end["registered_at"] < STRUCTURED_FROM
    assert (end.loc[legacy, "registration"] == "legacy").all()
    assert (end.loc[~legacy, "registration"] == "structured").all()
    unknown = end["reason_code"] == "onbekend"
    assert unknown[legacy].mean() >= 0.70, f"legacy onbekend share {unknown[legacy].mean():.3f}"
    assert unknown[~legacy].mean() <= 0.05, f"structured onbekend share {unknown[~legacy].mean():.3f}"


def test_every_unknown_reason_has_a_true_reason(export, truth):
    unknown = export["endings"].loc[export["endings"]["reason_code"] == "onbekend", "placement_id"]
    known = truth["endings"].set_index("placement_id")["true_reason_code"]
    assert unknown.isin(known.index).all() and (known[unknown] != "onbekend").all()


def test_event_lags_days_to_weeks(export):
    ev = export["events"]
    lag = (ev["registered_at"] - ev["event_date"]).dt.total_seconds() / 86400
    median, p90 = lag.median(), lag.quantile(0.9)
    assert lag.min() >= 0, f"an event registered before it happened (lag {lag.min():.2f} days)"
    assert 1 <= median <= 7, f"median event lag {median:.1f} days"
    assert p90 <= 28 and lag.max() <= 60, f"event lag p90 {p90:.1f}, max {lag.max():.1f} days"


def test_ending_lags_up_to_about_60_days(export):
    end = export["endings"]
    lag = (end["registered_at"] - end["end_date"]).dt.total_seconds() / 86400
    assert lag.min() >= 0 and lag.max() <= 61, f"ending lag {lag.min():.1f}..{lag.max():.1f} days"


def test_some_lks_granted_more_than_30_days_after_start(export):
    pl = export["placements"]
    delay = (pl["lks_start_date"] - pl["start_date"]).dt.days
    share = (delay > 30).mean()
    assert 0.10 <= share <= 0.30, f"share with lks_start_date > 30 days after start: {share:.3f}"
    assert delay.between(0, 183).all()


def test_only_facts_registered_by_as_of(export):
    end_of_day = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    for name, df in export.items():
        assert (df["registered_at"] < end_of_day).all(), name


def test_parents_registered_before_children(export):
    pl = export["placements"]
    person = pl["person_id"].map(export["persons"].set_index("person_id")["registered_at"])
    employer = pl["employer_id"].map(export["employers"].set_index("employer_id")["registered_at"])
    assert (person < pl["registered_at"]).all() and (employer < pl["registered_at"]).all()
    placed = pl.set_index("placement_id")["registered_at"]
    for child in ("events", "endings"):
        df = export[child]
        assert (placed[df["placement_id"]].to_numpy() <= df["registered_at"].to_numpy()).all(), child


def test_ended_in_truth_but_not_registered_is_still_active(export, truth):
    unregistered = set(truth["endings"]["placement_id"]) - set(export["endings"]["placement_id"])
    exported_but_open = unregistered & set(export["placements"]["placement_id"])
    assert exported_but_open, "expected exported placements whose ending is not yet registered"
