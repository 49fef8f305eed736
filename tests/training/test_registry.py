import ast
import hashlib
import sys
from datetime import datetime
from importlib.metadata import packages_distributions
from pathlib import Path

import cloudpickle
import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

import lks.models
from lks.training.artifacts import BUNDLE_SHA256
from lks.training.registry import MODEL_PACKAGES, RunRecord, log_and_register, model_requirements, next_alias
from lks.training.tracking import CHALLENGER, CHAMPION, MODEL_NAME, configure


@pytest.mark.slow  # a real MLflow run and registration (about 10 s)
def test_a_run_is_logged_and_its_bundle_registered_with_the_alias_and_tags(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_MLFLOW_SERVER", "")
    configure(tmp_path)
    record = RunRecord(bundle={"stand-in": "bundle"}, run_name="test run", params={"k": "50"},
                       metrics={"lightgbm.roc_auc_52w": 0.71}, tags={"dpia_reference": "DPIA-1"},
                       dicts={"backtest.json": {"model": "lightgbm"}}, texts={"per_date/lightgbm.csv": "a\n1\n"},
                       frames={"reference/features.parquet": pd.DataFrame({"x": [1.0, 2.0]})})
    assert next_alias() == CHAMPION
    first = log_and_register(record, alias=next_alias())
    assert (first.version, first.alias) == ("1", CHAMPION)
    client = MlflowClient()
    version = client.get_model_version_by_alias(MODEL_NAME, CHAMPION)
    bundle_sha256 = hashlib.sha256(cloudpickle.dumps({"stand-in": "bundle"})).hexdigest()
    tags = dict(version.tags)
    promoted_at = datetime.fromisoformat(tags.pop("promotion.promoted_at"))  # champion when registered: since when
    assert promoted_at.utcoffset() is not None  # it is in use (the model page), with the offset: no guessing the zone
    assert str(version.version) == "1" and tags == {"run_id": first.run_id, "dpia_reference": "DPIA-1",
                                                    BUNDLE_SHA256: bundle_sha256}
    run = client.get_run(first.run_id)
    assert run.data.params == {"k": "50", BUNDLE_SHA256: bundle_sha256}
    assert run.data.metrics == {"lightgbm.roc_auc_52w": 0.71}
    assert run.data.tags["dpia_reference"] == "DPIA-1" and run.info.run_name == "test run"
    assert mlflow.artifacts.load_dict(f"runs:/{first.run_id}/backtest.json") == {"model": "lightgbm"}
    requirements = Path(mlflow.artifacts.download_artifacts(f"models:/{MODEL_NAME}/1")) / "requirements.txt"
    assert set(model_requirements()) <= set(requirements.read_text().split())  # pinned, lightgbm among them
    logged = pd.read_parquet(mlflow.artifacts.download_artifacts(f"runs:/{first.run_id}/reference/features.parquet"))
    assert logged["x"].tolist() == [1.0, 2.0]
    second = log_and_register(RunRecord(bundle={}), alias=next_alias())
    assert (second.version, second.alias) == ("2", CHALLENGER)
    assert "promotion.promoted_at" not in client.get_model_version(MODEL_NAME, "2").tags  # `lks promote` sets it
    assert log_and_register(RunRecord(bundle={}), alias=None).alias is None
    assert str(client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version) == "1"


def test_the_model_requirements_name_every_library_the_model_code_imports():
    """A bundle unpickles lks.models' classes: each third-party library they import must be pinned with it."""
    distributions = packages_distributions()
    imported = set()
    for source in Path(lks.models.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.Import):
                imported |= {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                imported.add(node.module.split(".")[0])
    third_party = imported - set(sys.stdlib_module_names) - {"__future__", "lks"}
    # a module several distributions provide (mlflow: mlflow, mlflow-skinny, ...) is covered by any of them
    missing = sorted(name for name in third_party
                     if not {d.lower() for d in distributions.get(name, [name])} & set(MODEL_PACKAGES))
    assert not missing, f"imported by lks.models, not pinned with the model: {missing}"
    assert [r.split("==")[0] for r in model_requirements()] == list(MODEL_PACKAGES)
    assert all(r.split("==")[1] for r in model_requirements())
