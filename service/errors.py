"""One error format for every error: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
import secrets
import traceback
from typing import Any

import sqlalchemy as sa
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lks.service.champion.feature_schema import InvalidFeatures
from lks.service.metrics import route_template
from lks.service.persistence.follow_ups import InvalidFollowUp
from lks.service.persistence.queries import InvalidAction, NotFound
from lks.service.service_layer.services import Forbidden

log = logging.getLogger(__name__)
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         406: "not_acceptable", 409: "conflict", 415: "unsupported_media_type", 422: "invalid_request",
         429: "too_many_requests", 500: "internal_error", 503: "unavailable"}


class ErrorBody(BaseModel):
    code: str
    message: str
    details: list[dict] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ApiError(Exception):
    def __init__(self, status: int, message: str, details: list[dict] | None = None, code: str | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status, self.message, self.details = status, message, details
        self.code = code or CODES.get(status, "error")
        self.headers = headers


def error_response(status: int, message: str, details=None, code: str | None = None, headers=None) -> JSONResponse:
    body = {"error": {"code": code or CODES.get(status, "error"), "message": message, "details": details}}
    return JSONResponse(body, status_code=status, headers=headers)


def _jsonable_details(errors) -> list[dict]:
    return [{"field": ".".join(str(p) for p in e.get("loc", ()) if p != "body") or "body",
             "message": e.get("msg", ""), "type": e.get("type", "")} for e in errors]


def install(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def api_error(_request: Request, exc: ApiError):
        return error_response(exc.status, exc.message, exc.details, exc.code, exc.headers)

    @app.exception_handler(NotFound)
    async def not_found(_request: Request, exc: NotFound):
        return error_response(404, str(exc))

    @app.exception_handler(Forbidden)
    async def forbidden(_request: Request, exc: Forbidden):
        return error_response(403, str(exc))

    @app.exception_handler(InvalidFeatures)
    async def invalid_features(_request: Request, exc: InvalidFeatures):
        details = [{"field": f"features.{p.field}", "message": p.message, "type": "feature_schema"}
                   for p in exc.problems]
        return error_response(422, "the features do not match the model's feature schema", details)

    @app.exception_handler(InvalidFollowUp)
    async def invalid_follow_up(_request: Request, exc: InvalidFollowUp):
        return error_response(422, str(exc))

    @app.exception_handler(InvalidAction)
    async def invalid_action(_request: Request, exc: InvalidAction):
        return error_response(422, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(_request: Request, exc: StarletteHTTPException):
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(exc.status_code, "error")
        return error_response(exc.status_code, message, headers=getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError):
        return error_response(422, "the request is not valid", _jsonable_details(exc.errors()))

    @app.exception_handler(sa.exc.OperationalError)
    async def database_unavailable(request: Request, exc: sa.exc.OperationalError):
        reference = log_failure(request, exc, "database unavailable")
        return error_response(503, f"the database is not available; try again later (reference {reference})",
                              headers={"Retry-After": "5"})

    app.add_middleware(ContainFailures)  # after the metrics middleware: outside it, so a 500 is counted too


class ContainFailures:
    """Answers an unhandled exception with the common 500 error itself. An exception that escapes the app
    reaches the server, which logs it with its message (that can hold parameters or typed free text)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        started = False

        async def watched(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched)
        except Exception as exc:
            reference = log_failure(Request(scope), exc, "unhandled error")
            if not started:
                await error_response(500, f"internal server error (reference {reference})")(scope, receive, send)


def log_failure(request: Request, exc: BaseException, what: str) -> str:
    """Log a failure without personal data; returns the reference the answer carries. An exception's
    message can hold a statement's parameters or typed free text (a reason, a note), and a path a
    placement id: the log gets the exception's type, the route template and the stack's frames only."""
    reference = secrets.token_hex(6)
    frames = "".join(traceback.format_tb(exc.__traceback__))
    log.error("%s %s on %s %s (reference %s)\n%s", what, type(exc).__name__, request.method,
              route_template(request), reference, frames)
    return reference


RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": CODES[status]}
    for status in (400, 401, 403, 404, 422, 429, 500, 503)
}
