"""The store: every version of every valid row, every rejected row, and every ingest.

SQLAlchemy Core, nothing SQLite-only, so PostgreSQL can replace the embedded default. A row's
versions share its key; a version is identified by (key, registered_at). Nothing is updated or
deleted: "current" is derived (the newest registered_at), so any date's view can be rebuilt.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import date
from pathlib import Path
from typing import Any, cast

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lks.data_contracts.schemas import PRIMARY_KEYS, TABLES, coerce, columns
from lks.data_contracts.timeline import cutoff, latest_versions

SQL_TYPES = {
    "str": sa.String, "int": sa.BigInteger, "float": sa.Float, "bool": sa.Boolean,
    "date": sa.Date, "timestamp": sa.DateTime,
}

metadata = sa.MetaData()

batches = sa.Table(
    "ingest_batches", metadata,
    sa.Column("batch_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("started_at", sa.DateTime, nullable=False),
    sa.Column("finished_at", sa.DateTime, nullable=True),  # None while the ingest runs (it holds the export)
    sa.Column("source", sa.String, nullable=False),
    sa.Column("contract_version", sa.String, nullable=False),
    # one batch per export: an export is stored once, and a second ingest of it is refused while the first runs
    sa.Column("export_checksum", sa.String(64), nullable=False, unique=True),
    sa.Column("files", sa.JSON, nullable=False),   # table -> {file, sha256, rows}
    sa.Column("counts", sa.JSON, nullable=False),  # table -> {loaded, corrected, ...}
)

rejected_rows = sa.Table(
    "rejected_rows", metadata,
    sa.Column("rejection_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batches.batch_id"), nullable=False, index=True),
    sa.Column("table_name", sa.String, nullable=False),
    sa.Column("file", sa.String, nullable=False),
    sa.Column("line", sa.Integer, nullable=False),
    sa.Column("rule", sa.String, nullable=False),
    sa.Column("message", sa.String, nullable=False),
    sa.Column("raw", sa.JSON, nullable=False),
)


# Columns indexed besides each table's key: a placement's page reads its events by placement_id.
EXTRA_INDEXES = {"events": ("placement_id",)}


def _version_table(name: str) -> sa.Table:
    key = PRIMARY_KEYS[name]
    cols = [
        sa.Column(c, SQL_TYPES[spec["kind"]](), nullable=spec["nullable"],
                  index=(c == key or c in EXTRA_INDEXES.get(name, ())))
        for c, spec in columns(name).items()
    ]
    return sa.Table(
        name, metadata,
        sa.Column("version_id", sa.Integer, primary_key=True, autoincrement=True),
        *cols,
        sa.Column("batch_id", sa.Integer, sa.ForeignKey("ingest_batches.batch_id"), nullable=False),
        sa.Column("source_line", sa.Integer, nullable=False),
        sa.Column("row_hash", sa.String(64), nullable=False),
        sa.UniqueConstraint(key, "registered_at", name=f"uq_{name}_version"),
    )


VERSIONS = {name: _version_table(name) for name in TABLES}


def default_url(home: Path) -> str:
    return f"sqlite:///{home / 'lks.db'}"


def make_engine(url: str, *, create_tables: bool = True) -> sa.Engine:
    """The store's engine (the service's too), its missing tables created. hide_parameters: a statement's
    parameters (personal data, a reason or note a jobcoach typed) never appear in an error's message
    or in SQLAlchemy's own log lines, and SQLAlchemy's statement and row logging stays off whatever the
    root logger's level (a row read is personal data; `lks -v` logs at DEBUG).

    A deployment's schema is the migrations' (`lks db upgrade`, lks.cli.db): every `lks` command and `lks serve`
    check the database's revision before they get here, so on such a database nothing is left to create.
    Creating missing tables is for tests and scripts on a throwaway database; `create_tables=False` only
    connects (the migrations' own use)."""
    logging.getLogger("sqlalchemy.engine").setLevel(logging.WARNING)
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    engine = sa.create_engine(url, hide_parameters=True)
    if create_tables:
        metadata.create_all(engine)
    return engine


def row_hashes(frame: pd.DataFrame, table: str) -> pd.Series:
    """A content hash per row over the contract columns, stable across formats and across chunks.

    Each value becomes text on its own (a date or timestamp YYYY-MM-DD HH:MM:SS, other values as pandas'
    `astype(str)` writes them: "None", "nan", "<NA>", a missing date "NaT"), joined by \x1f. This is the
    text the store has always hashed (a frame's astype(str) wrote all its dates and timestamps as one block),
    except that it wrote them without the time when every one of them was at midnight: that made a row's
    hash depend on the rows read with it, which a chunked ingest cannot allow.
    """
    texts = [_hash_text(frame[c], spec["kind"]) for c, spec in columns(table).items()]
    joined = ["\x1f".join(values) for values in zip(*texts, strict=True)]
    return pd.Series([hashlib.sha256(s.encode()).hexdigest() for s in joined], index=frame.index, dtype=object)


def _hash_text(values: pd.Series, kind: str) -> list[str]:
    if kind in ("date", "timestamp"):  # NaT: "NaT"
        text = cast(list[str], np.datetime_as_string(values.to_numpy("datetime64[s]")).tolist())
        return [s.replace("T", " ") if s != "NaT" else s for s in text]
    if kind == "float":  # str() of each float, as astype(str) does, computed only where there is one
        shown = np.full(len(values), "nan", dtype=object)
        filled = values.notna().to_numpy()
        shown[filled] = [str(v) for v in values.to_numpy()[filled].tolist()]
        return cast(list[str], shown.tolist())
    return cast(list[str], values.astype(str).tolist())


def driver_values(values: pd.Series, kind: str | None) -> list[Any]:
    """A column as plain Python values a driver stores without SQLAlchemy's per-value processing (which
    costs more than everything else at national scale): None for null, a date as YYYY-MM-DD and a timestamp
    as YYYY-MM-DD HH:MM:SS.ffffff, the text SQLAlchemy stores on SQLite and PostgreSQL reads as well."""
    if kind in ("date", "timestamp"):
        unit = "D" if kind == "date" else "us"
        text = np.datetime_as_string(values.to_numpy(f"datetime64[{unit}]")).astype(object)
        text[values.isna().to_numpy()] = None
        out = cast(list[Any], text.tolist())
        return [s.replace("T", " ") if s else None for s in out] if kind == "timestamp" else out
    if values.dtype == object:  # text: parse_column and the store's own columns hold None for null already
        return cast(list[Any], values.tolist())
    return cast(list[Any], values.astype(object).where(values.notna(), None).tolist())


def export_checksum(files: dict[str, dict[str, Any]]) -> str:
    joined = "".join(f"{t}:{files[t]['sha256']}" for t in sorted(files))
    return hashlib.sha256(joined.encode()).hexdigest()


def read_versions(engine: sa.Engine, table: str, as_of: date | None = None) -> pd.DataFrame:
    """All stored versions of `table` (registered on or before `as_of`, if given), typed."""
    t = VERSIONS[table]
    query = sa.select(*[t.c[c] for c in columns(table)], t.c.batch_id)
    if as_of is not None:
        query = query.where(t.c.registered_at < cutoff(as_of).to_pydatetime())
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query.order_by(t.c.version_id)).all(), columns=[*columns(table), "batch_id"])
    return coerce(frame, table)


def history(engine: sa.Engine, as_of: date | None = None) -> dict[str, pd.DataFrame]:
    """Every table's versions known as of `as_of` (all, when None): the input of `features`."""
    return {t: read_versions(engine, t, as_of) for t in TABLES}


def current(engine: sa.Engine, table: str, as_of: date | None = None) -> pd.DataFrame:
    return latest_versions(read_versions(engine, table, as_of), table)
