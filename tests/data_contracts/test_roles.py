import pytest

from lks.data_contracts.roles import (
    NEVER_INPUT,
    all_roles,
    check_dpia_reference,
    dpia_refusal,
    feature_columns,
    role_of,
)
from lks.data_contracts.schemas import TABLES


def test_every_column_has_a_known_role():
    roles = all_roles()
    assert set(roles) == set(TABLES)
    assert {r for cols in roles.values() for r in cols.values()} <= {
        "key", "feature", "protected", "special", "time", "routing", "label"}


def test_roles_follow_the_contract():
    assert [c for c, r in all_roles()["persons"].items() if r == "protected"] == [
        "birth_year", "gender", "migration_background", "dutch_language_level"]
    assert role_of("persons", "district") == "routing"
    assert role_of("persons", "health_limitation") == "special"
    assert role_of("placements", "jobcoach_id") == "routing"
    assert role_of("endings", "reason_code") == "label"
    assert "feature" not in NEVER_INPUT and "protected" in NEVER_INPUT


def test_feature_columns_exclude_everything_else():
    assert feature_columns("persons") == [
        "education_level", "target_group_register", "debt_problems", "childcare_need"]
    assert "team" not in feature_columns("placements") and "hours_per_week" in feature_columns("placements")


def test_a_dpia_reference_is_a_stripped_non_empty_string_or_none():
    assert check_dpia_reference(None) is None
    assert check_dpia_reference(" DPIA-2026-014 ") == "DPIA-2026-014"
    for blank in ("", "   ", "\t\n", 14):
        with pytest.raises(ValueError, match="DPIA reference"):
            check_dpia_reference(blank)


def test_a_dpia_covers_models_trained_under_none_or_under_itself():
    assert dpia_refusal("1", (), None, None) is None and dpia_refusal("1", (), None, "DPIA-1") is None
    assert dpia_refusal("1", ("health_limitation",), "DPIA-1", "DPIA-1") is None
    assert "names none" in dpia_refusal("1", (), "DPIA-1", None)
    assert "names 'DPIA-2'" in dpia_refusal("1", (), "DPIA-1", "DPIA-2")


def test_special_inputs_without_a_recorded_reference_are_never_used():
    assert "records no DPIA reference" in dpia_refusal("1", ("health_limitation",), None, "DPIA-1")
