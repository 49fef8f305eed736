import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from lks.data_contracts.schemas import codes
from lks.data_contracts.schemas._fields import column

MAX_LKS_DELAY_DAYS = 183


class Placements(pa.DataFrameModel):
    placement_id: Series[str] = column("key", "str", unique=True)
    person_id: Series[str] = column("key", "str")
    employer_id: Series[str] = column("key", "str")
    start_date: Series[pa.DateTime] = column("time", "date")
    lks_start_date: Series[pa.DateTime] = column("time", "date")
    contract_type: Series[str] = column("feature", "str", isin=codes.CONTRACT_TYPE)
    planned_end_date: Series[pa.DateTime] = column("time", "date", nullable=True)
    hours_per_week: Series[float] = column("feature", "float", in_range={"min_value": 1, "max_value": 40})
    wage_value_pct: Series[float] = column("feature", "float", in_range={"min_value": 0, "max_value": 100})
    subsidy_type: Series[str] = column("feature", "str", isin=codes.SUBSIDY_TYPE)
    springboard: Series[pd.BooleanDtype] = column("feature", "bool")
    trial_placement_before: Series[pd.BooleanDtype] = column("feature", "bool")
    partial_benefit: Series[pd.BooleanDtype] = column("feature", "bool")
    months_on_benefit_before: Series[pd.Int64Dtype] = column("feature", "int", ge=0)
    jobcoach_org: Series[str] = column("feature", "str", nullable=True)
    jobcoach_hours_per_month: Series[float] = column("feature", "float", ge=0)
    jobcoach_id: Series[str] = column("routing", "str", nullable=True)
    team: Series[str] = column("routing", "str")
    registered_at: Series[pa.DateTime] = column("time", "timestamp")

    class Config:
        strict = True

    @pa.dataframe_check(name="date_order", error="lks_start_date is before start_date")
    def lks_not_before_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["lks_start_date"] >= df["start_date"]

    @pa.dataframe_check(name="lks_start_window", error="lks_start_date is more than 183 days after start_date")
    def lks_within_window(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["lks_start_date"] - df["start_date"]).dt.days <= MAX_LKS_DELAY_DAYS

    @pa.dataframe_check(name="planned_end_required", error="planned_end_date is required for contract_type bepaald")
    def planned_end_for_fixed_term(cls, df: pd.DataFrame) -> Series[bool]:
        return (df["contract_type"] != "bepaald") | df["planned_end_date"].notna()

    @pa.dataframe_check(name="date_order", error="planned_end_date is before start_date")
    def planned_end_after_start(cls, df: pd.DataFrame) -> Series[bool]:
        return df["planned_end_date"].isna() | (df["planned_end_date"] >= df["start_date"])
