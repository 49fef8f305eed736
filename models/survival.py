"""Discrete-time competing-risk survival on person-period frames (one row per placement per tenure week at risk).

The hazards of week w are h_u(w|x) (uitval) and h_n(w|x) (neutral ending), given at risk at the start of week w.
For a placement at risk at the start of tenure week t (its landmark, features held fixed from there on):

    S(w)        = prod_{t <= v <= w} (1 - h_u(v) - h_n(v))        survival through the end of week w, S(t-1) = 1
    CIF_u(t, T) = sum_{t <= w < T} S(w-1) h_u(w)                  uitval before the start of week T

risk_13w = CIF_u(t, min(t + 13, 52)) and risk_52w = CIF_u(t, 52): the horizons end at the first year's end.
Worked example: t = 45 gives risk_13w == risk_52w (both cover weeks 45..51).

Training rows carry each week's own features, prediction holds the landmark's features fixed: the
risks assume today's signals persist. That makes the model sharp on imminent risk (the top of the
coordinator's list) but overstates the later weeks of a placement with fresh warnings. A landmark
variant trained the way it predicts (features of every 8th week held fixed over the weeks after it,
plus the weeks since) was better alone (ROC AUC 52w 0.756 against 0.745 on seed 7, calibration
error 0.028 against 0.049) but made the blend worse (0.770 against 0.774, precision at 25 0.354
against 0.392), so the blend keeps this one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from lks.data_contracts.timeline import YEAR_WEEKS
from lks.models import _lgbm
from lks.models.base import (
    EVENT,
    HORIZON_WEEKS,
    NEUTRAL,
    NONE,
    TENURE,
    UITVAL,
    WEEK,
    WEIGHT,
    RiskModel,
    check_events,
    check_features,
    check_horizon,
    check_int,
    check_weights,
    require_columns,
    risk_frame,
)

CHUNK_ROWS = 4096  # placements expanded to week rows at a time, to bound memory


def week_grid(tenure: np.ndarray, horizon: int = YEAR_WEEKS) -> tuple[np.ndarray, np.ndarray]:
    """(row, week) pairs for the weeks t..min(t + horizon, 52) - 1 of every row."""
    tenure = np.asarray(tenure, dtype=int)
    counts = np.minimum(tenure + horizon, YEAR_WEEKS) - tenure
    rows = np.repeat(np.arange(len(tenure)), counts)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rows, tenure[rows] + offset


def cumulative_incidence(h_u: np.ndarray, h_n: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """CIF_u and CIF_n at the end of each week (columns) from hazards of shape (rows, weeks).

    Weeks before the landmark or past the horizon must carry zero hazards.
    """
    survival = np.cumprod(np.clip(1.0 - h_u - h_n, 0.0, 1.0), axis=1)
    before = np.hstack([np.ones((len(h_u), 1)), survival[:, :-1]])
    return np.cumsum(before * h_u, axis=1), np.cumsum(before * h_n, axis=1)


class HazardModel(RiskModel):
    """Shared prediction for person-period models: subclasses give ``_hazards(X, rows, weeks) -> (h_u, h_n)``, the
    hazards of row ``rows[i]`` of X in week ``weeks[i]``."""

    def _hazard_matrix(self, X: pd.DataFrame, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        """Hazards of shape (len(X), 52), zero outside each row's weeks t..min(t + horizon, 52) - 1.

        The last result is kept (read-only) for the same inputs: a week's list asks for the risks and then
        the curves of the same rows, which need the same hazards. Never pickled (`__getstate__`)."""
        self._check_X(X)
        key = self._hazard_key(X, horizon)
        last = self.__dict__.get("_last_hazards")
        if last is not None and last[0] == key:
            return last[1]
        hazards = self._compute_hazards(X, horizon)
        for matrix in hazards:
            matrix.flags.writeable = False
        self.__dict__["_last_hazards"] = (key, hazards)
        return hazards

    def _hazard_key(self, X: pd.DataFrame, horizon: int) -> tuple[int, tuple[str, ...], str, int]:
        """What the hazards depend on: the model inputs' values (a hash per row), their names and the horizon."""
        columns = [*self.features_, TENURE]
        rows = pd.util.hash_pandas_object(X[columns], index=False).to_numpy()
        return horizon, tuple(columns), hashlib.sha256(rows.tobytes()).hexdigest(), len(X)

    def _forget_hazards(self) -> None:
        """A (re)fit forgets the hazards kept from the old fit."""
        self.__dict__.pop("_last_hazards", None)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(super().__getstate__())
        state.pop("_last_hazards", None)  # hazards of the rows last scored: never stored with the model
        return state

    def _compute_hazards(self, X: pd.DataFrame, horizon: int) -> tuple[np.ndarray, np.ndarray]:
        H_u = np.zeros((len(X), YEAR_WEEKS))
        H_n = np.zeros((len(X), YEAR_WEEKS))
        for start in range(0, len(X), CHUNK_ROWS):
            chunk = X.iloc[start:start + CHUNK_ROWS]
            rows, weeks = week_grid(chunk[TENURE].to_numpy(dtype=int), horizon)
            h_u, h_n = self._hazards(chunk, rows, weeks)
            H_u[start + rows, weeks] = h_u
            H_n[start + rows, weeks] = h_n
        return H_u, H_n

    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "features_")
        H_u, H_n = self._hazard_matrix(X, YEAR_WEEKS)
        end = X[TENURE].to_numpy(dtype=int)[:, None] + np.array(list(HORIZON_WEEKS.values()))[None, :]
        risks = {}
        for i, name in enumerate(HORIZON_WEEKS):
            inside = np.arange(YEAR_WEEKS)[None, :] < end[:, [i]]
            cif_u, _ = cumulative_incidence(H_u * inside, H_n * inside)
            risks[name] = cif_u[:, -1]
        return risk_frame(risks["13w"], risks["52w"], X.index)

    def risk_curve(self, x_row: pd.DataFrame | pd.Series) -> pd.DataFrame:
        """CIF of uitval and of a neutral ending by the end of each tenure week from the landmark to week 51,
        for one placement at risk at the start of week ``tenure_weeks``."""
        check_is_fitted(self, "features_")
        x = x_row.to_frame().T if isinstance(x_row, pd.Series) else x_row
        if len(x) != 1:
            raise ValueError(f"x_row must hold one placement, but held {len(x)} rows")
        if isinstance(x_row, pd.Series):
            x = x.infer_objects()
        H_u, H_n = self._hazard_matrix(x, YEAR_WEEKS)
        cif_u, cif_n = cumulative_incidence(H_u, H_n)
        t = int(x[TENURE].iloc[0])
        return pd.DataFrame({WEEK: np.arange(t, YEAR_WEEKS), "cif_uitval": cif_u[0, t:], "cif_neutral": cif_n[0, t:]})

    def risk_curves(self, X: pd.DataFrame) -> pd.DataFrame:
        """`risk_curve` of every row of X at once (one hazard matrix, one model call): columns row (position in
        X), week, cif_uitval, cif_neutral; per row its weeks from the landmark to week 51."""
        check_is_fitted(self, "features_")
        H_u, H_n = self._hazard_matrix(X, YEAR_WEEKS)
        cif_u, cif_n = cumulative_incidence(H_u, H_n)
        start = X[TENURE].to_numpy(dtype=int)
        rows, weeks = np.nonzero(np.arange(YEAR_WEEKS)[None, :] >= start[:, None])
        return pd.DataFrame({"row": rows, WEEK: weeks, "cif_uitval": cif_u[rows, weeks],
                             "cif_neutral": cif_n[rows, weeks]})


class LGBMCompetingRisk(HazardModel):
    """A 3-class LightGBM (none / uitval / neutral) on person-period rows with inputs (features + week).

    The class probabilities of a row are the week's hazards (1 - h_u - h_n, h_u, h_n).

    ``explain(X, horizon)`` is exact tree SHAP of the uitval-versus-none log-odds of a week,
    ``raw_u(w) - raw_none(w) = log(h_u(w) / (1 - h_u(w) - h_n(w)))``, averaged over the weeks the horizon covers
    (t..min(t + horizon, 52) - 1), sampled at every step-th week from t so that at most ``explain_weeks`` weeks
    are explained per row (tree SHAP is costly). SHAP is linear, so contributions + base_value equal that average
    for every row
    (see ``raw_scores``); the ``week`` contribution is reported as ``tenure_weeks``. The average is a monotone
    proxy of the horizon's risk, not the risk itself: a feature that only raises neutral endings is not in it.
    """

    def __init__(
        self,
        n_estimators: int = 300,
        learning_rate: float = 0.05,
        num_leaves: int = 15,
        min_child_samples: int = 200,
        reg_lambda: float = 1.0,
        colsample: float = 0.8,
        subsample: float = 1.0,
        random_state: int = 0,
        n_jobs: int = 2,
        explain_weeks: int = 6,
    ):
        self.n_estimators = n_estimators
        self.learning_rate = learning_rate
        self.num_leaves = num_leaves
        self.min_child_samples = min_child_samples
        self.reg_lambda = reg_lambda
        self.colsample = colsample
        self.subsample = subsample
        self.random_state = random_state
        self.n_jobs = n_jobs
        self.explain_weeks = explain_weeks

    def fit(self, frame: pd.DataFrame, features: Sequence[str]) -> LGBMCompetingRisk:
        self._forget_hazards()
        check_int("explain_weeks", self.explain_weeks)
        params = {**_lgbm.booster_params(self), "objective": "multiclass", "num_class": 3}
        features = check_features(features, reserved=[WEEK, TENURE, EVENT, WEIGHT])
        require_columns(frame, [*features, WEEK, EVENT, WEIGHT], "frame")
        columns = [*features, WEEK]
        X = _lgbm.model_matrix(frame, columns)
        data = _lgbm.dataset(X, check_events(frame[EVENT]), check_weights(frame[WEIGHT]))
        self.features_ = features
        self.columns_ = columns
        self.categories_ = _lgbm.categories_of(X)
        self.booster_ = lgb.train(params, data, num_boost_round=self.n_estimators)
        return self

    def _matrix(self, X: pd.DataFrame, rows: np.ndarray, weeks: np.ndarray) -> np.ndarray:
        """The booster's inputs for row ``rows[i]`` of X in week ``weeks[i]``: X's features are converted once, then
        repeated for each of its weeks (up to 52), not converted again per week."""
        inputs = _lgbm.model_array(X, self.features_, self.categories_)
        padded = np.empty((len(X), inputs.shape[1] + 1))  # with room for the week: one contiguous take below,
        padded[:, :-1] = inputs                            # 30 times faster than a take into a column slice
        M = padded[rows]
        M[:, -1] = weeks
        return M

    def _hazards(self, X: pd.DataFrame, rows: np.ndarray, weeks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        proba = _lgbm.predict(self.booster_, self._matrix(X, rows, weeks))
        return proba[:, UITVAL], proba[:, NEUTRAL]

    def _per_row_mean(
        self, X: pd.DataFrame, horizon: str, values: Callable[[np.ndarray], np.ndarray]
    ) -> np.ndarray:
        """Mean of ``values(rows of one week each)`` over each row's horizon weeks, computed in chunks."""
        self._check_X(X)
        check_horizon(horizon)
        means = []
        for start in range(0, len(X), CHUNK_ROWS):
            chunk = X.iloc[start:start + CHUNK_ROWS]
            tenure = chunk[TENURE].to_numpy(dtype=int)
            rows, weeks = week_grid(tenure, HORIZON_WEEKS[horizon])
            # every `step`-th week from the landmark: at most `explain_weeks` points per row
            step = np.ceil(np.bincount(rows, minlength=len(chunk)) / self.explain_weeks).astype(int)
            keep = (weeks - tenure[rows]) % step[rows] == 0
            rows, weeks = rows[keep], weeks[keep]
            out = values(self._matrix(chunk, rows, weeks))
            sums = np.zeros((len(chunk), out.shape[1]))
            np.add.at(sums, rows, out)
            means.append(sums / np.bincount(rows, minlength=len(chunk))[:, None])
        return np.vstack(means)

    def raw_scores(self, X: pd.DataFrame, horizon: str = "52w") -> np.ndarray:
        """Mean over the horizon's weeks (every step-th week from the landmark, at most ``explain_weeks`` of them)
        of the uitval-versus-none log-odds, raw_u(w) - raw_none(w)."""
        check_is_fitted(self, "booster_")

        def diff(M: np.ndarray) -> np.ndarray:
            raw = _lgbm.predict(self.booster_, M, raw_score=True)
            return (raw[:, UITVAL] - raw[:, NONE])[:, None]

        return self._per_row_mean(X, horizon, diff)[:, 0]

    def explain(self, X: pd.DataFrame, horizon: str = "52w") -> tuple[pd.DataFrame, float]:
        check_is_fitted(self, "booster_")
        width = len(self.columns_) + 1

        def diff(M: np.ndarray) -> np.ndarray:
            contrib = _lgbm.predict(self.booster_, M, pred_contrib=True)
            return contrib[:, UITVAL * width:(UITVAL + 1) * width] - contrib[:, NONE * width:(NONE + 1) * width]

        mean = self._per_row_mean(X, horizon, diff)
        names = [*self.features_, TENURE]
        return pd.DataFrame(mean[:, :-1], index=X.index, columns=names), float(mean[0, -1])
