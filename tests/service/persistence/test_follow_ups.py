"""The week's follow-up on the hand-made world (tests.service.world), with a capacity of 1: coord-zuid sees PL1
(rank 1) and PL3 (rank 3), so the line falls below PL1. PL4 is in the store (team_zuid) but on no list."""

from datetime import date

import pytest
from fastapi.testclient import TestClient

from lks.data_contracts.ingest import ingest
from lks.service.persistence.audit import AuditLog
from tests.exports import ending, placement, write_export
from tests.service.pages.conftest import csrf_of, login
from tests.service.world import NOW, build_world

URL = "/api/v1/placements/{}/follow-up"


@pytest.fixture
def world(tmp_path):
    world = build_world(tmp_path, weekly_capacity=1)
    ingest(world.engine, write_export(tmp_path / "export-pl4", placements=[
        placement(placement_id="PL4", jobcoach_id="JC1", team="team_zuid", registered_at="2024-02-03T10:15:00")],
        events=[], endings=[]))
    with TestClient(world.app, raise_server_exceptions=False) as client:
        world.client = client
        yield world


def auth(world, user="coord-zuid"):
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def listed(world, user="coord-zuid"):
    return world.client.get("/api/v1/risk-lists/current", headers=auth(world, user)).json()


def test_the_follow_up_is_the_list_down_to_the_line_minus_dismissed_plus_added(world):
    before = listed(world)
    assert [(i["placement_id"], i["in_follow_up"]) for i in before["items"]] == [("PL1", True), ("PL3", False)]
    assert before["follow_up"]["total"] == 1 and before["follow_up"]["editable"]

    assert world.client.post(URL.format("PL1"), headers=auth(world), json={"kind": "dismissed"}).status_code == 422
    gone = world.client.post(URL.format("PL1"), headers=auth(world),
                             json={"kind": "dismissed", "reason": "werkgever al in gesprek"})
    assert gone.status_code == 201 and gone.json()["as_of"] == NOW.isoformat()
    assert world.client.post(URL.format("PL3"), headers=auth(world), json={"kind": "added"}).status_code == 201
    assert world.client.post(URL.format("PL4"), headers=auth(world), json={"kind": "added"}).status_code == 201
    again = world.client.post(URL.format("PL4"), headers=auth(world), json={"kind": "added"})
    assert again.status_code == 422 and "already" in again.json()["error"]["message"]

    after = listed(world)
    items = {i["placement_id"]: i for i in after["items"]}
    assert not items["PL1"]["in_follow_up"] and items["PL1"]["follow_up"]["reason"] == "werkgever al in gesprek"
    assert items["PL3"]["in_follow_up"] and items["PL3"]["follow_up"]["kind"] == "added"
    follow_up = after["follow_up"]
    assert follow_up["total"] == 2
    assert [(e["placement_id"], e["rank"]) for e in follow_up["added"]] == [("PL3", 3), ("PL4", None)]
    assert [(e["placement_id"], e["reason"]) for e in follow_up["dismissed"]] == [("PL1", "werkgever al in gesprek")]
    # another team's coordinator sees none of it, and cannot touch it
    assert listed(world, "coord-noord")["follow_up"]["added"] == []
    assert world.client.post(URL.format("PL4"), headers=auth(world, "coord-noord"),
                             json={"kind": "dismissed", "reason": "x"}).status_code == 404
    # an earlier week keeps its own (empty) follow-up and cannot be changed
    earlier = world.client.get("/api/v1/risk-lists/current", params={"as_of": "2024-03-04"}, headers=auth(world))
    assert earlier.json()["follow_up"]["dismissed"] == [] and not earlier.json()["follow_up"]["editable"]
    log = AuditLog(world.engine).query(user="coord-zuid")
    recorded = log[log["endpoint"] == "POST /api/v1/placements/{placement_id}/follow-up"]
    assert list(recorded["outcome"]) == ["recorded"] * 3  # the refused ones changed nothing


def test_a_jobcoach_sees_the_follow_up_but_cannot_change_it(world):
    refused = world.client.post(URL.format("PL1"), headers=auth(world, "coach1"), json={"kind": "added"})
    assert refused.status_code == 403
    assert listed(world, "coach1")["follow_up"]["total"] == 1


def test_on_the_page_a_dismissal_without_a_reason_is_refused_in_dutch_and_with_one_is_shown(world):
    browser = login(world.app, world.tokens["coord-zuid"])
    csrf = csrf_of(browser.get("/lijst").text)
    refused = browser.post("/lijst/opvolging", data={"csrf": csrf, "soort": "afvoeren", "plaatsing": "PL1",
                                                      "reden": "  "})
    assert refused.headers["location"] == "/lijst?melding=reden#opvolging"
    page = browser.get(refused.headers["location"]).text
    assert "Niet opgeslagen: vul een reden in om een plaatsing van de opvolging te halen." in page
    browser.post("/lijst/opvolging", data={"csrf": csrf, "soort": "afvoeren", "plaatsing": "PL1",
                                           "reden": "werkgever al in gesprek"})
    browser.post("/lijst/opvolging", data={"csrf": csrf, "soort": "toevoegen", "plaatsing": "PL4"})
    page = browser.get("/lijst").text
    assert "van de opvolging gehaald" in page and "werkgever al in gesprek" in page
    assert 'href="/plaatsing/PL4"' in page and "niet op de lijst" in page
    assert "Opvolging deze week: <strong>1 plaatsing</strong>" in page
    detail = browser.get("/plaatsing/PL1").text
    assert "Reden: werkgever al in gesprek" in detail and "Toevoegen aan de opvolging" in detail


def test_a_placement_without_a_prediction_is_shown_apart_with_its_reason(world):
    missing = [{"input": "education_level", "source": "persons", "label": "opleidingsniveau"}]
    world.add_unscored("PL4", missing)
    body = listed(world)
    assert body["total"] == 2 and body["unscored_total"] == 1  # counted apart, never ranked
    assert body["unscored"][0]["reason"].startswith(
        "Geen voorspelling: het model mist opleidingsniveau van de werknemer")
    detail = world.client.get("/api/v1/placements/PL4", headers=auth(world, "coach1")).json()
    assert detail["risk_52w"] is None and detail["rank"] is None and detail["explanation"] is None
    assert detail["no_prediction"]["missing"] == missing
    browser = login(world.app, world.tokens["coord-zuid"])
    page = browser.get("/lijst").text
    assert "Geen voorspelling (1)" in page and "opleidingsniveau van de werknemer" in page
    shown = browser.get("/plaatsing/PL4")
    assert shown.status_code == 200 and "Geen voorspelling" in shown.text and "Opleidingsniveau" in shown.text
    assert listed(world, "coord-noord")["unscored_total"] == 0
    assert date.fromisoformat(body["as_of"]) == NOW


def test_an_ended_placement_cannot_be_added_but_one_ending_after_the_week_can(world):
    ingest(world.engine, write_export(world.home / "export-endings", placements=[
        placement(placement_id=pid, jobcoach_id="JC1", team="team_zuid", registered_at="2024-02-03T10:15:00")
        for pid in ("PL5", "PL6")], events=[], endings=[
        ending(placement_id="PL5", end_date="2024-03-08", registered_at="2024-03-09T09:00:00"),
        ending(placement_id="PL6", end_date="2024-03-29", registered_at="2024-03-09T09:00:00")]))
    ended = world.client.post(URL.format("PL5"), headers=auth(world), json={"kind": "added"})
    assert ended.status_code == 422 and "ended on 2024-03-08" in ended.json()["error"]["message"]
    assert world.client.post(URL.format("PL6"), headers=auth(world), json={"kind": "added"}).status_code == 201
    browser = login(world.app, world.tokens["coord-zuid"])
    csrf = csrf_of(browser.get("/lijst").text)
    refused = browser.post("/lijst/opvolging", data={"csrf": csrf, "soort": "toevoegen", "plaatsing": "PL5"})
    assert refused.headers["location"] == "/lijst?melding=beeindigd#opvolging"
    assert "deze plaatsing is beëindigd" in browser.get(refused.headers["location"]).text
