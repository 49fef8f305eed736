import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from lks.data_contracts.schemas import codes
from lks.data_contracts.schemas._fields import column


class Persons(pa.DataFrameModel):
    person_id: Series[str] = column("key", "str", unique=True)
    birth_year: Series[pd.Int64Dtype] = column("protected", "int", in_range={"min_value": 1940, "max_value": 2012})
    gender: Series[str] = column("protected", "str", isin=codes.GENDER)
    migration_background: Series[str] = column("protected", "str", isin=codes.MIGRATION_BACKGROUND)
    dutch_language_level: Series[str] = column("protected", "str", isin=codes.DUTCH_LANGUAGE_LEVEL)
    district: Series[str] = column("routing", "str")
    education_level: Series[str] = column("feature", "str", isin=codes.EDUCATION_LEVEL)
    target_group_register: Series[pd.BooleanDtype] = column("feature", "bool")
    health_limitation: Series[pd.BooleanDtype] = column("special", "bool")
    debt_problems: Series[pd.BooleanDtype] = column("feature", "bool")
    childcare_need: Series[pd.BooleanDtype] = column("feature", "bool")
    registered_at: Series[pa.DateTime] = column("time", "timestamp")

    class Config:
        strict = True
