"""How endings with an unknown reason (legacy `onbekend`) enter training: a training setting.

- `structured_only`: keep only landmark rows (and person-period weeks) whose label window lies in
  the structured-registration era, i.e. whose as-of date is on or after the first day a
  structured ending was known (`structured_since`, or pass it explicitly). An ending in such a
  window has end_date after the as-of date, so it was registered in the structured era. Dropped:
  every row with an earlier as-of date, and the few remaining rows whose label is still an
  unknown reason (a structured `onbekend`), as in `exclude`.
- `as_uitval`: an unknown ending counts as uitval (pessimistic: over-counts uitval).
- `weighted`: each row whose label depends on an unknown ending is split into an uitval copy with
  weight p and a neutral copy with weight 1 - p; p comes from `UnknownReasonModel`, a logistic
  regression of uitval vs neutral on the features of the last landmark before the ending and on
  what the ending itself shows (`frames.ending_descriptors`: its tenure week, a springboard year
  completed, a contract ending at its planned end), fitted
  on every ending with a known reason (structured, and the legacy ones that do carry a reason)
  known on the label date. Before May 2025 that is the only evidence there is of what the
  unknown endings were; it assumes a reason was left `onbekend` whatever the reason was.
- `exclude`: drop rows whose label is an unknown ending (in the person-period frame this censors
  the placement at the start of that week).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

STRATEGIES = ("structured_only", "as_uitval", "weighted", "exclude")


def check_strategy(strategy: str) -> str:
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown_reasons must be one of {STRATEGIES}, but was {strategy!r}")
    return strategy


class UnknownReasonModel(BaseEstimator):
    """P(uitval | an ending happened, features just before it); a constant when only one class
    (or nothing) was seen in training."""

    def __init__(self, C: float = 0.5, max_iter: int = 500):
        self.C = C
        self.max_iter = max_iter

    def fit(self, X: pd.DataFrame, y: np.ndarray) -> UnknownReasonModel:
        y = np.asarray(y, dtype=int)
        self.base_rate_ = float(y.mean()) if len(y) else 0.5
        self.columns_ = list(X.columns)
        if len(np.unique(y)) < 2:
            self.pipeline_ = None
            return self
        categorical = [c for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)]
        numeric = [c for c in X.columns if c not in categorical and pd.api.types.is_numeric_dtype(X[c])]
        transform = ColumnTransformer([
            ("num", make_pipeline(SimpleImputer(strategy="median", keep_empty_features=True), StandardScaler()),
             numeric),
            ("cat", OneHotEncoder(handle_unknown="ignore"), categorical),
        ])
        self.pipeline_ = make_pipeline(transform, LogisticRegression(C=self.C, max_iter=self.max_iter))
        self.pipeline_.fit(_plain(X[self.columns_]), y)
        return self

    def predict_uitval(self, X: pd.DataFrame) -> np.ndarray:
        check_is_fitted(self, "base_rate_")
        if self.pipeline_ is None or len(X) == 0:
            return np.full(len(X), self.base_rate_)
        return self.pipeline_.predict_proba(_plain(X[self.columns_]))[:, 1]


def _plain(X: pd.DataFrame) -> pd.DataFrame:
    """Categories as strings ('missing' for NaN) so the encoder sees no NaN."""
    out = X.copy()
    for c in out.columns:
        if isinstance(out[c].dtype, pd.CategoricalDtype):
            out[c] = out[c].astype(object).where(out[c].notna(), "missing").astype(str)
    return out
