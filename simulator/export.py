"""Write the export folder (CSV or Parquet, per the contract) and the truth beside it."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from lks.data_contracts.schemas import coerce, columns
from lks.data_contracts.timeline import cutoff

FORMATS = ("csv", "parquet")
CSV_CHUNK = 500_000


def as_text(df: pd.DataFrame, table: str) -> pd.DataFrame:
    """Each column as the contract's CSV text: dates YYYY-MM-DD, timestamps
    YYYY-MM-DDTHH:MM:SS, booleans true/false, an empty string for null."""
    out = {}
    for name, spec in columns(table).items():
        col = df[name]
        kind = spec["kind"]
        null = col.isna().to_numpy()
        if kind in ("date", "timestamp"):
            unit = "D" if kind == "date" else "s"
            values = col.to_numpy(dtype="datetime64[ns]").astype(f"datetime64[{unit}]")
            text = np.datetime_as_string(values).astype(object)
        elif kind == "bool":
            text = np.where(col.fillna(False).to_numpy(dtype=bool), "true", "false").astype(object)
        elif kind == "int":
            text = col.fillna(0).to_numpy().astype(np.int64).astype(str).astype(object)
        elif kind == "float":
            text = np.full(len(col), "", dtype=object)
            text[~null] = np.char.mod("%g", col.to_numpy(dtype=float)[~null])
        else:
            text = col.astype(object).fillna("").to_numpy().astype(str).astype(object)
        text[null] = ""
        out[name] = text
    return pd.DataFrame(out, columns=list(columns(table)))


def write_csv_lines(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def write_table(folder: Path, table: str, df: pd.DataFrame, fmt: str) -> None:
    if fmt == "csv":   # in chunks, so a national-scale events file needs little memory
        with open(folder / f"{table}.csv", "w", encoding="utf-8", newline="") as fh:
            for lo in range(0, max(len(df), 1), CSV_CHUNK):
                as_text(df.iloc[lo:lo + CSV_CHUNK], table).to_csv(
                    fh, index=False, header=lo == 0, lineterminator="\n")
    elif fmt == "parquet":
        coerce(df[list(columns(table))], table).to_parquet(folder / f"{table}.parquet", index=False)
    else:
        raise ValueError(f"fmt must be one of {FORMATS}, but was {fmt!r}")


EXPORT_TABLES = ("persons", "employers", "placements", "events", "endings")


def write_as_of(source: Path, out: Path, as_of: date, tables: tuple[str, ...] = EXPORT_TABLES) -> dict[str, int]:
    """The export the municipality would have sent on `as_of`, cut from a world simulated further: every table
    of `source` (CSV or Parquet) with only the rows registered by the end of that day (`timeline.cutoff`), in
    the same format; `truth/` stays behind. The world drawn for a seed depends on the date given to `simulate`,
    so successive weekly exports of one world are cut from one far simulation this way. Returns rows per table.
    """
    out.mkdir(parents=True, exist_ok=True)
    first_unknown = cutoff(as_of)
    counts = {}
    for table in tables:
        if (source / f"{table}.csv").exists():
            text = pd.read_csv(source / f"{table}.csv", dtype=str, keep_default_na=False)
            kept = text[text["registered_at"] < first_unknown.strftime("%Y-%m-%dT%H:%M:%S")]
            kept.to_csv(out / f"{table}.csv", index=False, lineterminator="\n")
        else:
            frame = pd.read_parquet(source / f"{table}.parquet")
            kept = frame[frame["registered_at"] < first_unknown]
            kept.to_parquet(out / f"{table}.parquet", index=False)
        counts[table] = len(kept)
    return counts
