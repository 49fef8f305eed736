from pathlib import Path

from lks.data_contracts.roles import role_of
from lks.features.build import build_features, feature_names
from lks.features.catalog import CATALOG, catalog, markdown, special_columns, special_features
from tests.features.histories import rich_history

DOC = Path(__file__).parents[2] / "docs" / "features.md"


def test_every_produced_column_is_documented_and_nothing_else():
    frame = build_features(rich_history(), "2024-04-24")
    assert feature_names(frame) == [f.name for f in CATALOG] == [f.name for f in catalog()]


def test_with_a_dpia_reference_the_special_features_are_produced_and_documented():
    frame = build_features(rich_history(), "2024-04-24", dpia_reference="DPIA-2026-014")
    assert feature_names(frame) == [f.name for f in catalog(special=True)]
    assert special_features(feature_names(frame)) == ["health_limitation"]
    assert special_columns(feature_names(frame)) == ["persons.health_limitation"]
    assert special_features([f.name for f in CATALOG]) == [] == special_columns([f.name for f in CATALOG])


def test_sources_are_feature_or_time_columns_except_past_outcomes_and_special_features():
    for feature in catalog(special=True):
        roles = set()
        for source in feature.sources:
            table, column = source.split(".")
            role = role_of(table, column)
            allowed = {"feature", "time"} | ({"label"} if feature.past_outcomes and table == "endings" else set())
            allowed |= {"special"} if feature.special else set()
            assert role in allowed, f"{feature.name} uses {source} with role {role}"
            roles.add(role)
        assert feature.meaning and feature.sources
        assert ("special" in roles) == feature.special, f"{feature.name} is marked special={feature.special}"
    assert all("DPIA-referentie" in f.meaning for f in catalog(special=True) if f.special)


def test_docs_are_generated_from_the_catalog():
    assert DOC.read_text(encoding="utf-8") == markdown(), "run: python -m lks.features.catalog > docs/features.md"
    assert "| `health_limitation` |" in markdown() and "(special: only with a DPIA reference)" in markdown()
