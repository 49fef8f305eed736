from datetime import date

import pandas as pd
import pytest

from lks.features.frames import weekly_features
from lks.features.known import prepare
from lks.training.backtest import EVAL_STRATEGY
from lks.training.label_audit import label_audit
from tests.exports import ending, make_history, person, placement

TEST_DATE = pd.Timestamp("2024-03-04")
AS_OF = date(2025, 6, 1)  # every first-year label of the test date known, grace included


def history():
    """Two women and two men, one placement each. Woman PL1 ends with reason `onbekend` (legacy),
    man PL2 with a known uitval reason; PL3 and PL4 run on."""
    persons = [person(person_id="P1", gender="V", birth_year=1990), person(person_id="P2", gender="M", birth_year=1960),
               person(person_id="P3", gender="V", birth_year=1991), person(person_id="P4", gender="M", birth_year=1961)]
    placements = [placement(placement_id=f"PL{i}", person_id=f"P{i}") for i in range(1, 5)]
    endings = [ending(placement_id="PL1", end_date="2024-04-30", reason_code="onbekend", registration="legacy",
                      registered_at="2024-05-10T09:00:00"),
               ending(placement_id="PL2", end_date="2024-04-30", reason_code="conflict", registration="legacy",
                      registered_at="2024-05-10T09:00:00")]
    return make_history(persons=persons, placements=placements, endings=endings)


def persons_of(hist) -> pd.DataFrame:
    cols = ["person_id", "birth_year", "gender", "migration_background", "dutch_language_level", "district"]
    return hist["placements"][["placement_id", "person_id"]].merge(hist["persons"][cols]).drop(columns="person_id")


@pytest.fixture(scope="module")
def audit():
    hist = history()
    known = prepare(hist)
    rows = weekly_features(known, [TEST_DATE])
    return label_audit(known, rows, AS_OF, persons_of(hist), strategies=("as_uitval", "exclude"))


def test_the_onbekend_endings_and_the_rows_left_out_are_counted_per_group(audit):
    gender = audit[audit["attribute"] == "gender"].set_index("group")
    assert gender.loc["V", ["placements", "endings", "onbekend_endings"]].tolist() == [2, 1, 1]
    assert gender.loc["M", ["placements", "endings", "onbekend_endings"]].tolist() == [2, 1, 0]
    assert gender.loc["V", "onbekend_share"] == 1.0 and gender.loc["M", "onbekend_share"] == 0.0
    # the evaluation leaves out the woman's row whose first-year label rests on the unknown reason
    assert gender.loc["V", ["eval_rows", "eval_on_onbekend"]].tolist() == [2, 1]
    assert gender.loc["M", ["eval_rows", "eval_on_onbekend"]].tolist() == [2, 0]
    if EVAL_STRATEGY == "exclude":  # the backtest leaves those rows out; a soft-label strategy keeps them
        assert gender.loc["V", "eval_left_out"] == 1 and gender.loc["V", "left_out_share"] == 0.5
    assert gender.loc["M", "eval_left_out"] == 0


def test_the_strategy_changes_the_uitval_share_of_the_group_with_unknown_endings_only(audit):
    gender = audit[audit["attribute"] == "gender"].set_index("group")
    assert gender.loc["V", "uitval_share__as_uitval"] == 0.5  # PL1 counted as uitval
    assert gender.loc["V", "uitval_share__exclude"] == 0.0    # PL1 left out: only PL3, no uitval
    assert gender.loc["V", "rows__exclude"] == 1 and gender.loc["V", "rows__as_uitval"] == 2
    assert gender.loc["M", "uitval_share__as_uitval"] == gender.loc["M", "uitval_share__exclude"] == 0.5


def test_every_audited_attribute_is_reported_with_age_bands_on_the_rows_date(audit):
    assert set(audit["attribute"]) == {"gender", "migration_background", "dutch_language_level", "age_band", "district"}
    ages = audit[audit["attribute"] == "age_band"].set_index("group")
    assert ages.loc["27-34", "placements"] == 2 and ages.loc["55+", "placements"] == 2  # born 1990/91 and 1960/61


def test_the_ending_counts_can_cover_more_placements_than_the_test_rows():
    hist = history()
    known = prepare(hist)
    rows = weekly_features(known, [TEST_DATE])
    test = rows[rows["placement_id"].isin(["PL2", "PL3", "PL4"])]
    audit = label_audit(known, test, AS_OF, persons_of(hist), strategies=("exclude",), placements_of=rows)
    women = audit[(audit["attribute"] == "gender") & (audit["group"] == "V")].iloc[0]
    assert women["onbekend_endings"] == 1 and women["eval_rows"] == 1  # PL1 counted, though not a test row
