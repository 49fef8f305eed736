from fastapi.testclient import TestClient

from service.api.deps import SESSION_COOKIE
from service.auth import TokenStore
from service.pages.session import LOGIN_COOKIE, csrf_token
from tests.service.pages.conftest import csrf_of, login


def cookie_header(response, name: str) -> str:
    return next(h for h in response.headers.get_list("set-cookie") if h.startswith(f"{name}="))


def test_the_login_page_is_dutch_and_accessible(client):
    r = TestClient(client.app).get("/")
    assert r.status_code == 200 and '<html lang="nl">' in r.text
    assert '<label for="token">Toegangscode</label>' in r.text and 'id="token" name="token"' in r.text
    assert r.headers["cache-control"] == "no-store" and "default-src 'none'" in r.headers["content-security-policy"]
    nonce = cookie_header(r, LOGIN_COOKIE).lower()
    assert "httponly" in nonce and "samesite=strict" in nonce


def test_logging_in_sets_an_httponly_strict_session_cookie_and_logging_out_clears_it(client, tokens):
    browser = TestClient(client.app, follow_redirects=False)
    r = browser.post("/login", data={"token": f"  {tokens['jobcoach']} ", "csrf": csrf_of(browser.get("/").text)})
    assert r.status_code == 303 and r.headers["location"] == "/lijst"
    session = cookie_header(r, SESSION_COOKIE).lower()
    assert "httponly" in session and "samesite=strict" in session and "path=/" in session
    assert browser.get("/").headers["location"] == "/lijst"  # logged in: the login page sends you on
    assert browser.get("/lijst").status_code == 200

    assert browser.post("/logout").status_code == 403  # no CSRF token: refused, still logged in
    assert browser.get("/lijst").status_code == 200
    page = browser.get("/lijst").text
    out = browser.post("/logout", data={"csrf": csrf_of(page)})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert browser.get("/lijst").headers["location"] == "/"


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
    store = TokenStore(engine)
    browser = login(client.app, store.add("page-revoked", "data_scientist"))
    store.revoke("page-revoked")
    r = browser.get("/lijst")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert cookie_header(r, SESSION_COOKIE).startswith(f'{SESSION_COOKIE}=""')  # the dead cookie is cleared


def test_the_session_opens_the_model_information_but_no_api_endpoint_with_personal_data(as_role, setup):
    browser = as_role("data_scientist")
    assert browser.get("/api/v1/model").json()["version"] == "1"
    assert browser.get("/api/v1/model/report").status_code == 200
    coach = as_role("jobcoach")
    assert coach.get(f"/api/v1/placements/{setup.placements['mine']}").status_code == 401  # bearer token only
    assert coach.get("/api/v1/risk-lists/current").status_code == 401
