"""lks against an MLflow tracking server (`mlflow server` on the loopback address, tests/servers.py), named
by MLFLOW_TRACKING_URI only: a tiny model is registered as champion and loaded back in a fresh process,
and it lives on the server, not in LKS_HOME."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests import servers

pytestmark = pytest.mark.slow  # starts an MLflow server and a second Python (about 30 s)

REGISTER_AND_LOAD = """
import json, sys
from pathlib import Path
import mlflow, numpy as np
from mlflow.tracking import MlflowClient
from sklearn.linear_model import LogisticRegression
from lks.service.champion.mlflow_source import MlflowChampionSource
from lks.training.tracking import CHAMPION, MODEL_NAME, configure, model_uri

home = Path(sys.argv[1])
uri = configure(home)
X = np.array([[0.0], [1.0], [2.0], [3.0]])
model = LogisticRegression().fit(X, [0, 0, 1, 1])
with mlflow.start_run():
    info = mlflow.sklearn.log_model(model, name="model", registered_model_name=MODEL_NAME)
MlflowClient().set_registered_model_alias(MODEL_NAME, CHAMPION, info.registered_model_version)
loaded = mlflow.pyfunc.load_model(model_uri(CHAMPION))
print(json.dumps({"uri": uri, "version": MlflowChampionSource(home).version(),
                  "loaded": loaded.predict(X).tolist(), "fitted": model.predict(X).tolist()}))
"""


def test_a_model_registered_through_the_server_loads_back_from_it(tmp_path):
    with servers.mlflow_server(tmp_path / "server") as uri:
        env = {**{k: v for k, v in os.environ.items() if k != "LKS_MLFLOW_SERVER"}, "MLFLOW_TRACKING_URI": uri}
        done = subprocess.run([sys.executable, "-c", REGISTER_AND_LOAD, str(tmp_path / "home")], env=env,  # noqa: S603  the test's own fixed command, no outside input
                              capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["uri"] == uri and result["version"] == "1"
    assert result["loaded"] == result["fitted"] == [0, 0, 1, 1]
    assert not (tmp_path / "home" / "mlflow.db").exists()  # nothing in the embedded store
    assert list((tmp_path / "server" / "artifacts").rglob("MLmodel"))  # the server kept the model
