"""Read one export file into raw text columns, and turn raw text into typed values.

The contract fixes the text format (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DDTHH:MM:SS`,
booleans `true`/`false`/`1`/`0` in any case, an empty field for null), so parsing is strict:
a value either means exactly one thing or its row is rejected with the rule it broke.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from lks.data_contracts import rules


class FileRejected(Exception):
    """A file that cannot be read at all: the whole export is refused, nothing changes."""

    def __init__(self, file: str, rule: str, message: str):
        super().__init__(f"{file}: {message} [{rule}]")
        self.file, self.rule, self.message = file, rule, message


BadLine = tuple[int, str, list[str]]  # (line, message, fields)


@dataclass(frozen=True)
class RawFile:
    table: str
    path: Path
    sha256: str
    frame: pd.DataFrame   # every column as text ("" for null), plus `source_line`
    bad_lines: list[BadLine]  # rows with the wrong field count


def find_file(folder: Path, table: str) -> Path:
    found = [folder / f"{table}{ext}" for ext in (".csv", ".parquet") if (folder / f"{table}{ext}").exists()]
    if not found:
        raise FileRejected(f"{table}.csv", rules.MISSING_FILE, f"no {table}.csv or {table}.parquet in {folder}")
    if len(found) > 1:
        raise FileRejected(found[0].name, rules.UNREADABLE, f"both {table}.csv and {table}.parquet are present")
    return found[0]


def read_raw(path: Path, table: str, expected: list[str]) -> RawFile:
    data = path.read_bytes()
    if not data:
        raise FileRejected(path.name, rules.EMPTY_FILE, "the file is empty (0 bytes)")
    digest = hashlib.sha256(data).hexdigest()
    bad: list[BadLine] = []
    if path.suffix == ".parquet":
        frame = _read_parquet(data, path.name)
    else:
        frame, bad = _read_csv(data, path.name)
    _check_columns(list(frame.columns), expected, path.name)
    frame = frame[expected]
    frame["source_line"] = (
        frame.index.to_numpy() if path.suffix == ".csv" else np.arange(2, len(frame) + 2)
    )
    return RawFile(table, path, digest, frame.reset_index(drop=True), bad)


def _check_columns(found: list[str], expected: list[str], name: str) -> None:
    missing = [c for c in expected if c not in found]
    unknown = [c for c in found if c not in expected]
    if missing:
        raise FileRejected(name, rules.MISSING_COLUMN, f"missing column(s) {', '.join(missing)}")
    if unknown:
        raise FileRejected(name, rules.UNKNOWN_COLUMN, f"unknown column(s) {', '.join(unknown)}")
    if len(set(found)) != len(found):
        raise FileRejected(name, rules.UNREADABLE, "a column name appears twice in the header")


def _read_csv(data: bytes, name: str) -> tuple[pd.DataFrame, list[BadLine]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        raise FileRejected(name, rules.NOT_UTF8, f"not UTF-8 (byte {err.start})") from err
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise FileRejected(name, rules.EMPTY_FILE, "the file has no header row") from None
    header = [h.strip() for h in header]
    width = len(header)
    rows: list[list[str]] = []
    lines: list[int] = []
    bad: list[BadLine] = []
    first_line = reader.line_num + 1
    try:
        for fields in reader:
            line = first_line
            first_line = reader.line_num + 1
            if not fields:  # a blank line carries nothing
                continue
            if len(fields) != width:
                bad.append((line, f"{len(fields)} fields, the header has {width}", fields))
                continue
            rows.append(fields)
            lines.append(line)
    except csv.Error as err:
        raise FileRejected(name, rules.UNREADABLE, f"CSV syntax error on line {reader.line_num}: {err}") from err
    frame = pd.DataFrame(rows, columns=header, index=pd.Index(lines, dtype="int64"), dtype=object)
    if not rows:  # keeps a repeated header name (a dict would merge it and hide the broken header)
        frame = pd.DataFrame(columns=header, dtype=object)
    return frame, bad


def _read_parquet(data: bytes, name: str) -> pd.DataFrame:
    try:
        table = pq.read_table(io.BytesIO(data))
    except Exception as err:  # pyarrow raises several types for a broken file
        raise FileRejected(name, rules.UNREADABLE, f"not a readable Parquet file: {err}") from err
    frame = table.to_pandas()
    return pd.DataFrame({c: _to_text(frame[c]) for c in frame.columns}, index=frame.index)


def _to_text(values: pd.Series) -> pd.Series:
    """Render a typed Parquet column as contract text, so both formats share one parser."""
    if pd.api.types.is_datetime64_any_dtype(values):
        has_time = (values.dropna() != values.dropna().dt.normalize()).any()
        fmt = "%Y-%m-%dT%H:%M:%S" if has_time else "%Y-%m-%d"
        return values.dt.strftime(fmt).fillna("")
    if pd.api.types.is_bool_dtype(values):
        return values.map({True: "true", False: "false"}).fillna("").astype(object)
    if pd.api.types.is_float_dtype(values):
        return values.map(lambda v: "" if pd.isna(v) else repr(float(v))).astype(object)
    out = values.astype(object).where(values.notna(), "")
    return out.map(lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v))


# ---- typed values -------------------------------------------------------------------------

_DATE_RE = r"^\d{4}-\d{2}-\d{2}$"
_TS_RE = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$"
_INT_RE = r"^[+-]?\d+$"
_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1
_BOOLS = {"true": True, "false": False, "1": True, "0": False}


def parse_column(text: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """Typed values and, per row, the rule a non-empty value broke ("" when it parsed)."""
    text = text.fillna("").astype(str).str.strip()
    filled = text != ""
    error = pd.Series("", index=text.index, dtype=object)
    if kind == "str":
        return text.where(filled, None).astype(object), error
    if kind == "bool":
        values = text.str.lower().map(_BOOLS).astype("boolean")
        error[filled & values.isna()] = rules.TYPE
        return values, error
    if kind == "int":  # exact Python ints: a number beyond 64 bits is a type error, never a crash
        whole = [int(s) if re.match(_INT_RE, s) else None for s in text]
        fits = [v is not None and _INT64_MIN <= v <= _INT64_MAX for v in whole]
        values = pd.array([v if f else None for v, f in zip(whole, fits, strict=True)], dtype="Int64")
        error[filled & ~pd.Series(fits, index=text.index, dtype=bool)] = rules.TYPE
        return pd.Series(values, index=text.index), error
    if kind == "float":
        values = pd.to_numeric(text.where(filled), errors="coerce").astype("float64")
        error[filled & (values.isna() | np.isinf(values))] = rules.TYPE
        return values.where(np.isfinite(values)), error
    if kind in ("date", "timestamp"):
        pattern, fmt = (_DATE_RE, "%Y-%m-%d") if kind == "date" else (_TS_RE, "%Y-%m-%dT%H:%M:%S")
        well_formed = text.str.match(pattern)
        values = pd.to_datetime(text.where(well_formed & filled), format=fmt, errors="coerce")
        error[filled & ~well_formed] = rules.TYPE
        error[filled & well_formed & values.isna()] = rules.IMPOSSIBLE_DATE
        return values.astype("datetime64[ns]"), error
    raise ValueError(f"kind must be one of str, int, float, bool, date, timestamp, but was {kind!r}")
