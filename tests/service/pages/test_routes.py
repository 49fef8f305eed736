import re

import pytest
from fastapi.testclient import TestClient

from lks.service.pages.render import datum
from lks.service.persistence.audit import AuditLog
from tests.service.conftest import auth
from tests.service.pages.conftest import USERS, csrf_of
from tests.service.real_champion import AS_OF

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models

DETAIL, LIST, ACTION = "GET /plaatsing/{placement_id}", "GET /lijst", "POST /plaatsing/{placement_id}/acties"


def audit(engine, role):
    return AuditLog(engine).query(user=USERS[role])


def placement_ids(html: str) -> list[str]:
    """The placements of the ranked table (not those of the week's follow-up or without a prediction below it)."""
    ranked = html.split("<caption>Plaatsingen met het hoogste risico eerst</caption>")[1:]
    return re.findall(r'<a href="/plaatsing/([^"]+)">', ranked[0].split("</table>")[0]) if ranked else []


def test_the_week_list_in_dutch_ranked_with_changes_reasons_and_model_version(as_role, setup, engine):
    r = as_role("coordinator").get("/lijst")
    assert r.status_code == 200 and '<html lang="nl">' in r.text
    html = r.text
    assert f"Risicolijst week {AS_OF.isocalendar().week}" in html and "22 november 2026" in html
    assert "16 november 2026" in html  # compared with last week's list
    assert "nooit een grond voor sancties" in html and "Model versie 1" in html
    assert "Kans op uitval binnen 13 weken" in html and "Kans op uitval in het eerste jaar" in html
    assert re.search(r"\d+,\d%", html)  # risks as Dutch percentages
    assert re.search(r"nieuw op de lijst|gestegen|gedaald|gelijk", html)
    ids = placement_ids(html)
    assert len(ids) == 25 and setup.placements["mine"] in ids and setup.placements["other"] not in ids
    ranks = [int(x) for x in re.findall(r'<td class="getal">(\d+)</td>\s*<th scope="row">', html)]
    assert ranks == sorted(ranks)
    assert '<th scope="col">Belangrijkste redenen</th>' in html
    shown = audit(engine, "coordinator")
    assert set(ids) <= set(shown[shown["endpoint"] == LIST]["placement_id"])


def test_change_markers_follow_the_api(as_role, client, tokens):
    api = client.get("/api/v1/risk-lists/current", params={"page_size": 25},
                     headers=auth(tokens["coordinator"])).json()
    html = as_role("coordinator").get("/lijst").text
    rows = re.findall(r'<a href="/plaatsing/([^"]+)">.*?<td class="(nieuw|gestegen|gedaald|gelijk)">', html, re.S)
    words = {"new": "nieuw", "risen": "gestegen", "fallen": "gedaald", "same": "gelijk"}
    assert rows == [(i["placement_id"], words[i["change"]]) for i in api["items"]]


def test_filters_and_paging(as_role, setup):
    browser = as_role("coordinator")
    first, second = browser.get("/lijst").text, browser.get("/lijst?pagina=2").text
    assert 'href="/lijst?pagina=2"' in first and 'rel="prev"' not in first
    assert 'href="/lijst" rel="prev"' in second
    assert not set(placement_ids(first)) & set(placement_ids(second))
    district = re.search(r'<option value="([^"]+)">', first.split('id="gebied"')[1]).group(1)
    filtered = browser.get("/lijst", params={"gebied": district}).text
    assert f'<option value="{district}" selected>' in filtered and placement_ids(filtered)
    cells = re.findall(r"<td>([^<]*)</td>\s*<td class=\"getal\">\d+</td>\s*<td>", filtered)  # gebied, weken, besluit
    assert set(cells) == {district}
    other = browser.get("/lijst", params={"team": setup.placements["other_team"]}).text
    assert placement_ids(other) == [] and "Er staan geen plaatsingen" in other
    beyond = browser.get("/lijst", params={"pagina": 999}).text
    assert placement_ids(beyond) == [] and 'rel="prev"' in beyond
    invalid = browser.get("/lijst", params={"pagina": "nul"})
    assert invalid.status_code == 400 and "Ongeldige aanvraag" in invalid.text  # a page, not the API's JSON


def test_the_own_jobcoach_sees_the_placement_and_the_view_is_audited(as_role, client, tokens, setup, engine):
    pid = setup.placements["mine"]
    history = client.get(f"/api/v1/placements/{pid}", headers=auth(tokens["coordinator"])).json()["history"]
    r = as_role("jobcoach").get(f"/plaatsing/{pid}")
    assert r.status_code == 200 and '<html lang="nl">' in r.text
    html = r.text
    for text in ("Kans op uitval binnen 13 weken", "Kans op uitval in het eerste jaar", "Wat het risico verhoogt",
                 "Wat het risico verlaagt", "Mogelijke ondersteuning", "Risico in eerdere weken",
                 "Vastgelegde acties", "nooit een grond voor sancties", "<svg", "<polyline"):
        assert text in html, text
    assert re.search(r"Een jobcoach of werkgever kan hier iets aan doen|Hier kan een jobcoach of werkgever niets", html)
    assert "Risicolijst week 47 (22 november 2026)" in html
    assert all(f'<th scope="row">{datum(h["as_of"])}</th>' in html for h in history) and history
    log = audit(engine, "jobcoach")
    assert list(log[(log["placement_id"] == pid) & (log["endpoint"] == DETAIL)]["outcome"])[:1] == ["shown"]


def test_someone_elses_placement_is_a_dutch_404_and_the_attempt_is_audited(as_role, setup, engine):
    before = audit(engine, "jobcoach")  # other tests of this session may have asked for it too
    last = int(before["audit_id"].max()) if len(before) else 0
    other = as_role("jobcoach").get(f"/plaatsing/{setup.placements['other']}")
    missing = as_role("jobcoach").get("/plaatsing/PL-BESTAAT-NIET")
    assert other.status_code == missing.status_code == 404
    assert "Plaatsing niet gevonden" in other.text and '<html lang="nl">' in other.text
    assert other.text.replace(setup.placements["other"], "X") == missing.text.replace("PL-BESTAAT-NIET", "X")
    log = audit(engine, "jobcoach")
    log = log[log["audit_id"] > last]
    assert list(log[log["placement_id"] == setup.placements["other"]]["outcome"]) == ["not_found"]
    assert (log[log["placement_id"] == setup.placements["other"]]["endpoint"] == DETAIL).all()


def test_a_coordinator_sees_only_placements_of_their_teams(as_role, setup):
    browser = as_role("coordinator")
    assert browser.get(f"/plaatsing/{setup.placements['mine']}").status_code == 200
    assert browser.get(f"/plaatsing/{setup.placements['other']}").status_code == 404


def test_data_scientists_and_admins_get_a_dutch_page_and_no_placement(as_role, setup, engine):
    for role in ("data_scientist", "admin"):
        browser = as_role(role)
        for path in ("/lijst", f"/plaatsing/{setup.placements['mine']}"):
            r = browser.get(path)
            assert r.status_code == 403 and '<html lang="nl">' in r.text
            assert "voor coördinatoren en jobcoaches" in r.text and 'href="/api/v1/model"' in r.text
            assert setup.placements["mine"] not in r.text
            assert "Kans op uitval" not in r.text
        log = audit(engine, role)
        assert list(log[log["endpoint"] == DETAIL]["outcome"]) == ["forbidden"]


def test_recording_an_action_needs_the_forms_csrf_token(as_role, setup, client, tokens):
    pid, browser = setup.placements["mine"], as_role("jobcoach")
    url = f"/plaatsing/{pid}/acties"

    def actions():
        return client.get(f"/api/v1/placements/{pid}", headers=auth(tokens["coordinator"])).json()["actions"]

    before = len(actions())
    form = {"kind": "intervention", "intervention": "extra_jobcoaching", "note": "gesprek ingepland"}
    refused = browser.post(url, data=form)
    assert refused.status_code == 403 and "Er is niets opgeslagen" in refused.text
    assert browser.post(url, data={**form, "csrf": "vervalst"}).status_code == 403
    assert len(actions()) == before

    csrf = csrf_of(browser.get(f"/plaatsing/{pid}").text)
    done = browser.post(url, data={**form, "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"/plaatsing/{pid}?melding=opgeslagen#acties"
    recorded = actions()[-1]
    assert (recorded["kind"], recorded["intervention"], recorded["recorded_by"]) == (
        "intervention", "extra_jobcoaching", USERS["jobcoach"])
    page = browser.get(done.headers["location"]).text
    assert "De actie is opgeslagen." in page and "Interventie gestart: extra jobcoaching" in page
    assert "gesprek ingepland" in page

    no_reason = browser.post(url, data={"kind": "no_action", "reason": "  ", "csrf": csrf})
    assert no_reason.headers["location"].endswith("?melding=reden#actie")
    sanction = browser.post(url, data={"kind": "intervention", "intervention": "sanctie", "csrf": csrf})
    assert sanction.headers["location"].endswith("?melding=ongeldig#actie")
    declined = browser.post(url, data={"kind": "no_action", "reason": "werkgever regelt het zelf", "csrf": csrf})
    assert declined.status_code == 303 and actions()[-1]["reason"] == "werkgever regelt het zelf"
    assert len(actions()) == before + 2


def test_recording_an_action_on_someone_elses_placement_is_404_and_audited(as_role, setup, engine):
    browser = as_role("jobcoach")
    csrf = csrf_of(browser.get("/lijst").text)
    r = browser.post(f"/plaatsing/{setup.placements['other']}/acties",
                     data={"kind": "no_action", "reason": "x", "csrf": csrf})
    assert r.status_code == 404 and "Plaatsing niet gevonden" in r.text
    log = audit(engine, "jobcoach")
    assert (log[log["endpoint"] == ACTION]["outcome"] == "not_found").any()


def test_every_page_is_html_in_dutch(as_role, client, setup, monkeypatch):
    import lks.service.service_layer.services

    coach, scientist = as_role("jobcoach"), as_role("data_scientist")
    responses = [TestClient(client.app).get("/"), coach.get("/lijst"), scientist.get("/lijst"),
                 coach.get(f"/plaatsing/{setup.placements['mine']}"),
                 coach.get(f"/plaatsing/{setup.placements['other']}"),
                 coach.post("/logout")]  # without its CSRF token: the refusal page, and still logged in

    def no_list(*args, **kwargs):
        raise lks.service.service_layer.services.placements.NotFound("no risk list has been scored yet")

    monkeypatch.setattr(lks.service.service_layer.services.placements, "risk_list_page", no_list)
    empty = coach.get("/lijst")
    assert empty.status_code == 404 and "Nog geen risicolijst" in empty.text
    for r in [*responses, empty]:
        assert r.headers["content-type"].startswith("text/html") and '<html lang="nl">' in r.text, r.url
        assert "<title>" in r.text and "<h1>" in r.text
