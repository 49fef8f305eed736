import re

import pytest
from fastapi.testclient import TestClient

from lks.service.pages.render import getal, pct, render
from lks.service.service_layer import services as views
from tests.service import fakes
from tests.service.conftest import auth
from tests.service.pages.conftest import login

ROLES = ("coordinator", "jobcoach", "data_scientist", "admin")
NO_SANCTIONS = "nooit een grond voor sancties. Een mens beslist; het model adviseert."
PROTECTED = ("Beschermde kenmerken (geboortejaar en leeftijd, geslacht, migratieachtergrond, taalniveau en "
             "stadsgebied) zijn nooit invoer van het model.")
NO_SPECIAL = "<strong>Gebruikt geen bijzondere persoonsgegevens.</strong>"
DPIA_USED = ("<strong>Gebruikt bijzondere persoonsgegevens (gezondheidsbeperking) op grond van DPIA-referentie "
             "DPIA-2026-014.</strong>")


def main_of(html: str) -> str:
    """The page's own content, without the footer every page carries."""
    return html.split('<main id="inhoud">')[1].split("</main>")[0]


@pytest.mark.slow
@pytest.mark.parametrize("role", ROLES)
def test_every_role_reads_the_model_card_in_dutch_with_the_models_own_numbers(role, as_role, client, tokens, setup):
    model = client.get("/api/v1/model", headers=auth(tokens["data_scientist"])).json()
    r = as_role(role).get("/modelkaart")
    assert r.status_code == 200 and '<html lang="nl">' in r.text and r.headers["cache-control"] == "no-store"
    html = main_of(r.text)
    assert "<h1>Modelkaart: het model achter de vroegsignalering</h1>" in html
    assert f"Model versie {model['version']}" in html and model["version"] == "1"
    assert "gegevens zoals bekend op 22 november 2026" in html  # the training date of the fixture's model
    metrics = model["backtest"]["metrics"]  # the fixture logs roc_auc_52w 0.7 and precision_at_k 0.3
    row_auc = re.search(r'<th scope="row">ROC AUC, eerste jaar</th>\s*<td class="getal">([^<]+)</td>', html)
    row_precision = re.search(r'<th scope="row">Precisie in de top k</th>\s*<td class="getal">([^<]+)</td>', html)
    assert row_auc.group(1) == getal(metrics["roc_auc_52w"]) == "0,700"
    assert row_precision.group(1) == pct(metrics["precision_at_k"]) == "30,0%"
    assert "In gebruik sinds</th><td>" in html and 'aria-labelledby="precisie-titel"' in html
    assert "Gemiddeld 30,0%" in html  # the two test weeks the fixture logs: 32% and 28%
    assert f"Het model gebruikt {model['n_features']} kenmerken" in html and model["n_features"] > 0
    assert NO_SANCTIONS in html and PROTECTED in html and NO_SPECIAL in html and "op grond van DPIA" not in html
    assert model["special_data"] == {"dpia_reference": None, "features": [], "columns": [],
                                     "statement": "Gebruikt geen bijzondere persoonsgegevens."}
    assert "extra jobcoaching" in html and "Harrie-training" in html and "schuldhulp" in html
    assert "sinds mei 2025" in html and "minstens zes maanden" in html
    assert "Het model ziet niet alles." in html and ("de kolom Orakel" in html) == bool(model["backtest"]["oracle"])
    assert f'href="{model["report_url"]}"' in html
    assert setup.placements["mine"] not in r.text and setup.placements["other"] not in r.text
    assert "/plaatsing/" not in r.text


@pytest.mark.slow
def test_the_model_card_needs_a_session_and_is_linked_from_the_pages(client, as_role, setup):
    anonymous = TestClient(client.app, follow_redirects=False)
    r = anonymous.get("/modelkaart")
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert 'href="/modelkaart"' in as_role("coordinator").get("/lijst").text  # the navigation
    refused = as_role("data_scientist").get("/lijst")  # the data scientist's and admin's role page
    assert refused.status_code == 403 and main_of(refused.text).count('href="/modelkaart"') == 1


def test_the_card_compares_the_champion_with_baselines_and_oracle_and_shows_fairness_gaps():
    def metrics(auc: float, precision: float) -> dict:
        return {"roc_auc_13w": auc + 0.05, "roc_auc_52w": auc, "pr_auc_13w": 0.21, "pr_auc_52w": 0.34,
                "ece_52w": 0.031, "precision_at_k": precision, "recall_at_k": 0.12, "k": 25}

    model = {"version": "7", "model": "blend", "trained_on_data_as_of": "2026-11-22", "unknown_reasons": "weighted",
             "n_features": 109, "registered_at": "2026-11-23T09:05:00", "report_url": "/api/v1/model/report",
             "special_data": views.special_data(fakes.champion(reference=None, special=False)),
             "features_url": "/api/v1/model/features",
             "backtest": {"metrics": metrics(0.785, 0.466),
                          "baselines": {"logistic": metrics(0.761, 0.41), "tenure_rate": metrics(0.6, 0.2),
                                        "current_practice": metrics(0.55, 0.15)},
                          "oracle": metrics(0.83, 0.52), "test_dates": ["2026-05-04", "2026-11-02"],
                          "fairness_gaps": {"gender": 0.043, "district": 0.081}}}
    html = render("modelkaart.html", identity=None, csrf="", model=model)
    backtest = html.split("<caption>Resultaten van de backtest</caption>")[1].split("</table>")[0]
    headers = re.findall(r'<th scope="col" class="getal">([^<]+)</th>', backtest)
    assert [h.split(" (")[0] for h in headers] == [
        "Blend", "Logistische regressie", "Uitval naar duur van de plaatsing", "Huidige werkwijze", "Orakel"]
    assert headers[0].endswith("(in gebruik)")
    auc = re.search(r'ROC AUC, eerste jaar</th>((?:\s*<td class="getal">[^<]+</td>)+)', html).group(1)
    assert re.findall(r">([^<]+)<", auc) == ["0,785", "0,761", "0,600", "0,550", "0,830"]
    precision = re.search(r'Precisie in de top k</th>((?:\s*<td class="getal">[^<]+</td>)+)', html).group(1)
    assert re.findall(r">([^<]+)<", precision) == ["46,6%", "41,0%", "20,0%", "15,0%", "52,0%"]
    assert "De top k is de 25 plaatsingen" in html and "2 testweken, 4 mei 2026 tot en met 2 november 2026" in html
    assert "gewogen: een einde met reden &#39;onbekend&#39;" in html and "Het model gebruikt 109 kenmerken" in html
    assert re.search(r"Geslacht</th><td class=\"getal\">4,3%</td>", html)
    assert re.search(r"Stadsgebied</th><td class=\"getal\">8,1%</td>", html)
    assert "Het model ziet niet alles." in html and "(de kolom Orakel in de tabel hierboven)" in html


def test_the_card_of_a_dpia_model_names_the_reference_and_the_special_column():
    html = render("modelkaart.html", identity=None, csrf="", model=views.model_info(fakes.champion()))
    assert DPIA_USED in html and "met referentie DPIA-2026-014" in html
    assert PROTECTED in html and "Gebruikt geen" not in html and "Het model gebruikt 3 kenmerken" in html


def test_the_card_follows_the_model_served_not_the_deployment_settings(tmp_path):
    served = fakes.champion(reference=None, special=False)
    app, token = fakes.app_serving(tmp_path / "a", served, deployment_reference=fakes.REFERENCE)
    with TestClient(app):
        html = main_of(login(app, token).get("/modelkaart").text)
        assert NO_SPECIAL in html and "DPIA-2026-014" not in html
    app, token = fakes.app_serving(tmp_path / "b", fakes.champion("5"), deployment_reference=fakes.REFERENCE)
    with TestClient(app):
        assert DPIA_USED in main_of(login(app, token).get("/modelkaart").text)


def test_the_card_says_in_dutch_why_a_dpia_model_is_not_used(tmp_path):
    app, token = fakes.app_serving(tmp_path, fakes.champion("5"), deployment_reference=None)
    with TestClient(app):
        r = login(app, token).get("/modelkaart")
    assert r.status_code == 503 and "Nog geen model in gebruik" in r.text
    assert ("Model versie 5 wordt niet gebruikt: het is getraind onder DPIA-referentie DPIA-2026-014, maar deze "
            "installatie noemt geen DPIA-referentie. Er worden dus ook geen bijzondere persoonsgegevens gebruikt."
            ) in r.text


def test_the_card_says_plainly_when_a_baseline_is_served_and_gives_the_onbekend_range():
    def metrics(auc: float, precision: float) -> dict:
        return {"roc_auc_13w": auc + 0.05, "roc_auc_52w": auc, "precision_at_k": precision, "ece_52w": 0.03, "k": 25}

    rule = {"model": "logistic", "kind": "baseline", "eligible": [], "test_shortfalls": [],
            "reason": "no candidate beats every baseline in the validation weeks"}
    backtest = {"metrics": metrics(0.76, 0.41), "baselines": {"logistic": metrics(0.76, 0.41),
                                                               "current_practice": metrics(0.55, 0.15)},
                "test_dates": ["2025-06-30", "2025-09-22"], "validation_dates": ["2025-03-31", "2025-06-23"],
                "champion_rule": rule, "oracle": None, "fairness_gaps": {},
                "onbekend": {"test_rows": 4000, "rows_with_onbekend_ending": 37,
                             "as_uitval": {"logistic": metrics(0.74, 0.43)},
                             "as_neutral": {"logistic": metrics(0.77, 0.40)}}}
    model = {"version": "3", "model": "logistic", "trained_on_data_as_of": "2026-11-22", "registered_at": None,
             "unknown_reasons": "weighted", "n_features": 40, "report_url": "/api/v1/model/report",
             "special_data": views.special_data(fakes.champion(reference=None, special=False)),
             "features_url": "/api/v1/model/features", "backtest": backtest}
    html = render("modelkaart.html", identity=None, csrf="", model=model)
    assert ("Geen van de nieuwe modellen was in de validatieweken op alle hoofdmaten beter dan de eenvoudige "
            "vergelijkingsmodellen. Daarom is een vergelijkingsmodel in gebruik genomen: de logistische regressie")\
        in html
    assert "37 van de 4000 testregels" in html
    assert "allemaal als uitval, dan is de ROC AUC over het eerste jaar 0,740 en de precisie in de top k 43,0%" in html
    assert "allemaal als een ander einde, dan 0,770 en 40,0%" in html
    rule.update(kind="candidate", test_shortfalls=["roc_auc_13w 0.720 not above logistic 0.740"])
    html = render("modelkaart.html", identity=None, csrf="", model={**model, "model": "blend"})
    assert "Daarom is een vergelijkingsmodel" not in html
    assert "Het model is gekozen op 2 validatieweken (31 maart 2025 tot en met 23 juni 2025)" in html
    assert "Let op: in de testweken is het model op 1 punt(en) niet beter" in html


def test_the_card_shows_the_newest_monitoring_runs_in_dutch(tmp_path):
    from lks.service.service_layer.monitoring_runs import store_run

    app, token = fakes.app_serving(tmp_path, fakes.champion(reference=None, special=False), deployment_reference=None)
    with TestClient(app):
        client = login(app, token)
        assert "Er is nog geen bewakingsronde gedaan" in main_of(client.get("/modelkaart").text)
        run = {"as_of": "2024-09-01", "alerts": [{"check": "psi_input", "subject": "hours_per_week"}],
               "performance": {"13w": {"without_intervention": {"pooled": {"ece": 0.0312, "recall_at_k": 0.46}}}},
               "drift": {"status": "ok", "scores": {"risk_52w": 0.0}, "inputs": {"hours_per_week": 1.5}}}
        store_run(app.state.services.engine, {**run, "as_of": "2024-08-01", "alerts": []})
        store_run(app.state.services.engine, run)
        html = main_of(client.get("/modelkaart").text)
    assert "gegevens zoals bekend op 1 september 2024" in html
    assert "De laatste ronde overschreed 1 grens:" in html
    assert "<li>verschuiving van een invoerkenmerk (hours_per_week)</li>" in html
    rows = re.findall(r'<tr><th scope="row">([^<]+)</th><td class="getal">([^<]+)</td>', html)
    assert ("1 september 2024", "0,031") in rows and rows.index(("1 september 2024", "0,031")) < \
        [r[0] for r in rows].index("1 augustus 2024")
    assert "46,0%" in html and "1,50" in html


def test_the_card_draws_precision_at_k_per_test_week_and_says_since_when_the_model_is_in_use():
    from lks.service.pages.chart import precision_chart

    weeks = ["2026-08-03", "2026-08-10", "2026-08-17"]
    figures = zip(weeks, (0.4, None, 0.6), strict=True)
    by_week = {"blend": [{"as_of": w, "precision_at_k": p, "k": 25} for w, p in figures],
               "current_practice": [{"as_of": w, "precision_at_k": 0.2, "k": 25} for w in weeks]}
    model = {**views.model_info(fakes.champion(reference=None, special=False)), "model": "blend",
             "in_use_since": "2026-11-25T14:02:00", "in_use_since_source": "promotion", "precision_by_week": by_week}
    chart = precision_chart(by_week, "blend")
    assert len(chart["model_dots"]) == 2 and chart["mean"] == pytest.approx(0.5)  # the week without a figure left out
    assert chart["y_ticks"][-1]["label"] == "60%" and chart["baseline"].count(",") == 3
    html = main_of(render("modelkaart.html", identity=None, csrf="", model=model, precision=chart))
    assert re.search(r"In gebruik sinds</th><td>25 november 2026, 14:02</td>", html)
    assert "Precisie in de top k per testweek" in html and "Gemiddeld 50,0%" in html and "<polyline" in html
    assert "<th scope=\"row\">10 augustus 2026</th><td class=\"getal\">–</td><td class=\"getal\">20,0%</td>" in html
    first = render("modelkaart.html", identity=None, csrf="", precision=None, model={
        **model, "in_use_since": "2026-11-23T09:05:00", "in_use_since_source": "registration"})
    assert "bij de registratie als eerste model in gebruik genomen" in first
    assert precision_chart({}, "blend") is None


def test_since_when_in_use_is_the_promotion_time_and_else_the_registration():
    from lks.service.champion.mlflow_source import in_use_since

    assert in_use_since({"promotion.promoted_at": "2026-11-25T14:02:00"}, "2026-11-20T08:00:00") == {
        "promoted_at": "2026-11-25T14:02:00", "promoted_at_source": "promotion"}
    assert in_use_since({}, "2026-11-20T08:00:00")["promoted_at_source"] == "registration"
