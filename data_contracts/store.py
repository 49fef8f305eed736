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
from typing import Any

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
    """A content hash per row over the contract columns, stable across formats."""
    text = frame[list(columns(table))].astype(str).agg("\x1f".join, axis=1)
    return text.map(lambda s: hashlib.sha256(s.encode()).hexdigest())


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


def to_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain Python values for the driver (NaT/NA become None, Timestamps datetimes)."""
    out = {}
    for c in frame.columns:
        arr = frame[c].astype(object).to_numpy()  # Timestamps are datetimes
        arr[pd.isna(frame[c]).to_numpy()] = None
        out[c] = arr
    names = list(out)
    return [dict(zip(names, vals, strict=True)) for vals in zip(*out.values(), strict=True)]
