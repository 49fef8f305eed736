"""Discrete-time logistic hazard (single cause) on person-period rows, with scikit-learn's LogisticRegression.

logit h(w|x) = alpha(w) + x'beta, with the baseline alpha(w) a cubic spline of the tenure week (or log(week + 1)).
With little penalty and small weekly hazards, beta approximates the log hazard ratios of a Cox model on the
same data; ``tests/models/test_rossi.py`` checks that against lifelines' CoxPHFitter.

Other event codes than ``event_of_interest`` count as censoring in their week (a cause-specific hazard), so the
risks it predicts, 1 - prod(1 - h(w)) over the horizon, ignore the competing neutral endings and run higher than
a cumulative incidence. It is a reference model, not a production one.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import SplineTransformer
from sklearn.utils.validation import check_is_fitted

from lks.data_contracts.timeline import YEAR_WEEKS
from lks.models.base import (
    EVENT,
    TENURE,
    WEEK,
    WEIGHT,
    check_choice,
    check_events,
    check_features,
    check_int,
    check_positive,
    check_weights,
    require_columns,
)
from lks.models.survival import HazardModel


class LogisticHazard(HazardModel):
    """``coef_`` holds beta on the original scale of the features (categoricals one-hot, first level dropped)."""

    def __init__(self, baseline: str = "spline", n_knots: int = 5, C: float = np.inf, event_of_interest: int = 1,
                 max_iter: int = 1000):
        self.baseline = baseline
        self.n_knots = n_knots
        self.C = C
        self.event_of_interest = event_of_interest
        self.max_iter = max_iter

    def _validate_params(self) -> None:
        check_choice("baseline", self.baseline, ["spline", "log"])
        check_int("n_knots", self.n_knots, minimum=2)
        check_positive("C", self.C)
        check_choice("event_of_interest", self.event_of_interest, [1, 2])
        check_int("max_iter", self.max_iter)

    def _design(self, X: pd.DataFrame, weeks: np.ndarray) -> np.ndarray:
        parts, incomplete = [], []
        for name in self.features_:
            col = X[name]
            if name in self.categories_:
                codes = pd.Categorical(col, categories=self.categories_[name])
                values = pd.get_dummies(codes).to_numpy(dtype=float)[:, 1:]
                missing = pd.isna(codes).any()
            else:
                values = col.to_numpy(dtype=float)[:, None]
                missing = np.isnan(values).any()
            parts.append(values)
            if missing:
                incomplete.append(name)
        if incomplete:
            raise ValueError(f"LogisticHazard needs complete data, but {incomplete!r} hold missing or unseen values")
        return np.hstack([*parts, self._baseline_basis(weeks)])

    def _baseline_basis(self, weeks: np.ndarray) -> np.ndarray:
        weeks = np.asarray(weeks, dtype=float)[:, None]
        if self.baseline == "log":
            return np.log1p(weeks)
        return self.spline_.transform(weeks)

    def fit(self, frame: pd.DataFrame, features: Sequence[str]) -> LogisticHazard:
        self._forget_hazards()
        self._validate_params()
        features = check_features(features, reserved=[WEEK, TENURE, EVENT, WEIGHT])
        require_columns(frame, [*features, WEEK, EVENT, WEIGHT], "frame")
        for name in features:
            dtype = frame[name].dtype
            if not (isinstance(dtype, pd.CategoricalDtype) or pd.api.types.is_numeric_dtype(dtype)
                    or pd.api.types.is_bool_dtype(dtype)):
                raise ValueError(f"feature {name!r} must be numeric, bool or category, but has dtype {dtype}")
        self.features_ = features
        self.categories_ = {n: list(frame[n].cat.categories) for n in features
                            if isinstance(frame[n].dtype, pd.CategoricalDtype)}
        self.spline_ = SplineTransformer(n_knots=self.n_knots, degree=3, knots="uniform", include_bias=False,
                                         extrapolation="constant").fit(np.arange(YEAR_WEEKS, dtype=float)[:, None])
        design = self._design(frame, frame[WEEK].to_numpy())
        y = (check_events(frame[EVENT]) == self.event_of_interest).astype(int)
        # Standardise for the solver, then map the coefficients back: the unpenalised fit is scale-equivariant.
        self.mean_ = design.mean(axis=0)
        self.scale_ = np.where(design.std(axis=0) > 0, design.std(axis=0), 1.0)
        self.regression_ = LogisticRegression(C=self.C, max_iter=self.max_iter, tol=1e-8).fit(
            (design - self.mean_) / self.scale_, y, sample_weight=check_weights(frame[WEIGHT]))
        beta = self.regression_.coef_[0] / self.scale_
        names = []
        for n in features:
            names += [f"{n}={c}" for c in self.categories_[n][1:]] if n in self.categories_ else [n]
        self.coef_ = pd.Series(beta[:len(names)], index=names)
        self.baseline_coef_ = beta[len(names):]
        self.intercept_ = float(self.regression_.intercept_[0] - np.sum(self.regression_.coef_[0] * self.mean_
                                                                           / self.scale_))
        return self

    def hazard(self, X: pd.DataFrame, weeks: np.ndarray) -> np.ndarray:
        """h(w|x) for row i of X in week ``weeks[i]``."""
        check_is_fitted(self, "coef_")
        design = self._design(X, weeks)
        return self.regression_.predict_proba((design - self.mean_) / self.scale_)[:, 1]

    def _hazards(self, X: pd.DataFrame, rows: np.ndarray, weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        return self.hazard(X.iloc[rows], weeks), np.zeros(len(weeks))
