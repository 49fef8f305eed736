"""Ingest one export folder into the store, all or nothing.

Each valid row becomes a version: `loaded` (a new key), `corrected` (a newer registered_at for a
stored key: it becomes current), `history` (an older registered_at than the stored current one:
kept, never made current) or `unchanged` (this exact version is stored already). A version with
the same key and registered_at as a stored one but other content is rejected
(`conflicting_version`): nobody can tell which is right.

The export streams through in chunks (`parse.CHUNK_ROWS` rows): each is validated, compared with the
stored versions of its own keys and written before the next is read, all in one transaction. Memory
stays bounded whatever the export's size (a national one: 6.8 million rows); on PostgreSQL a chunk is
written with COPY.
"""

from __future__ import annotations

import gc
import logging
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd
import sqlalchemy as sa

from lks.data_contracts import CONTRACT_VERSION, rules
from lks.data_contracts.background import checked_chunks
from lks.data_contracts.parse import ExportFile
from lks.data_contracts.schemas import PRIMARY_KEYS, TABLES, columns
from lks.data_contracts.store import VERSIONS, batches, driver_values, export_checksum, rejected_rows, row_hashes
from lks.data_contracts.validate import REJECTED_COLUMNS, Parents, scan_export

log = logging.getLogger(__name__)
OUTCOMES = ("loaded", "corrected", "history", "unchanged")
# Keys per `IN (...)` when a chunk's stored versions are looked up: well below SQLite's limit of bound
# parameters (32,766), and a short statement for PostgreSQL.
KEYS_PER_QUERY = 5_000
# Rows per statement when rejected rows are written.
CHUNK = 20_000
# Check the export in a second process while this one writes (data_contracts.background); False: here.
BACKGROUND_CHECKS = True
# Told (table, rows written) after each chunk, for a progress bar.
Progress = Callable[[str, int], None]


@dataclass
class IngestReport:
    batch_id: int | None         # None when this exact export was ingested before
    already_ingested: int | None  # the earlier batch, when so
    files: dict[str, dict[str, Any]]
    counts: pd.DataFrame          # table x (rows, loaded, corrected, history, unchanged, rejected)
    rejected_by_rule: pd.DataFrame  # table, rule, rows


@dataclass
class Tally:
    """What an ingest counted, chunk by chunk: rows read, outcomes and rejections per table."""

    rows: Counter[str] = field(default_factory=Counter)
    outcomes: dict[str, Counter[str]] = field(default_factory=lambda: {t: Counter() for t in TABLES})
    rejected: Counter[tuple[str, str]] = field(default_factory=Counter)  # (table, rule) -> rows

    def add(self, table: str, rows: int, outcomes: dict[str, int], rejected: pd.DataFrame) -> None:
        self.rows[table] += rows
        self.outcomes[table].update(outcomes)
        self.rejected.update(zip(rejected["table"], rejected["rule"], strict=True))

    def counts(self) -> pd.DataFrame:
        frame = pd.DataFrame(index=list(TABLES))
        frame["rows"] = [self.rows[t] for t in TABLES]
        for outcome in OUTCOMES:
            frame[outcome] = [int(self.outcomes[t][outcome]) for t in TABLES]
        frame["rejected"] = [sum(n for (table, _), n in self.rejected.items() if table == t) for t in TABLES]
        return frame

    def by_rule(self) -> pd.DataFrame:
        rows = [(table, rule, n) for (table, rule), n in sorted(self.rejected.items())]
        return pd.DataFrame(rows, columns=["table", "rule", "rows"])


def store_parents(engine: sa.Engine) -> Parents:
    """The keys already stored that an export's rows may refer to (newest version wins)."""
    with engine.connect() as conn:
        return _parents(conn)


def _parents(conn: sa.Connection) -> Parents:
    # A few hundred thousand keys at national scale: small enough to hold, unlike the events.
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

    Raises `data_contracts.parse.FileRejected` (nothing stored) if a file cannot be read: mostly before
    anything is held, by the files' scan; a CSV syntax error deep in a file only while it streams, and
    then the transaction is rolled back.
    """
    started = datetime.now()
    with _fewer_collections():
        files = scan_export(Path(folder))
    described: dict[str, dict[str, Any]] = {
        t: {"file": f.path.name, "sha256": f.sha256, "rows": None} for t, f in files.items()}
    checksum = export_checksum(described)
    if take_over:
        _release(engine, batches.c.export_checksum == checksum)
    batch_id, earlier = _hold(engine, checksum, started, str(Path(folder).resolve()), described)
    if batch_id is None:
        log.info("export %s already ingested as batch %s; nothing changed", checksum[:12], earlier)
        return _earlier_report(engine, checksum)
    try:
        with engine.begin() as conn, _fewer_collections():  # one transaction: a failure leaves nothing half-written
            tally = _load(conn, files, batch_id, progress)
            for table, n in tally.rows.items():
                described[table]["rows"] = n
            counts = tally.counts()
            conn.execute(sa.update(batches).where(batches.c.batch_id == batch_id).values(
                finished_at=datetime.now(), counts=counts.to_dict("index"), files=described,
            ))
    except BaseException:
        _release(engine, batches.c.batch_id == batch_id)  # the export is free again, as if never started
        raise
    log.info("ingested batch %s: %s", batch_id, counts.to_dict("index"))
    return IngestReport(batch_id, None, described, counts, tally.by_rule())


def _load(conn: sa.Connection, files: dict[str, ExportFile], batch_id: int, progress: Progress | None) -> Tally:
    """Validate, classify and write every file, a chunk at a time; parents first (the order of TABLES)."""
    tally, stored = Tally(), {}
    # checked in a second process while this one writes (data_contracts.background), parents first
    with closing(checked_chunks(files, _parents(conn), background=BACKGROUND_CHECKS)) as chunks:
        for table, chunk in chunks:
            if table not in stored:
                # Nothing stored yet (a first ingest): no chunk can meet a stored version, not even one written by
                # an earlier chunk of this file, as a key repeated within a file is rejected wherever it is.
                stored[table] = conn.execute(sa.select(sa.literal(1)).select_from(VERSIONS[table]).limit(1)
                                             ).first() is not None
            new, outcomes, conflicts = _classify(conn, table, chunk.valid, files[table].path.name, stored[table])
            _insert(conn, VERSIONS[table], new.assign(batch_id=batch_id), table, progress)
            rejected = pd.concat([r for r in (chunk.rejected, conflicts) if len(r)] or [conflicts],
                                 ignore_index=True)
            _insert_rejected(conn, rejected, batch_id)
            tally.add(table, chunk.rows, outcomes, rejected)
    return tally


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Let Python's cycle collector run less often while an export streams: every chunk makes a few hundred
    thousand row lists and tuples (none in a cycle), and at the default threshold (a collection per 700 new
    objects) the collector took a fifth of a national ingest's CPU time. The threshold is restored after."""
    before = gc.get_threshold()
    gc.set_threshold(50_000, *before[1:])
    try:
        yield
    finally:
        gc.set_threshold(*before)


def _earlier_report(engine: sa.Engine, checksum: str) -> IngestReport:
    """What the earlier ingest of this same export stored, with nothing new: no need to read it again."""
    with engine.connect() as conn:
        batch_id, files, counts = conn.execute(sa.select(batches.c.batch_id, batches.c.files, batches.c.counts)
                                               .where(batches.c.export_checksum == checksum)).one()
        by_rule = conn.execute(
            sa.select(rejected_rows.c.table_name, rejected_rows.c.rule, sa.func.count())
            .where(rejected_rows.c.batch_id == batch_id)
            .group_by(rejected_rows.c.table_name, rejected_rows.c.rule)
            .order_by(rejected_rows.c.table_name, rejected_rows.c.rule)).all()
    frame = pd.DataFrame.from_dict(counts, orient="index").reindex(list(TABLES)).fillna(0).astype(int)
    frame[list(OUTCOMES)] = 0
    return IngestReport(None, batch_id, files, frame, pd.DataFrame(by_rule, columns=["table", "rule", "rows"]))


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
    conn: sa.Connection, table: str, rows: pd.DataFrame, file: str, look_up: bool = True
) -> tuple[pd.DataFrame, dict[str, int], pd.DataFrame]:
    """Split a chunk's valid rows into new versions (with their outcome) and conflicting ones, against the
    stored versions of the chunk's own keys only (none when not `look_up`)."""
    key = PRIMARY_KEYS[table]
    rows = rows.assign(row_hash=row_hashes(rows, table))
    stored = _stored_versions(conn, table, rows[key].unique().tolist() if look_up else [])
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


def _stored_versions(conn: sa.Connection, table: str, keys: list[Any]) -> pd.DataFrame:
    """(key, registered_at, stored_hash) of every stored version of these keys, by the key's index."""
    key, t = PRIMARY_KEYS[table], VERSIONS[table]
    # one expanding parameter: the statement is compiled once, not once per key list
    query = (sa.select(t.c[key], t.c.registered_at, t.c.row_hash)
             .where(t.c[key].in_(sa.bindparam("keys", expanding=True))))
    found: list[Any] = []
    for start in range(0, len(keys), KEYS_PER_QUERY):
        found += conn.execute(query, {"keys": keys[start:start + KEYS_PER_QUERY]}).all()
    stored = pd.DataFrame(found, columns=[key, "registered_at", "stored_hash"], dtype=object)
    stored["registered_at"] = pd.to_datetime(stored["registered_at"]).astype("datetime64[ns]")
    return stored


def _insert(conn: sa.Connection, table: sa.Table, frame: pd.DataFrame, name: str, progress: Progress | None) -> None:
    """Write a chunk's new versions: with COPY on PostgreSQL, else (SQLite) as one executemany of tuples."""
    if not len(frame):
        return
    kinds = {c: spec["kind"] for c, spec in columns(name).items()}
    names = list(frame.columns)
    rows = list(zip(*(driver_values(frame[c], kinds.get(c)) for c in names), strict=True))
    quote = conn.dialect.identifier_preparer.quote
    into = f"{quote(table.name)} ({', '.join(quote(c) for c in names)})"
    if conn.dialect.name == "postgresql":
        _copy(conn, f"COPY {into} FROM STDIN", rows)
    else:  # exec_driver_sql: SQLAlchemy's events and error wrapping, without its per-value processing
        conn.exec_driver_sql(f"INSERT INTO {into} VALUES ({', '.join('?' * len(names))})", rows)  # noqa: S608  names from the table's definition, values bound
    if progress:
        progress(name, len(frame))


def _copy(conn: sa.Connection, statement: str, rows: list[tuple[Any, ...]]) -> None:
    """COPY on the connection's own psycopg connection, inside its transaction. A failure is raised as
    SQLAlchemy's error for it (a full disk: OperationalError), as any other statement's would be."""
    driver: Any = conn.connection.driver_connection  # a psycopg connection
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            for row in rows:
                copy.write_row(row)
    except conn.dialect.loaded_dbapi.Error as err:
        raise sa.exc.DBAPIError.instance(statement, None, err, conn.dialect.loaded_dbapi.Error) from err


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
