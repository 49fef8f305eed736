from pathlib import Path

from data_contracts.roles import role_of
from features.build import build_features, feature_names
from features.catalog import CATALOG, markdown
from tests.features.histories import rich_history

DOC = Path(__file__).parents[2] / "docs" / "features.md"


def test_every_produced_column_is_documented_and_nothing_else():
    frame = build_features(rich_history(), "2024-04-24")
    assert feature_names(frame) == [f.name for f in CATALOG]


def test_sources_are_feature_or_time_columns_except_past_outcomes_of_other_placements():
    for feature in CATALOG:
        for source in feature.sources:
            table, column = source.split(".")
            role = role_of(table, column)
            allowed = {"feature", "time"} | ({"label"} if feature.past_outcomes and table == "endings" else set())
            assert role in allowed, f"{feature.name} uses {source} with role {role}"
        assert feature.meaning and feature.sources


def test_docs_are_generated_from_the_catalog():
    assert DOC.read_text(encoding="utf-8") == markdown(), "run: python -m features.catalog > docs/features.md"
