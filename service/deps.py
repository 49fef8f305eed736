"""Dependencies, declared once as Annotated aliases."""

from __future__ import annotations

import hashlib
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
from lks.service.persistence.audit import Entry
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
    """The one way a bearer token becomes an Identity (the pages' login asks the same provider). The
    token store looks a token up by its sha256 hash (an indexed equality on the hash, never a comparison
    of token text), so the time taken says nothing about how much of a guess was right."""
    return services.identities.identify(token) if token else None


TOKEN_REFUSED, LOGIN_REFUSED, METRICS_TOKEN_REFUSED = "token_refused", "login_refused", "metrics_token_refused"


def client_address(request: Request) -> str:
    """The client's address as the server sees it (behind a proxy: `lks serve --proxy-headers`)."""
    return request.client.host if request.client else "unknown"


def client_pseudonym(address: str) -> str:
    """What the audit log keeps of a failing client: a hash of its address, never the address or a token."""
    return "client-" + hashlib.sha256(address.encode()).hexdigest()[:16]


def retry_after(request: Request, services: Services) -> int | None:
    """Seconds this client must wait after too many failed logins or bad tokens (None: it may try)."""
    return services.auth_failures.retry_after(client_address(request))


def refuse_too_many(request: Request, services: Services) -> None:
    wait = retry_after(request, services)
    if wait is not None:
        raise ApiError(429, "too many failed attempts to authenticate; try again later",
                       headers={"Retry-After": str(wait)})


def authentication_failed(request: Request, services: Services, reason: str) -> None:
    """Count a failed login or bad token against the client, and audit it under the client's pseudonym."""
    address = client_address(request)
    services.auth_failures.failed(address)
    services.audit.record([Entry(client_pseudonym(address), "anonymous", None, endpoint_of(request), None, reason)])


def _required(request: Request, services: Services, token: str | None) -> Identity:
    challenge = {"WWW-Authenticate": "Bearer"}
    refuse_too_many(request, services)
    if not token:
        raise ApiError(401, "a bearer token is required", headers=challenge)
    identity = identify(services, token)
    if identity is None:
        authentication_failed(request, services, TOKEN_REFUSED)
        raise ApiError(401, "the token is not valid or has been revoked", headers=challenge)
    return identity


def get_identity(request: Request, services: ServicesDep, credentials: BearerDep) -> Identity:
    return _required(request, services, credentials.credentials if credentials else None)


CurrentIdentity = Annotated[Identity, Depends(get_identity)]


def get_reader_identity(request: Request, services: ServicesDep, credentials: BearerDep, now: NowDep) -> Identity:
    """A bearer token, or else the pages' session cookie: only for GET endpoints without personal data
    (the model information), so a person logged in on the pages can follow a link to them."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if credentials or not session_id:
        return _required(request, services, credentials.credentials if credentials else None)
    try:
        return services.sessions.identity(session_id, now, endpoint_of(request))
    except SessionRefused as refused:
        raise ApiError(401, f"{refused}: log in again, or send a bearer token",
                       headers={"WWW-Authenticate": "Bearer"}) from None


ReaderIdentity = Annotated[Identity, Depends(get_reader_identity)]


def require_metrics_token(request: Request, services: ServicesDep, credentials: BearerDep) -> None:
    """/metrics with LKS_METRICS_TOKEN set: the bearer token must be that token (compared in constant time)."""
    expected = services.settings.metrics_token
    if expected is None:
        return
    refuse_too_many(request, services)
    given = credentials.credentials if credentials else ""
    if not hmac.compare_digest(hash_token(given), hash_token(expected.get_secret_value())):
        if given:
            authentication_failed(request, services, METRICS_TOKEN_REFUSED)
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
