import pandas as pd
import pytest

from tests.simulator.conftest import AS_OF

pytestmark = pytest.mark.slow  # the default (Rotterdam-scale) simulation, run once per session


def test_starts_first_half_2025_between_300_and_400(export):
    start = export["placements"]["start_date"]
    n = int(start.between("2025-01-01", "2025-06-15").sum())
    assert 300 <= n <= 400, f"starts 2025-01-01..2025-06-15: {n}, expected 300-400"


def test_yearly_starts_grow_from_2019(export):
    per_year = export["placements"]["start_date"].dt.year.value_counts().sort_index()
    full_years = per_year.loc[2019:AS_OF.year - 1]
    assert full_years.is_monotonic_increasing and full_years.is_unique, f"yearly starts {per_year.to_dict()}"
    assert per_year.loc[:2018].sum() < 0.1 * per_year.sum(), f"yearly starts {per_year.to_dict()}"


def test_pseudonymous_ids(export):
    assert export["persons"]["person_id"].str.fullmatch(r"P\d{6}").all()
    assert export["employers"]["employer_id"].str.fullmatch(r"W\d{5}").all()
    assert export["placements"]["placement_id"].str.fullmatch(r"PL\d{6}").all()
    assert export["events"]["event_id"].str.fullmatch(r"E\d{7}").all()
    coach = export["placements"]["jobcoach_id"].dropna()
    assert coach.str.fullmatch(r"JC\d{3}").all() and coach.nunique() <= 40
    assert export["placements"]["team"].str.startswith("team_").all()


def test_language_level_correlates_with_education_and_match(joined):
    low = joined["dutch_language_level"] == "onvoldoende"
    high = joined["dutch_language_level"] == "voldoende"
    basic = joined["education_level"].isin(["geen", "basisonderwijs"])
    assert basic[low].mean() > basic[high].mean() + 0.15, (basic[low].mean(), basic[high].mean())
    assert joined.loc[low, "match_quality"].mean() < joined.loc[high, "match_quality"].mean() - 0.2


def test_springboard_placements_are_at_rotterdam_inclusief(joined):
    spring = joined[joined["springboard"]]
    assert len(spring) > 100
    assert (spring["employer_type"] == "rotterdam_inclusief").all()
    assert pd.Series(spring["contract_type"] == "bepaald").all()
