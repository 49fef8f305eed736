"""What is served: the champion's risks, their explanation, and a risk curve, in one picklable object.

`risks(X)` returns, per row of X (features + tenure_weeks): `risk_13w`, `risk_52w` (calibrated where
the champion is), `raw_52w` (the explained model's raw score, log-odds), `base_value`, and one
`contrib__<column>` per model input, with sum(contrib__*) + base_value == raw_52w exactly.
`curves(X)` returns the cumulative incidence of uitval and of a neutral ending per remaining
tenure week, from the competing-risk survival model; no rows when the model has no curve of its own
(a baseline served because no candidate beat it: another model's curve would not match its risks).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from lks.models.base import RiskModel
from lks.models.survival import HazardModel

CONTRIB = "contrib__"


@dataclass
class ServingBundle:
    model: RiskModel          # gives the served risks
    explainer: RiskModel      # explains them (the uncalibrated model under a calibration wrapper)
    curve_model: HazardModel | None  # gives the risk curve over the rest of the first year; None: no curve
    features: list[str]
    metadata: dict[str, Any] = field(default_factory=dict)

    def risks(self, X: pd.DataFrame) -> pd.DataFrame:
        out = self.model.predict_risks(X)
        contributions, base_value = self.explainer.explain(X, "52w")
        out["raw_52w"] = contributions.sum(axis=1).to_numpy() + base_value
        out["base_value"] = base_value
        return pd.concat([out, contributions.add_prefix(CONTRIB)], axis=1)

    def curves(self, X: pd.DataFrame) -> pd.DataFrame:
        """The risk curve of every row, in one model call (a week's list at scoring time); no rows for a
        baseline champion, which serves no curve."""
        if not len(X) or self.curve_model is None:
            return pd.DataFrame({"row": [], "week": [], "cif_uitval": [], "cif_neutral": []})
        return self.curve_model.risk_curves(X)


def contributions_of(risks: pd.DataFrame) -> pd.DataFrame:
    """The contribution columns of `ServingBundle.risks` output, named by model input."""
    cols = [c for c in risks.columns if c.startswith(CONTRIB)]
    return risks[cols].rename(columns=lambda c: c.removeprefix(CONTRIB))


def additivity_gap(risks: pd.DataFrame) -> float:
    """Largest |sum(contributions) + base_value - raw_52w| over rows (0 up to float error)."""
    total = contributions_of(risks).sum(axis=1) + risks["base_value"]
    return float(np.max(np.abs(total - risks["raw_52w"]))) if len(risks) else 0.0
