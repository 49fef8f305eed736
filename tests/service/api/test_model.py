import pytest

from tests.service.conftest import auth
from tests.service.real_champion import features_frame

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models


def payload(base):
    row = features_frame(base).drop(columns=["placement_id", "as_of"]).iloc[0]
    out = {}
    for name, value in row.items():
        out[name] = None if value != value else (value.item() if hasattr(value, "item") else value)
    return out


def test_the_model_in_use(client, setup):
    r = client.get("/api/v1/model", headers=auth(setup.tokens["data_scientist"]))
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == "1" and body["trained_on_data_as_of"] and body["backtest"]["metrics"]["roc_auc_52w"]
    assert body["in_use_since"] and body["in_use_since_source"] == "promotion"  # champion when registered
    assert body["precision_by_week"]["lightgbm"] == [{"as_of": "2026-10-26", "precision_at_k": 0.32, "k": 25},
                                                     {"as_of": "2026-11-02", "precision_at_k": 0.28, "k": 25}]
    assert [w["precision_at_k"] for w in body["precision_by_week"]["current_practice"]] == [0.2, None]
    report = client.get(body["report_url"], headers=auth(setup.tokens["data_scientist"]))
    assert report.status_code == 200 and report.headers["content-type"].startswith("text/html")
    features = client.get("/api/v1/model/features", headers=auth(setup.tokens["coordinator"])).json()["features"]
    kinds = {f["name"]: f for f in features}
    assert kinds["tenure_weeks"]["type"] == "integer"
    assert kinds["contract_type"]["categories"] == ["bepaald", "onbepaald"]


def test_scoring_a_payload(client, setup):
    headers = auth(setup.tokens["data_scientist"])
    r = client.post("/api/v1/score", headers=headers, json={"features": payload(setup.base)})
    assert r.status_code == 200, r.text
    body = r.json()
    assert 0 <= body["risk_52w"] <= 1 and body["model_version"] == "1" and body["curve"]["points"]


def test_a_wrong_payload_is_a_clear_422(client, setup):
    features = payload(setup.base)
    features.update(tenure_weeks=60, contract_type="vast", sick_reports_4w="two", unknown_feature=1)
    del features["hours_per_week"]
    r = client.post("/api/v1/score", headers=auth(setup.tokens["coordinator"]), json={"features": features})
    assert r.status_code == 422
    fields = {d["field"] for d in r.json()["error"]["details"]}
    assert fields == {"features.tenure_weeks", "features.contract_type", "features.sick_reports_4w",
                      "features.unknown_feature", "features.hours_per_week"}
    assert client.post("/api/v1/score", headers=auth(setup.tokens["coordinator"]), json={}).status_code == 422


def test_admins_do_not_score(client, setup):
    r = client.post("/api/v1/score", headers=auth(setup.tokens["admin"]), json={"features": payload(setup.base)})
    assert r.status_code == 403
