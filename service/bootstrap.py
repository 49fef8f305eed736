"""Wires the real parts together: the database, the model registry, the identity provider, the audit
log, the pages' sessions. `create_app(settings)` and the CLI commands build theirs here; tests pass fakes
instead."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import sqlalchemy as sa

from lks.service.auth import IdentityProvider
from lks.service.champion.holder import ChampionHolder
from lks.service.champion.mlflow_source import MlflowChampionSource
from lks.service.champion.types import ChampionSource
from lks.service.persistence.audit import AuditLog
from lks.service.persistence.sessions import PageSessions
from lks.service.persistence.tables import make_service_engine
from lks.service.persistence.tokens import TokenStore
from lks.service.settings import Settings
from lks.service.throttle import FailureLimiter


@dataclass
class Services:
    settings: Settings
    engine: sa.Engine
    champion: ChampionHolder
    identities: IdentityProvider
    audit: AuditLog
    sessions: PageSessions
    auth_failures: FailureLimiter = field(default_factory=FailureLimiter)


def bootstrap(settings: Settings, source: ChampionSource | None = None,
              identities: IdentityProvider | None = None) -> Services:
    engine = make_service_engine(settings.db_url)
    holder = ChampionHolder(source or MlflowChampionSource(settings.home), dpia_reference=settings.dpia_reference)
    identities = identities or TokenStore(engine)
    audit = AuditLog(engine)
    sessions = PageSessions(engine, identities, audit, timedelta(hours=settings.session_hours),
                            timedelta(minutes=settings.session_idle_minutes))
    limiter = FailureLimiter(settings.auth_failures_max, settings.auth_failures_window_seconds)
    return Services(settings, engine, holder, identities, audit, sessions, limiter)
