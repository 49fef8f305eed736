"""A small real setup for the service tests, built once per test session (shared by xdist workers):
the default simulated municipality, ingested; a ServingBundle of real (small, quickly fitted) models
on its features; and, per worker, an MLflow home where that bundle is registered as champion through
the same pyfunc as `lks train` uses, with its input schema and its sha256 (param and tag). The features
frame stays in the test folder: it is never logged to MLflow."""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import cloudpickle
import pandas as pd

AS_OF = date(2026, 11, 22)
PREVIOUS = date(2026, 11, 16)
SINCE = "2025-06-02"


@contextmanager
def locked(path: Path):
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def shared_root(tmp_path_factory) -> Path:
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def build_base(folder: Path) -> Path:
    """simulate + ingest into folder/lks.db; fit a small bundle; write its reference features."""
    from lks.data_contracts.ingest import ingest
    from lks.data_contracts.store import history, make_engine
    from lks.features.frames import mondays, weekly_features
    from lks.features.known import prepare
    from lks.models.bundle import ServingBundle
    from lks.models.classifier import LGBMRiskClassifier
    from lks.models.survival import LGBMCompetingRisk
    from lks.simulator import simulate
    from lks.training.backtest import final_frames, model_features

    if (folder / "done").exists():
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    simulate(folder / "export", seed=7, as_of=AS_OF)
    engine = make_engine(f"sqlite:///{folder / 'lks.db'}")
    ingest(engine, folder / "export")
    known = prepare(history(engine, AS_OF))
    weekly = weekly_features(known, mondays(SINCE, AS_OF))
    features = model_features(weekly)
    landmark, person_period = final_frames(known, weekly, AS_OF, "weighted")
    classifier = LGBMRiskClassifier(n_estimators=40, learning_rate=0.1, num_leaves=7, min_child_samples=50,
                                    n_jobs=1).fit(landmark, features)
    curves = LGBMCompetingRisk(n_estimators=30, learning_rate=0.1, num_leaves=7, min_child_samples=100,
                               n_jobs=1).fit(person_period, features)
    bundle = ServingBundle(classifier, classifier, curves, features,
                           metadata={"model": "lightgbm", "train_as_of": str(AS_OF)})
    (folder / "bundle.pkl").write_bytes(cloudpickle.dumps(bundle))
    latest = weekly[weekly["as_of"] == weekly["as_of"].max()].head(200).reset_index(drop=True)
    latest.to_parquet(folder / "features.parquet")
    engine.dispose()
    (folder / "done").touch()
    return folder


def register(base: Path, home: Path, set_champion: bool = True) -> str:
    """Log the bundle as `lks train` does (pyfunc from code + artifacts) and register a version."""
    import mlflow
    from mlflow.models import ModelSignature
    from mlflow.tracking import MlflowClient
    from mlflow.types.schema import ParamSchema, ParamSpec

    import lks.models.pyfunc_model
    from lks.training.artifacts import BUNDLE_SHA256, SCHEMA_ARTIFACT, input_schema, sha256_of
    from lks.training.tracking import CHAMPION, EXPERIMENT, MODEL_NAME, configure

    # mlflow.set_tracking_uri exports MLFLOW_TRACKING_URI, and training.tracking.configure then takes the
    # embedded store for a server and leaves artifacts in ./mlruns: create the experiment here first.
    os.environ.pop("MLFLOW_TRACKING_URI", None)
    uri = f"sqlite:///{(home / 'mlflow.db').resolve()}"
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    if mlflow.get_experiment_by_name(EXPERIMENT) is None:
        mlflow.create_experiment(EXPERIMENT, artifact_location=(home / "mlartifacts").resolve().as_uri())
    configure(home)
    bundle_sha256 = sha256_of(base / "bundle.pkl")
    with mlflow.start_run() as run:
        mlflow.log_dict({"champion": {"roc_auc_52w": 0.7, "precision_at_k": 0.3}, "baselines": {},
                         "test_dates": ["2026-11-02"], "fairness_gaps": {}}, "backtest.json")
        mlflow.log_text("<html><body>report</body></html>", "report.html")
        bundle = cloudpickle.loads((base / "bundle.pkl").read_bytes())
        mlflow.log_dict(input_schema(features_frame(base), bundle.features), SCHEMA_ARTIFACT)
        mlflow.log_param(BUNDLE_SHA256, bundle_sha256)
        signature = ModelSignature(inputs=None, outputs=None,
                                   params=ParamSchema([ParamSpec("output", "string", "risks")]))
        info = mlflow.pyfunc.log_model(name="model", python_model=lks.models.pyfunc_model.__file__,
                                       artifacts={"bundle": str(base / "bundle.pkl")}, signature=signature,
                                       registered_model_name=MODEL_NAME)
    version = str(info.registered_model_version)
    MlflowClient().set_model_version_tag(MODEL_NAME, version, BUNDLE_SHA256, bundle_sha256)
    if set_champion:
        MlflowClient().set_registered_model_alias(MODEL_NAME, CHAMPION, version)
    MlflowClient().set_model_version_tag(MODEL_NAME, version, "run_id", run.info.run_id)
    return version


def new_home(base: Path, root: Path) -> Path:
    home = Path(tempfile.mkdtemp(dir=root))
    shutil.copy(base / "lks.db", home / "lks.db")
    return home


def features_frame(base: Path) -> pd.DataFrame:
    return pd.read_parquet(base / "features.parquet")


def dumps(value) -> str:
    return json.dumps(value, default=str)
