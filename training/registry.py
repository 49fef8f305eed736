"""Log one training run to MLflow and register its model: the one place that writes to the registry.

`lks train` and the service tests' real champion both go through `log_and_register`, so a registered
version always looks the same: the bundle as a pyfunc "model from code" (`models/pyfunc_model.py`)
with the pickled bundle as its artifact, the bundle's sha256 as a run parameter and a version tag (set
before any alias points at the version: the service checks it before it unpickles anything), a `run_id`
tag on the version, and the run's record beside it.
Call `tracking.configure(home)` first.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from importlib.metadata import version as installed_version
from pathlib import Path
from typing import Any

import cloudpickle
import mlflow
import pandas as pd
from mlflow.models import ModelSignature
from mlflow.tracking import MlflowClient
from mlflow.types.schema import ParamSchema, ParamSpec

import lks.models.pyfunc_model
from lks.training.artifacts import BUNDLE_SHA256, sha256_of
from lks.training.tracking import CHALLENGER, CHAMPION, MODEL_NAME, alias_version, promotion_time

# What loading a registered bundle imports (lks's model code and the libraries it is built on), pinned below to
# the versions installed (the locked ones). Written out rather than inferred: MLflow's inference loads the
# model in a subprocess (about 4 s of every `lks train`) and left out lightgbm, which every bundle needs.
# tests/training/test_registry.py checks that every library lks.models imports is listed.
MODEL_PACKAGES = ("lks", "lightgbm", "scikit-learn", "scipy", "numpy", "pandas", "pyarrow", "cloudpickle", "mlflow")


def model_requirements() -> list[str]:
    """The registered model's pip requirements: MODEL_PACKAGES at their installed versions."""
    return [f"{name}=={installed_version(name)}" for name in MODEL_PACKAGES]


@dataclass(frozen=True)
class RunRecord:
    """What a run leaves in MLflow besides the model. Artifact paths are relative to the run
    (`"per_date/lightgbm.csv"`, `"reference/features.parquet"`)."""

    bundle: Any                                   # the ServingBundle, pickled into the model's artifacts
    run_name: str | None = None
    params: dict[str, str] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    tags: dict[str, str] = field(default_factory=dict)       # on the run and on the model version
    dicts: dict[str, dict[str, Any]] = field(default_factory=dict)     # artifact path -> JSON
    texts: dict[str, str] = field(default_factory=dict)      # artifact path -> text
    frames: dict[str, pd.DataFrame] = field(default_factory=dict)  # artifact path -> Parquet


@dataclass(frozen=True)
class Registered:
    run_id: str
    version: str
    alias: str | None


def next_alias(client: MlflowClient | None = None) -> str:
    """The alias a newly trained version gets: `champion` for the first, `challenger` after that."""
    return CHALLENGER if alias_version(CHAMPION, client) else CHAMPION


def log_and_register(record: RunRecord, alias: str | None) -> Registered:
    """Log `record` as one run, register its bundle as a new version of the model, and give that
    version `alias` (None: no alias)."""
    with mlflow.start_run(run_name=record.run_name) as run, tempfile.TemporaryDirectory() as tmp:
        if record.params:
            mlflow.log_params(record.params)
        for name, value in record.tags.items():
            mlflow.set_tag(name, value)
        if record.metrics:
            mlflow.log_metrics(record.metrics)
        for path, content in record.dicts.items():
            mlflow.log_dict(content, path)
        for path, text in record.texts.items():
            mlflow.log_text(text, path)
        for path, frame in record.frames.items():
            local = Path(tmp) / Path(path).name
            frame.to_parquet(local)
            mlflow.log_artifact(str(local), str(Path(path).parent) if Path(path).parent != Path(".") else None)
        bundle = Path(tmp) / "bundle.pkl"
        bundle.write_bytes(cloudpickle.dumps(record.bundle))
        bundle_sha256 = sha256_of(bundle)
        mlflow.log_param(BUNDLE_SHA256, bundle_sha256)
        signature = ModelSignature(inputs=None, outputs=None,
                                   params=ParamSchema([ParamSpec("output", "string", "risks")]))
        info = mlflow.pyfunc.log_model(name="model", python_model=lks.models.pyfunc_model.__file__,
                                       artifacts={"bundle": str(bundle)}, signature=signature,
                                       pip_requirements=model_requirements(), registered_model_name=MODEL_NAME)
    client = MlflowClient()
    version = str(info.registered_model_version)
    client.set_model_version_tag(MODEL_NAME, version, BUNDLE_SHA256, bundle_sha256)  # before any alias points here
    if alias == CHAMPION:  # since when it is in use (the model page): as `lks promote` records it
        client.set_model_version_tag(MODEL_NAME, version, "promotion.promoted_at", promotion_time())
    if alias:
        client.set_registered_model_alias(MODEL_NAME, alias, version)
    client.set_model_version_tag(MODEL_NAME, version, "run_id", run.info.run_id)
    for name, value in record.tags.items():  # visible in the registry beside the version
        client.set_model_version_tag(MODEL_NAME, version, name, value)
    return Registered(run.info.run_id, version, alias)
