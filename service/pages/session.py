"""The pages' session and CSRF tokens.

The session cookie (HttpOnly, SameSite=Strict) holds a session id from `service.sessions`, never the
user's API token: the token is pasted once into the login form, and logging out, the idle timeout, the
session's lifetime or revoking the token end the session on the server. Every request asks the same
identity provider as the API who the session's user is, so pages and API share one set of rules.
Every form that changes state carries a CSRF token: an HMAC of a cookie the browser holds and a
cross-site page cannot read (the session id once logged in; a random nonce for the login form).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Annotated

from fastapi import Depends, Request, Response

from lks.service.auth import Identity
from lks.service.deps import SESSION_COOKIE, NowDep, ServicesDep, endpoint_of
from lks.service.persistence.sessions import SessionRefused

LOGIN_COOKIE = "lks_login"  # the login form's nonce, before there is a session
_CSRF_KEY = b"lks-pages-csrf"  # a label, not a secret: the cookie's value is the secret


class LoginRequired(Exception):
    """No live session: the pages answer with a redirect to the login page (saying so when it expired)."""

    def __init__(self, expired: bool = False):
        super().__init__("the session has expired" if expired else "no live session")
        self.expired = expired


class CsrfRefused(Exception):
    """A form arrived without the CSRF token of this browser's session."""


def page_identity(request: Request, services: ServicesDep, now: NowDep) -> Identity:
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        raise LoginRequired()
    try:
        return services.sessions.identity(session_id, now, endpoint_of(request))
    except SessionRefused as refused:
        raise LoginRequired(refused.expired) from None


PageIdentity = Annotated[Identity, Depends(page_identity)]


def csrf_token(cookie_value: str) -> str:
    return hmac.new(_CSRF_KEY, cookie_value.encode(), hashlib.sha256).hexdigest()


def check_csrf(cookie_value: str | None, submitted: str | None) -> None:
    if not (cookie_value and submitted and hmac.compare_digest(csrf_token(cookie_value), submitted)):
        raise CsrfRefused()


def new_login_nonce() -> str:
    return secrets.token_urlsafe(16)


def set_cookie(response: Response, request: Request, name: str, value: str) -> None:
    # Secure when LKS_SECURE_COOKIES says the service is behind TLS, or the request came over https (a proxy's
    # X-Forwarded-Proto, trusted with `lks serve --proxy-headers`); plain http only on localhost.
    secure = request.app.state.services.settings.secure_cookies or request.url.scheme == "https"
    response.set_cookie(name, value, httponly=True, samesite="strict", secure=secure, path="/")


def clear_cookie(response: Response, name: str) -> None:
    response.delete_cookie(name, path="/", httponly=True, samesite="strict")
