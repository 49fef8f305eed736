"""The champion of the MLflow registry (`models:/lks-uitval@champion`), loaded as a `Champion`.

The bundle is read into memory, its sha256 checked against the one recorded at registration
(`integrity.check_bundle`), and only then unpickled, from those same bytes: nothing else in the model
folder (MLmodel, the pyfunc's code) is run. The input schema comes from the run's `schema.json` (names,
kinds and categories, no placement data)."""

from __future__ import annotations

import hashlib
import io
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
        registered_at = pd.Timestamp(version.creation_timestamp, unit="ms").isoformat()
        info = {**bundle.metadata, "run_id": run_id, "registered_at": registered_at,
                **in_use_since(version.tags or {}, registered_at),
                "precision_by_week": _precision_by_week(run_id, bundle.metadata.get("model"), backtest),
                "backtest": json.loads(json.dumps(backtest, default=str))}
        return Champion(str(version.version), BundlePredictor(bundle), tuple(bundle.features), schema, info, report,
                        _documents(run_id))


def in_use_since(tags: dict, registered_at: str) -> dict:
    """Since when the version is the champion: `lks promote` records `promotion.promoted_at` on the version
    (training.promote), and `lks train` does the same for a version that becomes champion when it is
    registered (training.registry). A version made champion before either recorded it has only its
    registration time, which is then also the time the alias was set (the first champion)."""
    promoted = tags.get("promotion.promoted_at")
    return {"promoted_at": promoted or registered_at, "promoted_at_source": "promotion" if promoted else "registration"}


PRECISION_BASELINE = "current_practice"  # the model page draws today's way of working beside the champion


def _precision_by_week(run_id: str, model: str | None, backtest: dict) -> dict[str, list[dict]]:
    """Precision at k per backtest test week for the champion's model and today's practice, from the run's
    per_date/<model>.csv (training.train); {} for a run without them."""
    import mlflow

    out: dict[str, list[dict]] = {}
    for name in dict.fromkeys(n for n in (model or backtest.get("model"), PRECISION_BASELINE) if n):
        try:
            text = mlflow.artifacts.load_text(f"runs:/{run_id}/per_date/{name}.csv")
        except (OSError, mlflow.exceptions.MlflowException):
            continue
        frame = pd.read_csv(io.StringIO(text))
        if {"as_of", "precision_at_k"} <= set(frame.columns):
            out[name] = [{"as_of": str(pd.Timestamp(r.as_of).date()),
                          "precision_at_k": None if pd.isna(r.precision_at_k) else float(r.precision_at_k),
                          "k": int(r.k) if "k" in frame.columns else None} for r in frame.itertuples()]
    return out


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
