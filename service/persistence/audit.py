"""The audit log: every time an individual placement is shown or asked for (API or export), and every
login, logout and refused (expired or ended) session on the pages, without a placement_id.

Append-only from the service: this module inserts and reads, and offers no update. The only
deletion is `purge`, reachable solely through the admin command `lks audit purge`, which refuses
to remove anything younger than RETENTION_MONTHS. Rows hold pseudonymous ids only: the user's
name, a role, a placement_id, an endpoint, a model version and an outcome.

Tamper evidence: every record carries `hash = sha256(prev_hash + canonical(record))`, where
`prev_hash` is the hash of the record before it (GENESIS for the first) and `canonical` is the
record's fields (its audit_id included) as sorted, compact JSON. Appends are serialised (one writer
at a time reads the last record and inserts after it), so the chain never forks. `verify` walks the
log in audit_id order and names the first record whose content, position or predecessor no longer
matches: an edited, deleted, inserted or reordered record breaks the chain there.

A purge removes the oldest records (a prefix of the chain, all past the retention period) and
appends a checkpoint record in the same transaction: outcome `purged`, and in `detail` how many
records were purged, up to which audit_id and the hash of the last one purged. `verify` starts the
chain from the newest checkpoint, so a purged log still verifies, and the purge itself is on record.

What it cannot see: someone who may write the table can recompute every hash after an edit, and
can drop the newest records. `lks audit verify` prints the newest record's id and hash: noted
elsewhere (a ticket, a mail to the security officer), `--expect ID:HASH` later shows that nothing
up to that record changed and that it is still there.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from lks.service.persistence.tables import audit_log

RETENTION_MONTHS = 6
SHOWN, NOT_FOUND, EXPORTED, RECORDED = "shown", "not_found", "exported", "recorded"
LOGGED_IN, LOGGED_OUT = "logged_in", "logged_out"  # the pages' sessions (service.sessions)
SESSION_EXPIRED, SESSION_ENDED = "session_expired", "session_ended"  # a refused session cookie
PURGED = "purged"  # the checkpoint a purge leaves
GENESIS = "0" * 64  # the predecessor of the first record
FIELDS = ("audit_id", "at", "user", "role", "placement_id", "endpoint", "model_version", "outcome", "detail")


@dataclass(frozen=True)
class Entry:
    user: str
    role: str
    placement_id: str | None
    endpoint: str
    model_version: str | None
    outcome: str


@dataclass(frozen=True)
class Broken:
    """The first record where the chain does not hold, and why."""
    audit_id: int
    reason: str


@dataclass(frozen=True)
class Verified:
    records: int
    last_id: int | None
    last_hash: str | None
    broken: Broken | None


def canonical(record: dict) -> bytes:
    """The record's fields as sorted, compact JSON: what its hash is computed over."""
    values = {f: record.get(f) for f in FIELDS}
    at = values["at"]
    values["at"] = at.isoformat(sep=" ", timespec="microseconds") if isinstance(at, datetime) else at
    return json.dumps(values, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def record_hash(record: dict, prev_hash: str) -> str:
    return hashlib.sha256(prev_hash.encode() + canonical(record)).hexdigest()


def verify_chain(records: Iterable[dict], checkpoint: dict | None = None) -> Verified:
    """Check that records (in audit_id order, each a dict of the table's columns) form one unbroken chain.

    The chain starts where the newest checkpoint (a `purged` record, or None) says the purge ended, or at
    audit_id 1 after GENESIS: the first record must be the one after the last purged record and follow its
    hash; every next record has the next audit_id, names its predecessor's hash as prev_hash, and its own
    hash matches its content."""
    start_id, expected_prev = 1, GENESIS
    if checkpoint is not None:
        if record_hash(checkpoint, checkpoint["prev_hash"]) != checkpoint["hash"]:
            return Verified(0, None, None, Broken(checkpoint["audit_id"], "the purge checkpoint was changed"))
        start_id = int(checkpoint["detail"]["up_to_id"]) + 1
        expected_prev = checkpoint["detail"]["last_purged_hash"]
    n, expected_id, last = 0, start_id, None
    for r in records:
        n += 1
        if r["audit_id"] != expected_id:
            reason = (f"record {expected_id} should come first: records before this one were deleted"
                      if r["audit_id"] > expected_id else f"out of order (expected record {expected_id})")
            return Verified(n, None, None, Broken(r["audit_id"], reason))
        if r["prev_hash"] != expected_prev:
            return Verified(n, None, None, Broken(r["audit_id"], "does not follow the record before it "
                                                                 "(a record was deleted, inserted or moved)"))
        if record_hash(r, r["prev_hash"]) != r["hash"]:
            return Verified(n, None, None, Broken(r["audit_id"], "its content was changed"))
        expected_id, expected_prev, last = r["audit_id"] + 1, r["hash"], r
    return Verified(n, last["audit_id"] if last else None, last["hash"] if last else None, None)


def _naive(at: datetime) -> datetime:
    """Local time without a zone, as the DateTime column gives it back (so the hash is computed over the
    value read later)."""
    return at.astimezone().replace(tzinfo=None) if at.tzinfo is not None else at


class AuditLog:
    def __init__(self, engine: sa.Engine, now=datetime.now):
        self.engine = engine
        self.now = now
        self._threads = threading.Lock()  # this log's threads queue here before SQLite's lock (`_appending`)

    def record(self, entries: Iterable[Entry]) -> None:
        rows = [dict(e.__dict__, detail=None) for e in entries]
        if rows:
            with self._appending() as conn:
                self._append(conn, rows)

    def query(self, user: str | None = None, placement_id: str | None = None, limit: int = 1000) -> pd.DataFrame:
        q = sa.select(audit_log).order_by(audit_log.c.audit_id.desc()).limit(limit)
        if user:
            q = q.where(audit_log.c.user == user)
        if placement_id:
            q = q.where(audit_log.c.placement_id == placement_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=list(audit_log.c.keys()))

    def records(self) -> Iterator[dict]:
        """Every record in audit_id order, streamed."""
        with self.engine.connect() as conn:
            result = conn.execution_options(yield_per=5000).execute(
                sa.select(audit_log).order_by(audit_log.c.audit_id))
            for row in result.mappings():
                yield dict(row)

    def hash_of(self, audit_id: int) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(sa.select(audit_log.c.hash).where(audit_log.c.audit_id == audit_id)).scalar()

    def verify(self) -> Verified:
        with self.engine.connect() as conn:
            checkpoint = conn.execute(sa.select(audit_log).where(audit_log.c.outcome == PURGED)
                                      .order_by(audit_log.c.audit_id.desc()).limit(1)).mappings().first()
        return verify_chain(self.records(), dict(checkpoint) if checkpoint else None)

    def purge(self, older_than_months: int, by: str = "admin") -> int:
        """Delete the oldest entries, as long as they are older than the given number of months (at least
        RETENTION_MONTHS), and append a checkpoint recording the purge; returns how many were deleted."""
        if older_than_months < RETENTION_MONTHS:
            raise ValueError(f"older_than_months must be >= {RETENTION_MONTHS} (the retention period), "
                             f"but was {older_than_months!r}")
        cutoff = (pd.Timestamp(self.now()) - pd.DateOffset(months=older_than_months)).to_pydatetime()
        with self._appending() as conn:
            end = _end(conn)
            first_kept = conn.execute(sa.select(sa.func.min(audit_log.c.audit_id))
                                      .where(audit_log.c.at >= _naive(cutoff))).scalar()
            older = audit_log.c.audit_id < first_kept if first_kept is not None else sa.true()
            last = conn.execute(sa.select(audit_log.c.audit_id, audit_log.c.hash).where(older)
                                .order_by(audit_log.c.audit_id.desc()).limit(1)).first()
            n = conn.execute(audit_log.delete().where(older)).rowcount if last else 0
            if last is not None:
                up_to, last_hash = last.audit_id, last.hash
            else:  # nothing to purge: the chain still starts where the previous purge left it
                previous = _newest_checkpoint(conn)
                up_to, last_hash = (previous["up_to_id"], previous["last_purged_hash"]) if previous else (0, GENESIS)
            detail = {"purged": n, "up_to_id": up_to, "last_purged_hash": last_hash,
                      "older_than_months": older_than_months, "cutoff": cutoff.isoformat(sep=" ")}
            self._append(conn, [{"user": by, "role": "admin", "placement_id": None, "endpoint": "lks audit purge",
                                 "model_version": None, "outcome": PURGED, "detail": detail}], after=end)
        return n

    @contextmanager
    def _appending(self) -> Iterator[sa.Connection]:
        """A transaction holding the right to append: one writer at a time reads the chain's end and
        inserts after it, so two writers never both follow the same record (a fork).

        SQLite: BEGIN IMMEDIATE takes the database's write lock before anything is read (a deferred
        transaction would read first and could then fail to upgrade). The threads sharing this log (the
        service's) first queue on a lock of their own: SQLite's busy handler polls with sleeps of up to
        100 ms, so with eight clients some requests waited hundreds of milliseconds for a lock held for a
        millisecond (placement p99 under 8 clients fell from 393-585 to 113-131 ms). Other processes and other
        logs on the same file still wait in the busy handler. PostgreSQL: LOCK TABLE ... IN EXCLUSIVE MODE
        blocks other appends and purges until commit, while readers go on."""
        sqlite = self.engine.dialect.name == "sqlite"
        with self._threads if sqlite else nullcontext(), self.engine.connect() as conn:
            if sqlite:
                conn.exec_driver_sql("BEGIN IMMEDIATE")
            elif conn.dialect.name == "postgresql":
                conn.exec_driver_sql("LOCK TABLE audit_log IN EXCLUSIVE MODE")
            try:
                yield conn
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    def _append(self, conn: sa.Connection, rows: list[dict], after: tuple[int, str] | None = None) -> None:
        """Insert rows after the chain's end (its newest record, or `after` when given: what was the end
        before a purge deleted it)."""
        at = _naive(self.now())
        last_id, prev = after or _end(conn)
        chained = []
        for i, row in enumerate(rows, start=last_id + 1):
            record = {**row, "audit_id": i, "at": at, "prev_hash": prev}
            record["hash"] = prev = record_hash(record, record["prev_hash"])
            chained.append(record)
        conn.execute(audit_log.insert(), chained)


def _end(conn: sa.Connection) -> tuple[int, str]:
    """The newest record's audit_id and hash, or (0, GENESIS) for an empty log."""
    last = conn.execute(sa.select(audit_log.c.audit_id, audit_log.c.hash)
                        .order_by(audit_log.c.audit_id.desc()).limit(1)).first()
    return (last.audit_id, last.hash) if last else (0, GENESIS)


def _newest_checkpoint(conn: sa.Connection) -> dict | None:
    """The newest purge checkpoint's detail, or None."""
    return conn.execute(sa.select(audit_log.c.detail).where(audit_log.c.outcome == PURGED)
                        .order_by(audit_log.c.audit_id.desc()).limit(1)).scalar()
