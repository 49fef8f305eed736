"""From export to registered champion: train, evaluate, load in a fresh process, promote; and a model
trained under a DPIA reference."""

import json
import re
import subprocess
import sys

import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient
from typer.testing import CliRunner

from lks.cli import app
from lks.service.champion.holder import ChampionHolder
from lks.service.champion.types import Champion
from lks.training.tracking import MODEL_NAME
from tests.service.fakes import FixedSource

# slow: end to end: the simulator at full scale and `lks train` (`make test` runs --dist loadfile: the module fixture is
# built once, on one worker).
pytestmark = pytest.mark.slow

LOAD = """
import sys, mlflow, pandas as pd
from pathlib import Path
from lks.training.tracking import configure
configure(Path(sys.argv[1]))
features = pd.read_parquet(sys.argv[2])
risks = mlflow.pyfunc.load_model("models:/lks-uitval@champion").predict(features, params={"output": "risks"})
risks.to_parquet(sys.argv[3])
"""


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("lks")
    env = pytest.MonkeyPatch()
    env.setenv("LKS_HOME", str(root / "home"))
    env.delenv("LKS_DATABASE_URL", raising=False)
    env.delenv("MLFLOW_TRACKING_URI", raising=False)
    from lks.service.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["simulate", "--out", str(root / "export"), "--seed", "5"]).exit_code == 0
    assert runner.invoke(app, ["ingest", str(root / "export")]).exit_code == 0
    result = runner.invoke(app, ["train", "--as-of", "2026-11-22", "--test-dates", "4", "--since", "2022-01-03",
                                 "--truth", str(root / "export" / "truth")])
    assert result.exit_code == 0, result.output
    print(result.output)
    # the real outcome on this simulated municipality: no candidate beats the logistic regression on every
    # headline metric of the validation weeks, so the rule registers that baseline; it passes every gate and
    # is champion at once (a model that fails a gate waits as challenger: tests/training/test_promote.py)
    assert "No candidate beat every baseline: the baseline logistic is registered instead." in result.output
    assert "Registered logistic as version 1 with alias champion" in result.output
    assert runner.invoke(app, ["evaluate", "--json"]).exit_code == 0
    yield root
    env.undo()
    get_settings.cache_clear()


def evaluate():
    result = CliRunner().invoke(app, ["evaluate", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_evaluate_prints_champion_baselines_and_oracle(home):
    table = evaluate()
    assert {"champion", "baselines", "oracle"} <= set(table) and "challenger" not in table
    assert "current_practice" in table["baselines"] and "logistic" in table["baselines"]
    for entry in (table["champion"], table["oracle"], *table["baselines"].values()):
        for key in ("roc_auc_13w", "roc_auc_52w", "pr_auc_52w", "brier_52w", "ece_52w", "precision_at_k",
                    "recall_at_k", "k", "n_test_dates"):
            assert key in entry
        assert entry["n_test_dates"] == 4 and entry["k"] == 25


def test_the_champion_loads_in_a_fresh_process_and_predicts_as_the_service_does(home, tmp_path):
    from lks.service.champion.mlflow_source import MlflowChampionSource

    run_id = evaluate()["champion"]["run_id"]
    logged = {a.path for a in MlflowClient().list_artifacts(run_id)}
    assert "schema.json" in logged and "reference" not in logged  # no placement rows in MLflow
    features = tmp_path / "features.parquet"
    assert CliRunner().invoke(app, ["features", "--as-of", "2026-11-22", "--out", str(features)]).exit_code == 0
    champion = MlflowChampionSource(home / "home").load()
    assert [s.name for s in champion.schema] == ["tenure_weeks", *champion.features]
    schema = json.dumps(mlflow.artifacts.load_dict(f"runs:/{run_id}/schema.json"))
    everything = pd.read_parquet(features)
    assert not any(pid in schema for pid in everything["placement_id"])
    first_year = everything[everything["tenure_weeks"] < 52].reset_index(drop=True)  # what the model covers
    frame = first_year[["tenure_weeks", *champion.features]]  # the model inputs, as the service passes them
    frame.to_parquet(features)
    out = tmp_path / "risks.parquet"
    done = subprocess.run([sys.executable, "-c", LOAD, str(home / "home"), str(features), str(out)],  # noqa: S603  this python, fixed code
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    expected = champion.risks(frame)
    pd.testing.assert_frame_equal(pd.read_parquet(out), expected)
    assert {"risk_13w", "risk_52w", "raw_52w", "base_value"} <= set(expected.columns)
    assert any(c.startswith("contrib__") for c in expected.columns)


def test_a_second_model_is_a_challenger_and_promotion_goes_through_gates(home):
    runner = CliRunner()
    result = runner.invoke(app, ["train", "--as-of", "2026-10-01", "--test-dates", "4", "--since", "2022-01-03",
                                 "--unknown-reasons", "as_uitval"])
    assert result.exit_code == 0, result.output
    assert "with alias challenger" in result.output
    table = evaluate()
    champion, challenger = table["champion"]["version"], table["challenger"]["version"]
    assert {"gates", "fairness"} <= set(table) and table["fairness"]["gender"][0]["recall_ratio_ci"]
    assert all(g["passed"] for g in table["gates"]), table["gates"]
    promoted = runner.invoke(app, ["promote"])  # the real outcome: this challenger passes every gate
    assert promoted.exit_code == 0 and "passed every gate" in promoted.output, promoted.output
    tags = MlflowClient().get_model_version(MODEL_NAME, challenger).tags
    assert tags["promotion.forced"] == "False" and tags["promotion.replaced_version"] == str(champion)
    after = evaluate()
    assert after["champion"]["version"] == challenger and "challenger" not in after


def test_a_model_trained_under_a_dpia_reference_records_it_and_is_served_only_under_it(home, monkeypatch):
    from lks.service.settings import get_settings

    reference = "DPIA-2026-014"
    monkeypatch.setenv("LKS_DPIA_REFERENCE", f" {reference} ")  # the deployment config, stripped on reading
    get_settings.cache_clear()
    try:
        # the same window as the fixture's model: the champion rule needs history to pick a winner on
        result = CliRunner().invoke(app, ["train", "--as-of", "2026-11-22", "--test-dates", "4",
                                          "--since", "2022-01-03"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    client = MlflowClient()
    version = client.get_model_version(MODEL_NAME, re.search(r"as version (\d+)", result.output).group(1))
    run = client.get_run(version.run_id)
    assert run.data.params["dpia_reference"] == reference == run.data.tags["dpia_reference"]
    assert version.tags["dpia_reference"] == reference
    roles = {f["name"]: f["role"] for f in mlflow.artifacts.load_dict(f"runs:/{version.run_id}/features.json")
             ["features"]}
    assert roles["health_limitation"] == "special" and set(roles.values()) == {"feature", "special"}
    report = mlflow.artifacts.load_text(f"runs:/{version.run_id}/report.html")
    assert f"persons.health_limitation (DPIA reference {reference})" in report
    predictor = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/{version.version}")
    bundle = predictor.unwrap_python_model().bundle
    assert bundle.metadata["dpia_reference"] == reference and "health_limitation" in bundle.features
    assert bundle.metadata["special_columns"] == ["persons.health_limitation"]
    trained = Champion(str(version.version), predictor, tuple(bundle.features), (), dict(bundle.metadata))
    assert ChampionHolder(FixedSource(trained)).refresh() is None  # this deployment names no DPIA
    assert ChampionHolder(FixedSource(trained), dpia_reference=reference).refresh() is trained
    # the default model of the fixture (version 1) neither reads nor records special data
    default = client.get_model_version(MODEL_NAME, "1")
    assert client.get_run(default.run_id).data.params["dpia_reference"] == "None"
    assert "dpia_reference" not in default.tags and "dpia_reference" not in client.get_run(default.run_id).data.tags
    default_bundle = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/1").unwrap_python_model().bundle
    assert default_bundle.metadata["special_columns"] == [] and "health_limitation" not in default_bundle.features
    # the DPIA model is the challenger now: a deployment without its reference may not promote it, forced or not
    monkeypatch.delenv("LKS_DPIA_REFERENCE")
    get_settings.cache_clear()
    champion = evaluate()["champion"]["version"]
    for args in (["promote"], ["promote", "--force", "--reason", "test: try to force a DPIA model"]):
        refused = CliRunner().invoke(app, args)
        assert refused.exit_code == 1 and f"trained under DPIA reference '{reference}'" in refused.output
    assert evaluate()["champion"]["version"] == champion
