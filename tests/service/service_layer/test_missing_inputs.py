"""Geen voorspelling: a placement lacking a required input gets no score, and the reason says what is missing
and how to correct it. Hand-made: PL2's person was registered only after the week was scored, so on that date
the store knew nothing of PL2's person (education level, debt problems); PL1 is complete."""

from datetime import date

import sqlalchemy as sa

from lks.data_contracts.ingest import ingest
from lks.service.persistence.tables import make_service_engine, risk_scores, unscored_placements
from lks.service.service_layer import missing_inputs
from lks.service.service_layer.scoring import score_week
from tests.exports import person, placement, write_export
from tests.service.fakes import linear_champion

AS_OF = date(2024, 3, 11)


def test_empty_by_design_is_scored_and_a_data_gap_is_named():
    inputs = ["hours_per_week", "education_level", "weeks_since_sick_report", "weeks_to_planned_end"]
    complete = {"hours_per_week": 24.0, "education_level": "mbo2", "weeks_since_sick_report": float("nan"),
                "contract_type": "onbepaald", "weeks_to_planned_end": float("nan")}
    assert missing_inputs.missing(complete, inputs) == []  # no sick report yet, a permanent contract: facts
    gap = {**complete, "education_level": None, "contract_type": "bepaald"}
    assert [m["input"] for m in missing_inputs.missing(gap, inputs)] == ["education_level", "weeks_to_planned_end"]
    text = missing_inputs.reason(missing_inputs.missing(gap, inputs))
    assert text.startswith("Geen voorspelling: het model mist geplande einddatum van het contract voor bepaalde "
                           "tijd van de plaatsing en opleidingsniveau van de werknemer.")
    assert "bronsysteem" in text and "volgende gegevenslevering" in text


def test_a_placement_whose_person_is_not_known_yet_is_not_scored_but_stored_with_what_it_misses(tmp_path):
    engine = make_service_engine(f"sqlite:///{tmp_path / 'lks.db'}")
    ingest(engine, write_export(tmp_path / "export", persons=[
        person(), person(person_id="P2", registered_at="2024-03-20T09:00:00")], placements=[
        placement(), placement(placement_id="PL2", person_id="P2", jobcoach_id="JC2")], events=[], endings=[]))
    scored = score_week(engine, linear_champion(), AS_OF)
    with engine.connect() as conn:
        ranked = conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.rank)
                              .where(risk_scores.c.list_id == scored.list_id)).all()
        unscored = conn.execute(sa.select(unscored_placements)
                                .where(unscored_placements.c.list_id == scored.list_id)).mappings().all()
    assert [tuple(r) for r in ranked] == [("PL1", 1)] and (scored.n_placements, scored.n_unscored) == (1, 1)
    assert score_week(engine, linear_champion(), AS_OF).n_unscored == 1  # the stored list, found again
    assert [(u["placement_id"], u["team"], u["jobcoach_id"], u["district"]) for u in unscored] == [
        ("PL2", "team_zuid", "JC2", None)]
    assert [m["input"] for m in unscored[0]["missing"]] == ["education_level", "debt_problems"]
    assert {m["source"] for m in unscored[0]["missing"]} == {"persons"}
