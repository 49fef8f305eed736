"""The champion of the MLflow registry (`models:/lks-uitval@champion`), loaded as a `Champion`."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from lks.service.champion.types import DOCUMENTS, Champion, schema_of


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
        import mlflow

        from lks.training.tracking import CHAMPION, MODEL_NAME, alias_version, model_uri

        client = self._client()
        for _ in range(3):  # the alias may move while loading: load again until it held still
            before = alias_version(CHAMPION, client)
            if before is None:
                return None
            predictor = mlflow.pyfunc.load_model(model_uri(CHAMPION))
            after = alias_version(CHAMPION, client)
            if after is not None and after.version == before.version:
                break
        else:
            raise RuntimeError("the champion alias kept moving while loading")
        version = client.get_model_version(MODEL_NAME, before.version)
        run_id = version.run_id
        bundle = predictor.unwrap_python_model().bundle
        artifacts = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="reference"))
        reference = pd.read_parquet(artifacts / "features.parquet")
        backtest = mlflow.artifacts.load_dict(f"runs:/{run_id}/backtest.json")
        report = Path(mlflow.artifacts.download_artifacts(run_id=run_id, artifact_path="report.html"))
        info = {**bundle.metadata, "run_id": run_id,
                "registered_at": pd.Timestamp(version.creation_timestamp, unit="ms").isoformat(),
                "backtest": json.loads(json.dumps(backtest, default=str))}
        return Champion(str(before.version), predictor, tuple(bundle.features),
                        schema_of(reference, list(bundle.features)), info, report, _documents(run_id))


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
