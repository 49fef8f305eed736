import pytest

from lks.service.persistence.audit import AuditLog
from lks.service.persistence.tables import make_service_engine
from tests.service.conftest import auth

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models

URL = "/api/v1/placements/{}"


def audit_of(setup, user):
    return AuditLog(make_service_engine(setup.settings.db_url)).query(user=user)


def test_a_jobcoach_sees_their_placement_in_full(client, setup):
    pid = setup.placements["mine"]
    r = client.get(URL.format(pid), headers=auth(setup.tokens["jobcoach"]))
    assert r.status_code == 200, r.text
    body = r.json()
    assert 0 <= body["risk_13w"] <= 1 and 0 <= body["risk_52w"] <= 1
    assert body["explanation"]["raises"] or body["explanation"]["lowers"]
    for factor in body["explanation"]["raises"] + body["explanation"]["lowers"]:  # pp beside the log-odds
        assert (factor["contribution_pp"] > 0) == (factor["contribution"] > 0) and abs(factor["contribution_pp"]) < 100
    assert body["curve"]["points"][0]["week"] == body["tenure_weeks"]
    assert body["curve"]["points"][-1]["week"] == 51
    assert [h["as_of"] for h in body["history"]] == sorted(h["as_of"] for h in body["history"])
    log = audit_of(setup, "coach-a")
    shown = log[(log["placement_id"] == pid) & (log["endpoint"] == "GET /api/v1/placements/{placement_id}")]
    assert (shown["outcome"] == "shown").any() and shown["model_version"].notna().all()


def test_someone_elses_placement_is_404_like_a_missing_one_and_the_attempt_is_audited(client, setup):
    other = client.get(URL.format(setup.placements["other"]), headers=auth(setup.tokens["jobcoach"]))
    missing = client.get(URL.format("PL-DOES-NOT-EXIST"), headers=auth(setup.tokens["jobcoach"]))
    assert other.status_code == missing.status_code == 404
    assert other.json()["error"]["code"] == missing.json()["error"]["code"] == "not_found"
    log = audit_of(setup, "coach-a")
    attempt = log[log["placement_id"] == setup.placements["other"]]
    assert list(attempt["outcome"]) == ["not_found"]
    coordinator = client.get(URL.format(setup.placements["other"]), headers=auth(setup.tokens["coordinator"]))
    assert coordinator.status_code == 404  # another team's placement


def test_a_coordinator_sees_placements_of_their_team(client, setup):
    r = client.get(URL.format(setup.placements["mine"]), headers=auth(setup.tokens["coordinator"]))
    assert r.status_code == 200 and r.json()["team"] == setup.placements["team"]


def test_data_scientists_and_admins_get_no_individual_placement(client, setup):
    for role, user in (("data_scientist", "ds-a"), ("admin", "admin-a")):
        r = client.get(URL.format(setup.placements["mine"]), headers=auth(setup.tokens[role]))
        assert r.status_code == 403 and "placement_id" not in r.text
        assert (audit_of(setup, user)["outcome"] == "forbidden").any()


def test_recording_actions(client, setup):
    pid, headers = setup.placements["mine"], auth(setup.tokens["jobcoach"])
    url = URL.format(pid) + "/actions"
    started = client.post(url, headers=headers, json={"kind": "intervention", "intervention": "extra_jobcoaching"})
    assert started.status_code == 201, started.text
    declined = client.post(url, headers=headers, json={"kind": "no_action", "reason": "gaat goed volgens werkgever"})
    assert declined.status_code == 201 and declined.json()["recorded_by"] == "coach-a"
    assert client.post(url, headers=headers, json={"kind": "no_action"}).status_code == 422
    sanction = {"kind": "intervention", "intervention": "sanctie"}
    assert client.post(url, headers=headers, json=sanction).status_code == 422
    assert client.post(URL.format(setup.placements["other"]) + "/actions", headers=headers,
                       json={"kind": "no_action", "reason": "x"}).status_code == 404
    actions = client.get(URL.format(pid), headers=headers).json()["actions"]
    assert [a["kind"] for a in actions][-2:] == ["intervention", "no_action"]
    assert client.post(url, headers=auth(setup.tokens["data_scientist"]),
                       json={"kind": "no_action", "reason": "x"}).status_code == 403


def test_a_first_view_serves_the_curve_stored_when_the_week_was_scored_and_runs_no_model(client, setup,
                                                                                         monkeypatch):
    import lks.service.service_layer.services as services

    def no_model(*_args):
        raise AssertionError("the curve was computed on request")

    monkeypatch.setattr(services, "_curve", no_model)
    services._CURVES.clear()
    r = client.get(URL.format(setup.placements["mine"]), headers=auth(setup.tokens["jobcoach"]))
    assert r.status_code == 200, r.text
    assert r.json()["curve"]["points"][0]["week"] == r.json()["tenure_weeks"]


def test_a_list_scored_by_the_previous_champion_gets_its_curves_prepared_before_the_new_one_is_served(client, setup,
                                                                                                      monkeypatch):
    import dataclasses

    import sqlalchemy as sa

    import lks.service.service_layer.services as services
    from lks.service.persistence.queries import find_list
    from lks.service.persistence.tables import risk_scores

    wired = client.app.state.services
    served = wired.champion.current
    assert services.warm_curves(wired, served) == 0  # the newest list's curves are stored by this model
    newer = dataclasses.replace(served, version="newer")
    services._CURVES.clear()
    with wired.engine.connect() as conn:  # the newest list as the service finds it (other tests may add lists)
        list_id = find_list(conn)["list_id"]
        features = conn.execute(sa.select(risk_scores.c.features).where(
            risk_scores.c.list_id == list_id, risk_scores.c.placement_id == setup.placements["mine"])).scalar_one()
    assert services.warm_curves(wired, newer) > 0
    on_request = services._curve(newer, features)  # what a view would have computed on its own
    prepared = services._CURVES[("newer", list_id, setup.placements["mine"])]
    for point, expected in zip(prepared["points"], on_request["points"], strict=True):
        assert point == pytest.approx(expected)

    def no_model(*_args):
        raise AssertionError("the curve was computed on request")

    monkeypatch.setattr(services, "_curve", no_model)
    monkeypatch.setattr(wired.champion, "current", newer)
    r = client.get(URL.format(setup.placements["mine"]), headers=auth(setup.tokens["jobcoach"]))
    assert r.status_code == 200, r.text
    assert r.json()["curve"]["model_version"] == "newer" and r.json()["model_version"] == served.version
    services._CURVES.clear()
