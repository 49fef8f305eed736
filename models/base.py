"""The one interface every lks model follows, plus small validation helpers shared by the models.

A model is fitted on a plain DataFrame and an explicit list of feature columns (the caller decides them; a
model never infers its inputs by excluding names):

* landmark models (classifier, logistic baseline, current-practice rule) fit on a landmark frame: one row per
  placement per weekly as-of date, with ``tenure_weeks``, the features, ``uitval_13w``, ``uitval_52w``, ``weight``;
* hazard models (competing-risk survival, logistic hazard, tenure baseline) fit on a person-period frame: one row
  per placement per tenure week at risk, with the features, ``week``, ``event`` (0 none, 1 uitval, 2 neutral) and
  ``weight``.

Every model predicts from X holding the feature columns plus ``tenure_weeks`` (completed weeks since the start of
the placement, 0..51) and returns ``risk_13w`` (uitval within the next 13 weeks) and ``risk_52w`` (uitval before
the end of the first year), indexed like X.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from numbers import Integral, Real
from typing import Any

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.utils.validation import check_is_fitted

from lks.data_contracts.timeline import YEAR_WEEKS

TENURE = "tenure_weeks"
WEEK = "week"
EVENT = "event"
WEIGHT = "weight"
LABELS = {"13w": "uitval_13w", "52w": "uitval_52w"}
# The date from which each row's label may be used, per horizon (optional): a temporal hold-out by
# these dates holds out the newest labels, whatever their as-of date or tenure.
KNOWN_AT = {"13w": "label_known_at_13w", "52w": "label_known_at_52w"}
HORIZON_WEEKS = {"13w": 13, "52w": YEAR_WEEKS}
RISK_COLUMNS = ["risk_13w", "risk_52w"]
NONE, UITVAL, NEUTRAL = 0, 1, 2


class RiskModel(ABC, BaseEstimator):  # type: ignore[misc]  # scikit-learn ships no type hints
    """fit(frame, features) -> self; predict_risks(X) -> DataFrame[risk_13w, risk_52w] indexed like X.

    ``explain(X, horizon)`` returns ``(contributions, base_value)`` with one contribution column per feature plus
    ``tenure_weeks``; each model documents which raw score ``contributions.sum(axis=1) + base_value`` equals.
    Models without an explanation raise NotImplementedError.
    """

    @abstractmethod
    def fit(self, frame: pd.DataFrame, features: Sequence[str]) -> RiskModel: ...

    @abstractmethod
    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame: ...

    def explain(self, X: pd.DataFrame, horizon: str = "52w") -> tuple[pd.DataFrame, float]:
        raise NotImplementedError(f"{type(self).__name__} has no explanation")

    def _check_X(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "features_")
        require_columns(X, [*self.features_, TENURE], "X")
        check_tenure(X[TENURE])
        return X


# --- validation helpers -------------------------------------------------------------------------------------------


def check_int(name: str, value: Any, minimum: int = 1) -> None:
    if isinstance(value, bool) or not isinstance(value, Integral) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, but was {value!r}")


def check_positive(name: str, value: Any, maximum: float | None = None) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not float(value) > 0 or (
            maximum and float(value) > maximum):
        bound = f" and <= {maximum}" if maximum else ""
        raise ValueError(f"{name} must be a number > 0{bound}, but was {value!r}")


def check_nonnegative(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, Real) or not float(value) >= 0:
        raise ValueError(f"{name} must be a number >= 0, but was {value!r}")


def check_choice(name: str, value: Any, choices: Sequence[Any]) -> None:
    if value not in choices:
        raise ValueError(f"{name} must be one of {list(choices)!r}, but was {value!r}")


def check_horizon(horizon: str) -> None:
    check_choice("horizon", horizon, list(HORIZON_WEEKS))


def check_features(features: Sequence[str], reserved: Sequence[str] = ()) -> list[str]:
    """The feature list as a list of distinct strings; reserved names (week, tenure_weeks, labels) are refused."""
    if isinstance(features, str) or not all(isinstance(f, str) for f in features):
        raise ValueError(f"features must be a list of column names, but was {features!r}")
    features = list(features)
    duplicated = sorted({f for f in features if features.count(f) > 1})
    if duplicated:
        raise ValueError(f"features must be distinct, but {duplicated!r} appear more than once")
    clash = [f for f in features if f in reserved]
    if clash:
        raise ValueError(f"features must not contain {clash!r}: the model adds or uses these columns itself")
    return features


def require_columns(frame: pd.DataFrame, columns: Sequence[str], what: str) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ValueError(f"{what} must be a pandas DataFrame, but was {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise ValueError(f"{what} lacks column(s) {missing!r}")
    if len(frame) == 0:
        raise ValueError(f"{what} has no rows")


def check_tenure(tenure: pd.Series) -> None:
    bad = tenure[~tenure.between(0, YEAR_WEEKS - 1)]
    if len(bad):
        raise ValueError(
            f"tenure_weeks must lie in 0..{YEAR_WEEKS - 1}, but was {bad.iloc[0]!r} (row {bad.index[0]!r})")


def check_weights(weights: pd.Series) -> np.ndarray:
    w = weights.to_numpy(dtype=float)
    if not np.all(np.isfinite(w)) or np.any(w < 0):
        raise ValueError(f"weight must be finite and >= 0, but contains {w[~(np.isfinite(w) & (w >= 0))][0]!r}")
    return w


def check_binary(values: pd.Series, name: str) -> np.ndarray:
    y = values.to_numpy()
    bad = ~np.isin(y, [0, 1])
    if bad.any():
        raise ValueError(f"{name} must be 0 or 1, but contains {y[bad][0]!r}")
    return y.astype(int)


def check_events(values: pd.Series) -> np.ndarray:
    e = values.to_numpy()
    bad = ~np.isin(e, [NONE, UITVAL, NEUTRAL])
    if bad.any():
        raise ValueError(f"event must be 0 (none), 1 (uitval) or 2 (neutral), but contains {e[bad][0]!r}")
    return e.astype(int)


def risk_frame(risk_13w: np.ndarray, risk_52w: np.ndarray, index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame({"risk_13w": risk_13w, "risk_52w": risk_52w}, index=index)
