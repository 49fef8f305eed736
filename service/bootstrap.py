"""Wires the real parts together: the database, the model registry, the identity provider, the audit
log. `create_app(settings)` and the CLI commands build theirs here; tests pass fakes instead."""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

from service.audit import AuditLog
from service.auth import IdentityProvider, TokenStore
from service.champion import ChampionHolder, ChampionSource, MlflowChampionSource
from service.settings import Settings
from service.store import make_service_engine


@dataclass
class Services:
    settings: Settings
    engine: sa.Engine
    champion: ChampionHolder
    identities: IdentityProvider
    audit: AuditLog


def bootstrap(settings: Settings, source: ChampionSource | None = None,
              identities: IdentityProvider | None = None) -> Services:
    engine = make_service_engine(settings.db_url)
    holder = ChampionHolder(source or MlflowChampionSource(settings.home), dpia_reference=settings.dpia_reference)
    return Services(settings, engine, holder, identities or TokenStore(engine), AuditLog(engine))
