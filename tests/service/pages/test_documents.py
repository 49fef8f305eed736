"""The champion's documents (model card, technical file, register entry): linked from /modelkaart, served
as the run holds them, and only the known files."""

from dataclasses import replace

from fastapi.testclient import TestClient

from lks.service.pages.render import render
from lks.service.service_layer import services as views
from tests.service import fakes
from tests.service.pages.conftest import csrf_of


def champion_with_documents(tmp_path):
    card = tmp_path / "model_card.md"
    card.write_text("# Model card: lks-uitval version 5\n\nROC AUC 0.763\n", encoding="utf-8")
    register = tmp_path / "algoritmeregister.json"
    register.write_text('{"entry": {"name": "Vroegsignalering"}}', encoding="utf-8")
    champion = fakes.champion("5", reference=None, special=False)
    return replace(champion, documents={"model_card.md": card, "algoritmeregister.json": register})


def logged_in(app, token: str) -> TestClient:
    browser = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    assert browser.post("/login", data={"token": token, "csrf": csrf_of(browser.get("/").text)}).status_code == 303
    return browser


def test_the_model_info_lists_only_the_documents_the_version_has(tmp_path):
    info = views.model_info(champion_with_documents(tmp_path))
    assert info["documents"] == [
        {"title": "Modelkaart (model card)", "url": "/modelkaart/documenten/model_card.md"},
        {"title": "Registratie in het Algoritmeregister (JSON volgens de publicatiestandaard)",
         "url": "/modelkaart/documenten/algoritmeregister.json"}]
    assert views.model_info(fakes.champion("5", reference=None, special=False))["documents"] == []


def test_the_documents_are_served_to_a_logged_in_user_and_nothing_else_is(tmp_path):
    app, token = fakes.app_serving(tmp_path / "home", champion_with_documents(tmp_path), deployment_reference=None)
    with TestClient(app):
        browser = logged_in(app, token)
        page = browser.get("/modelkaart")
        assert page.status_code == 200 and 'href="/modelkaart/documenten/model_card.md"' in page.text
        card = browser.get("/modelkaart/documenten/model_card.md")
        assert card.status_code == 200 and card.headers["content-type"] == "text/markdown; charset=utf-8"
        assert card.text.startswith("# Model card: lks-uitval version 5")
        assert card.headers["cache-control"] == "no-store"
        register = browser.get("/modelkaart/documenten/algoritmeregister.json")
        assert register.headers["content-type"].startswith("application/json") and "Vroegsignalering" in register.text
        for missing in ("technical_file.md", "report.html", "..%2Fmodel_card.md"):
            assert browser.get(f"/modelkaart/documenten/{missing}").status_code == 404
        anonymous = TestClient(app, follow_redirects=False)
        assert anonymous.get("/modelkaart/documenten/model_card.md").status_code == 303  # to the login page


def test_the_card_says_so_when_a_version_has_no_documents():
    model = views.model_info(fakes.champion("5", reference=None, special=False))
    html = render("modelkaart.html", identity=None, csrf="", model=model)
    assert "Deze versie heeft nog geen modelkaart, technisch dossier of registratie" in html
