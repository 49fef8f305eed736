import numpy as np
import pandas as pd
import pytest

from lks.training.flips import flip_test, profile_swaps, typical_profile
from lks.training.governance_config import FlipConfig

CONFIG = FlipConfig(sample_rows=100, low_quantile=0.1, high_quantile=0.9)


def risk(frame: pd.DataFrame) -> np.ndarray:
    """Known by hand: 0.5 for the building sector plus 0.01 per weekly hour; `noise` is not read."""
    return 0.5 * (frame["sector"].astype(str) == "bouw").to_numpy() + 0.01 * frame["hours"].to_numpy(float)


def week() -> pd.DataFrame:
    """One week, risks 0.6, 0.3, 0.2, 0.05; with k = 1 only the first is on the list."""
    return pd.DataFrame({
        "placement_id": ["A", "B", "C", "D"], "as_of": pd.Timestamp("2025-03-03"),
        "sector": pd.Categorical(["bouw", "zorg", "zorg", "zorg"], categories=["bouw", "zorg"]),
        "hours": [10.0, 30.0, 20.0, 5.0], "noise": [1.0, 2.0, 3.0, 4.0],
        "gender": ["M", "V", "V", "M"],
    })


def test_each_input_is_changed_alone_and_the_moves_in_risk_and_list_are_reported():
    table = flip_test(week(), ["sector", "hours", "noise"], risk, 1, CONFIG).set_index("input")
    sector = table.loc["sector"]
    # every row tried with both categories: four changes of 0.5 and four of 0 (its own category)
    assert sector["median_abs_change"] == pytest.approx(0.25) and sector["max_abs_change"] == pytest.approx(0.5)
    # A falls to 0.1 and leaves the list; B (0.8) and C (0.7) pass A's 0.6; D reaches 0.55 and stays off
    assert sector["share_list_changed"] == pytest.approx(3 / 4)
    assert table.loc["noise", ["median_abs_change", "max_abs_change", "share_list_changed"]].tolist() == [0, 0, 0]
    assert sector["values"] == ["bouw", "zorg"] and table.loc["hours", "values"] == ["6.5", "27.0"]  # p10, p90
    assert list(table.index) == ["sector", "hours", "noise"]  # the largest median change first


def test_a_sampled_row_is_judged_against_its_whole_week():
    rows = pd.concat([week()] * 3, ignore_index=True).assign(placement_id=[f"P{i}" for i in range(12)])
    table = flip_test(rows, ["sector"], risk, 3, FlipConfig(sample_rows=4)).set_index("input")
    assert table.loc["sector", "n_rows"] == 4  # a sample of 4 of the 12 rows, against all 12


def test_typical_profiles_move_the_risk_of_everyone_towards_the_groups_values():
    rows = week()
    assert typical_profile(rows[rows["gender"] == "V"], ["sector", "hours"]) == {"sector": "zorg", "hours": 25.0}
    table = profile_swaps(rows, rows["gender"], ["sector", "hours"], risk, 1, CONFIG, min_rows=2).set_index("group")
    # men's typical profile: sector bouw or zorg (a tie: the first), mean hours 7.5
    assert table.loc["V", "mean_risk_after"] == pytest.approx(0.25)
    assert table.loc["V", "mean_risk_before"] == pytest.approx(np.mean([0.6, 0.3, 0.2, 0.05]))
    assert table.loc["M", "profile"] == {"sector": "bouw", "hours": "7.5"}
    assert table.loc["M", "mean_risk_after"] == pytest.approx(0.575)
