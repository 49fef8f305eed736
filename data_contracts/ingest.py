"""Ingest one export folder into the store, all or nothing.

Each valid row becomes a version: `loaded` (a new key), `corrected` (a newer registered_at for a
stored key: it becomes current), `history` (an older registered_at than the stored current one:
kept, never made current) or `unchanged` (this exact version is stored already). A version with
the same key and registered_at as a stored one but other content is rejected
(`conflicting_version`): nobody can tell which is right.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from lks.data_contracts import CONTRACT_VERSION, rules
from lks.data_contracts.schemas import PRIMARY_KEYS, TABLES, columns
from lks.data_contracts.store import (
    VERSIONS,
    batches,
    export_checksum,
    rejected_rows,
    row_hashes,
    to_records,
)
from lks.data_contracts.validate import REJECTED_COLUMNS, Parents, ValidatedExport, validate_export

log = logging.getLogger(__name__)
OUTCOMES = ("loaded", "corrected", "history", "unchanged")
CHUNK = 20_000
# Told (table, rows written) after each chunk, for a progress bar.
Progress = Callable[[str, int], None]


@dataclass
class IngestReport:
    batch_id: int | None         # None when this exact export was ingested before
    already_ingested: int | None  # the earlier batch, when so
    files: dict[str, dict[str, Any]]
    counts: pd.DataFrame          # table x (rows, loaded, corrected, history, unchanged, rejected)
    rejected_by_rule: pd.DataFrame  # table, rule, rows


def store_parents(engine: sa.Engine) -> Parents:
    """The keys already stored that an export's rows may refer to (newest version wins)."""
    with engine.connect() as conn:
        persons = {r[0] for r in conn.execute(sa.select(VERSIONS["persons"].c.person_id).distinct())}
        employers = {r[0] for r in conn.execute(sa.select(VERSIONS["employers"].c.employer_id).distinct())}
        t = VERSIONS["placements"]
        rows = conn.execute(sa.select(t.c.placement_id, t.c.start_date).order_by(t.c.registered_at)).all()
    starts = pd.Series({pid: pd.Timestamp(start) for pid, start in rows}, dtype="datetime64[ns]")
    return Parents(persons=persons, employers=employers, placement_start=starts)


class IngestInProgress(RuntimeError):
    """This export is being ingested by another process right now (or an ingest of it was interrupted)."""

    def __init__(self, checksum: str, batch_id: int, started_at: datetime):
        self.checksum, self.batch_id, self.started_at = checksum, batch_id, started_at
        super().__init__(f"export {checksum[:12]} is already being ingested as batch {batch_id} "
                         f"(started {started_at:%Y-%m-%d %H:%M:%S}); nothing stored")


def ingest(engine: sa.Engine, folder: Path, progress: Progress | None = None, take_over: bool = False
           ) -> IngestReport:
    """Validate `folder` against the contract and store it in one transaction.

    An export is held by its batch row from the start: a second ingest of the same export while the
    first runs raises IngestInProgress naming that batch (the unique export_checksum decides between two
    that start at once). `take_over` frees the export of an ingest that was interrupted (a crash leaves
    its batch unfinished and empty): only when no ingest of it is running.

    Raises `data_contracts.parse.FileRejected` (nothing stored) if a file cannot be read.
    """
    started = datetime.now()
    export = validate_export(Path(folder), store_parents(engine))
    checksum = export_checksum(export.files)
    if take_over:
        _release(engine, batches.c.export_checksum == checksum)
    batch_id, earlier = _hold(engine, checksum, started, str(Path(folder).resolve()), export.files)
    if batch_id is None:
        log.info("export %s already ingested as batch %s; nothing changed", checksum[:12], earlier)
        return IngestReport(None, earlier, export.files, _counts(export, {}), export.rejected_counts())
    try:
        with engine.begin() as conn:  # one transaction: a failure leaves no half-written state
            outcomes: dict[str, dict[str, int]] = {}
            conflicts: list[pd.DataFrame] = []
            for table in TABLES:
                new, outcome, conflict = _classify(conn, table, export.tables[table], export.files[table]["file"])
                outcomes[table] = outcome
                conflicts.append(conflict)
                _insert(conn, VERSIONS[table], new.assign(batch_id=batch_id), table, progress)
            export.rejected = pd.concat([export.rejected, *conflicts], ignore_index=True)
            _insert_rejected(conn, export.rejected, batch_id)
            counts = _counts(export, outcomes)
            conn.execute(sa.update(batches).where(batches.c.batch_id == batch_id).values(
                finished_at=datetime.now(), counts=counts.to_dict("index"),
            ))
    except BaseException:
        _release(engine, batches.c.batch_id == batch_id)  # the export is free again, as if never started
        raise
    log.info("ingested batch %s: %s", batch_id, counts.to_dict("index"))
    return IngestReport(batch_id, None, export.files, counts, export.rejected_counts())


def _batch_of(engine: sa.Engine, checksum: str) -> dict[str, Any] | None:
    with engine.connect() as conn:
        found = conn.execute(sa.select(batches.c.batch_id, batches.c.started_at, batches.c.finished_at)
                             .where(batches.c.export_checksum == checksum)).mappings().first()
    return dict(found) if found else None


def _hold(engine: sa.Engine, checksum: str, started: datetime, source: str,
          files: dict[str, dict[str, Any]]) -> tuple[int | None, int | None]:
    """Insert this export's batch row, unfinished, in a short transaction of its own: it holds the export
    while the ingest runs. Returns (the new batch, None), or (None, the earlier batch) when the export was
    ingested before; raises IngestInProgress while another ingest of it runs."""
    found = _batch_of(engine, checksum)
    if found is None:
        try:
            with engine.begin() as conn:
                return conn.execute(sa.insert(batches).values(
                    started_at=started, finished_at=None, source=source, contract_version=CONTRACT_VERSION,
                    export_checksum=checksum, files=files, counts={},
                ).returning(batches.c.batch_id)).scalar_one(), None
        except (sa.exc.IntegrityError, sa.exc.OperationalError):
            # Another ingest of it started at the same moment and the unique key let that one in (on SQLite
            # this one may instead have timed out waiting for the other's write lock): look again.
            found = _batch_of(engine, checksum)
            if found is None:
                raise
    if found["finished_at"] is None:
        raise IngestInProgress(checksum, found["batch_id"], found["started_at"])
    return None, found["batch_id"]


def _release(engine: sa.Engine, which: sa.ColumnElement[bool]) -> None:
    """Delete a batch row if it is unfinished (its ingest failed or was interrupted)."""
    with engine.begin() as conn:
        conn.execute(sa.delete(batches).where(which, batches.c.finished_at.is_(None)))


def _classify(
    conn: sa.Connection, table: str, rows: pd.DataFrame, file: str
) -> tuple[pd.DataFrame, dict[str, int], pd.DataFrame]:
    """Split valid rows into new versions (with their outcome) and conflicting ones."""
    key, t = PRIMARY_KEYS[table], VERSIONS[table]
    rows = rows.assign(row_hash=row_hashes(rows, table)) if len(rows) else rows.assign(row_hash=[])
    stored = pd.DataFrame(
        conn.execute(sa.select(t.c[key], t.c.registered_at, t.c.row_hash)).all(),
        columns=[key, "registered_at", "stored_hash"],
    )
    stored["registered_at"] = pd.to_datetime(stored["registered_at"]).astype("datetime64[ns]")
    merged = rows.merge(stored, on=[key, "registered_at"], how="left")
    unchanged = merged["stored_hash"].notna() & (merged["stored_hash"] == merged["row_hash"])
    conflicting = merged["stored_hash"].notna() & ~unchanged
    new = merged[~unchanged & ~conflicting].drop(columns="stored_hash")
    newest_stored = stored.groupby(key)["registered_at"].max()
    before = new[key].map(newest_stored)
    outcome = pd.Series("loaded", index=new.index)
    outcome[before.notna() & (new["registered_at"] > before)] = "corrected"
    outcome[before.notna() & (new["registered_at"] < before)] = "history"
    counts = outcome.value_counts().to_dict()
    counts["unchanged"] = int(unchanged.sum())
    conflict = merged[conflicting]
    rejected = pd.DataFrame({
        "table": table, "file": file, "line": conflict["source_line"].to_numpy(),
        "rule": rules.CONFLICTING_VERSION,
        "message": f"{key} and registered_at match a stored version with other content",
        "raw": conflict[list(columns(table))].astype(str).to_dict("records"),
    }, columns=REJECTED_COLUMNS)
    return new, counts, rejected


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, name: str, progress: Progress | None) -> None:
    frame = frame.copy()
    for c, spec in columns(name).items():
        if spec["kind"] == "date":
            frame[c] = frame[c].dt.date.astype(object).where(frame[c].notna(), None)
    for start in range(0, len(frame), CHUNK):
        conn.execute(sa.insert(table), to_records(frame.iloc[start:start + CHUNK]))
        if progress:
            progress(name, min(CHUNK, len(frame) - start))


def _insert_rejected(conn: sa.Connection, rejected: pd.DataFrame, batch_id: int) -> None:
    if not len(rejected):
        return
    records = [
        {"batch_id": batch_id, "table_name": r.table, "file": r.file, "line": int(r.line),
         "rule": r.rule, "message": r.message, "raw": {k: _plain(v) for k, v in r.raw.items()}}
        for r in rejected.itertuples()
    ]
    for start in range(0, len(records), CHUNK):
        conn.execute(sa.insert(rejected_rows), records[start:start + CHUNK])


def _plain(value: object) -> object:
    return None if value is None or (not isinstance(value, (list, str)) and pd.isna(value)) else value


def _counts(export: ValidatedExport, outcomes: dict[str, dict[str, int]]) -> pd.DataFrame:
    rejected = export.rejected.groupby("table").size() if len(export.rejected) else pd.Series(dtype=int)
    frame = pd.DataFrame(index=list(TABLES))
    frame["rows"] = [export.files[t]["rows"] for t in TABLES]
    for outcome in OUTCOMES:
        frame[outcome] = [int(outcomes.get(t, {}).get(outcome, 0)) for t in TABLES]
    frame["rejected"] = [int(rejected.get(t, 0)) for t in TABLES]
    return frame
