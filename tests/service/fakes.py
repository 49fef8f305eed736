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


class LinearPredictor:
    """A hand-made model over any inputs: raw log-odds = -2 + 0.05 x hours_per_week (missing numbers count 0),
    each numeric input's contribution its term; the curve rises evenly from the placement's week to 51."""

    def predict(self, frame, params=None):
        import numpy as np
        import pandas as pd

        if (params or {}).get("output") == "curves":
            rows = [{"row": i, "week": w, "cif_uitval": 0.01 * (w - t + 1), "cif_neutral": 0.002 * (w - t + 1)}
                    for i, t in enumerate(frame["tenure_weeks"].astype(int)) for w in range(t, 52)]
            return pd.DataFrame(rows)
        contributions = pd.DataFrame({f"contrib__{c}": (0.05 * frame[c].astype(float).fillna(0.0)
                                                         if c == "hours_per_week" else 0.0)
                                      for c in frame.columns if c != "tenure_weeks"}, index=frame.index)
        raw = contributions.sum(axis=1) - 2.0
        risk = 1 / (1 + np.exp(-raw))
        return pd.concat([pd.DataFrame({"risk_13w": risk / 2, "risk_52w": risk, "raw_52w": raw,
                                        "base_value": -2.0}, index=frame.index), contributions], axis=1)


def linear_champion(version: str = "8", features=("hours_per_week", "wage_value_pct", "education_level",
                                                   "debt_problems", "weeks_since_sick_report")) -> Champion:
    """A champion that scores with `LinearPredictor`, trained without a DPIA reference."""
    from lks.data_contracts.schemas.codes import EDUCATION_LEVEL
    from lks.service.champion.types import FeatureSpec

    schema = (FeatureSpec("tenure_weeks", "integer"),
              *(FeatureSpec(f, "category", tuple(EDUCATION_LEVEL))
                if f == "education_level" else FeatureSpec(f, "number") for f in features))
    return Champion(version, LinearPredictor(), tuple(features), schema,
                    {"model": "lightgbm", "train_as_of": "2024-03-01", "backtest": {}})
