import os
import subprocess
import sys

import mlflow
import pytest

from lks.training.tracking import configure


@pytest.mark.slow  # creates two embedded MLflow stores (about 9 s)
def test_each_home_gets_its_own_embedded_store(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_MLFLOW_SERVER", "")
    first = configure(tmp_path / "a")
    second = configure(tmp_path / "b")
    assert first != second and str(tmp_path / "b" / "mlflow.db") in second
    assert mlflow.get_experiment_by_name("lks-uitval").artifact_location.startswith((tmp_path / "b").as_uri())


def test_importing_the_module_changes_no_environment_variable():
    # MLflow sets its own telemetry variable when it is imported: import it first, then compare
    code = ("import os, mlflow; before = dict(os.environ); import lks.training.tracking; "
            "assert dict(os.environ) == before, set(os.environ) ^ set(before)")
    env = {name: value for name, value in os.environ.items() if name != "LKS_MLFLOW_SERVER"}
    subprocess.run([sys.executable, "-c", code], check=True, env={**env, "MLFLOW_TRACKING_URI": "sqlite:///x.db"})  # noqa: S603  the test's own fixed command, no outside input


@pytest.mark.slow  # creates two embedded MLflow stores (about 9 s)
def test_a_forgotten_server_variable_never_makes_another_homes_store_a_server(tmp_path, monkeypatch):
    # a test's monkeypatch, or a user's shell, may drop LKS_MLFLOW_SERVER while MLFLOW_TRACKING_URI still holds
    # the embedded URI MLflow copied there: the next home must get its own store, not that one
    monkeypatch.setenv("LKS_MLFLOW_SERVER", "")
    first = configure(tmp_path / "a")
    monkeypatch.delenv("LKS_MLFLOW_SERVER")
    assert os.environ["MLFLOW_TRACKING_URI"] == first
    second = configure(tmp_path / "b")
    assert str(tmp_path / "b" / "mlflow.db") in second and os.environ["LKS_MLFLOW_SERVER"] == ""
