from datetime import date

import pytest

from lks.training.train import TrainConfig, _feature_list, special_use

AS_OF = date(2026, 11, 22)
REFERENCE = "DPIA-2026-014"


def test_training_has_no_dpia_reference_by_default_and_refuses_a_blank_or_padded_one():
    assert TrainConfig(AS_OF).dpia_reference is None
    assert TrainConfig(AS_OF, dpia_reference=REFERENCE).dpia_reference == REFERENCE
    for bad in ("", "  ", f" {REFERENCE}"):
        with pytest.raises(ValueError, match="DPIA reference|stripped"):
            TrainConfig(AS_OF, dpia_reference=bad)


def test_the_bundle_records_the_reference_and_the_special_columns_its_inputs_read():
    used = special_use(TrainConfig(AS_OF, dpia_reference=REFERENCE), ["hours_per_week", "health_limitation"])
    assert used == {"dpia_reference": REFERENCE, "special_columns": ["persons.health_limitation"]}
    assert special_use(TrainConfig(AS_OF), ["hours_per_week"]) == {"dpia_reference": None, "special_columns": []}


def test_the_logged_feature_list_gives_each_input_its_role():
    listed = _feature_list(["hours_per_week", "health_limitation"])
    roles = {f["name"]: f["role"] for f in listed["features"]}
    assert roles == {"tenure_weeks": "feature", "hours_per_week": "feature", "health_limitation": "special"}
    assert listed["contract_roles"]["persons"]["health_limitation"] == "special"
