"""The champion of the MLflow registry (`models:/lks-uitval@champion`), loaded as a `Champion`.

The bundle is read into memory, its sha256 checked against the one recorded at registration
(`integrity.check_bundle`), and only then unpickled, from those same bytes: nothing else in the model
folder (MLmodel, the pyfunc's code) is run. The input schema comes from the run's `schema.json` (names,
kinds and categories, no placement data)."""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path

import pandas as pd

from lks.service.champion.integrity import check_bundle
from lks.service.champion.types import DOCUMENTS, Champion, schema_from


class BundlePredictor:
    """The registered pyfunc's `predict` (lks.models.pyfunc_model) over a bundle already checked."""

    def __init__(self, bundle):
        from lks.models.pyfunc_model import LksModel

        self.model = LksModel()
        self.model.bundle = bundle

    @property
    def bundle(self):
        return self.model.bundle

    def predict(self, frame: pd.DataFrame, params: dict | None = None) -> pd.DataFrame:
        return self.model.predict(None, frame, params)


class MlflowChampionSource:
    """The champion of the MLflow registry, through its `models:/lks-uitval@champion` URI."""

    def __init__(self, home: Path):
        self.home = home

    def _client(self):
        from mlflow.tracking import MlflowClient

        from lks.training.tracking import configure

        configure(self.home)
        return MlflowClient()

    def version(self) -> str | None:
        from lks.training.tracking import CHAMPION, alias_version

        found = alias_version(CHAMPION, self._client())
        return str(found.version) if found else None

    def load(self) -> Champion | None:
        import cloudpickle
        import mlflow

        from lks.training.artifacts import BUNDLE_SHA256, SCHEMA_ARTIFACT
        from lks.training.tracking import CHAMPION, MODEL_NAME, alias_version

        client = self._client()
        found = alias_version(CHAMPION, client)  # everything below reads this version, whatever the alias does
        if found is None:
            return None
        version = client.get_model_version(MODEL_NAME, found.version)
        run_id = version.run_id
        data = _bundle_bytes(f"models:/{MODEL_NAME}/{version.version}")
        check_bundle(str(version.version), {
            "run parameter": client.get_run(run_id).data.params.get(BUNDLE_SHA256),
            "model version tag": version.tags.get(BUNDLE_SHA256),
        }, hashlib.sha256(data).hexdigest())
        bundle = cloudpickle.loads(data)  # only the exact bytes whose sha256 was recorded at registration
        schema = schema_from(mlflow.artifacts.load_dict(f"runs:/{run_id}/{SCHEMA_ARTIFACT}"))
        backtest = mlflow.artifacts.load_dict(f"runs:/{run_id}/backtest.json")
        report = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="report.html"))
        info = {**bundle.metadata, "run_id": run_id,
                "registered_at": pd.Timestamp(version.creation_timestamp, unit="ms").isoformat(),
                "backtest": json.loads(json.dumps(backtest, default=str))}
        return Champion(str(version.version), BundlePredictor(bundle), tuple(bundle.features), schema, info, report,
                        _documents(run_id))


def _bundle_bytes(model_uri: str) -> bytes:
    """The pickled bundle of a registered pyfunc model (the `bundle` artifact its MLmodel names), as bytes."""
    import mlflow
    from mlflow.models import Model

    with tempfile.TemporaryDirectory() as tmp:
        local = Path(mlflow.artifacts.download_artifacts(artifact_uri=model_uri, dst_path=tmp))
        config = Model.load(str(local / "MLmodel")).flavors["python_function"]
        return (local / config["artifacts"]["bundle"]["path"]).read_bytes()


def _documents(run_id: str) -> dict[str, Path]:
    """The version's documents that its run holds (a version trained before they existed has none)."""
    import mlflow

    found = {}
    for name in DOCUMENTS:
        try:
            found[name] = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path=name))
        except (OSError, mlflow.exceptions.MlflowException):
            continue
    return found
