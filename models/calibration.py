"""Calibrate a model's risks on landmark rows it did not train on.

``TemporalCalibrated(model)`` holds out, per horizon, the rows whose label became usable in the last
``calibration_weeks`` weeks (``KNOWN_AT`` columns; without them, the rows of the last ``calibration_weeks``
as-of dates); the model fits on the rows held out for neither horizon and one calibrator per horizon
(isotonic or Platt) maps its risks to that horizon's held-out labels. Worked example with weekly as-of
dates 2025-01-06 .. 2025-12-29 (52 dates), no KNOWN_AT columns and ``calibration_weeks=8``: the model
sees as-of dates up to 2025-11-03, the calibrators 2025-11-10 .. 2025-12-29.

Models that fit on another frame (the survival models take a person-period frame) are fitted by the caller and
passed with ``prefit=True``; ``fit`` then only fits the calibrators, on whatever landmark frame it is given,
which must hold rows the model did not train on.

Horizons are calibrated separately, so a calibrated risk_13w can exceed risk_52w for a few rows. ``explain``
passes through to the model: the contributions explain its uncalibrated raw score, and both calibrators are
monotone, so the ranking they explain is the calibrated one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.base import clone
from sklearn.isotonic import IsotonicRegression
from sklearn.linear_model import LogisticRegression
from sklearn.utils.validation import check_is_fitted

from lks.models.base import (
    LABELS,
    WEIGHT,
    RiskModel,
    check_binary,
    check_choice,
    check_int,
    check_weights,
    require_columns,
)
from lks.models.classifier import horizon_split

EPS = 1e-6


class PlattCalibrator:
    """Logistic regression of the label on logit(risk): a two-parameter, monotone map."""

    def fit(self, risk: np.ndarray, y: np.ndarray, sample_weight: np.ndarray) -> PlattCalibrator:
        self.regression_ = LogisticRegression(C=np.inf).fit(_logit(risk), y, sample_weight=sample_weight)
        return self

    def predict(self, risk: np.ndarray) -> np.ndarray:
        return self.regression_.predict_proba(_logit(risk))[:, 1]


def _logit(p: np.ndarray) -> np.ndarray:
    p = np.clip(np.asarray(p, dtype=float), EPS, 1 - EPS)
    return np.log(p / (1 - p))[:, None]


class TemporalCalibrated(RiskModel):
    def __init__(self, model: RiskModel, method: str = "isotonic", calibration_weeks: int = 8, prefit: bool = False):
        self.model = model
        self.method = method
        self.calibration_weeks = calibration_weeks
        self.prefit = prefit

    def fit(self, frame: pd.DataFrame, features: Sequence[str]) -> TemporalCalibrated:
        if not isinstance(self.model, RiskModel):
            raise ValueError(f"model must be a RiskModel, but was {type(self.model).__name__}")
        check_choice("method", self.method, ["isotonic", "platt"])
        check_choice("prefit", self.prefit, [True, False])
        require_columns(frame, [WEIGHT, *LABELS.values()], "frame")
        if self.prefit:
            check_is_fitted(self.model, "features_")
            self.model_ = self.model
            held_out = {h: frame for h in LABELS}
        else:
            check_int("calibration_weeks", self.calibration_weeks)
            later = {h: horizon_split(frame, h, self.calibration_weeks) for h in LABELS}
            self.model_ = clone(self.model).fit(frame[~np.logical_or.reduce(list(later.values()))], features)
            held_out = {h: frame[mask] for h, mask in later.items()}
        self.features_ = self.model_.features_
        self.calibrators_ = {}
        for horizon, label in LABELS.items():
            rows = held_out[horizon][held_out[horizon][label].notna().to_numpy()]
            y = check_binary(rows[label], label)
            if len(np.unique(y)) < 2:
                raise ValueError(f"{label} in the calibration rows is all {y[0]}: cannot calibrate")
            risk = self.model_.predict_risks(rows)[f"risk_{horizon}"].to_numpy()
            calibrator = (IsotonicRegression(y_min=0.0, y_max=1.0, out_of_bounds="clip") if self.method == "isotonic"
                          else PlattCalibrator())
            self.calibrators_[horizon] = calibrator.fit(risk, y, sample_weight=check_weights(rows[WEIGHT]))
        return self

    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "calibrators_")
        risks = self.model_.predict_risks(X)
        for horizon, calibrator in self.calibrators_.items():
            risks[f"risk_{horizon}"] = calibrator.predict(risks[f"risk_{horizon}"].to_numpy())
        return risks

    def explain(self, X: pd.DataFrame, horizon: str = "52w") -> tuple[pd.DataFrame, float]:
        check_is_fitted(self, "calibrators_")
        return self.model_.explain(X, horizon)
