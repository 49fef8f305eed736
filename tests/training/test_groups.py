import pandas as pd
import pytest

from lks.training.groups import age_band, with_groups

PERSONS = pd.DataFrame({"placement_id": ["PL1", "PL2"], "birth_year": [1990, None], "gender": ["V", "M"],
                        "migration_background": ["geen", None], "dutch_language_level": ["basis", "voldoende"],
                        "district": ["Charlois", "Noord"]})


def test_the_age_band_is_taken_on_each_rows_own_date():
    dates = pd.Series(pd.to_datetime(["2016-06-01", "2017-01-02", "2020-01-01"]))
    bands = age_band(pd.Series([1990, 1990, None]), dates)
    assert bands.tolist() == ["<27", "27-34", None]  # 26 in 2016, 27 in 2017; no birth year, no band


def test_rows_get_the_audited_attributes_of_their_placement():
    rows = pd.DataFrame({"placement_id": ["PL1", "PL2", "PL1"], "as_of": pd.to_datetime(["2025-01-06"] * 3)})
    out = with_groups(rows, PERSONS)
    assert out["gender"].tolist() == ["V", "M", "V"] and out["age_band"].tolist() == ["35-44", None, "35-44"]
    assert "birth_year" not in out.columns


def test_persons_must_have_one_row_per_placement_and_every_column():
    rows = pd.DataFrame({"placement_id": ["PL1"], "as_of": pd.to_datetime(["2025-01-06"])})
    with pytest.raises(ValueError, match="duplicates"):
        with_groups(rows, pd.concat([PERSONS, PERSONS]))
    with pytest.raises(ValueError, match="lacks \\['district'\\]"):
        with_groups(rows, PERSONS.drop(columns="district"))
