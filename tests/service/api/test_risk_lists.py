import pytest

from lks.service.persistence.audit import AuditLog
from lks.service.persistence.tables import make_service_engine
from tests.service.conftest import auth
from tests.service.real_champion import AS_OF, PREVIOUS

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models

URL = "/api/v1/risk-lists/current"


def test_a_coordinator_gets_the_ranked_list_of_their_teams_with_changes(client, setup):
    r = client.get(URL, headers=auth(setup.tokens["coordinator"]), params={"page_size": 10})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["as_of"] == str(AS_OF) and body["previous_as_of"] == str(PREVIOUS) and body["model_version"]
    ranks = [i["rank"] for i in body["items"]]
    assert ranks == sorted(ranks) and len(ranks) == 10 and body["total"] >= 10
    assert {i["team"] for i in body["items"]} == {setup.placements["team"]}
    assert {i["change"] for i in body["items"]} <= {"new", "risen", "fallen", "same"}
    for item in body["items"]:
        if item["previous_risk_52w"] is None:
            assert item["change"] == "new"


def test_paging_and_filters(client, setup):
    headers = auth(setup.tokens["coordinator"])
    first = client.get(URL, headers=headers, params={"page_size": 5}).json()
    second = client.get(URL, headers=headers, params={"page_size": 5, "page": 2}).json()
    assert first["items"][-1]["rank"] < second["items"][0]["rank"]
    district = first["items"][0]["district"]
    filtered = client.get(URL, headers=headers, params={"district": district, "page_size": 100}).json()
    assert filtered["items"] and {i["district"] for i in filtered["items"]} == {district}
    other = client.get(URL, headers=headers, params={"team": setup.placements["other_team"]}).json()
    assert other["total"] == 0 and other["items"] == []  # a team that is not yours shows nothing
    old = client.get(URL, headers=headers, params={"as_of": str(PREVIOUS)}).json()
    assert old["as_of"] == str(PREVIOUS)


def test_a_jobcoach_sees_only_their_placements_and_views_are_audited(client, setup):
    r = client.get(URL, headers=auth(setup.tokens["jobcoach"]), params={"page_size": 100})
    ids = {i["placement_id"] for i in r.json()["items"]}
    assert setup.placements["mine"] in ids and setup.placements["other"] not in ids
    log = AuditLog(make_service_engine(setup.settings.db_url)).query(user="coach-a")
    assert ids <= set(log[log["endpoint"] == "GET /api/v1/risk-lists/current"]["placement_id"])


def test_a_data_scientist_gets_aggregates_not_the_list(client, setup):
    headers = auth(setup.tokens["data_scientist"])
    assert client.get(URL, headers=headers).status_code == 403
    summary = client.get("/api/v1/risk-lists/summary", headers=headers)
    assert summary.status_code == 200
    groups = summary.json()["by_team"] + summary.json()["by_district"]
    assert groups and all("placement_id" not in g for g in groups)
    assert all(g["mean_risk_52w"] is None for g in groups if g["suppressed"])
    lists = client.get("/api/v1/risk-lists", headers=headers).json()
    assert {str(AS_OF), str(PREVIOUS)} <= {x["as_of"] for x in lists}


def test_a_week_without_a_list_is_404(client, setup):
    r = client.get(URL, headers=auth(setup.tokens["coordinator"]), params={"as_of": "2020-01-06"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
