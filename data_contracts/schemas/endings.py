import pandera.pandas as pa
from pandera.typing import Series

from lks.data_contracts.reasons import load_mapping
from lks.data_contracts.schemas import codes
from lks.data_contracts.schemas._fields import column


class Endings(pa.DataFrameModel):
    # At most one ending per placement: a second one in the same export rejects both.
    placement_id: Series[str] = column("key", "str", unique=True)
    end_date: Series[pa.DateTime] = column("time", "date")
    reason_code: Series[str] = column("label", "str", isin=load_mapping().codes)
    registration: Series[str] = column("label", "str", isin=codes.REGISTRATION)
    registered_at: Series[pa.DateTime] = column("time", "timestamp")

    class Config:
        strict = True
