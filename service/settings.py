"""Deployment settings, from the environment. One cached instance; tests build their own."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

import sqlalchemy as sa
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lks.data_contracts.roles import check_dpia_reference
from lks.data_contracts.store import default_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LKS_", extra="ignore")

    home: Path = Path("var")
    database_url: str | None = None
    # LKS_DATABASE_PASSWORD_FILE: a file holding the database's password (a mounted secret, e.g. compose's
    # /run/secrets/lks_db_password), put into LKS_DATABASE_URL, which then names none; a last newline is dropped.
    database_password_file: Path | None = None
    model_refresh_seconds: float = 30.0  # how often the service checks whether the champion alias moved
    # A page session (service.sessions) ends this long after login, or after this long without a request.
    # page sessions: at most a day, and idle at most a working day (a forgotten browser must not stay in)
    session_hours: float = Field(default=8.0, gt=0, le=24, allow_inf_nan=False)  # LKS_SESSION_HOURS: a working day
    session_idle_minutes: float = Field(default=30.0, gt=0, le=480, allow_inf_nan=False)  # LKS_SESSION_IDLE_MINUTES
    # LKS_DPIA_REFERENCE: the DPIA that allows special columns (health) as model inputs. Unset or empty:
    # none, the default. Training records it; the service refuses a model trained under another one.
    dpia_reference: str | None = None
    # LKS_METRICS_TOKEN: when set, GET /metrics asks for `Authorization: Bearer <token>` (Prometheus'
    # `authorization` scrape setting); unset or empty: /metrics is open, for a scraper inside the network.
    metrics_token: SecretStr | None = None
    # LKS_SECURE_COOKIES: the service runs behind TLS (a proxy ending https): cookies are always Secure and
    # every response carries Strict-Transport-Security, whatever scheme the app itself sees.
    secure_cookies: bool = False
    # Failed logins and bad tokens per client address (service.throttle): this many within this window,
    # and the address is refused (429 with Retry-After) until the oldest leaves the window.
    auth_failures_max: int = Field(default=20, ge=1)  # LKS_AUTH_FAILURES_MAX
    # LKS_AUTH_FAILURES_WINDOW_SECONDS
    auth_failures_window_seconds: float = Field(default=300.0, gt=0, allow_inf_nan=False)
    # LKS_WEEKLY_CAPACITY: how many placements the coordinator's team can follow up in a week (k); the
    # list draws a line under the k-th placement.
    weekly_capacity: int = Field(default=10, ge=1, le=10_000)
    # LKS_RISK_BAND_RAISED and LKS_RISK_BAND_HIGH: the first-year risk from which a placement is "verhoogd"
    # and "hoog" (below the first: "laag"); the list states the cut points.
    risk_band_raised: float = Field(default=0.25, gt=0, lt=1, allow_inf_nan=False)
    risk_band_high: float = Field(default=0.50, gt=0, lt=1, allow_inf_nan=False)

    @field_validator("risk_band_high")
    @classmethod
    def _bands_in_order(cls, value, info):
        raised = info.data.get("risk_band_raised")
        if raised is not None and value <= raised:
            raise ValueError("LKS_RISK_BAND_HIGH must be above LKS_RISK_BAND_RAISED")
        return value

    @field_validator("metrics_token", "request_threads", mode="before")
    @classmethod
    def _empty_is_unset(cls, value):
        return None if value in ("", None) else value
    # What every model version's documents (model card, technical file, algorithm register) state; unset, the
    # documents say "not set" and list it as still needed. LKS_ACCOUNTABLE_ROLE: the role accountable for the
    # model's use (a role, never a person's name); LKS_AUDIT_LEGAL_BASIS: the legal basis for processing the
    # protected attributes for the fairness audit (AI Act art. 10(5)); LKS_REGISTER_CONTACT: the address the
    # algorithm register publishes for questions.
    accountable_role: str | None = None
    audit_legal_basis: str | None = None
    register_contact: str | None = None
    # LKS_REQUEST_THREADS: at most this many requests of a worker run at once (its sync views' threads); unset:
    # anyio's 40. Fewer threads interleave less under the GIL: views finish in turn instead of all slowing
    # together, and /health waits its turn too (docs/deployment.md has the trade-off, measured).
    request_threads: int | None = Field(default=None, ge=1, le=1000)
    # LKS_LOG_FORMAT: "text" (the default: lines for a person at a terminal) or "json" (one JSON object per line for
    # the platform's log collector), for the service and the commands alike (lks.cli.logs).
    log_format: Literal["text", "json"] = "text"

    @field_validator("dpia_reference", mode="before")
    @classmethod
    def _dpia_reference(cls, value):
        return None if value == "" else check_dpia_reference(value)  # "   " is refused, not read as off

    @property
    def db_url(self) -> str:
        url = self.database_url or default_url(self.home.resolve())
        if self.database_password_file is None:
            return url
        password = self.database_password_file.read_text().removesuffix("\n")
        return sa.make_url(url).set(password=password).render_as_string(hide_password=False)


@cache
def get_settings() -> Settings:
    return Settings()
