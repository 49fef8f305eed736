from datetime import date, datetime

import pandas as pd

from lks.data_contracts.schemas import TABLES, coerce, columns


def _endings(**values) -> pd.DataFrame:
    row = {"placement_id": "PL1", "end_date": "2024-06-28", "reason_code": "mismatch_taken",
           "registration": "structured", "registered_at": "2024-07-15T11:00:00"}
    return pd.DataFrame([{**row, **values}])


def test_coerce_types_text_and_python_values_alike():
    from_text = coerce(_endings(), "endings")
    from_values = coerce(_endings(end_date=date(2024, 6, 28), registered_at=datetime(2024, 7, 15, 11)), "endings")
    pd.testing.assert_frame_equal(from_text, from_values)
    assert from_text["end_date"].dtype == "datetime64[ns]"
    assert from_text.loc[0, "registered_at"] == pd.Timestamp("2024-07-15 11:00")
    TABLES["endings"].validate(from_text)


def test_coerce_gives_nullable_dtypes_and_none_for_missing_text():
    rows = pd.DataFrame([{name: None for name in columns("placements")}, {"months_on_benefit_before": 3}])
    typed = coerce(rows, "placements")
    assert str(typed["springboard"].dtype) == "boolean" and str(typed["months_on_benefit_before"].dtype) == "Int64"
    assert typed.loc[1, "months_on_benefit_before"] == 3 and pd.isna(typed.loc[0, "months_on_benefit_before"])
    assert typed["team"].dtype == object and typed.loc[0, "team"] is None


def test_coerce_keeps_other_columns_and_leaves_its_input_alone():
    frame = _endings().assign(batch_id=4)
    typed = coerce(frame, "endings")
    assert typed["batch_id"].tolist() == [4]
    assert frame.loc[0, "end_date"] == "2024-06-28"
