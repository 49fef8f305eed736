"""The pages' server-side sessions: the browser's cookie holds a random session id, `page_sessions` only
its sha256 hash, the user's name and the session's times. The API token is used once, to log in.

A session ends `lifetime` after login (default 8 hours, a working day), after `idle` without a
request (default 30 minutes), at logout, or as soon as the identity provider no longer knows the
user (their token revoked): the role is not kept, every request asks the provider who the name is
now. Worked example, with the defaults:

    09:00 log in                    expires_at 17:00, last seen 09:00
    09:20, 09:45 requests           last seen 09:45
    10:15 request                   refused: idle since 09:45 (the page says the session expired)
    busy all day                    refused from 17:00 on, whatever the last request

`last_seen_at` is written at most once a minute, so the idle timeout counts from up to a minute
before the last request. Login, logout and each refused use of an expired or ended session are
recorded in the audit log (the user's name and role, the endpoint, no placement). Times are UTC.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa

from lks.service.auth import Identity, IdentityProvider, hash_token
from lks.service.persistence.audit import LOGGED_IN, LOGGED_OUT, SESSION_ENDED, SESSION_EXPIRED, AuditLog, Entry
from lks.service.persistence.tables import page_sessions

LIFETIME, IDLE = timedelta(hours=8), timedelta(minutes=30)
TOUCH_EVERY = timedelta(minutes=1)  # at most one write per session a minute to keep it alive
KEEP_EXPIRED = timedelta(days=1)  # a day to say "expired" to a stale cookie; then deleted (the audit log keeps it)
ACTIVE, EXPIRED, ENDED = "active", "expired", "ended"


def utc_now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)  # naive, like every DateTime column of the store


class SessionRefused(Exception):
    """No live session for this id; `expired` when it ran out of time (worth telling the user)."""

    def __init__(self, expired: bool = False):
        super().__init__("the session has expired" if expired else "no live session")
        self.expired = expired


def state(row, now: datetime, idle: timedelta) -> str:
    """ACTIVE, EXPIRED or ENDED: what a stored session is at `now`."""
    if row.ended_at is not None:
        return ENDED
    if now >= row.expires_at or now - row.last_seen_at >= idle:
        return EXPIRED
    return ACTIVE


class PageSessions:
    def __init__(self, engine: sa.Engine, identities: IdentityProvider, audit: AuditLog,
                 lifetime: timedelta = LIFETIME, idle: timedelta = IDLE):
        self.engine, self.identities, self.audit = engine, identities, audit
        self.lifetime, self.idle = lifetime, idle

    def login(self, token: str, now: datetime, endpoint: str) -> str | None:
        """A new session for the holder of a valid API token: its id, for the cookie only; None for a bad token."""
        identity = self.identities.identify(token) if token else None
        if identity is None:
            return None
        session_id = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            conn.execute(page_sessions.delete().where(page_sessions.c.expires_at < now - KEEP_EXPIRED))
            conn.execute(page_sessions.insert().values(
                session_hash=hash_token(session_id), user=identity.name, created_at=now, last_seen_at=now,
                expires_at=now + self.lifetime))
        self._record(identity, endpoint, LOGGED_IN)
        return session_id

    def identity(self, session_id: str, now: datetime, endpoint: str) -> Identity:
        """Who this session belongs to now; SessionRefused when it is unknown, expired, ended or revoked."""
        row = self._row(session_id)
        if row is None:
            raise SessionRefused()
        identity = self.identities.identify_user(row.user)
        if identity is None:  # the token was revoked: its sessions end with it
            self._end(session_id, now)
            raise SessionRefused()
        found = state(row, now, self.idle)
        if found != ACTIVE:
            self._record(identity, endpoint, SESSION_EXPIRED if found == EXPIRED else SESSION_ENDED)
            raise SessionRefused(expired=found == EXPIRED)
        if now - row.last_seen_at >= TOUCH_EVERY:
            self._touch(session_id, now)
        return identity

    def logout(self, session_id: str, now: datetime, endpoint: str) -> None:
        """End the session for good: its id opens nothing afterwards, whatever the browser keeps."""
        row = self._row(session_id)
        if row is None or not self._end(session_id, now):
            return
        identity = self.identities.identify_user(row.user)
        if identity is not None:  # a revoked user has no role to record (and their session had ended anyway)
            self._record(identity, endpoint, LOGGED_OUT)

    def _row(self, session_id: str):
        with self.engine.connect() as conn:
            return conn.execute(sa.select(page_sessions)
                                .where(page_sessions.c.session_hash == hash_token(session_id))).first()

    def _end(self, session_id: str, now: datetime) -> bool:
        with self.engine.begin() as conn:
            return bool(conn.execute(page_sessions.update()
                                     .where(page_sessions.c.session_hash == hash_token(session_id),
                                            page_sessions.c.ended_at.is_(None))
                                     .values(ended_at=now)).rowcount)

    def _touch(self, session_id: str, now: datetime) -> None:
        with self.engine.begin() as conn:
            conn.execute(page_sessions.update()
                         .where(page_sessions.c.session_hash == hash_token(session_id),
                                page_sessions.c.last_seen_at < now)  # a slower concurrent request never goes back
                         .values(last_seen_at=now))

    def _record(self, identity: Identity, endpoint: str, outcome: str) -> None:
        self.audit.record([Entry(identity.name, identity.role, None, endpoint, None, outcome)])
