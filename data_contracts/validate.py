"""Validate an export folder against the contract: typed rows that pass, and every rejected row
with its file, line and rule.

Order matters: parents (persons, employers) before placements before events and endings, so a
child can be checked against the parents that are valid in this export or already stored.

A file is validated one chunk at a time (`ExportCheck.table`), so a national export never sits in
memory whole; what a later chunk or table is checked against is kept between chunks: the keys
repeated anywhere in the file, and the valid and rejected keys of each parent table.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from lks.data_contracts import rules
from lks.data_contracts.parse import BadLine, ExportFile, find_file, parse_column, read_chunks, scan_file
from lks.data_contracts.schemas import FOREIGN_KEYS, PRIMARY_KEYS, TABLES, columns

# When a row breaks several rules, the first in this order is the one reported.
RULE_PRIORITY = [
    rules.FIELD_COUNT, rules.TYPE, rules.IMPOSSIBLE_DATE, rules.REQUIRED, rules.ALLOWED_VALUES,
    rules.RANGE, rules.DUPLICATE_KEY, rules.DATE_ORDER, rules.LKS_START_WINDOW,
    rules.PLANNED_END_REQUIRED, rules.PARENT_REJECTED, rules.UNKNOWN_PARENT,
]
REJECTED_COLUMNS = ["table", "file", "line", "rule", "message", "raw"]
PARENT_TABLES = sorted(set(FOREIGN_KEYS.values()))


@dataclass
class Parents:
    """What the store already holds that an export's rows may refer to."""

    persons: set[str] = field(default_factory=set)
    employers: set[str] = field(default_factory=set)
    placement_start: pd.Series = field(default_factory=lambda: pd.Series(dtype="datetime64[ns]"))


@dataclass
class ValidatedExport:
    folder: Path
    files: dict[str, dict[str, Any]]  # table -> {file, sha256, rows}
    tables: dict[str, pd.DataFrame]  # table -> valid typed rows, with `source_line`
    rejected: pd.DataFrame           # REJECTED_COLUMNS

    def rejected_counts(self) -> pd.DataFrame:
        return self.rejected.groupby(["table", "rule"]).size().rename("rows").reset_index()


@dataclass
class CheckedChunk:
    rows: int               # rows read, well-formed or not
    valid: pd.DataFrame     # typed, with `source_line`
    rejected: pd.DataFrame  # REJECTED_COLUMNS


def scan_export(folder: Path) -> dict[str, ExportFile]:
    """Every file of the export, checked and hashed but not read. Raises `FileRejected` if any cannot be read."""
    return {t: scan_file(find_file(folder, t), t, list(columns(t)), unique_columns(t)) for t in TABLES}


def unique_columns(table: str) -> tuple[str, ...]:
    """The columns whose values must not repeat within a file (pandera's `unique`)."""
    return tuple(c for c, spec in TABLES[table].to_schema().columns.items() if spec.unique)


def validate_export(folder: Path, parents: Parents | None = None) -> ValidatedExport:
    """Read and validate all five files, whole (an ingest streams them instead: `ExportCheck`).
    Raises `FileRejected` if any file cannot be read."""
    files = scan_export(folder)
    check = ExportCheck(parents or Parents())
    tables: dict[str, pd.DataFrame] = {}
    rejected: list[pd.DataFrame] = []
    described = {}
    for table, file in files.items():
        chunks = list(check.table(file))
        tables[table] = pd.concat([c.valid for c in chunks], ignore_index=True)
        rejected += [c.rejected for c in chunks if len(c.rejected)]
        described[table] = {"file": file.path.name, "sha256": file.sha256, "rows": sum(c.rows for c in chunks)}
    all_rejected = (
        pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame(columns=REJECTED_COLUMNS)
    )
    return ValidatedExport(folder, described, tables, all_rejected)


class ExportCheck:
    """Validates one export's files chunk by chunk, parents first (the order of TABLES), remembering what
    later rows are checked against: each parent table's valid keys (placements: with their start) and the
    keys of its rejected rows."""

    def __init__(self, parents: Parents):
        self.parents = parents
        self._valid: dict[str, list[pd.DataFrame]] = {t: [] for t in PARENT_TABLES}
        self._rejected_keys: dict[str, set[Any]] = {t: set() for t in PARENT_TABLES}

    def table(self, file: ExportFile) -> Iterator[CheckedChunk]:
        """The file's rows, validated a chunk at a time."""
        for raw in read_chunks(file):
            typed, errors = _check_table(file.table, raw.frame, file.repeated)
            self._check_parents(file.table, typed, errors)
            bad = errors["rule"].notna()
            rejected = [_rejections(file, raw.frame, bad, errors), _bad_lines(file, raw.bad_lines)]
            rejected = [r for r in rejected if len(r)]
            chunk = CheckedChunk(
                rows=len(raw.frame) + len(raw.bad_lines),
                valid=typed[~bad].reset_index(drop=True),
                rejected=pd.concat(rejected, ignore_index=True) if rejected else pd.DataFrame(columns=REJECTED_COLUMNS),
            )
            self._remember(file.table, chunk)
            yield chunk

    def _remember(self, table: str, chunk: CheckedChunk) -> None:
        if table not in PARENT_TABLES:
            return
        key = PRIMARY_KEYS[table]
        kept = [key, "start_date"] if table == "placements" else [key]
        self._valid[table].append(chunk.valid[kept])
        # the raw text of a rejected row's key (a line with the wrong field count has none)
        self._rejected_keys[table] |= {r.get(key) for r in chunk.rejected["raw"]}

    def _valid_rows(self, table: str) -> pd.DataFrame:
        parts = self._valid[table]
        if len(parts) > 1:  # joined once, when the first child asks
            parts[:] = [pd.concat(parts, ignore_index=True)]
        return parts[0] if parts else pd.DataFrame(columns=[PRIMARY_KEYS[table], "start_date"])

    def _check_parents(self, table: str, typed: pd.DataFrame, errors: pd.DataFrame) -> None:
        """Foreign keys and cross-table date rules, against this export's valid rows and the store."""

        def mark(rows: pd.Series, rule: str, message: str) -> None:
            rows = rows & errors["rule"].isna()
            errors.loc[rows, "rule"] = rule
            errors.loc[rows, "message"] = message

        for (child, column), parent in FOREIGN_KEYS.items():
            if child != table:
                continue
            keys = typed[column]
            stored = self.parents.placement_start.index if parent == "placements" else getattr(self.parents, parent)
            known = keys.isin(self._valid_rows(parent)[PRIMARY_KEYS[parent]]) | keys.isin(stored)
            refused = keys.isin(self._rejected_keys[parent])
            mark(~known & refused, rules.PARENT_REJECTED, f"{column}: its {parent} row was rejected")
            mark(~known & ~refused & keys.notna(), rules.UNKNOWN_PARENT, f"{column}: no such {parent} row")
        if table in ("events", "endings"):
            here = self._valid_rows("placements").set_index("placement_id")["start_date"]
            starts = pd.concat([self.parents.placement_start, here]) if len(here) else self.parents.placement_start
            start = typed["placement_id"].map(starts[~starts.index.duplicated(keep="last")])
            date_column = "event_date" if table == "events" else "end_date"
            mark(start.notna() & (typed[date_column] < start), rules.DATE_ORDER,
                 f"{date_column} is before the placement's start_date")


def _check_table(table: str, raw: pd.DataFrame, repeated: dict[str, set[str]]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed frame, and per row the (first) rule it broke and why (NaN where it passed)."""
    found: dict[int, list[tuple[str, str]]] = {}
    typed = {}
    for name, col in columns(table).items():
        values, error = parse_column(raw[name], col["kind"])
        typed[name] = values
        for i in error.index[error != ""]:
            text = raw[name].iloc[i]
            what = "a calendar date" if error[i] == rules.IMPOSSIBLE_DATE else f"a valid {col['kind']}"
            found.setdefault(i, []).append((error[i], f"{name}: {text!r} is not {what}"))
    typed_frame = pd.DataFrame(typed)
    for index, rule, message in _pandera_failures(table, typed_frame):
        found.setdefault(index, []).append((rule, message))
    for name, values in repeated.items():  # repeated in another chunk: what pandera says of a repeat in this one
        for i in typed_frame.index[typed_frame[name].isin(values)] if values else []:
            found.setdefault(i, []).append((rules.DUPLICATE_KEY, f"{name}: field_uniqueness"))
    typed_frame["source_line"] = raw["source_line"].to_numpy()
    errors = pd.DataFrame({"rule": None, "message": None}, index=typed_frame.index, dtype=object)
    for i, problems in found.items():
        ordered = sorted(problems, key=lambda p: RULE_PRIORITY.index(p[0]))
        errors.loc[i, "rule"] = ordered[0][0]
        errors.loc[i, "message"] = ordered[0][1]
    return typed_frame, errors


@functools.cache
def _checks_schema(table: str) -> pa.DataFrameSchema:
    """The table's pandera schema without its dtype checks: parse_column typed the frame already (a value that
    does not parse is rejected there), and pandera checks a text column's type value by value in Python,
    seconds per national export."""
    schema = TABLES[table].to_schema()
    return schema.update_columns({c: {"dtype": None} for c in schema.columns})


def _pandera_failures(table: str, frame: pd.DataFrame) -> Iterator[tuple[int, str, str]]:
    schema = _checks_schema(table)
    names = {c.error: c.name for c in schema.checks}  # dataframe checks report their error text
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.dropna(subset=["index"]).drop_duplicates(["index", "check"])
        for case in cases.itertuples():
            rule = _rule_of(str(case.check), names)
            column = case.column if case.schema_context == "Column" else None
            where = f"{column}: " if column else ""
            shown = f" (got {case.failure_case!r})" if column and rule != rules.DUPLICATE_KEY else ""
            yield int(case.index), rule, f"{where}{case.check}{shown}"


def _rule_of(check: str, dataframe_checks: dict[str, str]) -> str:
    if check in dataframe_checks:
        return dataframe_checks[check]
    if check == "not_nullable":
        return rules.REQUIRED
    if "uniqueness" in check:
        return rules.DUPLICATE_KEY
    if check.startswith("isin"):
        return rules.ALLOWED_VALUES
    if check.startswith(("in_range", "greater_than", "less_than")):
        return rules.RANGE
    return rules.TYPE


def _rejections(file: ExportFile, raw: pd.DataFrame, bad: pd.Series, errors: pd.DataFrame) -> pd.DataFrame:
    rows = raw[bad.to_numpy()]
    return pd.DataFrame({
        "table": file.table,
        "file": file.path.name,
        "line": rows["source_line"].astype(int).to_numpy(),
        "rule": errors.loc[bad, "rule"].to_numpy(),
        "message": errors.loc[bad, "message"].to_numpy(),
        "raw": rows.drop(columns="source_line").to_dict("records"),
    }, columns=REJECTED_COLUMNS)


def _bad_lines(file: ExportFile, bad_lines: list[BadLine]) -> pd.DataFrame:
    return pd.DataFrame([
        {"table": file.table, "file": file.path.name, "line": line, "rule": rules.FIELD_COUNT,
         "message": message, "raw": {"fields": fields}}
        for line, message, fields in bad_lines
    ], columns=REJECTED_COLUMNS)
