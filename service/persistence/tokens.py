"""The embedded identity provider: users and the sha256 hashes of their tokens in the service database."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa

from lks.service.auth import Identity, UserError, check_user, hash_token
from lks.service.persistence.tables import users


class TokenStore:
    """The embedded identity provider: users and token hashes in the service database."""

    def __init__(self, engine: sa.Engine, now=datetime.now):
        self.engine = engine
        self.now = now

    def add(self, name: str, role: str, teams: Iterable[str] = (), jobcoach_id: str | None = None) -> str:
        """Create a user; returns the token, which is not stored and cannot be shown again."""
        teams = sorted(set(teams))
        check_user(name, role, teams, jobcoach_id)
        token = secrets.token_urlsafe(32)
        with self.engine.begin() as conn:
            if conn.execute(sa.select(users.c.user_id).where(users.c.name == name)).first():
                raise UserError(f"a user named {name!r} exists already")
            conn.execute(users.insert().values(name=name, role=role, teams=teams, jobcoach_id=jobcoach_id,
                                               token_hash=hash_token(token), created_at=self.now()))
        return token

    def revoke(self, name: str) -> None:
        with self.engine.begin() as conn:
            done = conn.execute(users.update().where(users.c.name == name, users.c.revoked_at.is_(None))
                                .values(revoked_at=self.now())).rowcount
        if not done:
            raise UserError(f"no active user named {name!r}")

    def list(self) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(users.c.name, users.c.role, users.c.teams, users.c.jobcoach_id,
                                          users.c.created_at, users.c.revoked_at).order_by(users.c.name))
            return [dict(r) for r in rows.mappings()]

    def identify(self, token: str) -> Identity | None:
        return self._active(users.c.token_hash == hash_token(token))

    def identify_user(self, name: str) -> Identity | None:
        return self._active(users.c.name == name)  # a revoked name is never given out again (see add)

    def _active(self, which: sa.ColumnElement[bool]) -> Identity | None:
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(users).where(which, users.c.revoked_at.is_(None))).mappings().first()
        if row is None:
            return None
        return Identity(row["name"], row["role"], tuple(row["teams"] or ()), row["jobcoach_id"])
