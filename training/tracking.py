"""MLflow with no server by default: a SQLite backend and an artifact folder under LKS_HOME.

Set MLFLOW_TRACKING_URI to use a tracking server instead. Registered versions carry aliases
(`champion`, `challenger`), never the deprecated stages.
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import mlflow
from mlflow.entities.model_registry import ModelVersion
from mlflow.tracking import MlflowClient

MODEL_NAME = "lks-uitval"
EXPERIMENT = "lks-uitval"
CHAMPION, CHALLENGER = "champion", "challenger"

SERVER_URI_VARIABLE = "LKS_MLFLOW_SERVER"

# The embedded URIs this process gave MLflow: it copies each into MLFLOW_TRACKING_URI, where it must never
# be taken for a user's server (another home's store would be used).
_EMBEDDED: set[str] = set()


def configure(home: Path) -> str:
    """Point MLflow at the server named by MLFLOW_TRACKING_URI, or at the embedded store under `home`.

    mlflow.set_tracking_uri() writes MLFLOW_TRACKING_URI itself, so the first call keeps the user's
    value (empty: no server) in LKS_MLFLOW_SERVER, inherited by subprocesses, and later calls read that.
    Should that variable be gone, a value this process wrote is still not a server's.
    """
    given = os.environ.get("MLFLOW_TRACKING_URI", "")
    os.environ.setdefault(SERVER_URI_VARIABLE, "" if given in _EMBEDDED else given)
    server = os.environ.get(SERVER_URI_VARIABLE) or None
    uri = server or f"sqlite:///{(home / 'mlflow.db').resolve()}"
    if not server:
        _EMBEDDED.add(uri)
    home.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        artifacts = None if server else (home / "mlartifacts").resolve().as_uri()
        mlflow.create_experiment(EXPERIMENT, artifact_location=artifacts)
    mlflow.set_experiment(EXPERIMENT)
    return uri


def alias_version(alias: str, client: MlflowClient | None = None) -> ModelVersion | None:
    """The model version holding `alias`, or None."""
    client = client or MlflowClient()
    try:
        return client.get_model_version_by_alias(MODEL_NAME, alias)
    except mlflow.exceptions.MlflowException:
        return None


def promotion_time() -> str:
    """Now, to the second, with the machine's UTC offset: when a version became champion (`lks promote`, or
    `lks train` registering the first champion), recorded the same way by both."""
    return datetime.now().astimezone().isoformat(timespec="seconds")


def model_uri(alias: str = CHAMPION) -> str:
    return f"models:/{MODEL_NAME}@{alias}"
