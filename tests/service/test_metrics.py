"""Metrics: a route label is the matched route's template, every unmatched path shares one label, and
LKS_METRICS_TOKEN closes /metrics to anyone without it (service/metrics.py, deps.require_metrics_token)."""

from __future__ import annotations

import re
import secrets

import pytest
from fastapi.testclient import TestClient

from tests.service.test_access_matrix import MATRIX
from tests.service.world import build_world


@pytest.fixture
def client(tmp_path):
    with TestClient(build_world(tmp_path).app, raise_server_exceptions=False) as test_client:
        yield test_client


def labels(text: str, name: str) -> set[str]:
    return set(re.findall(rf'{name}="([^"]*)"', text))


def test_route_labels_are_templates_and_unmatched_paths_share_one(client):
    made_up = [f"/{secrets.token_hex(4)}/{secrets.token_hex(4)}" for _ in range(20)]
    for path in [*made_up, "/api/v1/placements/v1", "/api/v1/placements/PL1", "/plaatsing/PL2",
                 "/api/v1/placements/api/actions", "/api/v1/nowhere"]:
        client.get(path)
    client.request("BREW", "/health")
    text = client.get("/metrics").text
    templates = {path for _method, path in MATRIX} | {"unmatched"}
    assert labels(text, "route") <= templates, labels(text, "route") - templates
    assert {"unmatched", "/api/v1/placements/{placement_id}", "/plaatsing/{placement_id}"} <= labels(text, "route")
    assert labels(text, "method") <= {"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS", "other"}
    assert not [p for p in made_up if p.split("/")[1] in text] and "PL1" not in text


def test_metrics_is_open_without_a_token_setting(client):
    assert client.get("/metrics").status_code == 200


def test_the_metrics_token_closes_metrics(tmp_path):
    token = secrets.token_urlsafe(16)
    world = build_world(tmp_path, metrics_token=token)
    with TestClient(world.app, raise_server_exceptions=False) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
        admin = {"Authorization": f"Bearer {world.tokens['admin']}"}  # a user's API token is not the metrics token
        assert client.get("/metrics", headers=admin).status_code == 401
        r = client.get("/metrics", headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200 and "lks_http_requests_total" in r.text
        assert client.get("/health").status_code == 200  # the probes stay open


def test_the_newest_monitoring_run_is_exposed_as_gauges(tmp_path):
    from lks.service.service_layer.monitoring_runs import store_run

    world = build_world(tmp_path)
    with TestClient(world.app) as test_client:
        assert 'lks_monitoring_as_of_timestamp_seconds 0.0' in test_client.get("/metrics").text  # no run yet
        old = {"as_of": "2024-08-01", "alerts": [], "performance": {"13w": {"without_intervention": {
            "pooled": {"ece": 0.9, "recall_at_k": 0.1}}}}}
        store_run(world.engine, old)
        store_run(world.engine, {**old, "as_of": "2024-09-01", "alerts": [{"check": "ece"}],
                                 "performance": {"13w": {"without_intervention": {"pooled": {"ece": 0.031}}}}})
        text = test_client.get("/metrics").text
    assert 'lks_monitoring_figure{figure="ece_13w"} 0.031' in text
    assert 'lks_monitoring_figure{figure="alerts"} 1.0' in text
    assert 'lks_monitoring_figure{figure="recall_at_k_13w"} NaN' in text
    assert "lks_monitoring_as_of_timestamp_seconds 1.7251488e+09" in text
