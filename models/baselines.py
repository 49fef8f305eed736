"""The baselines every lks model must beat, behind the same interface.

* ``TenureBaseline``: the base rate by tenure week, a discrete-time Aalen-Johansen estimate (weighted life table)
  of the cumulative incidence of uitval with neutral endings as the competing risk, from a person-period frame.
  It ignores the features: risk_13w and risk_52w depend on ``tenure_weeks`` only.
* ``LogisticBaseline``: one logistic regression per horizon on the landmark frame (mean imputation with missing
  indicators, standardisation, one-hot categoricals).
* ``CurrentPracticeRule``: the old way of working: flag a placement after a sick report or a ``zorgelijk``
  contact in the last 4 weeks. Its risks are 1 (flagged) or 0, both horizons alike, ties broken by nothing else;
  so precision@k ranks the flagged placements first in arbitrary order. ``signal_counts`` gives the number of
  signals for callers that want to break ties by it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.validation import check_is_fitted

from lks.data_contracts.timeline import YEAR_WEEKS
from lks.models.base import (
    EVENT,
    HORIZON_WEEKS,
    LABELS,
    NEUTRAL,
    TENURE,
    UITVAL,
    WEEK,
    WEIGHT,
    RiskModel,
    check_binary,
    check_events,
    check_features,
    check_horizon,
    check_int,
    check_positive,
    check_weights,
    require_columns,
    risk_frame,
)
from lks.models.survival import cumulative_incidence


class TenureBaseline(RiskModel):
    """Weekly hazards h_u(w) = weighted uitval endings in week w / weighted rows at risk in week w (likewise h_n);
    from a landmark at week t the risks are the cumulative incidences of ``lks.models.survival``.

    Weeks nobody was at risk in get zero hazards. ``features`` is accepted for the shared interface and unused.
    """

    def __init__(self) -> None:
        pass

    def fit(self, frame: pd.DataFrame, features: Sequence[str] = ()) -> TenureBaseline:
        require_columns(frame, [WEEK, EVENT, WEIGHT], "frame")
        week = frame[WEEK].to_numpy()
        if np.any((week < 0) | (week >= YEAR_WEEKS) | (week != np.round(week))):
            raise ValueError(f"week must be a whole number in 0..{YEAR_WEEKS - 1}, but contains "
                             f"{week[(week < 0) | (week >= YEAR_WEEKS) | (week != np.round(week))][0]!r}")
        week = week.astype(int)
        event, weight = check_events(frame[EVENT]), check_weights(frame[WEIGHT])
        at_risk = np.bincount(week, weights=weight, minlength=YEAR_WEEKS)
        with np.errstate(invalid="ignore", divide="ignore"):
            self.hazard_uitval_ = np.nan_to_num(
                np.bincount(week, weights=weight * (event == UITVAL), minlength=YEAR_WEEKS) / at_risk)
            self.hazard_neutral_ = np.nan_to_num(
                np.bincount(week, weights=weight * (event == NEUTRAL), minlength=YEAR_WEEKS) / at_risk)
        self.features_: list[str] = []
        return self

    def cumulative_incidence(self, tenure_weeks: int = 0) -> pd.DataFrame:
        """CIF of uitval and of a neutral ending by the end of each week from ``tenure_weeks`` to week 51."""
        check_is_fitted(self, "hazard_uitval_")
        t = int(tenure_weeks)
        mask = np.arange(YEAR_WEEKS) >= t
        cif_u, cif_n = cumulative_incidence((self.hazard_uitval_ * mask)[None], (self.hazard_neutral_ * mask)[None])
        return pd.DataFrame({WEEK: np.arange(t, YEAR_WEEKS), "cif_uitval": cif_u[0, t:], "cif_neutral": cif_n[0, t:]})

    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "hazard_uitval_")
        self._check_X(X)
        weeks = np.arange(YEAR_WEEKS)
        table = {}
        for name, horizon in HORIZON_WEEKS.items():
            start = weeks[:, None]
            mask = (weeks[None] >= start) & (weeks[None] < np.minimum(start + horizon, YEAR_WEEKS))
            cif_u, _ = cumulative_incidence(self.hazard_uitval_ * mask, self.hazard_neutral_ * mask)
            table[name] = cif_u[:, -1]
        t = X[TENURE].to_numpy(dtype=int)
        return risk_frame(table["13w"][t], table["52w"][t], X.index)


class LogisticBaseline(RiskModel):
    """A scikit-learn pipeline per horizon on (features + tenure_weeks): numeric and bool columns get mean
    imputation with missing indicators and standardisation; category columns are one-hot, with missing as a level
    of its own and unseen levels as all zeros."""

    def __init__(self, C: float = 1.0, max_iter: int = 2000):
        self.C = C
        self.max_iter = max_iter

    def _pipeline(self, numeric: list[str], categorical: list[str]) -> Pipeline:
        columns = ColumnTransformer([
            ("numeric", make_pipeline(SimpleImputer(strategy="mean", add_indicator=True, keep_empty_features=True),
                                      StandardScaler()), numeric),
            ("categorical", OneHotEncoder(handle_unknown="ignore"), categorical),
        ])
        # newton-cholesky: exact and fast when there are many more rows than model columns, as here
        logistic = LogisticRegression(C=self.C, max_iter=self.max_iter, solver="newton-cholesky")
        return Pipeline([("columns", columns), ("logistic", logistic)])

    def _inputs(self, X: pd.DataFrame) -> pd.DataFrame:
        """The pipeline's input frame: numbers as float64, categories as text with "<missing>" for a missing
        value; the numbers converted as one block (column by column, ~100 conversions and a frame built from
        them cost more than the model's prediction)."""
        numbers = X[self.numeric_].astype("float64")
        for name in self.categorical_:
            column = X[name]
            numbers[name] = column.astype(object).where(column.notna(), "<missing>").astype(str)
        return numbers[self.columns_]

    def fit(self, frame: pd.DataFrame, features: Sequence[str]) -> LogisticBaseline:
        check_positive("C", self.C)
        check_int("max_iter", self.max_iter)
        features = check_features(features, reserved=[TENURE, WEIGHT, *LABELS.values()])
        require_columns(frame, [*features, TENURE, WEIGHT, *LABELS.values()], "frame")
        self.features_ = features
        self.columns_ = [*features, TENURE]
        self.categorical_ = [c for c in self.columns_ if isinstance(frame[c].dtype, pd.CategoricalDtype)]
        self.numeric_ = [c for c in self.columns_ if c not in self.categorical_]
        for name in self.numeric_:
            if not (pd.api.types.is_numeric_dtype(frame[name]) or pd.api.types.is_bool_dtype(frame[name])):
                raise ValueError(
                    f"feature {name!r} must be numeric, bool or category, but has dtype {frame[name].dtype}")
        X, weight = self._inputs(frame), check_weights(frame[WEIGHT])
        self.pipelines_, self.background_ = {}, {}
        for horizon, label in LABELS.items():
            known = frame[label].notna().to_numpy()  # a label not yet known skips this horizon only
            pipeline = self._pipeline(self.numeric_, self.categorical_).fit(
                X[known], check_binary(frame.loc[known, label], label), logistic__sample_weight=weight[known])
            self.pipelines_[horizon] = pipeline
            self.background_[horizon] = _dense(pipeline[:-1].transform(X[known])).mean(axis=0)
        return self

    def explain(self, X: pd.DataFrame, horizon: str = "52w") -> tuple[pd.DataFrame, float]:
        """Exact SHAP of the log-odds of a linear model against the training rows' mean: each input's
        contribution is sum over its model columns (scaled value, missing indicator, one-hot levels) of
        coefficient * (value - training mean); base_value = intercept + coefficients . training mean."""
        check_is_fitted(self, "pipelines_")
        check_horizon(horizon)
        self._check_X(X)
        pipeline = self.pipelines_[horizon]
        Z = _dense(pipeline[:-1].transform(self._inputs(X)))
        coef, intercept = pipeline[-1].coef_[0], float(pipeline[-1].intercept_[0])
        terms = (Z - self.background_[horizon]) * coef
        owner = _column_owners(pipeline[0], self.numeric_, self.categorical_)
        contributions = np.zeros((len(X), len(self.columns_)))
        for j, name in enumerate(self.columns_):
            contributions[:, j] = terms[:, owner == name].sum(axis=1)
        base = intercept + float(coef @ self.background_[horizon])
        return pd.DataFrame(contributions, index=X.index, columns=self.columns_), base

    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "pipelines_")
        self._check_X(X)
        M = self._inputs(X)
        risks = {h: p.predict_proba(M)[:, 1] for h, p in self.pipelines_.items()}
        return risk_frame(risks["13w"], risks["52w"], X.index)


def _dense(M: Any) -> np.ndarray:  # a scipy sparse matrix or an array
    return M.toarray() if hasattr(M, "toarray") else np.asarray(M, dtype=float)


def _column_owners(columns: ColumnTransformer, numeric: list[str], categorical: list[str]) -> np.ndarray:
    """The input column behind each output column of the fitted transformer, in output order: the
    numeric values, then their missing indicators, then the one-hot levels of each category."""
    imputer = columns.named_transformers_["numeric"][0]
    indicated = [numeric[i] for i in imputer.indicator_.features_] if imputer.indicator_ is not None else []
    encoder = columns.named_transformers_["categorical"]
    levels = [name for name, cats in zip(categorical, encoder.categories_, strict=True) for _ in cats] \
        if categorical else []
    return np.array([*numeric, *indicated, *levels], dtype=object)


class CurrentPracticeRule(RiskModel):
    """Risk 1 when ``sick_column`` or ``contact_column`` is above zero (a signal in the last 4 weeks), else 0.

    Missing values count as no signal. Nothing is learned; ``fit`` only checks that both columns are features.
    """

    def __init__(self, sick_column: str = "sick_reports_4w", contact_column: str = "zorgelijk_contacts_4w"):
        self.sick_column = sick_column
        self.contact_column = contact_column

    def fit(self, frame: pd.DataFrame, features: Sequence[str]) -> CurrentPracticeRule:
        for name in ("sick_column", "contact_column"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value:
                raise ValueError(f"{name} must be a column name, but was {value!r}")
            if value not in features:
                raise ValueError(f"{name}={value!r} is not among the features")
        require_columns(frame, [self.sick_column, self.contact_column], "frame")
        self.features_ = [self.sick_column, self.contact_column]
        return self

    def signal_counts(self, X: pd.DataFrame) -> pd.Series:
        """Sick reports plus zorgelijk contacts in the last 4 weeks (missing counts as 0)."""
        check_is_fitted(self, "features_")
        self._check_X(X)
        return X[self.features_].astype("float64").fillna(0).clip(lower=0).sum(axis=1)

    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame:
        flagged = (self.signal_counts(X) > 0).to_numpy(dtype=float)
        return risk_frame(flagged, flagged.copy(), X.index)
