"""Dependencies, declared once as Annotated aliases."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from lks.service.auth import Identity, hash_token
from lks.service.bootstrap import Services
from lks.service.champion.types import Champion
from lks.service.errors import ApiError
from lks.service.metrics import route_template
from lks.service.persistence.sessions import SessionRefused, utc_now

bearer = HTTPBearer(auto_error=False, description="A token from `lks users add` (or, later, an OIDC provider).")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


BearerDep = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]
SESSION_COOKIE = "lks_session"  # the pages' session (service/pages): HttpOnly, SameSite=Strict, a session id


def get_now() -> datetime:
    """The request's clock, by which page sessions expire (tests override this dependency)."""
    return utc_now()


NowDep = Annotated[datetime, Depends(get_now)]


def endpoint_of(request: Request) -> str:
    """The endpoint's name for the audit log: method and path with {names}, as the service layer records them."""
    return f"{request.method} {route_template(request)}"


def identify(services: Services, token: str | None) -> Identity | None:
    """The one way a bearer token becomes an Identity (the pages' login asks the same provider)."""
    return services.identities.identify(token) if token else None


def _required(services: Services, token: str | None) -> Identity:
    challenge = {"WWW-Authenticate": "Bearer"}
    if not token:
        raise ApiError(401, "a bearer token is required", headers=challenge)
    identity = identify(services, token)
    if identity is None:
        raise ApiError(401, "the token is not valid or has been revoked", headers=challenge)
    return identity


def get_identity(services: ServicesDep, credentials: BearerDep) -> Identity:
    return _required(services, credentials.credentials if credentials else None)


CurrentIdentity = Annotated[Identity, Depends(get_identity)]


def get_reader_identity(request: Request, services: ServicesDep, credentials: BearerDep, now: NowDep) -> Identity:
    """A bearer token, or else the pages' session cookie: only for GET endpoints without personal data
    (the model information), so a person logged in on the pages can follow a link to them."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if credentials or not session_id:
        return _required(services, credentials.credentials if credentials else None)
    try:
        return services.sessions.identity(session_id, now, endpoint_of(request))
    except SessionRefused as refused:
        raise ApiError(401, f"{refused}: log in again, or send a bearer token",
                       headers={"WWW-Authenticate": "Bearer"}) from None


ReaderIdentity = Annotated[Identity, Depends(get_reader_identity)]


def require_metrics_token(services: ServicesDep, credentials: BearerDep) -> None:
    """/metrics with LKS_METRICS_TOKEN set: the bearer token must be that token (compared in constant time)."""
    expected = services.settings.metrics_token
    if expected is None:
        return
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(hash_token(given), hash_token(expected.get_secret_value())):
        raise ApiError(401, "the metrics token is required", headers={"WWW-Authenticate": "Bearer"})


MetricsAccess = Depends(require_metrics_token)


def get_champion(services: ServicesDep) -> Champion:
    champion = services.champion.current  # read once: this request keeps this model even if a swap happens
    if champion is None:
        raise ApiError(503, str(services.champion.refused or "no champion model is loaded"))
    return champion


ChampionDep = Annotated[Champion, Depends(get_champion)]


def get_admin(identity: CurrentIdentity) -> Identity:
    if identity.role != "admin":
        raise ApiError(403, f"the role {identity.role!r} may not manage users")
    return identity


AdminIdentity = Annotated[Identity, Depends(get_admin)]
