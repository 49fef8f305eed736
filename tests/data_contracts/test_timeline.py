import pandas as pd

from lks.data_contracts.timeline import cutoff, registered_by, snapshot


def test_as_of_includes_the_whole_day():
    assert cutoff("2025-03-10") == pd.Timestamp("2025-03-11")
    frame = pd.DataFrame({"registered_at": pd.to_datetime(["2025-03-10T23:59:59", "2025-03-11T00:00:00"])})
    assert len(registered_by(frame, "2025-03-10")) == 1


def test_snapshot_takes_the_newest_known_version_per_key():
    placements = pd.DataFrame({
        "placement_id": ["A", "A", "B"],
        "hours_per_week": [20.0, 24.0, 30.0],
        "registered_at": pd.to_datetime(["2025-01-05", "2025-04-01T08:00:00", "2025-05-01T00:00:00"], format="ISO8601"),
    })
    before = snapshot({"placements": placements}, "2025-03-31")["placements"]
    after = snapshot({"placements": placements}, "2025-04-01")["placements"]
    assert before["hours_per_week"].tolist() == [20.0]
    assert after["hours_per_week"].tolist() == [24.0]
