import pandas as pd

from lks.features.labels import outcomes
from tests.exports import ending, make_history, placement


def history():
    return make_history(
        placements=[placement(placement_id=p, start_date="2024-01-08") for p in ("PL1", "PL2", "PL3", "PL4")],
        endings=[
            ending(placement_id="PL1", end_date="2024-06-28", reason_code="conflict", registered_at="2024-07-15T11:00"),
            ending(placement_id="PL2", end_date="2024-03-01", reason_code="ander_werk",
                   registered_at="2024-03-04T11:00"),
            ending(placement_id="PL3", end_date="2024-02-09", reason_code="onbekend", registration="legacy",
                   registered_at="2024-02-12T11:00"),
        ],
    )


def test_late_registered_ending_is_censored_before_it_is_known():
    before = outcomes(history(), "2024-07-01").loc["PL1"]
    assert before["event"] == "censored" and pd.isna(before["end_date"])
    assert before["duration_days"] == (pd.Timestamp("2024-07-01") - pd.Timestamp("2024-01-08")).days
    assert before["known_at"] == pd.Timestamp("2024-07-01")
    after = outcomes(history(), "2024-07-15").loc["PL1"]
    assert (after["event"], after["reason_code"], after["registration"]) == ("uitval", "conflict", "structured")
    assert after["duration_days"] == 172 and after["duration_weeks"] == 24
    assert after["known_at"] == pd.Timestamp("2024-07-15")


def test_neutral_endings_are_a_competing_event_and_onbekend_is_unknown():
    frame = outcomes(history(), "2024-12-31")
    assert frame.loc["PL2", "event"] == "neutral" and frame.loc["PL2", "duration_days"] == 53
    assert frame.loc["PL3", "event"] == "unknown" and frame.loc["PL3", "registration"] == "legacy"
    assert frame.loc["PL4", "event"] == "censored"
    assert list(frame["event"].cat.categories) == ["uitval", "neutral", "unknown", "censored"]


def test_ending_announced_ahead_counts_from_its_end_date():
    h = make_history(placements=[placement()], endings=[ending(end_date="2024-06-28", registered_at="2024-06-01")])
    assert outcomes(h, "2024-06-27").loc["PL1", "event"] == "censored"
    assert outcomes(h, "2024-06-28").loc["PL1", "known_at"] == pd.Timestamp("2024-06-28")


def test_placements_not_started_or_not_known_are_left_out():
    h = make_history(placements=[placement(start_date="2024-03-04", registered_at="2024-02-01")])
    assert outcomes(h, "2024-03-03").empty and outcomes(h, "2024-01-31").empty
