import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from lks.data_contracts.schemas import codes
from lks.data_contracts.schemas._fields import column

# Event types whose value_text must come from a code list.
TEXT_CODES = {
    "jobcoach_contact": codes.CONTACT_ASSESSMENT,
    "municipality_contact": codes.CONTACT_ASSESSMENT,
    "intervention": codes.INTERVENTION,
}
# Event types whose value_num is required, with its range.
NUM_RANGES = {"wage_value_assessment": (0.0, 100.0), "hours_change": (1.0, 40.0)}


class Events(pa.DataFrameModel):
    event_id: Series[str] = column("key", "str", unique=True)
    placement_id: Series[str] = column("key", "str")
    event_date: Series[pa.DateTime] = column("time", "date")
    event_type: Series[str] = column("feature", "str", isin=codes.EVENT_TYPE)
    value_num: Series[float] = column("feature", "float", nullable=True)
    value_text: Series[str] = column("feature", "str", nullable=True)
    registered_at: Series[pa.DateTime] = column("time", "timestamp")

    class Config:
        strict = True

    @pa.dataframe_check(name="date_order", error="registered_at is before event_date")
    def registered_after_event(cls, df: pd.DataFrame) -> Series[bool]:
        return df["registered_at"] >= df["event_date"]

    @pa.dataframe_check(name="allowed_values", error="value_text is not allowed for this event_type")
    def text_code_for_type(cls, df: pd.DataFrame) -> Series[bool]:
        ok = pd.Series(True, index=df.index)
        for event_type, allowed in TEXT_CODES.items():
            rows = df["event_type"] == event_type
            ok &= ~rows | df["value_text"].isin(allowed)
        return ok

    @pa.dataframe_check(name="range", error="value_num is missing or out of range for this event_type")
    def num_range_for_type(cls, df: pd.DataFrame) -> Series[bool]:
        ok = pd.Series(True, index=df.index)
        for event_type, (low, high) in NUM_RANGES.items():
            rows = df["event_type"] == event_type
            ok &= ~rows | df["value_num"].between(low, high)
        sick = df["event_type"] == "sick_report"
        return ok & (~sick | df["value_num"].isna() | (df["value_num"] >= 0))

    @pa.dataframe_check(name="type", error="value_text of contract_extension is not a date YYYY-MM-DD")
    def extension_is_date(cls, df: pd.DataFrame) -> Series[bool]:
        rows = df["event_type"] == "contract_extension"
        parsed = pd.to_datetime(df["value_text"].where(rows), format="%Y-%m-%d", errors="coerce")
        return ~rows | parsed.notna()
