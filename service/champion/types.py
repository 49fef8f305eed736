"""The champion as a value: the model in use, its inputs and their types, and where it comes from
(`ChampionSource`, a Protocol so tests pass a fake and `MlflowChampionSource` is the real one)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pandas as pd

from lks.features import catalog


@dataclass(frozen=True)
class FeatureSpec:
    name: str
    kind: str                      # "number", "integer" or "category"
    categories: tuple[str, ...] = ()


# The version's documents, logged with its run by `lks train` (training.governance): file -> Dutch title.
DOCUMENTS = {
    "model_card.md": "Modelkaart (model card)",
    "technical_file.md": "Technisch dossier (AI-verordening, bijlage IV)",
    "algoritmeregister.md": "Registratie in het Algoritmeregister",
    "algoritmeregister.json": "Registratie in het Algoritmeregister (JSON volgens de publicatiestandaard)",
}


@dataclass(frozen=True)
class Champion:
    version: str
    predictor: Any                 # .predict(frame, params={"output": "risks" | "curves"}) -> DataFrame
    features: tuple[str, ...]      # the model inputs, tenure_weeks not included
    schema: tuple[FeatureSpec, ...]  # tenure_weeks and the features, with their types
    info: dict = field(default_factory=dict)   # model, train_as_of, run_id, registered_at, backtest
    report_path: Path | None = None
    documents: dict[str, Path] = field(default_factory=dict)  # file name (a key of DOCUMENTS) -> local copy

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


class ChampionRefused(RuntimeError):
    """A registered champion this service will not use (`dpia.DpiaRefused`, `integrity.BundleMismatch`)."""

    version: str


def schema_from(document: dict) -> tuple[FeatureSpec, ...]:
    """The input schema a model was registered with (`lks.training.artifacts.input_schema`)."""
    return tuple(FeatureSpec(f["name"], f["kind"], tuple(f.get("categories") or ())) for f in document["features"])
