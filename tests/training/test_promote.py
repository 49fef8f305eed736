"""Promotion gates: absolute (fairness, calibration by group, baselines, DPIA, an audit at all) and relative
(on identical test rows); a deliberately unfair model is refused, and never becomes the first champion."""

from dataclasses import asdict

import mlflow
import numpy as np
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression

from lks.training.fairness import AuditSettings, audit, summary_fields
from lks.training.promote import (
    absolute_gates,
    all_gates,
    challenger_refusal,
    failures,
    first_alias,
    promote,
    relative_gates,
    side_by_side,
)
from lks.training.tracking import CHALLENGER, CHAMPION, MODEL_NAME, alias_version, configure

SETTINGS = AuditSettings(min_placements=50, min_positives=15, n_boot=100)


def group(name, ratio, ci, judged=True, gap=0.0, gap_ci=(-0.01, 0.01), n=200, uitval=40):
    return {"group": name, "n_placements": n, "n_uitval": uitval, "judged": judged, "recall": 0.3,
            "recall_ratio": ratio, "recall_ratio_ci": list(ci), "fpr": 0.05, "precision": 0.4,
            "mean_predicted": 0.2 + gap, "observed": 0.2, "calibration_gap": gap,
            "calibration_gap_lo": gap_ci[0], "calibration_gap_hi": gap_ci[1]}


def summary(precision=0.40, ece=0.03, practice=0.15, groups=None, model="blend", rows="abc"):
    return {"model": model, "champion": {"precision_at_k": precision, "ece_52w": ece, "roc_auc_52w": 0.75},
            "baselines": {"current_practice": {"precision_at_k": practice, "roc_auc_52w": 0.6}},
            "candidates": {model: {"precision_at_k": precision, "ece_52w": ece}},
            "fairness": {"gender": groups if groups is not None else [group("man", 1.0, (1, 1)),
                                                                       group("vrouw", 0.95, (0.8, 1.1))]},
            "test_rows": {"n": 10, "sha256": rows}, "special_columns": [], "dpia_reference": None,
            "test_dates": ["2025-06-02"]}


def names(gates):
    return [g.name for g in gates if not g.passed]


def test_a_fair_model_that_beats_the_baselines_passes_every_absolute_gate():
    assert failures(absolute_gates(summary(), None)) == []


def test_recall_ratio_fails_outside_the_band_only_when_the_interval_excludes_parity():
    unfair = summary(groups=[group("man", 1.0, (1, 1)), group("vrouw", 0.47, (0.3, 0.7))])
    failed = failures(absolute_gates(unfair, None))
    assert failed == ["recall ratio by gender: vrouw: recall 0.3 against the largest group, ratio 0.47 "
                      "[0.30, 0.70] outside 0.8-1.25"]
    uncertain = summary(groups=[group("man", 1.0, (1, 1)), group("vrouw", 0.6, (0.3, 1.1))])
    assert failures(absolute_gates(uncertain, None)) == []
    over = summary(groups=[group("man", 1.0, (1, 1)), group("vrouw", 1.4, (1.1, 1.8))])
    assert names(absolute_gates(over, None)) == ["recall ratio by gender"]


def test_a_group_too_small_to_judge_is_named_never_failed():
    small = summary(groups=[group("man", 1.0, (1, 1)), group("x", 0.1, (0.0, 0.2), judged=False, n=8, uitval=2)])
    gates = absolute_gates(small, None)
    assert failures(gates) == []
    assert "too small to judge: x (8 placements, 2 uitval)" in next(g.detail for g in gates if "recall" in g.name)


def test_a_group_whose_risk_is_underestimated_fails_calibration():
    under = summary(groups=[group("man", 1.0, (1, 1)), group("vrouw", 1.0, (0.9, 1.1), gap=-0.09,
                                                                gap_ci=(-0.12, -0.06))])
    assert names(absolute_gates(under, None)) == ["calibration by gender"]
    noisy = summary(groups=[group("man", 1.0, (1, 1)), group("vrouw", 1.0, (0.9, 1.1), gap=-0.09,
                                                                gap_ci=(-0.2, 0.01))])
    assert failures(absolute_gates(noisy, None)) == []


def test_an_empty_or_missing_audit_refuses():
    assert names(absolute_gates(summary(groups=[]) | {"fairness": {}}, None)) == ["fairness audit"]
    missing = {k: v for k, v in summary().items() if k != "fairness"}
    assert names(absolute_gates(missing, None)) == ["fairness audit"]


def test_not_beating_practice_or_a_baseline_is_refused_but_a_baseline_is_not_compared_with_itself():
    assert names(absolute_gates(summary(precision=0.12, practice=0.12), None)) == ["beats current_practice"]
    own = summary(model="current_practice")
    assert "beats current_practice" not in [g.name for g in absolute_gates(own, None)]


def test_special_inputs_without_a_dpia_reference_are_refused():
    special = summary() | {"special_columns": ["persons.health_limitation"]}
    assert names(absolute_gates(special, None)) == ["special inputs under a DPIA reference"]
    assert failures(absolute_gates(special | {"dpia_reference": "D-1"}, "D-1")) == []


def test_relative_gates_use_identical_rows_or_the_champions_recipe_on_the_challengers_rows():
    champion = summary(precision=0.40)
    assert failures(relative_gates(champion, summary(precision=0.39))) == [
        "precision_at_k against the champion: 0.390 against the champion's 0.400 on identical test rows"]
    moved = summary(precision=0.39, model="lightgbm", rows="other")
    moved["candidates"]["blend"] = {"precision_at_k": 0.35, "ece_52w": 0.03}
    gates = relative_gates(champion, moved)
    assert failures(gates) == [] and "champion's recipe (blend)" in gates[0].detail
    del moved["candidates"]["blend"]
    assert names(relative_gates(champion, moved)) == ["against the champion"]


def test_a_dpia_model_is_promoted_only_where_the_deployment_names_its_reference():
    challenger = {"version": "3", "dpia_reference": "DPIA-1"}
    assert "names none" in challenger_refusal(challenger, None)
    assert "names 'DPIA-2'" in challenger_refusal(challenger, "DPIA-2")
    assert challenger_refusal(challenger, "DPIA-1") is None
    assert challenger_refusal({"version": "4", "dpia_reference": None}, None) is None


def unfair_model_summary(corrupt: bool) -> dict:
    """A tiny model with gender forced in as an input (the test-only path) and, when `corrupt`, trained on
    labels where every woman's uitval is erased: it learns to rank women low. Audited on true labels."""
    rng = np.random.default_rng(3)
    n = 1600
    x, woman = rng.normal(size=n), rng.random(n) < 0.5
    y = (rng.random(n) < 1 / (1 + np.exp(-(1.5 * x - 1)))).astype(float)
    taught = np.where(woman, 0.0, y) if corrupt else y
    train, test = np.arange(n) < 800, np.arange(n) >= 800
    inputs = np.c_[x, woman]
    model = LogisticRegression().fit(inputs[train], taught[train])
    ids = np.arange(n)[test]
    predictions = pd.DataFrame({"placement_id": ids, "uitval_52w": y[test], "m__risk_52w":
                                model.predict_proba(inputs[test])[:, 1],
                                "as_of": pd.Timestamp("2025-06-02") + pd.to_timedelta((ids % 4) * 7, "D")})
    persons = pd.DataFrame({"placement_id": ids, "gender": np.where(woman[test], "vrouw", "man"),
                            "birth_year": 1980, "migration_background": "geen", "dutch_language_level": "goed",
                            "district": "Noord"})
    table = audit(predictions, persons, "m", k=40, settings=SETTINGS)
    out = summary() | summary_fields(table, predictions)
    out["gates"] = [asdict(g) for g in absolute_gates(out, None)]
    return out


def test_a_model_trained_on_one_groups_corrupted_labels_is_refused_and_never_the_first_champion():
    unfair, fair = unfair_model_summary(corrupt=True), unfair_model_summary(corrupt=False)
    failed = {g["name"]: g["detail"] for g in unfair["gates"] if not g["passed"]}
    assert {"recall ratio by gender", "calibration by gender"} <= set(failed)
    assert "vrouw: predicted" in failed["calibration by gender"]  # women's risk is underestimated
    by_gender = {g["group"]: g for g in unfair["fairness"]["gender"]}
    assert by_gender["vrouw"]["recall"] < 0.5 * by_gender["man"]["recall"]
    assert first_alias(unfair, champion_exists=False) == CHALLENGER
    assert [g["name"] for g in fair["gates"] if not g["passed"]] == []
    assert first_alias(fair, champion_exists=False) == CHAMPION
    assert first_alias(fair, champion_exists=True) == CHALLENGER


@pytest.fixture
def registry(tmp_path, monkeypatch):
    monkeypatch.delenv("LKS_MLFLOW_SERVER", raising=False)
    monkeypatch.setenv("LKS_MLFLOW_SERVER", "")
    configure(tmp_path)
    yield MlflowClient()
    mlflow.set_tracking_uri(None)


def register(client: MlflowClient, backtest: dict, alias: str) -> str:
    with mlflow.start_run() as run:
        mlflow.log_dict(backtest, "backtest.json")
    try:
        client.create_registered_model(MODEL_NAME)
    except mlflow.exceptions.MlflowException:
        pass
    version = client.create_model_version(MODEL_NAME, run.info.artifact_uri, run_id=run.info.run_id).version
    client.set_registered_model_alias(MODEL_NAME, alias, version)
    return str(version)


def test_promote_refuses_an_unfair_challenger_names_the_gate_and_records_a_forced_reason(registry):
    champion = register(registry, unfair_model_summary(corrupt=False), CHAMPION)
    unfair = register(registry, unfair_model_summary(corrupt=True), CHALLENGER)
    refused = promote(client=registry)
    assert not refused.promoted and any(r.startswith("recall ratio by gender: ") for r in refused.reasons)
    assert str(alias_version(CHAMPION, registry).version) == champion
    table = side_by_side(registry)
    assert {g["name"] for g in table["gates"] if not g["passed"]} >= {"recall ratio by gender"}
    assert {"group", "n_placements", "n_uitval", "recall", "recall_ratio", "recall_ratio_ci", "fpr", "precision",
            "judged"} == set(table["fairness"]["gender"][0])
    with pytest.raises(ValueError):
        promote(force=True, client=registry)
    forced = promote(force=True, reason="test: the municipality decides", client=registry)
    assert forced.promoted and str(alias_version(CHAMPION, registry).version) == unfair
    tags = registry.get_model_version(MODEL_NAME, unfair).tags
    assert tags["promotion.reason"] == "test: the municipality decides" and tags["promotion.forced"] == "True"
    assert "recall ratio by gender" in tags["promotion.failed_gates"]


def test_promote_refuses_a_champion_whose_summary_holds_no_audit_even_first(registry):
    bare = {k: v for k, v in summary().items() if k != "fairness"}
    register(registry, bare, CHALLENGER)
    refused = promote(client=registry)
    assert not refused.promoted and refused.reasons[0].startswith("fairness audit:")
    assert alias_version(CHAMPION, registry) is None
    assert all_gates(None, bare, None)[0].passed is False
