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
    from lks.cli.db import upgrade
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
    upgrade(f"sqlite:///{folder / 'lks.db'}")  # made as `lks` makes it: `lks score` runs on copies of it
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
    """Log and register the bundle as `lks train` does (the same `training.registry` call)."""
    from lks.training.artifacts import SCHEMA_ARTIFACT, input_schema
    from lks.training.registry import RunRecord, log_and_register
    from lks.training.tracking import CHAMPION, configure

    os.environ.pop("MLFLOW_TRACKING_URI", None)  # the embedded store under `home`, never a server
    configure(home)
    bundle = cloudpickle.loads((base / "bundle.pkl").read_bytes())
    backtest = {"champion": {"roc_auc_52w": 0.7, "precision_at_k": 0.3}, "baselines": {},
                "test_dates": ["2026-11-02"], "fairness_gaps": {}}
    record = RunRecord(
        bundle=bundle,
        dicts={"backtest.json": backtest, SCHEMA_ARTIFACT: input_schema(features_frame(base), bundle.features)},
        texts={"report.html": "<html><body>report</body></html>",  # per test week, as lks train logs them
               "per_date/lightgbm.csv": "as_of,n,positives_52w,k,precision_at_k\n2026-10-26,90,20,25,0.32\n"
                                        "2026-11-02,95,21,25,0.28\n",
               "per_date/current_practice.csv": "as_of,n,positives_52w,k,precision_at_k\n2026-10-26,90,20,25,0.2\n"
                                                "2026-11-02,95,21,25,\n"},
    )
    return log_and_register(record, alias=CHAMPION if set_champion else None).version


def new_home(base: Path, root: Path) -> Path:
    home = Path(tempfile.mkdtemp(dir=root))
    shutil.copy(base / "lks.db", home / "lks.db")
    return home


def features_frame(base: Path) -> pd.DataFrame:
    return pd.read_parquet(base / "features.parquet")


def dumps(value) -> str:
    return json.dumps(value, default=str)
