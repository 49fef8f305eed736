"""Hostile exports for the property tests: good versions from `tests/exports.py`, corrupted at random.

An export is drawn as plain data (`Export`: per table, the lines to write and what each line is), then
written to a folder. Each line knows whether it is a good version (and which) or a bad row, so an
oracle can say what the store must hold without re-implementing the contract: a good version is
delivered when its file is readable, its key is alone in the file and its parent is stored or
delivered in the same export; every other line must be rejected with its file, line and rule.
"""

from __future__ import annotations

import codecs
import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from hypothesis import strategies as st

from lks.data_contracts.schemas import FOREIGN_KEYS, PRIMARY_KEYS, TABLES, columns
from tests.exports import _text
from tests.exports import row as typed_row


def row(table: str, **changes: str) -> dict[str, str]:
    """A hand-made row of tests/exports.py as the CSV holds it: every value as its text."""
    return {name: _text(value) for name, value in typed_row(table, **changes).items()}

# Every version has its own (key, registered_at); start dates never change, so every good event and
# ending stays after its placement's start whichever version is current.
GOOD_VERSIONS: dict[str, list[dict[str, str]]] = {
    "persons": [
        row("persons"),
        row("persons", debt_problems="true", registered_at="2024-03-01T09:00:00"),
        row("persons", person_id="P2", birth_year="1975", gender="M", registered_at="2024-01-03T09:00:00"),
    ],
    "employers": [
        row("employers"),
        row("employers", employer_id="W2", sector="horeca", registered_at="2024-01-05T09:00:00"),
        row("employers", employer_id="W2", sector="horeca", own_jobcoach="false",
            registered_at="2024-04-05T09:00:00"),
    ],
    "placements": [
        row("placements"),
        row("placements", hours_per_week="32", registered_at="2024-05-01T09:00:00"),
        row("placements", jobcoach_org="Stichting Crème", registered_at="2024-06-01T09:00:00"),
        row("placements", placement_id="PL2", person_id="P2", employer_id="W2", start_date="2024-03-01",
            lks_start_date="2024-03-01", contract_type="onbepaald", planned_end_date="",
            registered_at="2024-03-02T09:00:00"),
    ],
    "events": [
        row("events"),
        row("events", value_text="positief", registered_at="2024-03-08T10:00:00"),
        row("events", event_id="E2", placement_id="PL2", event_date="2024-04-01",
            registered_at="2024-04-02T08:00:00"),
        row("events", event_id="E3", event_date="2024-05-01", registered_at="2024-05-02T08:00:00"),
    ],
    "endings": [
        row("endings"),
        row("endings", reason_code="gezondheid", registered_at="2024-08-01T11:00:00"),
        row("endings", placement_id="PL2", end_date="2024-09-30", reason_code="ander_werk",
            registered_at="2024-10-01T11:00:00"),
    ],
}

# Values that break a rule in any row, by kind; then per column (range, code lists, dates).
BAD_BY_KIND = {
    "int": ["abc", "1.5", "12a", "9" * 30, "-" + "9" * 30, "1e3"],
    "float": ["abc", "inf", "-inf", "nan", "1e999", "-1e999", "1,5"],
    "bool": ["yes", "2", "tru", "nee"],
    "date": ["2024-02-30", "2024-13-01", "24-01-08", "08-01-2024", "9999-12-31", "0001-01-01"],
    "timestamp": ["2024-02-03 10:15:00", "2024-02-30T10:00:00", "2024-02-03T25:00:00", "2024-02-03",
                  "9999-12-31T00:00:00"],
    "str": [],
}
BAD_BY_COLUMN = {
    ("persons", "birth_year"): ["1939", "2013", "-1990", "0"],
    ("placements", "hours_per_week"): ["0", "41", "1e300", "1e-300", "-24"],
    ("placements", "wage_value_pct"): ["-0.1", "100.5", "1e308", "-1e-300"],
    ("placements", "months_on_benefit_before"): ["-1"],
    ("placements", "jobcoach_hours_per_month"): ["-1e-300", "-6"],
    ("placements", "lks_start_date"): ["2023-12-31", "2025-01-01"],
    ("events", "event_date"): ["2023-01-01", "2024-12-31"],
    ("events", "value_text"): ["slecht", "Zorgelijk"],
}


def _code_columns(table: str) -> set[str]:
    schema = TABLES[table].to_schema()
    return {name for name, col in schema.columns.items() if any(c.name == "isin" for c in col.checks)}


def bad_values(table: str, column: str) -> list[str]:
    spec = columns(table)[column]
    values = [*BAD_BY_KIND[spec["kind"]], *BAD_BY_COLUMN.get((table, column), [])]
    if not spec["nullable"]:
        values.append("")
    if column in _code_columns(table):
        values.append("NIET_IN_DE_LIJST")
    return values


CORRUPTIBLE = {t: [c for c in columns(t) if bad_values(t, c)] for t in TABLES}


@dataclass
class Line:
    fields: list[str]                 # in contract column order
    version: dict[str, str] | None    # the good version it carries, None for a bad row
    key: str | None = None            # the key a duplicate check sees (None: no whole row)


@dataclass
class TableFile:
    table: str
    lines: list[Line]
    encoding: str = "utf-8"           # utf-8, utf-8-sig, latin-1, utf-16
    newline: str = "\n"
    order: list[int] | None = None    # a permutation of the columns (header and values alike)
    blank_after: list[int] = field(default_factory=list)  # blank lines after these row positions
    fatal_header: str | None = None   # repeated / missing / unknown column, empty or absent file
    truncate_at: int | None = None    # cut the last line after this many characters


@dataclass
class Export:
    files: dict[str, TableFile]
    repeat_of: int | None = None      # the same folder as an earlier export, again


def good_line(table: str, version: dict[str, str]) -> Line:
    return Line([version[c] for c in columns(table)], version, version[PRIMARY_KEYS[table]])


@st.composite
def corrupted_line(draw, table: str, version: dict[str, str]) -> Line:
    names = list(columns(table))
    how = draw(st.sampled_from(["value", "value", "value", "short", "long", "swap_key_time"]))
    if how == "value":
        column = draw(st.sampled_from(CORRUPTIBLE[table]))
        bad = {**version, column: draw(st.sampled_from(bad_values(table, column)))}
        return Line([bad[c] for c in names], None, bad[PRIMARY_KEYS[table]] or None)
    fields = [version[c] for c in names]
    if how == "short":
        return Line(fields[:draw(st.integers(1, len(fields) - 1))], None)
    if how == "long":
        return Line([*fields, draw(st.sampled_from(["", "x", "2024-01-01"]))], None)
    k, t = names.index(PRIMARY_KEYS[table]), names.index("registered_at")
    fields[k], fields[t] = fields[t], fields[k]
    return Line(fields, None, fields[k])


@st.composite
def table_file(draw, table: str) -> TableFile:
    by_key: dict[str, list[dict[str, str]]] = {}
    for version in GOOD_VERSIONS[table]:
        by_key.setdefault(version[PRIMARY_KEYS[table]], []).append(version)
    lines: list[Line] = []
    for versions in by_key.values():
        chosen = draw(st.sampled_from([None, *versions]))
        if chosen is None:
            continue
        fate = draw(st.sampled_from(["good"] * 5 + ["bad", "bad", "twice"]))
        if fate == "bad":
            lines.append(draw(corrupted_line(table, chosen)))
        else:
            lines.append(good_line(table, chosen))
            if fate == "twice":
                lines.append(good_line(table, chosen))
    lines = draw(st.permutations(lines))
    width = len(columns(table))
    file = TableFile(
        table, list(lines),
        encoding=draw(st.sampled_from(["utf-8"] * 6 + ["utf-8-sig", "latin-1", "utf-16"])),
        newline=draw(st.sampled_from(["\n", "\r\n"])),
        order=draw(st.none() | st.permutations(range(width)).map(list)),
        blank_after=draw(st.lists(st.integers(0, max(len(lines), 1)), max_size=2)),
        fatal_header=draw(st.sampled_from([None] * 12 + ["repeat", "missing", "unknown", "empty", "absent"])),
    )
    last = lines[-1] if lines else None
    if last and last.version is not None and file.order is None and draw(st.integers(0, 4)) == 0:
        text = ",".join(last.fields)
        file.truncate_at = draw(st.integers(1, len(text) - 1))
        lines[-1] = Line(text[:file.truncate_at].split(","), None)
        lines[-1].key = lines[-1].fields[0] if len(lines[-1].fields) == width else None
        file.lines = list(lines)
    return file


@st.composite
def export(draw) -> Export:
    return Export({t: draw(table_file(t)) for t in TABLES})


@st.composite
def export_sequence(draw, max_size: int = 4) -> list[Export]:
    exports = draw(st.lists(export(), min_size=1, max_size=max_size))
    out: list[Export] = []
    for item in exports:
        out.append(item)
        if draw(st.integers(0, 5)) == 0:  # the same export (the same folder) arrives again
            out.append(Export(item.files, repeat_of=len(out) - 1))
    return out


# ---- writing -------------------------------------------------------------------------------

def _cells(file: TableFile, fields: list[str]) -> list[str]:
    if file.order is None or len(fields) != len(file.order):
        return fields
    return [fields[i] for i in file.order]


def render(file: TableFile) -> tuple[bytes, dict[int, Line]]:
    """The file's bytes, and which line number (1 = header) holds which row."""
    header = list(columns(file.table))
    if file.fatal_header in ("empty", "absent"):
        return b"", {}
    if file.fatal_header == "repeat":
        header = [*header, header[1]]
    elif file.fatal_header == "missing":
        header = header[:-1]
    elif file.fatal_header == "unknown":
        header = [*header, "bsn"]
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator=file.newline)
    writer.writerow(_cells(file, header))
    number, where = 2, {}
    if 0 in file.blank_after:
        out.write(file.newline)
        number += 1
    for position, line in enumerate(file.lines, start=1):
        writer.writerow(_cells(file, line.fields))
        where[number] = line
        number += 1
        if position in file.blank_after and position < len(file.lines):
            out.write(file.newline)
            number += 1
    text = out.getvalue()
    if file.truncate_at is not None:
        text = text.removesuffix(file.newline)  # the cut line is the very end of the file
    encoding = "utf-16" if file.encoding == "utf-16" else file.encoding
    return text.encode(encoding, errors="replace"), where


def is_fatal(file: TableFile, data: bytes) -> bool:
    """A file the contract refuses as a whole (nothing of the export may be stored)."""
    if file.fatal_header is not None:
        return True
    try:
        codecs.decode(data, "utf-8-sig")
    except UnicodeDecodeError:
        return True
    return False


def write(folder: Path, item: Export) -> dict[str, tuple[bytes, dict[int, Line]]]:
    folder.mkdir(parents=True, exist_ok=True)
    rendered = {t: render(f) for t, f in item.files.items()}
    for table, (data, _) in rendered.items():
        if item.files[table].fatal_header != "absent":
            (folder / f"{table}.csv").write_bytes(data)
    return rendered


# ---- the oracle ------------------------------------------------------------------------------

def delivered(rendered: dict[str, tuple[bytes, dict[int, Line]]], stored: dict[str, set[str]]):
    """Per table, the good versions this (readable) export delivers, and the lines it must reject."""
    versions: dict[str, list[dict[str, str]]] = {}
    rejected: set[tuple[str, int]] = set()
    keys_here: dict[str, set[str]] = {}
    for table in TABLES:
        _, where = rendered[table]
        counts: dict[str, int] = {}
        for line in where.values():
            if line.key is not None:
                counts[line.key] = counts.get(line.key, 0) + 1
        versions[table], keys_here[table] = [], set()
        for number, line in where.items():
            ok = line.version is not None and counts[line.key] == 1 and all(
                line.version[column] in stored[parent] | keys_here[parent]
                for (child, column), parent in FOREIGN_KEYS.items() if child == table
            )
            if ok:
                versions[table].append(line.version)
                keys_here[table].add(line.key)
            else:
                rejected.add((f"{table}.csv", number))
    return versions, rejected
