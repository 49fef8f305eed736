from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from lks.service.deps import SESSION_COOKIE
from lks.service.pages.session import LOGIN_COOKIE, csrf_token
from lks.service.persistence.audit import AuditLog
from lks.service.persistence.tokens import TokenStore
from tests.service.pages.conftest import csrf_of, login

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models

EXPIRED = "Uw sessie is verlopen. Log opnieuw in."


def cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


def test_the_login_page_is_dutch_and_accessible(client):
    r = TestClient(client.app).get("/")
    assert r.status_code == 200 and '<html lang="nl">' in r.text
    assert '<label for="token">Toegangscode</label>' in r.text and 'id="token" name="token"' in r.text
    assert r.headers["cache-control"] == "no-store" and "default-src 'none'" in r.headers["content-security-policy"]
    nonce = cookie_header(r, LOGIN_COOKIE).lower()
    assert "httponly" in nonce and "samesite=strict" in nonce


def outcomes(engine, user: str) -> list[tuple[str, str]]:
    log = AuditLog(engine).query(user=user)
    log = log[log["placement_id"].isna()]  # the session's own entries, not the placements shown
    return list(zip(log["endpoint"], log["outcome"], strict=True))[::-1]


def browser_with(app, session_id: str) -> TestClient:
    """Another browser that was handed a copy of a session cookie."""
    return TestClient(app, follow_redirects=False, cookies={SESSION_COOKIE: session_id})


def test_logging_in_sets_an_httponly_strict_session_cookie_that_is_not_the_token(client, tokens):
    browser = TestClient(client.app, follow_redirects=False)
    r = browser.post("/login", data={"token": f"  {tokens['jobcoach']} ", "csrf": csrf_of(browser.get("/").text)})
    assert r.status_code == 303 and r.headers["location"] == "/lijst"
    session = cookie_header(r, SESSION_COOKIE).lower()
    assert "httponly" in session and "samesite=strict" in session and "path=/" in session
    assert tokens["jobcoach"] not in r.headers["set-cookie"]  # the API token never reaches the cookie jar
    assert browser.cookies[SESSION_COOKIE] not in tokens.values() and len(browser.cookies[SESSION_COOKIE]) >= 43
    assert browser.get("/").headers["location"] == "/lijst"  # logged in: the login page sends you on
    assert browser.get("/lijst").status_code == 200
    token_as_cookie = browser_with(client.app, tokens["jobcoach"]).get("/lijst")
    assert token_as_cookie.status_code == 303 and token_as_cookie.headers["location"] == "/"


def test_logout_ends_the_session_on_the_server_and_a_copied_cookie_opens_nothing(client, tokens, engine):
    token = TokenStore(engine).add("page-logout", "jobcoach", jobcoach_id="JC-LOGOUT")
    browser = login(client.app, token)
    session_id = browser.cookies[SESSION_COOKIE]
    assert browser.post("/logout").status_code == 403  # no CSRF token: refused, still logged in
    assert browser.post("/logout", data={"csrf": csrf_token(token)}).status_code == 403  # the token's HMAC: no
    assert browser.get("/lijst").status_code == 200
    out = browser.post("/logout", data={"csrf": csrf_of(browser.get("/lijst").text)})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert cookie_header(out, SESSION_COOKIE).startswith(f'{SESSION_COOKIE}=""')
    assert browser.get("/lijst").headers["location"] == "/"

    copy = browser_with(client.app, session_id)
    for path in ("/lijst", "/modelkaart", "/"):
        r = copy.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/", path  # ended, not expired: no notice
    assert copy.get("/api/v1/model").status_code == 401
    assert outcomes(engine, "page-logout") == [
        ("POST /login", "logged_in"), ("POST /logout", "logged_out"), ("GET /lijst", "session_ended"),
        ("GET /modelkaart", "session_ended"), ("GET /", "session_ended"), ("GET /api/v1/model", "session_ended")]


def test_logging_in_again_ends_the_browsers_earlier_session(client, engine):
    token = TokenStore(engine).add("page-relogin", "jobcoach", jobcoach_id="JC-RELOGIN")
    first = login(client.app, token).cookies[SESSION_COOKIE]
    browser = TestClient(client.app, follow_redirects=False)
    csrf = csrf_of(browser.get("/").text)  # a login form opened in another tab before the first login
    browser.cookies.set(SESSION_COOKIE, first)
    r = browser.post("/login", data={"token": token, "csrf": csrf})
    second = cookie_header(r, SESSION_COOKIE).split(";")[0].removeprefix(f"{SESSION_COOKIE}=")
    assert r.status_code == 303 and second not in ("", first)
    assert browser_with(client.app, second).get("/lijst").status_code == 200
    assert browser_with(client.app, first).get("/lijst").headers["location"] == "/"
    assert ("POST /login", "logged_out") in outcomes(engine, "page-relogin")


def test_an_idle_session_expires_with_a_dutch_notice_and_the_refusal_is_audited(client, engine, clock):
    browser = login(client.app, TokenStore(engine).add("page-idle", "jobcoach", jobcoach_id="JC-IDLE"))
    clock.now += timedelta(minutes=29)
    assert browser.get("/modelkaart").status_code == 200
    clock.now += timedelta(minutes=29)  # 58 minutes after login, 29 after the last request
    assert browser.get("/modelkaart").status_code == 200
    clock.now += timedelta(minutes=30)
    r = browser.get("/modelkaart")
    assert r.status_code == 303 and r.headers["location"] == "/?melding=verlopen"
    assert cookie_header(r, SESSION_COOKIE).startswith(f'{SESSION_COOKIE}=""')
    page = browser.get(r.headers["location"])
    assert page.status_code == 200 and EXPIRED in page.text and 'name="token"' in page.text
    assert outcomes(engine, "page-idle") == [("POST /login", "logged_in"), ("GET /modelkaart", "session_expired")]
    assert EXPIRED not in TestClient(client.app).get("/?melding=iets-anders").text  # fixed texts only


def test_the_session_ends_after_its_lifetime_however_busy(client, engine, clock):
    browser = login(client.app, TokenStore(engine).add("page-busy", "jobcoach", jobcoach_id="JC-BUSY"))
    for _ in range(19):  # a request every 25 minutes, the last at 7:55 after login
        clock.now += timedelta(minutes=25)
        assert browser.get("/modelkaart").status_code == 200
    clock.now += timedelta(minutes=5)  # 8 hours since login
    assert browser.get("/modelkaart").headers["location"] == "/?melding=verlopen"


def test_a_wrong_token_gets_a_dutch_message_and_no_session(client):
    browser = TestClient(client.app, follow_redirects=False)
    r = browser.post("/login", data={"token": "geen-echte-code", "csrf": csrf_of(browser.get("/").text)})
    assert r.status_code == 401 and "niet geldig" in r.text and SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_a_login_without_the_forms_csrf_token_is_refused(client, tokens):
    browser = TestClient(client.app, follow_redirects=False)
    browser.get("/")
    for form in ({"token": tokens["jobcoach"]}, {"token": tokens["jobcoach"], "csrf": csrf_token("other")}):
        r = browser.post("/login", data=form)
        assert r.status_code == 403 and "Formulier niet geaccepteerd" in r.text and '<html lang="nl">' in r.text
        assert SESSION_COOKIE not in r.headers.get("set-cookie", "")


def test_pages_without_a_valid_session_lead_to_the_login_page(client, engine):
    anonymous = TestClient(client.app, follow_redirects=False)
    for path in ("/lijst", "/plaatsing/PL000001"):
        r = anonymous.get(path)
        assert r.status_code == 303 and r.headers["location"] == "/"
    forged = browser_with(client.app, "een-verzonnen-sessie").get("/lijst")
    assert forged.status_code == 303 and forged.headers["location"] == "/"


def test_revoking_the_token_ends_its_page_sessions_at_once(client, engine):
    store = TokenStore(engine)
    browser = login(client.app, store.add("page-revoked", "data_scientist"))
    assert browser.get("/modelkaart").status_code == 200 and browser.get("/api/v1/model").status_code == 200
    session_id = browser.cookies[SESSION_COOKIE]
    store.revoke("page-revoked")
    assert browser_with(client.app, session_id).get("/api/v1/model").status_code == 401
    r = browser.get("/modelkaart")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert cookie_header(r, SESSION_COOKIE).startswith(f'{SESSION_COOKIE}=""')  # the dead cookie is cleared


def test_the_session_opens_the_model_information_but_no_api_endpoint_with_personal_data(as_role, setup):
    browser = as_role("data_scientist")
    assert browser.get("/api/v1/model").json()["version"] == "1"
    assert browser.get("/api/v1/model/report").status_code == 200
    coach = as_role("jobcoach")
    assert coach.get(f"/api/v1/placements/{setup.placements['mine']}").status_code == 401  # bearer token only
    assert coach.get("/api/v1/risk-lists/current").status_code == 401
