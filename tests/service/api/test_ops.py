from pathlib import Path

import anyio.to_thread
import pytest
from fastapi.testclient import TestClient

from lks.service.app import create_app
from lks.service.settings import Settings
from tests.service import fakes
from tests.service.conftest import auth


class NoChampion:
    def version(self):
        return None

    def load(self):
        return None


@pytest.mark.slow
def test_health_ready_and_metrics(client):
    assert client.get("/health").json() == {"status": "ok"}
    ready = client.get("/ready").json()
    assert ready["status"] == "ready" and ready["database"] and ready["model_version"]
    client.get("/api/v1/placements/PL000001")
    metrics = client.get("/metrics").text
    assert "lks_http_requests_total" in metrics and "lks_model_version" in metrics
    assert 'route="/api/v1/placements/{placement_id}"' in metrics and "PL000001" not in metrics


def test_not_ready_without_a_champion(tmp_path: Path):
    with TestClient(create_app(Settings(home=tmp_path), source=NoChampion())) as client:
        r = client.get("/ready")
        assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable"
        assert client.get("/health").status_code == 200
        from lks.service.persistence.tokens import TokenStore

        token = TokenStore(client.app.state.services.engine).add("d", "data_scientist")
        assert client.get("/api/v1/model", headers=auth(token)).status_code == 503


@pytest.mark.slow
def test_me_and_users(client, setup):
    me = client.get("/api/v1/me", headers=auth(setup.tokens["jobcoach"])).json()
    assert me["role"] == "jobcoach" and me["jobcoach_id"]
    assert client.get("/api/v1/users", headers=auth(setup.tokens["coordinator"])).status_code == 403
    users = client.get("/api/v1/users", headers=auth(setup.tokens["admin"]))
    assert users.status_code == 200 and "token" not in users.text


def test_not_ready_when_the_champion_needs_a_dpia_reference_this_deployment_does_not_name(tmp_path: Path):
    app, token = fakes.app_serving(tmp_path, fakes.champion("5"), deployment_reference=None)
    with TestClient(app) as client:
        r = client.get("/ready")
        assert r.status_code == 503 and r.json()["error"]["details"][0]["model_version"] is None
        message = r.json()["error"]["message"]
        assert message.startswith("model version 5 was trained under DPIA reference 'DPIA-2026-014'")
        assert message.endswith("names none: the model is not used")
        model = client.get("/api/v1/model", headers=auth(token))
        assert model.status_code == 503 and model.json()["error"]["message"] == message


def test_ready_when_the_deployment_names_the_champions_dpia_reference(tmp_path: Path):
    app, _token = fakes.app_serving(tmp_path, fakes.champion("5"), deployment_reference=fakes.REFERENCE)
    with TestClient(app) as client:
        assert client.get("/ready").json() == {"status": "ready", "model_version": "5", "database": True,
                                               "refused": None}


def test_request_threads_bound_the_threads_running_views_and_unset_leaves_anyios_default(tmp_path: Path):
    def limit(client: TestClient) -> float:  # read in the app's own event loop, where the lifespan set it
        return client.portal.call(lambda: anyio.to_thread.current_default_thread_limiter().total_tokens)

    with TestClient(create_app(Settings(home=tmp_path, request_threads=2), source=NoChampion())) as client:
        assert limit(client) == 2 and client.get("/health").status_code == 200
    with TestClient(create_app(Settings(home=tmp_path), source=NoChampion())) as client:
        assert limit(client) == 40
