"""Failed authentication: limited per client address (429 with Retry-After), audited under a pseudonym of
the address with the reason, never the token (service/deps.py, service/throttle.py)."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from lks.service.persistence.tables import audit_log
from tests.service.pages.conftest import csrf_of
from tests.service.world import build_world

GUESSES = [f"guess-{n}-Yz8Qw" for n in range(3)]


@pytest.fixture
def world(tmp_path):
    return build_world(tmp_path, auth_failures_max=3, auth_failures_window_seconds=600)


def audit_rows(world) -> list[dict]:
    with world.engine.connect() as conn:
        return [dict(r) for r in conn.execute(sa.select(audit_log)).mappings()]


def test_bad_tokens_are_limited_per_address_and_audited_without_the_token(world):
    with TestClient(world.app, raise_server_exceptions=False) as client:
        good = {"Authorization": f"Bearer {world.tokens['coach1']}"}
        assert client.get("/api/v1/me").status_code == 401  # no token at all: not a guess, not counted
        for guess in GUESSES:
            assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {guess}"}).status_code == 401
        refused = client.get("/api/v1/me", headers=good)  # even a valid token, from this address, for now
        assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
        assert refused.json()["error"]["code"] == "too_many_requests"
    with TestClient(world.app, raise_server_exceptions=False, client=("192.0.2.7", 5000)) as elsewhere:
        assert elsewhere.get("/api/v1/me", headers=good).status_code == 200  # another address is not held
    failed = [r for r in audit_rows(world) if r["outcome"] == "token_refused"]
    assert len(failed) == 3 and {r["endpoint"] for r in failed} == {"GET /api/v1/me"}
    assert {r["user"] for r in failed} != {"testclient"} and all(r["user"].startswith("client-") for r in failed)
    text = repr(audit_rows(world))
    assert not [g for g in GUESSES if g in text] and "testclient" not in text


def test_failed_page_logins_are_limited_and_audited(world):
    browser = TestClient(world.app, raise_server_exceptions=False, follow_redirects=False)
    for guess in GUESSES:
        r = browser.post("/login", data={"token": guess, "csrf": csrf_of(browser.get("/").text)})
        assert r.status_code == 401
    r = browser.post("/login", data={"token": world.tokens["coach1"], "csrf": csrf_of(browser.get("/").text)})
    assert r.status_code == 429 and "Te veel mislukte pogingen" in r.text and int(r.headers["retry-after"]) > 0
    assert [r["outcome"] for r in audit_rows(world)].count("login_refused") == 3
    assert not [g for g in GUESSES if g in repr(audit_rows(world))]
