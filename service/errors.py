"""One error format for every error: {"error": {"code", "message", "details"}}."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException as StarletteHTTPException

from lks.service.champion.feature_schema import InvalidFeatures
from lks.service.persistence.queries import InvalidAction, NotFound
from lks.service.service_layer.services import Forbidden

log = logging.getLogger(__name__)
CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
         406: "not_acceptable", 409: "conflict", 415: "unsupported_media_type", 422: "invalid_request",
         500: "internal_error", 503: "unavailable"}


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

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception):
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return error_response(500, "internal server error")


RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": CODES[status]} for status in (401, 403, 404, 422, 500)
}
