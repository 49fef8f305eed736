"""Liveness, readiness, metrics; who am I; users (admin)."""

from __future__ import annotations

import sqlalchemy as sa
from fastapi import APIRouter, Request

from lks.service.api.schemas import Health, Me, Ready, UserInfo
from lks.service.deps import AdminIdentity, CurrentIdentity, MetricsAccess, ServicesDep
from lks.service.errors import RESPONSES, error_response
from lks.service.service_layer import monitoring_runs

probes = APIRouter(tags=["operations"])
api = APIRouter(tags=["users"], responses=RESPONSES)


@probes.get("/health", response_model=Health)
def health():
    """The process is alive."""
    return {"status": "ok"}


@probes.get("/ready", response_model=Ready, responses={503: {"description": "no model or no database"}})
def ready(services: ServicesDep):
    """Ready when a champion model is loaded and the database answers."""
    champion = services.champion.current or services.champion.refresh()
    try:
        with services.engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        database = True
    except sa.exc.SQLAlchemyError:
        database = False
    refused = services.champion.refused
    body = {"status": "ready" if champion and database else "not_ready",
            "model_version": champion.version if champion else None, "database": database,
            "refused": str(refused) if refused else None}
    if champion and database:
        return body
    message = "the database does not answer" if champion else str(refused or "no champion model is loaded")
    return error_response(503, message, [body])


@probes.get("/metrics", include_in_schema=False, dependencies=[MetricsAccess])
def metrics(request: Request, services: ServicesDep):
    current = services.champion.current
    newest_run = monitoring_runs.newest(services.engine)  # the headline figures of the newest `lks monitor` run
    return request.app.state.metrics.render(current.version if current else None, newest_run)


@api.get("/me", response_model=Me)
def me(identity: CurrentIdentity):
    """Who the token belongs to, and what they may see."""
    return {"name": identity.name, "role": identity.role, "teams": list(identity.teams),
            "jobcoach_id": identity.jobcoach_id}


@api.get("/users", response_model=list[UserInfo])
def users(services: ServicesDep, _admin: AdminIdentity):
    """All users (admin only); tokens are never shown."""
    store = services.identities
    if not hasattr(store, "list"):
        return []
    return store.list()
