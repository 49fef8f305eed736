import pandas as pd
import pandera.pandas as pa
from pandera.typing import Series

from lks.data_contracts.schemas import codes
from lks.data_contracts.schemas._fields import column


class Employers(pa.DataFrameModel):
    employer_id: Series[str] = column("key", "str", unique=True)
    sector: Series[str] = column("feature", "str", isin=codes.SECTOR)
    size_class: Series[str] = column("feature", "str", isin=codes.SIZE_CLASS)
    employer_type: Series[str] = column("feature", "str", isin=codes.EMPLOYER_TYPE)
    own_jobcoach: Series[pd.BooleanDtype] = column("feature", "bool")
    harrie_training_date: Series[pa.DateTime] = column("feature", "date", nullable=True)
    social_return: Series[pd.BooleanDtype] = column("feature", "bool")
    registered_at: Series[pa.DateTime] = column("time", "timestamp")

    class Config:
        strict = True
