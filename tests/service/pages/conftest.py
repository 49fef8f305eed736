"""Users of their own for the page tests (so the API tests' audit expectations stay theirs), a
browser-like TestClient that logs in through the form, and a request clock set by hand."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from fastapi.testclient import TestClient

from lks.service.deps import get_now
from lks.service.persistence.sessions import utc_now
from lks.service.persistence.tables import make_service_engine
from lks.service.persistence.tokens import TokenStore

USERS = {"coordinator": "page-coord", "jobcoach": "page-coach", "data_scientist": "page-ds", "admin": "page-admin"}


@pytest.fixture(scope="session")
def engine(setup):
    return make_service_engine(setup.settings.db_url)


@pytest.fixture(scope="session")
def tokens(setup, engine) -> dict:
    """role -> token: a coordinator of the team of setup's 'mine', its jobcoach, a data scientist, an admin."""
    with engine.connect() as conn:
        jobcoach_id = conn.exec_driver_sql("SELECT jobcoach_id FROM risk_scores WHERE placement_id = ? LIMIT 1",
                                           (setup.placements["mine"],)).scalar_one()
    store = TokenStore(engine)
    return {"coordinator": store.add(USERS["coordinator"], "coordinator", [setup.placements["team"]]),
            "jobcoach": store.add(USERS["jobcoach"], "jobcoach", jobcoach_id=jobcoach_id),
            "data_scientist": store.add(USERS["data_scientist"], "data_scientist"),
            "admin": store.add(USERS["admin"], "admin")}


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def login(app, token: str) -> TestClient:
    """A fresh client (its own cookie jar) logged in through the login form, as a browser would."""
    browser = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    r = browser.post("/login", data={"token": token, "csrf": csrf_of(browser.get("/").text)})
    assert r.status_code == 303, r.text
    return browser


@pytest.fixture(scope="session")
def as_role(client, tokens):
    """role -> a logged-in client, one per role, made when first asked for."""
    made: dict[str, TestClient] = {}

    def get(role: str) -> TestClient:
        if role not in made:
            made[role] = login(client.app, tokens[role])
        return made[role]

    return get


@pytest.fixture
def clock(client):
    """The app's request clock, moved by hand (`clock.now += timedelta(...)`); the real one after the test."""
    clock = SimpleNamespace(now=utc_now())
    client.app.dependency_overrides[get_now] = lambda: clock.now
    yield clock
    del client.app.dependency_overrides[get_now]
