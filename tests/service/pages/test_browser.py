"""End to end in a real browser: headless Chromium (Debian's, installed by `make test`) logs in through
the form, opens the list and a placement, records an action, logs out (after which its old session cookie
opens nothing), and leaves a screenshot in a tmp dir."""

from __future__ import annotations

import os
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture
def server(client):
    """The test app (champion already loaded) served by uvicorn on a free localhost port, in a thread."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(client.app, lifespan="off", log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    assert server.started
    yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    server.should_exit = True
    thread.join(timeout=10)
    sock.close()


@pytest.fixture
def chromium():
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
        pytest.skip(f"{CHROMIUM} is missing (`make test` installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def test_log_in_open_the_list_and_a_placement_and_record_an_action(server, chromium, tokens, tmp_path):
    page = chromium.new_page(locale="nl-NL", viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(server + "/")
    assert page.get_attribute("html", "lang") == "nl"
    page.get_by_label("Toegangscode").fill(tokens["coordinator"])
    page.get_by_role("button", name="Inloggen").click()

    page.wait_for_url(server + "/lijst")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Risicolijst week 47")
    cookie = next(c for c in page.context.cookies() if c["name"] == "lks_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["value"] != tokens["coordinator"]  # a session id: the token stays out of the cookie jar
    assert page.evaluate("document.cookie") == ""  # scripts cannot read the session
    page.screenshot(path=tmp_path / "lijst.png", full_page=True)

    link = page.locator("tbody th a").first
    placement_id = link.inner_text()
    link.click()
    page.wait_for_url(f"{server}/plaatsing/{placement_id}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Plaatsing {placement_id}"
    assert page.locator("svg[role=img] polyline").count() == 2

    page.get_by_label("Interventie", exact=True).select_option("harrie_training")
    page.get_by_role("button", name="Interventie vastleggen").click()
    page.wait_for_url(f"{server}/plaatsing/{placement_id}?melding=opgeslagen#acties")
    assert "De actie is opgeslagen." in page.inner_text("main")
    assert "Interventie gestart: Harrie-training voor de werkgever" in page.inner_text("main")
    page.screenshot(path=tmp_path / "plaatsing.png", full_page=True)
    assert (tmp_path / "plaatsing.png").stat().st_size > 10_000

    page.get_by_role("button", name="Uitloggen").click()
    page.wait_for_url(server + "/")
    assert page.get_by_label("Toegangscode").is_visible()
    assert not [c for c in page.context.cookies() if c["name"] == "lks_session"]

    page.context.add_cookies([cookie])  # the old cookie, kept or copied: the session ended on the server
    page.goto(server + "/lijst")
    page.wait_for_url(server + "/")
    assert page.get_by_label("Toegangscode").is_visible()
