"""Deployment settings, from the environment. One cached instance; tests build their own."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from lks.data_contracts.roles import check_dpia_reference
from lks.data_contracts.store import default_url


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LKS_", extra="ignore")

    home: Path = Path("var")
    database_url: str | None = None
    model_refresh_seconds: float = 30.0  # how often the service checks whether the champion alias moved
    # A page session (service.sessions) ends this long after login, or after this long without a request.
    # page sessions: at most a day, and idle at most a working day (a forgotten browser must not stay in)
    session_hours: float = Field(default=8.0, gt=0, le=24, allow_inf_nan=False)  # LKS_SESSION_HOURS: a working day
    session_idle_minutes: float = Field(default=30.0, gt=0, le=480, allow_inf_nan=False)  # LKS_SESSION_IDLE_MINUTES
    # LKS_DPIA_REFERENCE: the DPIA that allows special columns (health) as model inputs. Unset or empty:
    # none, the default. Training records it; the service refuses a model trained under another one.
    dpia_reference: str | None = None
    # What every model version's documents (model card, technical file, algorithm register) state; unset, the
    # documents say "not set" and list it as still needed. LKS_ACCOUNTABLE_ROLE: the role accountable for the
    # model's use (a role, never a person's name); LKS_AUDIT_LEGAL_BASIS: the legal basis for processing the
    # protected attributes for the fairness audit (AI Act art. 10(5)); LKS_REGISTER_CONTACT: the address the
    # algorithm register publishes for questions.
    accountable_role: str | None = None
    audit_legal_basis: str | None = None
    register_contact: str | None = None

    @field_validator("dpia_reference", mode="before")
    @classmethod
    def _dpia_reference(cls, value):
        return None if value == "" else check_dpia_reference(value)  # "   " is refused, not read as off

    @property
    def db_url(self) -> str:
        return self.database_url or default_url(self.home.resolve())


@cache
def get_settings() -> Settings:
    return Settings()
