"""Hand-made champions for the DPIA switch: no MLflow, no fitted model."""

from __future__ import annotations

from pathlib import Path

from lks.service.champion.types import Champion

REFERENCE = "DPIA-2026-014"
INPUTS = ("hours_per_week", "debt_problems")


def champion(version: str = "7", reference: str | None = REFERENCE, special: bool = True,
             predictor=None) -> Champion:
    """A champion trained under `reference` (None: without one), reading health_limitation if `special`."""
    info = {"model": "lightgbm", "train_as_of": "2026-11-22", "backtest": {}}
    if reference is not None:
        info["dpia_reference"] = reference
    return Champion(version, predictor, (*INPUTS, "health_limitation") if special else INPUTS, (), info)


class FixedSource:
    """A registry whose champion alias points at `current`; counts the loads."""

    def __init__(self, current: Champion | None):
        self.current, self.loads = current, 0

    def version(self):
        return self.current.version if self.current else None

    def load(self):
        self.loads += 1
        return self.current


def app_serving(home: Path, current: Champion, deployment_reference: str | None):
    """The real app over an empty home whose registry holds `current`; a data scientist's token."""
    from lks.service.app import create_app
    from lks.service.persistence.tokens import TokenStore
    from lks.service.settings import Settings

    app = create_app(Settings(home=home, dpia_reference=deployment_reference), source=FixedSource(current))
    return app, TokenStore(app.state.services.engine).add("ds-dpia", "data_scientist")
