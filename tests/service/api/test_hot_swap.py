"""A newly promoted champion is picked up without a restart and without failing requests in flight."""

import threading

import pytest
from fastapi.testclient import TestClient
from mlflow.tracking import MlflowClient

from lks.service.app import create_app
from lks.service.champion.holder import wait_for
from lks.service.persistence.tokens import TokenStore
from lks.service.service_layer.scoring import score_week
from lks.service.settings import Settings
from lks.training.tracking import CHAMPION, MODEL_NAME
from tests.service.conftest import auth
from tests.service.real_champion import AS_OF, new_home, register

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models


def test_moving_the_alias_swaps_the_model_while_requests_keep_working(base, setup, tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)  # restored (to the session's home) afterwards
    home = new_home(base, tmp_path)
    assert register(base, home) == "1"
    app = create_app(Settings(home=home, model_refresh_seconds=0.2))
    with TestClient(app) as client:
        services = app.state.services
        score_week(services.engine, services.champion.current, AS_OF)
        token = TokenStore(services.engine).add("coord-swap", "coordinator", [setup.placements["team"]])
        pid = client.get("/api/v1/risk-lists/current", headers=auth(token)).json()["items"][0]["placement_id"]
        statuses, stop = [], threading.Event()

        def hammer():
            while not stop.is_set():
                statuses.append(client.get(f"/api/v1/placements/{pid}", headers=auth(token)).status_code)

        workers = [threading.Thread(target=hammer) for _ in range(2)]
        for w in workers:
            w.start()
        try:
            version = register(base, home, set_champion=False)
            MlflowClient().set_registered_model_alias(MODEL_NAME, CHAMPION, version)
            assert wait_for(services.champion, version, timeout=60)
            served = len(statuses)
            while len(statuses) < served + 5:
                pass
        finally:
            stop.set()
            for w in workers:
                w.join()
        assert statuses and set(statuses) == {200}
        assert client.get("/api/v1/model", headers=auth(token)).json()["version"] == version == "2"
        assert client.get("/ready").json()["model_version"] == "2"
        detail = client.get(f"/api/v1/placements/{pid}", headers=auth(token)).json()
        assert detail["curve"]["model_version"] == "2" and detail["model_version"] == "1"  # list scored by v1
