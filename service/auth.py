"""Who is asking, and what they may see.

Roles: `coordinator` (placements of their teams), `jobcoach` (placements whose jobcoach_id is
theirs), `data_scientist` (model and aggregate endpoints, no individual placement), `admin`
(users). There is no role for enforcement or fraud work.

Endpoints depend only on `Identity` and an `IdentityProvider`; the embedded provider is a token
store (`lks.service.persistence.tokens`: bearer tokens kept only as sha256 hashes). An OIDC provider
can replace it by mapping a verified token's claims to an `Identity`, and a user name to the same
`Identity` (the pages' sessions hold the name).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

COORDINATOR, JOBCOACH, DATA_SCIENTIST, ADMIN = "coordinator", "jobcoach", "data_scientist", "admin"
ROLES = (COORDINATOR, JOBCOACH, DATA_SCIENTIST, ADMIN)
SEES_PLACEMENTS = (COORDINATOR, JOBCOACH)
SCORES_PAYLOADS = (COORDINATOR, JOBCOACH, DATA_SCIENTIST)
SEES_AGGREGATES = (COORDINATOR, DATA_SCIENTIST)


@dataclass(frozen=True)
class Identity:
    name: str
    role: str
    teams: tuple[str, ...] = ()
    jobcoach_id: str | None = None

    def may_see(self, team: str | None, jobcoach_id: str | None) -> bool:
        """Whether this identity may see a placement routed to (team, jobcoach_id)."""
        if self.role == COORDINATOR:
            return team is not None and team in self.teams
        if self.role == JOBCOACH:
            return self.jobcoach_id is not None and jobcoach_id == self.jobcoach_id
        return False


class IdentityProvider(Protocol):
    def identify(self, token: str) -> Identity | None:
        """The identity a bearer token stands for, or None when it stands for nobody."""

    def identify_user(self, name: str) -> Identity | None:
        """The identity of a user by name while their access stands (not revoked), or None: how a page
        session, which holds the name and never the token, learns who it belongs to on every request."""


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class UserError(ValueError):
    pass


def check_user(name: str, role: str, teams: Iterable[str], jobcoach_id: str | None) -> None:
    if not name.strip():
        raise UserError("name must not be empty")
    if role not in ROLES:
        raise UserError(f"role must be one of {list(ROLES)}, but was {role!r}")
    if role == COORDINATOR and not list(teams):
        raise UserError("a coordinator needs at least one --team")
    if role == JOBCOACH and not jobcoach_id:
        raise UserError("a jobcoach needs --jobcoach-id")
    if role != JOBCOACH and jobcoach_id:
        raise UserError(f"--jobcoach-id is only for the jobcoach role, not {role!r}")
