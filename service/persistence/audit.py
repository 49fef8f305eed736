"""The audit log: every time an individual placement is shown or asked for (API or export), and every
login, logout and refused (expired or ended) session on the pages, without a placement_id.

Append-only from the service: this module inserts and reads, and offers no update. The only
deletion is `purge`, reachable solely through the admin command `lks audit purge`, which refuses
to remove anything younger than RETENTION_MONTHS. Rows hold pseudonymous ids only: the user's
name, a role, a placement_id, an endpoint, a model version and an outcome.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

import pandas as pd
import sqlalchemy as sa

from lks.service.persistence.tables import audit_log

RETENTION_MONTHS = 6
SHOWN, NOT_FOUND, EXPORTED, RECORDED = "shown", "not_found", "exported", "recorded"
LOGGED_IN, LOGGED_OUT = "logged_in", "logged_out"  # the pages' sessions (service.sessions)
SESSION_EXPIRED, SESSION_ENDED = "session_expired", "session_ended"  # a refused session cookie


@dataclass(frozen=True)
class Entry:
    user: str
    role: str
    placement_id: str | None
    endpoint: str
    model_version: str | None
    outcome: str


class AuditLog:
    def __init__(self, engine: sa.Engine, now=datetime.now):
        self.engine = engine
        self.now = now

    def record(self, entries: Iterable[Entry]) -> None:
        at = self.now()
        rows = [{"at": at, **e.__dict__} for e in entries]
        if rows:
            with self.engine.begin() as conn:
                conn.execute(audit_log.insert(), rows)

    def query(self, user: str | None = None, placement_id: str | None = None, limit: int = 1000) -> pd.DataFrame:
        q = sa.select(audit_log).order_by(audit_log.c.audit_id.desc()).limit(limit)
        if user:
            q = q.where(audit_log.c.user == user)
        if placement_id:
            q = q.where(audit_log.c.placement_id == placement_id)
        with self.engine.connect() as conn:
            return pd.DataFrame(conn.execute(q).mappings().all(), columns=list(audit_log.c.keys()))

    def purge(self, older_than_months: int) -> int:
        """Delete entries older than the given number of months (at least RETENTION_MONTHS)."""
        if older_than_months < RETENTION_MONTHS:
            raise ValueError(f"older_than_months must be >= {RETENTION_MONTHS} (the retention period), "
                             f"but was {older_than_months!r}")
        cutoff = pd.Timestamp(self.now()) - pd.DateOffset(months=older_than_months)
        with self.engine.begin() as conn:
            return conn.execute(audit_log.delete().where(audit_log.c.at < cutoff.to_pydatetime())).rowcount
