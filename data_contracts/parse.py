"""Read one export file into raw text columns, chunk by chunk, and turn raw text into typed values.

The contract fixes the text format (dates `YYYY-MM-DD`, timestamps `YYYY-MM-DDTHH:MM:SS`,
booleans `true`/`false`/`1`/`0` in any case, an empty field for null), so parsing is strict:
a value either means exactly one thing or its row is rejected with the rule it broke.

A national export does not fit in memory as Python text, so a file is read twice, never whole:
`scan_file` checks what refuses the whole file (empty, not UTF-8, wrong columns) and hashes it before
anything is stored, then `read_chunks` hands it over a bounded number of rows at a time.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from lks.data_contracts import rules

# Rows per chunk: large enough that pandas and pandera work on whole arrays, small enough that a chunk
# of the widest table stays in the tens of MB.
CHUNK_ROWS = 100_000
BLOCK_BYTES = 1 << 20


class FileRejected(Exception):
    """A file that cannot be read at all: the whole export is refused, nothing changes."""

    def __init__(self, file: str, rule: str, message: str):
        super().__init__(f"{file}: {message} [{rule}]")
        self.file, self.rule, self.message = file, rule, message

    def __reduce__(self) -> tuple[type[FileRejected], tuple[str, str, str]]:
        # pickled by its fields: it crosses from the checking process (data_contracts.background)
        return type(self), (self.file, self.rule, self.message)


BadLine = tuple[int, str, list[str]]  # (line, message, fields)


@dataclass(frozen=True)
class ExportFile:
    """One file that passed the file-level checks, not read yet."""

    table: str
    path: Path
    sha256: str
    columns: list[str]  # the contract's columns, in contract order
    # per column that must be unique: its values found on more than one well-formed row (see `scan_file`)
    repeated: dict[str, set[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class RawChunk:
    frame: pd.DataFrame       # every contract column as text ("" for null), plus `source_line`
    bad_lines: list[BadLine]  # rows with the wrong field count


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


def scan_file(path: Path, table: str, expected: list[str], unique: tuple[str, ...] = ()) -> ExportFile:
    """Hash the file, refuse it if it cannot be read at all, and find the values repeated in its `unique`
    columns; reading it in blocks and rows, never whole.

    Chunks are validated one at a time later, so a key repeated in two chunks must be known beforehand.
    A CSV file is parsed through here once for that, which also finds a syntax error anywhere in it: every
    file-level refusal happens before anything is stored, in the order of the old whole-file read.
    """
    parquet = path.suffix == ".parquet"
    digest = _digest(path, check_utf8=not parquet)
    header = _parquet_columns(path) if parquet else _csv_header(path)
    file = ExportFile(table, path, digest, expected)
    present = [c for c in unique if c in header]
    if not parquet:
        hashes = _value_hashes(file, header, present)
    _check_columns(header, expected, path.name)
    if parquet:
        hashes = _value_hashes(file, header, present)
    return replace(file, repeated={c: _repeated(file, header, c, h) for c, h in hashes.items()})


def read_chunks(file: ExportFile, rows: int | None = None) -> Iterator[RawChunk]:
    """The file's rows, at most `rows` (default CHUNK_ROWS) at a time, in file order: at least one chunk,
    maybe empty."""
    size = rows or CHUNK_ROWS
    yield from _parquet_chunks(file, size) if file.path.suffix == ".parquet" else _csv_chunks(file, size)


def read_raw(path: Path, table: str, expected: list[str]) -> RawFile:
    """The whole file at once: for small files and tests (an ingest reads `read_chunks`)."""
    file = scan_file(path, table, expected)
    chunks = list(read_chunks(file))
    frame = pd.concat([c.frame for c in chunks], ignore_index=True)
    return RawFile(table, path, file.sha256, frame, [b for c in chunks for b in c.bad_lines])


def _digest(path: Path, check_utf8: bool) -> str:
    """sha256 of the file; for CSV also whether it is UTF-8, so a bad byte refuses it before anything is stored."""
    sha, size = hashlib.sha256(), 0
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as fh:
        while block := fh.read(BLOCK_BYTES):
            sha.update(block)
            if check_utf8:
                _decode(decoder, block, size, path.name, final=False)
            size += len(block)
    if size == 0:
        raise FileRejected(path.name, rules.EMPTY_FILE, "the file is empty (0 bytes)")
    if check_utf8:
        _decode(decoder, b"", size, path.name, final=True)
    return sha.hexdigest()


def _decode(decoder: codecs.IncrementalDecoder, block: bytes, offset: int, name: str, final: bool) -> None:
    pending = len(decoder.getstate()[0])  # bytes of a character split over two blocks
    try:
        decoder.decode(block, final=final)
    except UnicodeDecodeError as err:
        raise FileRejected(name, rules.NOT_UTF8, f"not UTF-8 (byte {offset - pending + err.start})") from err


def _csv_header(path: Path) -> list[str]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        try:
            header = next(csv.reader(fh))
        except StopIteration:
            raise FileRejected(path.name, rules.EMPTY_FILE, "the file has no header row") from None
        except csv.Error as err:
            raise FileRejected(path.name, rules.UNREADABLE, f"CSV syntax error on line 1: {err}") from err
    return [h.strip() for h in header]


def _check_columns(found: list[str], expected: list[str], name: str) -> None:
    missing = [c for c in expected if c not in found]
    unknown = [c for c in found if c not in expected]
    if missing:
        raise FileRejected(name, rules.MISSING_COLUMN, f"missing column(s) {', '.join(missing)}")
    if unknown:
        raise FileRejected(name, rules.UNKNOWN_COLUMN, f"unknown column(s) {', '.join(unknown)}")
    if len(set(found)) != len(found):
        raise FileRejected(name, rules.UNREADABLE, "a column name appears twice in the header")


def _value_hashes(file: ExportFile, header: list[str], columns: list[str]) -> dict[str, np.ndarray]:
    """A 64-bit hash of each non-empty value of `columns` on a well-formed row, not the text: 6 million event
    keys as Python strings would take 400 MB."""
    parts: dict[str, list[np.ndarray]] = {c: [] for c in columns}
    for values in _column_parts(file, header, columns):
        for c in columns:
            parts[c].append(_hashes(values[c]))
    return {c: np.concatenate(p) if p else np.empty(0, dtype=np.uint64) for c, p in parts.items()}


def _repeated(file: ExportFile, header: list[str], column: str, hashes: np.ndarray) -> set[str]:
    """The values of `column` on more than one row. Only when a hash repeats (a repeated value, or two that
    share a hash) is the column read again, to keep the text of those few and tell which."""
    unique, counts = np.unique(hashes, return_counts=True)
    suspects = unique[counts > 1]
    if not len(suspects):
        return set()
    seen: Counter[str] = Counter()
    for values in _column_parts(file, header, [column]):
        seen.update(values[column][np.isin(_hashes(values[column]), suspects)])
    return {value for value, n in seen.items() if n > 1}


def _hashes(values: np.ndarray) -> np.ndarray:
    return np.asarray(pd.util.hash_array(values, categorize=False), dtype=np.uint64)


def _column_parts(file: ExportFile, header: list[str], columns: list[str], rows: int = 1_000_000
                  ) -> Iterator[dict[str, np.ndarray]]:
    """The non-empty stripped values of `columns` on the well-formed rows, `rows` rows at a time. For a CSV
    file this parses every row, whatever `columns` holds."""
    if file.path.suffix == ".parquet":
        for batch in pq.ParquetFile(file.path).iter_batches(batch_size=rows, columns=columns) if columns else []:
            texts = {c: _to_text(batch.column(c).to_pandas(), with_time=False).str.strip() for c in columns}
            yield {c: t[t != ""].to_numpy(dtype=object) for c, t in texts.items()}
        return
    at, width = [header.index(c) for c in columns], len(header)
    part: list[list[str]] = []
    for _line, fields in _csv_lines(file.path):
        if len(fields) == width and at:
            part.append([fields[i] for i in at])
        if len(part) == rows:
            yield _stripped(part, columns)
            part = []
    yield _stripped(part, columns)


def _stripped(part: list[list[str]], columns: list[str]) -> dict[str, np.ndarray]:
    out = {}
    for i, c in enumerate(columns):
        values = [v for row in part if (v := row[i].strip())]
        out[c] = np.asarray(values, dtype=object)
    return out


def _csv_lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """(line, fields) of every non-blank row below the header; a row spanning lines has its first line's number."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh)
        next(reader)  # the header (scan_file checked it)
        line = reader.line_num + 1
        try:
            for fields in reader:
                here, line = line, reader.line_num + 1
                if fields:  # a blank line carries nothing
                    yield here, fields
        except csv.Error as err:
            message = f"CSV syntax error on line {reader.line_num}: {err}"
            raise FileRejected(path.name, rules.UNREADABLE, message) from err


def _csv_chunks(file: ExportFile, rows: int) -> Iterator[RawChunk]:
    header = _csv_header(file.path)
    width = len(header)
    good: list[list[str]] = []
    lines: list[int] = []
    bad: list[BadLine] = []
    for line, fields in _csv_lines(file.path):
        if len(fields) == width:
            good.append(fields)
            lines.append(line)
        else:
            bad.append((line, f"{len(fields)} fields, the header has {width}", fields))
        if len(good) + len(bad) == rows:
            yield _csv_chunk(good, lines, bad, header, file.columns)
            good, lines, bad = [], [], []
    yield _csv_chunk(good, lines, bad, header, file.columns)


def _csv_chunk(rows: list[list[str]], lines: list[int], bad: list[BadLine], header: list[str],
               expected: list[str]) -> RawChunk:
    frame = pd.DataFrame(rows or None, columns=header, dtype=object)[expected]
    frame["source_line"] = np.asarray(lines, dtype=np.int64)
    return RawChunk(frame, bad)


def _parquet_columns(path: Path) -> list[str]:
    try:  # an empty table applies the file's pandas metadata, so an index stored as a column is no column here
        return list(pq.ParquetFile(path).schema_arrow.empty_table().to_pandas().columns)
    except Exception as err:  # pyarrow raises several types for a broken file
        raise FileRejected(path.name, rules.UNREADABLE, f"not a readable Parquet file: {err}") from err


def _parquet_chunks(file: ExportFile, rows: int) -> Iterator[RawChunk]:
    try:
        source = pq.ParquetFile(file.path)
        with_time = _with_time(source, file.columns)
        first_line = 2  # as if it were CSV: line 1 is the header
        for batch in source.iter_batches(batch_size=rows, columns=file.columns):
            frame = batch.to_pandas()
            text = pd.DataFrame({c: _to_text(frame[c], c in with_time) for c in file.columns})
            text["source_line"] = np.arange(first_line, first_line + len(text), dtype=np.int64)
            first_line += len(text)
            yield RawChunk(text, [])
        if first_line == 2:  # no rows: one empty chunk, as a header-only CSV gives
            yield RawChunk(pd.DataFrame({c: pd.Series(dtype=object) for c in [*file.columns, "source_line"]})
                           .astype({"source_line": np.int64}), [])
    except Exception as err:  # a page that cannot be decoded shows only now
        raise FileRejected(file.path.name, rules.UNREADABLE, f"not a readable Parquet file: {err}") from err


def _with_time(source: pq.ParquetFile, columns: list[str]) -> set[str]:
    """The timestamp columns with a time of day anywhere in the file: a whole column is written with its time or
    as dates, whichever chunk a row is in."""
    stamps = [f.name for f in source.schema_arrow if pa.types.is_timestamp(f.type) and f.name in columns]
    found: set[str] = set()
    for batch in (source.iter_batches(columns=stamps) if stamps else []):
        for name in stamps:
            values = batch.column(name).to_pandas().dropna()
            if (values != values.dt.normalize()).any():
                found.add(name)
    return found


def _to_text(values: pd.Series, with_time: bool) -> pd.Series:
    """Render a typed Parquet column as contract text, so both formats share one parser."""
    if pd.api.types.is_datetime64_any_dtype(values):
        fmt = "%Y-%m-%dT%H:%M:%S" if with_time else "%Y-%m-%d"
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
    text = _clean_text(text)
    error = pd.Series("", index=text.index, dtype=object)
    if kind == "str":  # the most common kind: no comparison with "" needed
        return pd.Series([v or None for v in text.tolist()], index=text.index, dtype=object), error
    filled = text != ""
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
        matches = re.compile(pattern).match
        well_formed = pd.Series([matches(s) is not None for s in text.tolist()], index=text.index, dtype=bool)
        values = pd.to_datetime(text.where(well_formed & filled), format=fmt, errors="coerce")
        error[filled & ~well_formed] = rules.TYPE
        error[filled & well_formed & values.isna()] = rules.IMPOSSIBLE_DATE
        return values.astype("datetime64[ns]"), error
    raise ValueError(f"kind must be one of str, int, float, bool, date, timestamp, but was {kind!r}")


def _clean_text(text: pd.Series) -> pd.Series:
    """Each value stripped, "" for null: a list comprehension, several times faster than pandas' `.str` methods
    on a chunk of a national export."""
    raw = text.tolist()
    try:  # text read from a file: all str
        values = [v.strip() for v in raw]
    except AttributeError:  # a null or a typed value (a caller's own Series)
        values = [v.strip() if isinstance(v, str) else "" if pd.isna(v) else str(v).strip() for v in raw]
    return pd.Series(values, index=text.index, dtype=object)
