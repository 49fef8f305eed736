"""The access matrix: every route the app registers, every role, in-scope and out-of-scope placements,
the current week and an earlier `as_of`, before and after a reassignment (tests.service.world).

MATRIX names each route's access kind; a route the app registers that is missing from MATRIX fails
`test_every_registered_route_is_in_the_matrix`, so a new endpoint must say here who may use it.
What each role may see is worked out by hand from the world's table (`sees`), not from the service.
"""

from __future__ import annotations

import itertools
import re

import pytest
from fastapi.testclient import TestClient

from tests.service.pages.conftest import csrf_of, login
from tests.service.world import ASSIGNED, EARLIER, MOVED_TO, NOW, USERS, build_world

PLACEMENTS = tuple(ASSIGNED)
WEEKS = (None, NOW, EARLIER)  # None: the newest list
PHASES = ("before", "after")  # before and after PL1 moves from JC1/team_zuid to JC2/team_noord

# (method, route template) -> access kind
MATRIX = {
    ("GET", "/health"): "public",
    ("GET", "/ready"): "public",
    ("GET", "/metrics"): "public",  # LKS_METRICS_TOKEN can close it (tests/service/test_metrics.py)
    ("GET", "/api/v1/openapi.json"): "public",
    ("GET", "/api/v1/docs"): "public",
    ("GET", "/docs/oauth2-redirect"): "public",
    ("GET", "/api/v1/risk-lists/current"): "list",
    ("GET", "/api/v1/risk-lists/current/export"): "list",
    ("GET", "/api/v1/risk-lists"): "index",
    ("GET", "/api/v1/risk-lists/summary"): "aggregate",
    ("GET", "/api/v1/placements/{placement_id}"): "placement",
    ("POST", "/api/v1/placements/{placement_id}/actions"): "placement",
    ("POST", "/api/v1/placements/{placement_id}/follow-up"): "follow-up",  # coordinators only
    ("GET", "/api/v1/model"): "reader",
    ("GET", "/api/v1/model/features"): "reader",
    ("GET", "/api/v1/model/report"): "reader",  # the download of the model's report
    ("POST", "/api/v1/score"): "scorer",
    ("GET", "/api/v1/me"): "anyone",
    ("GET", "/api/v1/users"): "admin",
    ("GET", "/"): "public",
    ("POST", "/login"): "public",
    ("POST", "/logout"): "public",
    ("GET", "/lijst"): "page list",
    ("GET", "/lijst/download"): "page list",
    ("GET", "/plaatsing/{placement_id}"): "page placement",
    ("POST", "/plaatsing/{placement_id}/acties"): "page placement",
    ("POST", "/lijst/opvolging"): "page follow-up",  # coordinators only
    ("GET", "/modelkaart"): "page",
    ("GET", "/modelkaart/documenten/{name}"): "page",  # the model's documents: no placement data, any role
}
SEES_PLACEMENTS, SCORES = {"coordinator", "jobcoach"}, {"coordinator", "jobcoach", "data_scientist"}


def sees(user: str, placement_id: str, phase: str) -> bool:
    """By hand: whether `user` may see the placement now (its latest assignment)."""
    role, teams, jobcoach_id = USERS[user]
    coach, team = MOVED_TO if phase == "after" and placement_id == "PL1" else ASSIGNED[placement_id]
    return (role == "jobcoach" and coach == jobcoach_id) or (role == "coordinator" and team in teams)


def visible(user: str, phase: str) -> set[str]:
    return {p for p in PLACEMENTS if sees(user, p, phase)}


def registered(app) -> set[tuple[str, str]]:
    """(method, path template) of every route the app registers, walking included routers."""
    found: set[tuple[str, str]] = set()

    def walk(routes):
        for route in routes:
            if hasattr(route, "effective_route_contexts"):  # FastAPI's included router
                walk(route.effective_route_contexts())
            elif getattr(route, "routes", None):
                walk(route.routes)
            else:
                found.update((m, route.path) for m in (getattr(route, "methods", None) or ()) if m != "HEAD")

    walk(app.routes)
    return found


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    """phase -> (world, API client); the 'after' world has PL1 reassigned."""
    out = {}
    for phase in PHASES:
        world = build_world(tmp_path_factory.mktemp(f"access-{phase}"))
        if phase == "after":
            world.reassign()
        client = TestClient(world.app, raise_server_exceptions=False, follow_redirects=False)
        client.__enter__()  # the lifespan: the champion is loaded
        out[phase] = (world, client)
    yield out
    for _world, client in out.values():
        client.__exit__(None, None, None)


@pytest.fixture(scope="module")
def browsers(worlds):
    """(phase, user) -> a logged-in page client, made when first asked for."""
    made = {}

    def get(phase: str, user: str) -> TestClient:
        if (phase, user) not in made:
            world, _client = worlds[phase]
            made[phase, user] = login(world.app, world.tokens[user])
        return made[phase, user]

    return get


def bearer(world, user: str) -> dict:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def params(as_of) -> dict:
    return {"as_of": as_of.isoformat()} if as_of else {}


def test_every_registered_route_is_in_the_matrix(worlds):
    world, _client = worlds["before"]
    assert registered(world.app) - set(MATRIX) == set(), "add the new route to MATRIX with its access kind"
    assert set(MATRIX) - registered(world.app) == set(), "MATRIX names a route the app no longer has"


@pytest.mark.parametrize("route", [r for r, kind in MATRIX.items() if kind == "public"])
def test_public_routes_answer_without_a_token(worlds, route):
    method, path = route
    _world, client = worlds["before"]
    r = client.request(method, path, data={} if method == "POST" else None)
    assert r.status_code in (200, 303, 403), r.text  # 403: /login refuses a form without its csrf nonce
    assert "PL1" not in r.text and "PL2" not in r.text


@pytest.mark.parametrize("route", [r for r, kind in MATRIX.items() if kind not in ("public",)])
def test_every_other_route_refuses_without_a_token_or_session(worlds, route):
    method, path = route
    _world, client = worlds["before"]
    r = client.request(method, path.replace("{placement_id}", "PL1"), json={} if method == "POST" else None)
    if path.startswith("/api/"):
        assert r.status_code == 401, r.text
    else:
        assert r.status_code in (303, 403) and "PL1" not in r.text  # to the login page, or a form refused


CASES = list(itertools.product(PHASES, USERS, PLACEMENTS, WEEKS))


@pytest.mark.parametrize(("phase", "user", "placement_id", "as_of"), CASES)
def test_placement_detail(worlds, phase, user, placement_id, as_of):
    world, client = worlds[phase]
    r = client.get(f"/api/v1/placements/{placement_id}", params=params(as_of), headers=bearer(world, user))
    role = USERS[user][0]
    if role not in SEES_PLACEMENTS:
        assert r.status_code == 403, r.text
    elif sees(user, placement_id, phase):
        assert r.status_code == 200, r.text
        assert r.json()["as_of"] == (as_of or NOW).isoformat()
    else:
        assert r.status_code == 404, r.text
        missing = client.get("/api/v1/placements/PL9", params=params(as_of), headers=bearer(world, user))
        assert r.json() == {**missing.json(), "error": {**missing.json()["error"],
                                                        "message": missing.json()["error"]["message"].replace(
                                                            "PL9", placement_id)}}  # as if it did not exist


@pytest.mark.parametrize(("phase", "user", "placement_id"), list(itertools.product(PHASES, USERS, PLACEMENTS)))
def test_recording_an_action(worlds, phase, user, placement_id):
    world, client = worlds[phase]
    r = client.post(f"/api/v1/placements/{placement_id}/actions", headers=bearer(world, user),
                    json={"kind": "no_action", "reason": "matrix"})
    role = USERS[user][0]
    expected = 403 if role not in SEES_PLACEMENTS else 201 if sees(user, placement_id, phase) else 404
    assert r.status_code == expected, r.text


@pytest.mark.parametrize(("phase", "user", "placement_id"), list(itertools.product(PHASES, USERS, PLACEMENTS)))
def test_the_follow_up_is_changed_by_coordinators_only_and_only_for_their_placements(worlds, browsers, phase, user,
                                                                                      placement_id):
    world, client = worlds[phase]
    url = f"/api/v1/placements/{placement_id}/follow-up"
    dismissed = client.post(url, headers=bearer(world, user), json={"kind": "dismissed", "reason": "matrix"})
    role = USERS[user][0]
    expected = 403 if role != "coordinator" else 201 if sees(user, placement_id, phase) else 404
    assert dismissed.status_code == expected, dismissed.text
    if expected == 201:  # back in: the world stays as it was for the other tests
        assert client.post(url, headers=bearer(world, user), json={"kind": "added"}).status_code == 201
    browser = browsers(phase, user)
    csrf = csrf_of(browser.get("/lijst").text)
    page = browser.post("/lijst/opvolging", data={"csrf": csrf, "soort": "afvoeren", "plaatsing": placement_id,
                                                  "reden": "matrix"})
    if role != "coordinator":
        assert page.status_code == 403 and placement_id not in page.text
    elif sees(user, placement_id, phase):
        assert page.status_code == 303 and "melding=afgevoerd" in page.headers["location"]
        back = browser.post("/lijst/opvolging", data={"csrf": csrf, "soort": "toevoegen", "plaatsing": placement_id})
        assert back.status_code == 303 and "melding=toegevoegd" in back.headers["location"]
    else:  # as if it did not exist
        assert page.status_code == 303 and page.headers["location"] == "/lijst?melding=onbekend#opvolging"


@pytest.mark.parametrize(("phase", "user", "as_of"), list(itertools.product(PHASES, USERS, WEEKS)))
def test_risk_list_shows_what_the_user_may_see_now_on_every_week(worlds, phase, user, as_of):
    world, client = worlds[phase]
    r = client.get("/api/v1/risk-lists/current", params=params(as_of), headers=bearer(world, user))
    if USERS[user][0] not in SEES_PLACEMENTS:
        assert r.status_code == 403, r.text
        return
    assert r.status_code == 200, r.text
    assert {i["placement_id"] for i in r.json()["items"]} == visible(user, phase)
    assert r.json()["total"] == len(visible(user, phase))


def exported_ids(content: bytes) -> set[str]:
    lines = content.decode("utf-8-sig").splitlines()
    top = next(i for i, line in enumerate(lines) if line.startswith("Rang;"))
    return {line.split(";")[1] for line in lines[top + 1:]}


@pytest.mark.parametrize(("phase", "user", "as_of"), list(itertools.product(PHASES, USERS, WEEKS)))
def test_downloads_hold_what_the_user_may_see_now_on_every_week(worlds, browsers, phase, user, as_of):
    world, client = worlds[phase]
    r = client.get("/api/v1/risk-lists/current/export", params={**params(as_of), "format": "csv"},
                   headers=bearer(world, user))
    page = browsers(phase, user).get("/lijst/download", params={
        "formaat": "csv", **({"week": as_of.isoformat()} if as_of else {})})
    if USERS[user][0] not in SEES_PLACEMENTS:
        assert r.status_code == 403 and page.status_code == 403, r.text
        assert "PL1" not in page.text
        return
    assert r.status_code == 200 and page.status_code == 200, r.text
    assert exported_ids(r.content) == exported_ids(page.content) == visible(user, phase)


@pytest.mark.parametrize(("phase", "user", "as_of"), list(itertools.product(PHASES, USERS, WEEKS)))
def test_aggregates_cover_only_what_the_user_may_see(worlds, phase, user, as_of):
    world, client = worlds[phase]
    r = client.get("/api/v1/risk-lists/summary", params=params(as_of), headers=bearer(world, user))
    role = USERS[user][0]
    if role in ("jobcoach", "admin"):
        assert r.status_code == 403, r.text
        return
    assert r.status_code == 200, r.text
    expected = len(PLACEMENTS) if role == "data_scientist" else len(visible(user, phase))
    assert r.json()["placements"] == expected
    assert sum(g["placements"] for g in r.json()["by_team"]) == expected


@pytest.mark.parametrize(("phase", "user"), list(itertools.product(PHASES, USERS)))
def test_list_index_counts_only_what_the_user_may_see(worlds, phase, user):
    world, client = worlds[phase]
    r = client.get("/api/v1/risk-lists", headers=bearer(world, user))
    role = USERS[user][0]
    if role == "admin":
        assert r.status_code == 403, r.text
        return
    expected = len(PLACEMENTS) if role == "data_scientist" else len(visible(user, phase))
    assert r.status_code == 200 and [x["placements"] for x in r.json()] == [expected, expected]


@pytest.mark.parametrize(("route", "user"), list(itertools.product(
    [r for r, kind in MATRIX.items() if kind in ("reader", "scorer", "anyone", "admin")], USERS)))
def test_role_routes(worlds, route, user):
    method, path = route
    world, client = worlds["before"]
    r = client.request(method, path, headers=bearer(world, user),
                       json={"features": {"not_an_input": 1}} if method == "POST" else None)
    role, kind = USERS[user][0], MATRIX[route]
    allowed = {"reader": True, "anyone": True, "scorer": role in SCORES, "admin": role == "admin"}[kind]
    if not allowed:
        assert r.status_code == 403, r.text
    elif kind == "scorer":
        assert r.status_code == 422, r.text  # past the role check: the made-up feature is refused
    else:
        assert r.status_code == 200, r.text


def page_ids(html: str) -> set[str]:
    return set(re.findall(r'href="/plaatsing/([^"?#]+)', html))


@pytest.mark.parametrize(("phase", "user"), list(itertools.product(PHASES, USERS)))
def test_pages(browsers, phase, user):
    browser = browsers(phase, user)
    role = USERS[user][0]
    lijst = browser.get("/lijst")
    assert browser.get("/modelkaart").status_code == 200
    # the fake champion has no documents: a known name is "not found", an unknown one never read
    assert browser.get("/modelkaart/documenten/model_card.md").status_code == 404
    assert browser.get("/modelkaart/documenten/..%2Fsecrets").status_code == 404
    if role not in SEES_PLACEMENTS:
        assert lijst.status_code == 403 and page_ids(lijst.text) == set()
    else:
        assert lijst.status_code == 200 and page_ids(lijst.text) == visible(user, phase)
    csrf = csrf_of(lijst.text)
    for placement_id in PLACEMENTS:
        page = browser.get(f"/plaatsing/{placement_id}")
        done = browser.post(f"/plaatsing/{placement_id}/acties",
                            data={"csrf": csrf, "kind": "no_action", "reason": "matrix"})
        if role not in SEES_PLACEMENTS:
            assert page.status_code == 403 and done.status_code == 403
        elif sees(user, placement_id, phase):
            assert page.status_code == 200 and done.status_code == 303
            assert "melding=opgeslagen" in done.headers["location"]
        else:
            assert page.status_code == 404 and done.status_code == 404
