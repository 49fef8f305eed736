"""A database that does not answer gives 503 in the common format and the service recovers by itself;
failures are logged without personal data (service/errors.py, data_contracts.store.make_engine)."""

from __future__ import annotations

import logging

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from lks.service.persistence import queries
from tests.service.world import build_world

REASON = "Zorgen-om-de-thuissituatie-Xq7"  # free text a jobcoach types: must never reach a log
NOTE = "Mevrouw-belde-over-haar-schulden-Zk9"
PERSONAL = (REASON, NOTE, "PL1", "PL2", "PL3", "JC1", "JC2")  # typed text, placement and jobcoach ids


@pytest.fixture
def served(tmp_path):
    world = build_world(tmp_path)
    with TestClient(world.app, raise_server_exceptions=False, follow_redirects=False) as client:
        yield world, client


def auth(world, user: str) -> dict:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def unavailable(*_args, **_kwargs):
    raise sa.exc.OperationalError("SELECT 1", {}, Exception("unable to open database file"))


def test_a_database_that_does_not_answer_gives_503_and_the_service_recovers(served, monkeypatch):
    world, client = served
    assert client.get("/api/v1/risk-lists/current", headers=auth(world, "coach1")).status_code == 200
    monkeypatch.setattr(world.engine, "connect", unavailable)
    down = client.get("/api/v1/risk-lists/current", headers=auth(world, "coach1"))
    assert down.status_code == 503 and down.json()["error"]["code"] == "unavailable", down.text
    assert set(down.json()["error"]) == {"code", "message", "details"} and "retry-after" in down.headers
    ready = client.get("/ready")
    assert ready.status_code == 503 and ready.json()["error"]["details"][0]["database"] is False
    monkeypatch.undo()  # the database is back: no restart
    assert client.get("/ready").status_code == 200
    assert client.get("/api/v1/risk-lists/current", headers=auth(world, "coach1")).status_code == 200


def test_a_database_file_that_is_gone_gives_503(served, tmp_path, monkeypatch):
    world, client = served
    services = world.app.state.services
    monkeypatch.setattr(services, "engine", sa.create_engine(f"sqlite:///{tmp_path / 'gone' / 'lks.db'}"))
    r = client.get("/api/v1/placements/PL1", headers=auth(world, "coach1"))
    assert r.status_code == 503 and r.json()["error"]["code"] == "unavailable", r.text
    monkeypatch.undo()
    assert client.get("/api/v1/placements/PL1", headers=auth(world, "coach1")).status_code == 200


def test_the_logs_carry_no_personal_data(served, caplog, monkeypatch):
    world, client = served
    caplog.set_level(logging.DEBUG)
    headers = auth(world, "coach1")
    assert client.get("/api/v1/risk-lists/current", headers=headers).status_code == 200
    assert client.get("/api/v1/placements/PL1", params={"as_of": "2024-03-04"}, headers=headers).status_code == 200
    body = {"kind": "no_action", "reason": REASON, "note": NOTE}
    assert client.post("/api/v1/placements/PL1/actions", json=body, headers=headers).status_code == 201
    assert client.get("/api/v1/placements/PL2", headers=headers).status_code == 404
    with world.engine.begin() as conn:  # a database error while recording an action: its parameters hold the note
        conn.exec_driver_sql("ALTER TABLE actions RENAME TO actions_away")
    failed = client.post("/api/v1/placements/PL1/actions", json=body, headers=headers)
    assert failed.status_code == 503, failed.text
    with world.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE actions_away RENAME TO actions")

    def boom(_engine, _identity, placement_id, _kind, _intervention, _reason, note):
        raise RuntimeError(f"could not record {note} for {placement_id}")  # a message quoting what was typed

    monkeypatch.setattr(queries, "record_action", boom)
    crashed = client.post("/api/v1/placements/PL1/actions", json=body, headers=headers)
    assert crashed.status_code == 500 and NOTE not in crashed.text
    assert "reference" in crashed.json()["error"]["message"]
    service_records = [r for r in caplog.records if not r.name.startswith("httpx")]  # httpx: the test's client
    logged = "\n".join(r.getMessage() + (r.exc_text or "") for r in service_records)
    assert "OperationalError" in logged and "RuntimeError" in logged  # the failures are logged, by type
    assert [value for value in PERSONAL if value in logged] == []


def test_the_store_engine_hides_parameters(tmp_path):
    from lks.data_contracts.store import make_engine

    engine = make_engine(f"sqlite:///{tmp_path / 'lks.db'}")
    with pytest.raises(sa.exc.OperationalError) as failed, engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM nowhere WHERE x = :x"), {"x": NOTE})
    assert NOTE not in str(failed.value)


def test_a_page_says_in_dutch_that_the_data_are_unreachable(served, monkeypatch):
    from tests.service.pages.conftest import login

    world, _client = served
    browser = login(world.app, world.tokens["coach1"])
    assert browser.get("/lijst").status_code == 200
    monkeypatch.setattr(world.engine, "connect", unavailable)
    down = browser.get("/lijst")
    assert down.status_code == 503 and "Tijdelijk niet beschikbaar" in down.text and "retry-after" in down.headers
    monkeypatch.undo()
    assert browser.get("/lijst").status_code == 200
