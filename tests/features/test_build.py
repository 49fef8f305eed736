import numpy as np
import pandas as pd
import pytest

from lks.data_contracts.roles import columns_with_role
from lks.data_contracts.schemas import TABLES
from lks.features.build import build_features
from tests.exports import ending, event, make_history, person, placement, registered_by_all, typed
from tests.features.histories import AS_OF_DATES, rich_history


def features_of(history, as_of, placement_id):
    frame = build_features(history, as_of).set_index("placement_id")
    return frame.loc[placement_id]


@pytest.mark.parametrize("as_of", AS_OF_DATES)
def test_time_travel_full_history_equals_history_known_then(as_of):
    history = rich_history()
    known_then = registered_by_all(history, as_of)
    pd.testing.assert_frame_equal(build_features(history, as_of), build_features(known_then, as_of))


def test_late_registered_sick_report_is_unknown_until_registered():
    before, after = features_of(rich_history(), "2024-03-19", "PL1"), features_of(rich_history(), "2024-03-20", "PL1")
    assert before["sick_reports_all"] == 0 and np.isnan(before["weeks_since_sick_report"])
    assert after["sick_reports_all"] == 1 and after["recoveries_all"] == 1
    assert after["currently_sick"] == 0  # the recovery (known since the 19th) is dated after the report


def test_events_update_the_placement_and_corrections_win():
    history = rich_history()
    assert features_of(history, "2024-03-26", "PL1")["last_jobcoach_contact_zorgelijk"] == 1
    assert features_of(history, "2024-04-03", "PL1")["last_jobcoach_contact_zorgelijk"] == 0
    assert features_of(history, "2024-04-10", "PL1")["hours_per_week"] == 20  # corrected placement row
    assert features_of(history, "2024-04-16", "PL1")["hours_per_week"] == 32  # after hours_change
    pl2 = features_of(history, "2024-04-24", "PL2")
    assert pl2["wage_value_pct"] == 70 and pl2["wage_value_change_since_start"] == pytest.approx(14.5)
    assert pl2["intervention_extra_jobcoaching"] == 1 and pl2["interventions_all"] == 1
    assert pl2["currently_sick"] == 1 and pl2["jobcoach_org_type"] == "intern"
    assert np.isnan(pl2["weeks_to_planned_end"])
    pl3 = features_of(history, "2024-03-20", "PL3")
    weeks = (pd.Timestamp("2025-06-30") - pd.Timestamp("2024-03-20")).days / 7
    assert pl3["weeks_to_planned_end"] == pytest.approx(weeks)
    assert pl3["jobcoach_org_type"] == "geen" and pl3["employer_signals_all"] == 1


def test_person_and_employer_track_record_as_known_then():
    history = rich_history()
    pl1 = features_of(history, "2024-04-24", "PL1")
    assert (pl1["person_earlier_placements"], pl1["person_earlier_uitval"]) == (1, 1)  # PL0 ended in conflict
    assert pl1["debt_problems"] == 0 and features_of(history, "2024-05-10", "PL1")["debt_problems"] == 1
    assert features_of(history, "2024-03-26", "PL1")["harrie_trained"] == 0  # training date not yet reached
    assert features_of(history, "2024-04-03", "PL1")["harrie_trained"] == 1
    # W1: PL0 (ended in uitval within 52 weeks) and PL2 are the others; PL1 itself never counts
    assert pl1[["employer_other_placements", "employer_other_ended_52w", "employer_other_uitval"]].tolist() == [2, 1, 1]
    assert pl1["employer_other_uitval_share"] == 0.5


def test_categories_are_fixed_across_dates():
    history = rich_history()
    first, last = build_features(history, "2024-01-15"), build_features(history, "2024-06-03")
    for column in first.select_dtypes("category"):
        assert list(first[column].cat.categories) == list(last[column].cat.categories)
    assert list(first.columns) == list(last.columns)


def _scrambled(history, roles=("protected", "special", "routing")):
    """Every value of a column with one of `roles` changed; every key renamed consistently."""
    out = {}
    rename = {}
    for table, frame in history.items():
        frame = frame.copy()
        for column in columns_with_role(table, *roles):
            values = frame[column]
            if column == "birth_year":
                frame[column] = (2010 - (values - 1940)).astype("Int64")
            elif str(values.dtype) == "boolean":
                frame[column] = ~values
            else:
                frame[column] = values.map(lambda v: None if v is None else f"x_{v}")
        for column in columns_with_role(table, "key"):
            frame[column] = frame[column].map(lambda v: f"K{v[::-1]}")
            rename.update({f"K{v[::-1]}": v for v in history[table][column]})
        out[table] = typed(frame.to_dict("records"), table) if table in TABLES else frame
    return out, rename


@pytest.mark.parametrize("as_of", AS_OF_DATES[::3])
def test_protected_special_routing_and_key_values_move_no_feature(as_of):
    history = rich_history()
    scrambled, rename = _scrambled(history)
    expected = build_features(history, as_of)
    got = build_features(scrambled, as_of)
    got["placement_id"] = got["placement_id"].map(rename)
    got = got.sort_values("placement_id").reset_index(drop=True)
    pd.testing.assert_frame_equal(got, expected)


REFERENCE = "DPIA-2026-014"


def _health_history():
    """P1 has a known health limitation, P2 none until a correction on 2024-03-01, P3's is not registered."""
    return make_history(
        persons=[person(person_id="P1", health_limitation=True),
                 person(person_id="P2", health_limitation=False),
                 person(person_id="P2", health_limitation=True, registered_at="2024-03-01T09:00:00"),
                 person(person_id="P3", health_limitation=None)],
        placements=[placement(placement_id=f"PL{i}", person_id=f"P{i}") for i in (1, 2, 3)],
    )


def test_without_a_dpia_reference_there_is_no_health_feature():
    assert "health_limitation" not in build_features(_health_history(), "2024-03-04").columns


def test_with_a_dpia_reference_the_health_flag_is_added_as_known_then_and_nothing_else_changes():
    history = _health_history()
    before = build_features(history, "2024-02-05", dpia_reference=REFERENCE).set_index("placement_id")
    after = build_features(history, "2024-03-04", dpia_reference=REFERENCE).set_index("placement_id")
    assert before["health_limitation"].tolist()[:2] == [1.0, 0.0] and np.isnan(before.loc["PL3", "health_limitation"])
    assert after.loc["PL2", "health_limitation"] == 1.0  # the correction is known from 2024-03-01
    default = build_features(history, "2024-03-04")
    pd.testing.assert_frame_equal(after.reset_index().drop(columns="health_limitation"), default)


@pytest.mark.parametrize("as_of", AS_OF_DATES[::4])
def test_with_a_dpia_reference_protected_and_routing_values_still_move_no_feature(as_of):
    history = rich_history()
    expected = build_features(history, as_of, dpia_reference=REFERENCE)
    pd.testing.assert_frame_equal(_unscrambled(_scrambled(history, roles=("protected", "routing")), as_of), expected)
    moved = _unscrambled(_scrambled(history, roles=("special",)), as_of)
    pd.testing.assert_series_equal(moved["health_limitation"], 1 - expected["health_limitation"])
    pd.testing.assert_frame_equal(moved.drop(columns="health_limitation"),
                                  expected.drop(columns="health_limitation"))


def _unscrambled(scrambled, as_of) -> pd.DataFrame:
    """Features of a scrambled history with a DPIA reference, under the original keys and order."""
    history, rename = scrambled
    got = build_features(history, as_of, dpia_reference=REFERENCE)
    got["placement_id"] = got["placement_id"].map(rename)
    return got.sort_values("placement_id").reset_index(drop=True)


@pytest.mark.parametrize("blank", ["", "  "])
def test_a_blank_dpia_reference_is_refused_not_read_as_off(blank):
    with pytest.raises(ValueError, match="DPIA reference"):
        build_features(_health_history(), "2024-03-04", dpia_reference=blank)


def test_facts_registered_after_the_date_change_nothing():
    history = rich_history()
    as_of = "2024-04-03"
    future = {
        "events": [
            event(event_id="F1", placement_id="PL1", event_type="sick_report", event_date="2024-04-02",
                  value_text=None, registered_at="2024-04-04T00:00:00"),
            event(event_id="E4", placement_id="PL1", event_type="hours_change", event_date="2024-04-15",
                  value_num=8.0, value_text=None, registered_at="2024-06-01T08:00:00"),
        ],
        "endings": [ending(placement_id="PL1", end_date="2024-03-29", registered_at="2024-04-04T09:00:00")],
        "placements": [placement(placement_id="PL2", person_id="P2", hours_per_week=1.0,
                                 registered_at="2024-04-03T23:59:59.999")],
    }
    expected = build_features(history, as_of)
    more = dict(history)
    for table, rows in future.items():
        more[table] = pd.concat([history[table], typed(rows, table)], ignore_index=True)
    without_last_second = {**more, "placements": history["placements"]}
    pd.testing.assert_frame_equal(build_features(without_last_second, as_of), expected)
    # a correction registered in the last second of the day is known that day
    assert build_features(more, as_of).set_index("placement_id").loc["PL2", "hours_per_week"] == 1.0
