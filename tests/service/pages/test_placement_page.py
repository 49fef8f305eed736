"""One placement's page on the tiny hand-made world (tests.service.world): the timeline from the store as
known now, the factor chart, what the model does not use, and sentences with their spaces."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from lks.data_contracts.ingest import ingest
from lks.service.pages.render import render
from tests.exports import event, write_export
from tests.service.pages.conftest import login
from tests.service.world import build_world


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("placement-page"))
    ingest(world.engine, write_export(world.home / "export-events", placements=[], endings=[], events=[
        event(event_id="E1", placement_id="PL1", event_date="2024-03-04", event_type="jobcoach_contact",
              value_text="zorgelijk", registered_at="2024-03-06T16:00:00"),
        event(event_id="E2", placement_id="PL1", event_date="2024-03-05", event_type="hours_change",
              value_num=20.0, value_text="", registered_at="2024-03-06T16:00:00"),
        event(event_id="E3", placement_id="PL2", event_date="2024-03-05", event_type="sick_report",
              value_text="", registered_at="2024-03-06T16:00:00"),
    ]))
    # a correction of E2 registered later: the timeline shows the store as known now
    ingest(world.engine, write_export(world.home / "export-correction", placements=[], endings=[], events=[
        event(event_id="E2", placement_id="PL1", event_date="2024-03-05", event_type="hours_change",
              value_num=24.0, value_text="", registered_at="2024-03-08T09:00:00")]))
    with TestClient(world.app):
        yield world


def test_the_own_jobcoach_sees_the_timeline_as_known_now_and_what_the_model_does_not_use(world):
    html = login(world.app, world.tokens["coach1"]).get("/plaatsing/PL1").text
    assert "Wat er gebeurde" in html and "Contact met de jobcoach (zorgelijk)" in html
    assert "Uren gewijzigd: 24 uur per week" in html and "20 uur per week" not in html
    assert "Ziekmelding" not in html  # PL2's event
    assert "Wat het model niet gebruikt" in html and "herkomst, leeftijd, geslacht" in html
    assert "ook geen gegevens over gezondheid" in html  # the world's champion uses no special data
    assert "bronsysteem van de gemeente" in html


def test_someone_elses_placement_shows_no_timeline(world):
    r = login(world.app, world.tokens["coach2"]).get("/plaatsing/PL1")
    assert r.status_code == 404 and "zorgelijk" not in r.text and "Wat er gebeurde" not in r.text


def test_sentences_keep_their_spaces_and_the_factor_chart_is_drawn():
    factor = {"label": "ziekmeldingen", "contribution": 0.4, "sentence": "2 ziekmeldingen", "actionable": True,
              "suggestion": {"code": "extra_jobcoaching", "label": "extra jobcoaching"}}
    p = {"placement_id": "PL1", "as_of": "2024-03-11", "rank": 1, "team": "t", "district": "d", "tenure_weeks": 5,
         "model_version": "7", "risk_13w": 0.2, "risk_52w": 0.4, "band": "verhoogd", "curve": None,
         "explanation": {"raw_52w": 0.0, "base_value": 0.0, "raises": [factor], "lowers": [], "suggestions": []},
         "history": [], "actions": []}
    from lks.service.pages.chart import factor_chart

    html = render("plaatsing.html", identity={"name": "x", "role": "jobcoach"}, csrf="", p=p, chart=None,
                  factor_bars=factor_chart(p["explanation"]), events=[], uses_health=False, special=None,
                  interventions={}, notice=None, saved=False)
    assert "iets aan doen. Mogelijke ondersteuning: extra jobcoaching." in html
    assert "<rect" in html and "+9,9" in html  # sigmoid(0) - sigmoid(-0.4): 9.9 points
