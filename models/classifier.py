"""LightGBM on landmark frames: one booster per horizon (13w, 52w), sample weights, native categoricals.

Early stopping uses a temporal validation slice: the rows whose ``as_of`` lies in the last
``validation_weeks`` distinct as-of dates. Rows of one placement are correlated, so a random slice would
flatter the model. Once the number of trees is chosen on that slice, the booster is refitted on all rows with
that many trees, so the latest weeks are not thrown away.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from lks.models import _lgbm
from lks.models.base import (
    HORIZON_WEEKS,
    KNOWN_AT,
    LABELS,
    TENURE,
    WEIGHT,
    RiskModel,
    check_binary,
    check_features,
    check_horizon,
    check_int,
    check_weights,
    require_columns,
    risk_frame,
)

AS_OF = "as_of"


class NoHoldOut(ValueError):
    """The rows leave no earlier or no later slice for early stopping: too little history to fit on."""


def temporal_split(as_of: pd.Series, last_weeks: int) -> np.ndarray:
    """Boolean mask of the rows in the last ``last_weeks`` distinct as-of dates (the later slice)."""
    dates = np.sort(as_of.unique())
    if len(dates) <= last_weeks:
        raise NoHoldOut(
            f"validation_weeks={last_weeks} leaves no earlier rows: the frame has {len(dates)} as-of dates")
    return (as_of >= dates[-last_weeks]).to_numpy()


def horizon_split(frame: pd.DataFrame, horizon: str, last_weeks: int) -> np.ndarray:
    """The later slice for one horizon (rows with that label only): rows whose label became usable in the
    last ``last_weeks`` weeks (``KNOWN_AT``), or, without that column, rows of the last ``last_weeks`` as-of
    dates. Splitting on when labels became known keeps a 52-week hold-out from being only the longest-running
    placements."""
    column, labelled = KNOWN_AT[horizon], frame[LABELS[horizon]].notna().to_numpy()
    if column not in frame.columns:
        return temporal_split(frame[AS_OF], last_weeks) & labelled
    known_at = pd.to_datetime(frame[column]).where(labelled)
    later = (known_at > known_at.max() - pd.Timedelta(weeks=last_weeks)).to_numpy()
    if later.sum() == labelled.sum() or not later.any():
        raise NoHoldOut(f"{column}: the last {last_weeks} weeks leave no earlier or no later rows")
    return later


class LGBMRiskClassifier(RiskModel):
    """Two LightGBM binary boosters on (features + tenure_weeks), one per horizon.

    ``explain`` is exact tree SHAP (LightGBM ``pred_contrib``): contributions + base_value equal the booster's
    raw score, the log-odds of uitval within the horizon, for every row.
    """

    def __init__(
        self,
        n_estimators: int = 400,
        learning_rate: float = 0.05,
        num_leaves: int = 31,
        min_child_samples: int = 50,
        reg_lambda: float = 1.0,
        colsample: float = 0.8,
        subsample: float = 1.0,
        validation_weeks: int | None = 8,
        early_stopping_rounds: int = 30,
        random_state: int = 0,
        n_jobs: int = 2,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.colsample = colsample
        self.subsample = subsample
        self.validation_weeks = validation_weeks
        self.early_stopping_rounds = early_stopping_rounds
        self.random_state = random_state
        self.n_jobs = n_jobs

    def _params(self) -> dict[str, Any]:
        if self.validation_weeks is not None:
            check_int("validation_weeks", self.validation_weeks)
        check_int("early_stopping_rounds", self.early_stopping_rounds)
        return {**_lgbm.booster_params(self), "objective": "binary"}

    def fit(self, frame: pd.DataFrame, features: Sequence[str]) -> LGBMRiskClassifier:
        self._params()  # checks the parameters before any work
        features = check_features(features, reserved=[TENURE, WEIGHT, *LABELS.values()])
        needed = [*features, TENURE, WEIGHT, *LABELS.values()]
        require_columns(frame, needed + ([AS_OF] if self.validation_weeks else []), "frame")
        columns = [*features, TENURE]
        X = _lgbm.model_matrix(frame, columns)
        weight = check_weights(frame[WEIGHT])

        self.features_ = features
        self.columns_ = columns
        self.categories_ = _lgbm.categories_of(X)
        self.boosters_: dict[str, lgb.Booster] = {}
        self.best_iterations_: dict[str, int] = {}
        for horizon, label in LABELS.items():
            # A label not yet known on the training date is <NA>: that row is skipped for this horizon only.
            known = frame[label].notna().to_numpy()
            Xh, wh = X[known], weight[known]
            y = check_binary(frame.loc[known, label], label)
            n_trees = self.n_estimators
            if self.validation_weeks:
                n_trees = self._early_stop(Xh, y, wh, horizon_split(frame[known], horizon, self.validation_weeks))
            self.best_iterations_[horizon] = n_trees
            self.boosters_[horizon] = lgb.train(self._params(), _lgbm.dataset(Xh, y, wh), num_boost_round=n_trees)
        return self

    def _early_stop(self, X: pd.DataFrame, y: np.ndarray, weight: np.ndarray, later: np.ndarray) -> int:
        train = _lgbm.dataset(X[~later], y[~later], weight[~later])
        valid = _lgbm.dataset(X[later], y[later], weight[later], reference=train)
        booster = lgb.train(
            self._params(), train, num_boost_round=self.n_estimators, valid_sets=[valid],
            callbacks=[lgb.early_stopping(self.early_stopping_rounds, verbose=False)],
        )
        return max(1, booster.best_iteration or self.n_estimators)

    def _matrix(self, X: pd.DataFrame) -> np.ndarray:
        self._check_X(X)
        return _lgbm.model_array(X, self.columns_, self.categories_)

    def raw_scores(self, X: pd.DataFrame, horizon: str = "52w") -> np.ndarray:
        """The booster's log-odds of uitval within the horizon."""
        check_is_fitted(self, "boosters_")
        check_horizon(horizon)
        return _lgbm.predict(self.boosters_[horizon], self._matrix(X), raw_score=True)

    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "boosters_")
        M = self._matrix(X)
        risks = {h: _lgbm.predict(self.boosters_[h], M) for h in HORIZON_WEEKS}
        return risk_frame(risks["13w"], risks["52w"], X.index)

    def explain(self, X: pd.DataFrame, horizon: str = "52w") -> tuple[pd.DataFrame, float]:
        check_is_fitted(self, "boosters_")
        check_horizon(horizon)
        contrib = _lgbm.predict(self.boosters_[horizon], self._matrix(X), pred_contrib=True)
        contributions = pd.DataFrame(contrib[:, :-1], index=X.index, columns=self.columns_)
        return contributions, float(contrib[0, -1])
