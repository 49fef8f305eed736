import hashlib
from datetime import datetime

import cloudpickle
import mlflow
import pandas as pd
import pytest
from mlflow.tracking import MlflowClient

from lks.training.artifacts import BUNDLE_SHA256
from lks.training.registry import RunRecord, log_and_register, next_alias
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
    logged = pd.read_parquet(mlflow.artifacts.download_artifacts(f"runs:/{first.run_id}/reference/features.parquet"))
    assert logged["x"].tolist() == [1.0, 2.0]
    second = log_and_register(RunRecord(bundle={}), alias=next_alias())
    assert (second.version, second.alias) == ("2", CHALLENGER)
    assert "promotion.promoted_at" not in client.get_model_version(MODEL_NAME, "2").tags  # `lks promote` sets it
    assert log_and_register(RunRecord(bundle={}), alias=None).alias is None
    assert str(client.get_model_version_by_alias(MODEL_NAME, CHAMPION).version) == "1"
