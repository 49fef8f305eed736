import pytest
from fastapi.testclient import TestClient

from tests.service.conftest import auth

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models


def shape(r):
    body = r.json()
    assert set(body) == {"error"} and {"code", "message", "details"} == set(body["error"]), body
    return body["error"]


def test_one_error_format_for_401_404_405_422_and_500(client, setup, monkeypatch):
    assert shape(client.get("/api/v1/risk-lists/current"))["code"] == "unauthorized"
    assert client.get("/api/v1/risk-lists/current").headers["www-authenticate"] == "Bearer"
    assert shape(client.get("/api/v1/risk-lists/current", headers=auth("wrong")))["code"] == "unauthorized"
    assert shape(client.get("/api/v1/nowhere"))["code"] == "not_found"
    assert shape(client.delete("/health"))["code"] == "method_not_allowed"
    bad = client.get("/api/v1/risk-lists/current", headers=auth(setup.tokens["coordinator"]),
                     params={"page": 0, "as_of": "gisteren"})
    assert bad.status_code == 422
    assert {d["field"] for d in shape(bad)["details"]} == {"query.page", "query.as_of"}

    import lks.service.service_layer.services

    def boom(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(lks.service.service_layer.services.placements, "risk_list_page", boom)
    server = TestClient(client.app, raise_server_exceptions=False)
    r = server.get("/api/v1/risk-lists/current", headers=auth(setup.tokens["coordinator"]))
    assert r.status_code == 500 and shape(r)["code"] == "internal_error" and "boom" not in r.text
