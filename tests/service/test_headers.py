"""Security headers on every response with personal data, the API's JSON and the report included;
HSTS and Secure cookies behind TLS (service/headers.py, LKS_SECURE_COOKIES)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.service.world import build_world

SENSITIVE = ["/api/v1/risk-lists/current", "/api/v1/placements/PL1", "/api/v1/placements/PL2",
             "/api/v1/risk-lists/summary", "/api/v1/model/report", "/api/v1/me", "/api/v1/nowhere"]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return build_world(tmp_path_factory.mktemp("headers"))


def test_every_api_answer_and_the_report_carry_no_store_nosniff_and_a_policy(world):
    with TestClient(world.app, raise_server_exceptions=False) as client:
        for user in ("coach1", "coord-zuid", "ds"):
            for path in SENSITIVE:
                r = client.get(path, headers={"Authorization": f"Bearer {world.tokens[user]}"})
                assert r.headers["cache-control"] == "no-store", (path, r.status_code)
                assert r.headers["x-content-type-options"] == "nosniff", path
                assert "default-src 'none'" in r.headers["content-security-policy"], path
                assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
                assert "strict-transport-security" not in r.headers  # plain http, no setting: no HSTS
        page = client.get("/")
        assert "form-action 'self'" in page.headers["content-security-policy"]  # the pages keep their own
        assert "secure" not in page.headers["set-cookie"].lower()


def test_secure_cookies_setting_forces_secure_cookies_and_hsts(tmp_path):
    app = build_world(tmp_path, secure_cookies=True).app
    with TestClient(app) as client:  # plain http as the app sees it: a proxy ended TLS
        page = client.get("/")
        assert "; secure" in page.headers["set-cookie"].lower()
        assert page.headers["strict-transport-security"].startswith("max-age=")
        assert client.get("/health").headers["strict-transport-security"].startswith("max-age=")


def test_a_request_over_https_gets_hsts_and_secure_cookies_without_the_setting(world):
    with TestClient(world.app, base_url="https://testserver") as client:
        page = client.get("/")
        assert "; secure" in page.headers["set-cookie"].lower() and "strict-transport-security" in page.headers
