import pytest

from lks.service.champion.feature_schema import InvalidFeatures, frame, validate
from lks.service.champion.types import FeatureSpec

SCHEMA = (FeatureSpec("tenure_weeks", "integer"), FeatureSpec("sick_reports_4w", "integer"),
          FeatureSpec("weeks_since_sick_report", "number"),
          FeatureSpec("contract_type", "category", ("bepaald", "onbepaald")))
GOOD = {"tenure_weeks": 3, "sick_reports_4w": 1, "weeks_since_sick_report": None, "contract_type": "bepaald"}


def test_a_valid_payload_becomes_a_typed_frame():
    X = frame(SCHEMA, [validate(SCHEMA, GOOD)])
    assert str(X["contract_type"].dtype) == "category" and X["weeks_since_sick_report"].isna().all()


@pytest.mark.parametrize("change,field", [
    ({"tenure_weeks": 52}, "tenure_weeks"), ({"tenure_weeks": None}, "tenure_weeks"),
    ({"sick_reports_4w": 1.5}, "sick_reports_4w"), ({"sick_reports_4w": -1}, "sick_reports_4w"),
    ({"sick_reports_4w": True}, "sick_reports_4w"), ({"weeks_since_sick_report": "x"}, "weeks_since_sick_report"),
    ({"contract_type": "vast"}, "contract_type"), ({"contract_type": None}, "contract_type"),
    ({"extra": 1}, "extra")])
def test_every_problem_names_its_field(change, field):
    with pytest.raises(InvalidFeatures) as err:
        validate(SCHEMA, {**GOOD, **change})
    assert [p.field for p in err.value.problems] == [field]


def test_missing_inputs_are_reported_all_at_once():
    with pytest.raises(InvalidFeatures) as err:
        validate(SCHEMA, {})
    assert len(err.value.problems) == len(SCHEMA)
