"""One pandera model per export table, in load order (parents before children)."""

from __future__ import annotations

from typing import TypedDict

import pandas as pd
import pandera.pandas as pa

from lks.data_contracts.schemas.employers import Employers
from lks.data_contracts.schemas.endings import Endings
from lks.data_contracts.schemas.events import Events
from lks.data_contracts.schemas.persons import Persons
from lks.data_contracts.schemas.placements import Placements

TABLES: dict[str, type[pa.DataFrameModel]] = {
    "persons": Persons,
    "employers": Employers,
    "placements": Placements,
    "events": Events,
    "endings": Endings,
}

# The key that identifies a row; a later version of the same key corrects it.
PRIMARY_KEYS = {
    "persons": "person_id",
    "employers": "employer_id",
    "placements": "placement_id",
    "events": "event_id",
    "endings": "placement_id",
}

# (child table, child column) -> parent table whose key it must name.
FOREIGN_KEYS = {
    ("placements", "person_id"): "persons",
    ("placements", "employer_id"): "employers",
    ("events", "placement_id"): "placements",
    ("endings", "placement_id"): "placements",
}


class ColumnSpec(TypedDict):
    role: str      # see `roles`: key, protected, special, routing, label, feature, time, ...
    kind: str      # the text format: str, int, float, bool, date, timestamp
    nullable: bool


def columns(table: str) -> dict[str, ColumnSpec]:
    """Column name -> its role, kind and nullability for one table, in contract order."""
    schema = TABLES[table].to_schema()
    return {
        name: ColumnSpec(role=col.metadata["role"], kind=col.metadata["kind"], nullable=col.nullable)
        for name, col in schema.columns.items()
    }


def coerce(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """`frame` with each contract column of `table` in the dtype its pandera model declares.

    Dates and timestamps become datetime64[ns] (from datetimes or ISO 8601 text), booleans and integers
    the nullable `boolean` and `Int64`, floats float64; text stays object with None for null. Other
    columns pass through; `frame` itself is not changed. The one place that types rows: the store, the
    simulator's Parquet files and the tests' hand-made rows all go through it.
    """
    out = frame.copy()
    for name, col in TABLES[table].to_schema().columns.items():
        dtype = col.dtype.type
        values = out[name]
        if pd.api.types.is_string_dtype(dtype):
            out[name] = values.astype(object).where(values.notna(), None)
        elif pd.api.types.is_datetime64_dtype(dtype):
            out[name] = pd.to_datetime(values, format="ISO8601").astype(dtype)
        else:
            out[name] = values.astype(dtype)
    return out
