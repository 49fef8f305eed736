"""The model in use: an immutable `Champion`, a `ChampionSource` that finds and loads one, and a
`ChampionHolder` that swaps in a newly promoted champion without a restart.

Requests read `holder.current` once and use that object to the end, so a swap never changes the
model under a request in flight; the swap itself is one attribute assignment (atomic in CPython).
A champion trained under a DPIA reference this deployment does not name (or reading special columns
without any) is never swapped in (`service.dpia`): the holder logs why, keeps it in `refused`, does
not load it again, and keeps serving the model it had (if any).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from features import catalog
from service import dpia

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    kind: str                      # "number", "integer" or "category"
    categories: tuple[str, ...] = ()


@dataclass(frozen=True)
class Champion:
    version: str
    predictor: Any                 # .predict(frame, params={"output": "risks" | "curves"}) -> DataFrame
    features: tuple[str, ...]      # the model inputs, tenure_weeks not included
    schema: tuple[FeatureSpec, ...]  # tenure_weeks and the features, with their types
    info: dict = field(default_factory=dict)   # model, train_as_of, run_id, registered_at, backtest
    report_path: Path | None = None

    @property
    def dpia_reference(self) -> str | None:
        """The DPIA reference the model was trained under (its metadata), or None."""
        return self.info.get("dpia_reference")

    @property
    def special_features(self) -> tuple[str, ...]:
        """The model inputs that read a special-category column: its feature list decides."""
        return tuple(catalog.special_features(self.features))

    def risks(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.predictor.predict(frame, params={"output": "risks"})

    def curves(self, frame: pd.DataFrame) -> pd.DataFrame:
        return self.predictor.predict(frame, params={"output": "curves"})


class ChampionSource(Protocol):
    def version(self) -> str | None:
        """The version now holding the champion alias (a cheap lookup), or None."""

    def load(self) -> Champion | None:
        """Load the champion, or None when there is none."""


def schema_of(reference: pd.DataFrame, features: list[str]) -> tuple[FeatureSpec, ...]:
    """Feature types from a frame the model was fitted on or scored at training time."""
    out = []
    for name in ["tenure_weeks", *features]:
        dtype = reference[name].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            out.append(FeatureSpec(name, "category", tuple(str(c) for c in dtype.categories)))
        elif pd.api.types.is_integer_dtype(dtype):
            out.append(FeatureSpec(name, "integer"))
        else:
            out.append(FeatureSpec(name, "number"))
    return tuple(out)


class MlflowChampionSource:
    """The champion of the MLflow registry, through its `models:/lks-uitval@champion` URI."""

    def __init__(self, home: Path):
        self.home = home

    def _client(self):
        from mlflow.tracking import MlflowClient

        from training.tracking import configure

        configure(self.home)
        return MlflowClient()

    def version(self) -> str | None:
        from training.tracking import CHAMPION, alias_version

        found = alias_version(CHAMPION, self._client())
        return str(found.version) if found else None

    def load(self) -> Champion | None:
        import mlflow

        from training.tracking import CHAMPION, MODEL_NAME, alias_version, model_uri

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
                        schema_of(reference, list(bundle.features)), info, report)


class ChampionHolder:
    """Holds the current champion; `refresh()` swaps in a new one when the alias has moved, if this
    deployment's `dpia_reference` allows it."""

    def __init__(self, source: ChampionSource, dpia_reference: str | None = None):
        self.source = source
        self.dpia_reference = dpia_reference
        self.current: Champion | None = None
        self.refused: dpia.DpiaRefused | None = None  # the newest champion refused, while it holds the alias
        self._lock = threading.Lock()   # one load at a time; readers never wait
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def refresh(self) -> Champion | None:
        with self._lock:
            try:
                version = self.source.version()
                if self.refused is not None and self.refused.version != version:
                    self.refused = None  # the alias moved on from the refused model
                if self._is_new(version):
                    loaded = self.source.load()
                    if loaded is not None:
                        dpia.check(loaded, self.dpia_reference)
                        self.current, self.refused = loaded, None
                        log.info("serving model version %s", loaded.version)
            except dpia.DpiaRefused as refused:
                self.refused = refused
                log.error("%s; serving %s", refused,
                          f"version {self.current.version}" if self.current else "no model")
            except Exception:  # a registry hiccup must not take the served model down
                log.exception("checking the champion failed; keeping version %s",
                              self.current.version if self.current else None)
        return self.current

    def _is_new(self, version: str | None) -> bool:
        """A version to load: not the one served, nor the one refused (the deployment's reference is fixed)."""
        if version is None or self.refused is not None:
            return False
        return self.current is None or self.current.version != version

    def start(self, every_seconds: float) -> None:
        def loop():
            while not self._stop.wait(every_seconds):
                self.refresh()

        self._thread = threading.Thread(target=loop, name="champion-refresh", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)


def wait_for(holder: ChampionHolder, version: str, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if holder.current and holder.current.version == version:
            return True
        time.sleep(0.05)
    return False
