import pandas as pd
import pytest

from lks.data_contracts.timeline import snapshot
from lks.features.known import as_of_day, prepare
from tests.exports import event, make_history, placement


@pytest.fixture
def corrected():
    return make_history(
        placements=[
            placement(hours_per_week=20.0, registered_at="2025-01-05T09:00:00"),
            placement(hours_per_week=24.0, registered_at="2025-04-01T10:00:00"),
            placement(hours_per_week=28.0, registered_at="2025-04-01T15:00:00"),
            placement(placement_id="PL2", registered_at="2025-02-01T08:00:00"),
        ],
        events=[
            event(registered_at="2025-03-10T08:12:00", event_date="2025-03-03"),
            event(registered_at="2025-03-12T08:12:00", event_date="2025-03-03", value_text="positief"),
        ],
    )


@pytest.mark.parametrize("as_of", ["2025-01-04", "2025-01-05", "2025-03-09", "2025-03-10", "2025-03-31",
                                   "2025-04-01", "2026-01-01"])
def test_current_is_timeline_snapshot(corrected, as_of):
    known = prepare(corrected)
    expected = snapshot(corrected, as_of)
    for table in ("placements", "events"):
        got = known.current(table, as_of_day(as_of))[expected[table].columns].reset_index(drop=True)
        pd.testing.assert_frame_equal(got, expected[table], check_dtype=False)


def test_same_day_correction_wins_and_older_is_never_current(corrected):
    known = prepare(corrected)
    assert known.current("placements", as_of_day("2025-03-31")).set_index("placement_id").loc["PL1",
                                                                                              "hours_per_week"] == 20
    assert known.current("placements", as_of_day("2025-04-01")).set_index("placement_id").loc["PL1",
                                                                                              "hours_per_week"] == 28


def test_extra_columns_are_ignored(corrected):
    corrected["events"]["batch_id"] = 3
    corrected["events"]["source_line"] = 2
    assert "batch_id" not in prepare(corrected).tables["events"].columns
