"""Dependencies, declared once as Annotated aliases."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from service.api.errors import ApiError
from service.auth import Identity
from service.bootstrap import Services
from service.champion import Champion

bearer = HTTPBearer(auto_error=False, description="A token from `lks users add` (or, later, an OIDC provider).")


def get_services(request: Request) -> Services:
    return request.app.state.services


ServicesDep = Annotated[Services, Depends(get_services)]


def get_identity(services: ServicesDep,
                 credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Identity:
    challenge = {"WWW-Authenticate": "Bearer"}
    if credentials is None:
        raise ApiError(401, "a bearer token is required", headers=challenge)
    identity = services.identities.identify(credentials.credentials)
    if identity is None:
        raise ApiError(401, "the token is not valid or has been revoked", headers=challenge)
    return identity


CurrentIdentity = Annotated[Identity, Depends(get_identity)]


def get_champion(services: ServicesDep) -> Champion:
    champion = services.champion.current  # read once: this request keeps this model even if a swap happens
    if champion is None:
        raise ApiError(503, "no champion model is loaded")
    return champion


ChampionDep = Annotated[Champion, Depends(get_champion)]


def get_admin(identity: CurrentIdentity) -> Identity:
    if identity.role != "admin":
        raise ApiError(403, f"the role {identity.role!r} may not manage users")
    return identity


AdminIdentity = Annotated[Identity, Depends(get_admin)]
