"""Validate an export folder against the contract: typed rows that pass, and every rejected row
with its file, line and rule.

Order matters: parents (persons, employers) before placements before events and endings, so a
child can be checked against the parents that are valid in this export or already stored.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
import pandera.pandas as pa

from lks.data_contracts import rules
from lks.data_contracts.parse import RawFile, find_file, parse_column, read_raw
from lks.data_contracts.schemas import FOREIGN_KEYS, PRIMARY_KEYS, TABLES, columns

# When a row breaks several rules, the first in this order is the one reported.
RULE_PRIORITY = [
    rules.FIELD_COUNT, rules.TYPE, rules.IMPOSSIBLE_DATE, rules.REQUIRED, rules.ALLOWED_VALUES,
    rules.RANGE, rules.DUPLICATE_KEY, rules.DATE_ORDER, rules.LKS_START_WINDOW,
    rules.PLANNED_END_REQUIRED, rules.PARENT_REJECTED, rules.UNKNOWN_PARENT,
]
REJECTED_COLUMNS = ["table", "file", "line", "rule", "message", "raw"]


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


def validate_export(folder: Path, parents: Parents | None = None) -> ValidatedExport:
    """Read and validate all five files. Raises `FileRejected` if any file cannot be read."""
    parents = parents or Parents()
    raws = {t: read_raw(find_file(folder, t), t, list(columns(t))) for t in TABLES}
    tables: dict[str, pd.DataFrame] = {}
    rejected: list[pd.DataFrame] = []
    for table, raw in raws.items():
        typed, errors = _check_table(raw)
        _check_parents(table, typed, errors, tables, rejected, parents)
        bad = errors["rule"].notna()
        rejected.append(_rejections(raw, bad, errors))
        rejected.append(_bad_lines(raw))
        tables[table] = typed[~bad].reset_index(drop=True)
    files = {
        t: {"file": r.path.name, "sha256": r.sha256, "rows": len(r.frame) + len(r.bad_lines)}
        for t, r in raws.items()
    }
    frames = [r for r in rejected if len(r)]
    all_rejected = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=REJECTED_COLUMNS)
    )
    return ValidatedExport(folder, files, tables, all_rejected)


def _check_table(raw: RawFile) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Typed frame, and per row the (first) rule it broke and why (NaN where it passed)."""
    found: dict[int, list[tuple[str, str]]] = {}
    typed = {}
    for name, col in columns(raw.table).items():
        values, error = parse_column(raw.frame[name], col["kind"])
        typed[name] = values
        for i in error.index[error != ""]:
            text = raw.frame[name].iloc[i]
            what = "a calendar date" if error[i] == rules.IMPOSSIBLE_DATE else f"a valid {col['kind']}"
            found.setdefault(i, []).append((error[i], f"{name}: {text!r} is not {what}"))
    typed_frame = pd.DataFrame(typed)
    for index, rule, message in _pandera_failures(raw.table, typed_frame):
        found.setdefault(index, []).append((rule, message))
    typed_frame["source_line"] = raw.frame["source_line"].to_numpy()
    errors = pd.DataFrame({"rule": None, "message": None}, index=typed_frame.index, dtype=object)
    for i, problems in found.items():
        ordered = sorted(problems, key=lambda p: RULE_PRIORITY.index(p[0]))
        errors.loc[i, "rule"] = ordered[0][0]
        errors.loc[i, "message"] = ordered[0][1]
    return typed_frame, errors


def _pandera_failures(table: str, frame: pd.DataFrame) -> Iterator[tuple[int, str, str]]:
    schema = TABLES[table].to_schema()
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


def _check_parents(
    table: str,
    typed: pd.DataFrame,
    errors: pd.DataFrame,
    valid: dict[str, pd.DataFrame],
    rejected: list[pd.DataFrame],
    parents: Parents,
) -> None:
    """Foreign keys and cross-table date rules, against this export's valid rows and the store."""

    def mark(rows: pd.Series, rule: str, message: str) -> None:
        rows = rows & errors["rule"].isna()
        errors.loc[rows, "rule"] = rule
        errors.loc[rows, "message"] = message

    for (child, column), parent in FOREIGN_KEYS.items():
        if child != table:
            continue
        keys = typed[column]
        stored = parents.placement_start.index if parent == "placements" else getattr(parents, parent)
        known = keys.isin(valid[parent][PRIMARY_KEYS[parent]]) | keys.isin(stored)
        refused = keys.isin(_rejected_keys(rejected, parent))
        mark(~known & refused, rules.PARENT_REJECTED, f"{column}: its {parent} row was rejected")
        mark(~known & ~refused & keys.notna(), rules.UNKNOWN_PARENT, f"{column}: no such {parent} row")
    if table in ("events", "endings"):
        here = valid["placements"].set_index("placement_id")["start_date"]
        starts = pd.concat([parents.placement_start, here])
        start = typed["placement_id"].map(starts[~starts.index.duplicated(keep="last")])
        date_column = "event_date" if table == "events" else "end_date"
        mark(start.notna() & (typed[date_column] < start), rules.DATE_ORDER,
             f"{date_column} is before the placement's start_date")


def _rejected_keys(rejected: list[pd.DataFrame], table: str) -> set[str]:
    key = PRIMARY_KEYS[table]
    keys: set[str] = set()
    for frame in rejected:
        if len(frame) and (frame["table"] == table).any():
            keys |= {r.get(key) for r in frame.loc[frame["table"] == table, "raw"]}
    return keys


def _rejections(raw: RawFile, bad: pd.Series, errors: pd.DataFrame) -> pd.DataFrame:
    rows = raw.frame[bad.to_numpy()]
    return pd.DataFrame({
        "table": raw.table,
        "file": raw.path.name,
        "line": rows["source_line"].astype(int).to_numpy(),
        "rule": errors.loc[bad, "rule"].to_numpy(),
        "message": errors.loc[bad, "message"].to_numpy(),
        "raw": rows.drop(columns="source_line").to_dict("records"),
    }, columns=REJECTED_COLUMNS)


def _bad_lines(raw: RawFile) -> pd.DataFrame:
    return pd.DataFrame([
        {"table": raw.table, "file": raw.path.name, "line": line, "rule": rules.FIELD_COUNT,
         "message": message, "raw": {"fields": fields}}
        for line, message, fields in raw.bad_lines
    ], columns=REJECTED_COLUMNS)
