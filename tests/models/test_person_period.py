import numpy as np
import pandas as pd
import pytest
from lifelines.datasets import load_rossi

from lks.models.person_period import expand


def test_worked_example():
    out = expand(pd.Series([3, 2], index=["a", "b"]), pd.Series([1, 0], index=["a", "b"]),
                 pd.DataFrame({"x": [0.5, 1.5]}, index=["a", "b"]))
    assert out["id"].tolist() == ["a", "a", "a", "b", "b"]
    assert out["week"].tolist() == [0, 1, 2, 0, 1]
    assert out["event"].tolist() == [0, 0, 1, 0, 0]
    assert out["x"].tolist() == [0.5, 0.5, 0.5, 1.5, 1.5]
    assert out["weight"].tolist() == [1.0] * 5


def test_weights_repeat_and_id_column_is_named():
    out = expand(pd.Series([2]), pd.Series([2]), weights=pd.Series([0.25]), id_column="placement_id")
    assert out.columns.tolist() == ["placement_id", "week", "event", "weight"]
    assert out["weight"].tolist() == [0.25, 0.25]
    assert out["event"].tolist() == [0, 2]


def test_rossi_expands_to_one_row_per_week_at_risk():
    rossi = load_rossi()
    out = expand(rossi["week"], rossi["arrest"], rossi[["fin", "age"]])
    assert len(out) == rossi["week"].sum() == 19809
    assert out["event"].sum() == rossi["arrest"].sum() == 114
    assert out["week"].max() == 51
    last = out.groupby("id").tail(1)
    np.testing.assert_array_equal(last["event"].to_numpy(), rossi["arrest"].to_numpy())


@pytest.mark.parametrize("durations", [[0], [1.5], [np.nan], [-2]])
def test_bad_durations_are_named(durations):
    with pytest.raises(ValueError, match="durations"):
        expand(pd.Series(durations), pd.Series([0]))


def test_bad_events_are_named():
    with pytest.raises(ValueError, match="events"):
        expand(pd.Series([2]), pd.Series([-1]))
