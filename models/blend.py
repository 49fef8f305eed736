"""A weighted blend of fitted risk models: models that err in different places (the landmark
classifier learns each horizon directly, the competing-risk model shares strength across weeks, a
logistic regression catches effects that add up linearly) rank placements better together than
alone; which models and weights are used is `training.candidates`' choice.

risk_h(x) = sum_i w_i * risk_h,i(x) with w_i > 0, sum w_i = 1. The explanation is the same weighted
sum of the members' explanations: contributions_j = sum_i w_i * contributions_ij and
base_value = sum_i w_i * base_value_i, so contributions + base_value equal the weighted mean of the
members' raw scores exactly (a monotone proxy of the risk, as for each member).

Members are fitted on their own frames (landmark rows, person-weeks) before they are blended;
`fit` only checks them.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from sklearn.utils.validation import check_is_fitted

from lks.models.base import RiskModel, check_features, risk_frame


class RiskBlend(RiskModel):
    def __init__(self, members: Sequence[RiskModel], weights: Sequence[float]):
        self.members = members
        self.weights = weights

    def fit(self, frame: pd.DataFrame | None = None, features: Sequence[str] = ()) -> RiskBlend:
        weights = np.asarray(self.weights, dtype=float)
        if len(self.members) < 2 or len(weights) != len(self.members):
            raise ValueError(f"a blend needs two or more members with one weight each, but got "
                             f"{len(self.members)} members and {len(weights)} weights")
        if np.any(weights <= 0) or not np.isclose(weights.sum(), 1.0):
            raise ValueError(f"weights must be positive and sum to 1, but were {list(weights)}")
        for member in self.members:
            check_is_fitted(member, "features_")
        first = list(self.members[0].features_)
        if any(list(m.features_) != first for m in self.members[1:]):
            raise ValueError("every member of a blend must use the same features")
        if features and check_features(features) != first:
            raise ValueError("features differ from the members' features")
        self.features_ = first
        self.weights_ = weights
        return self

    def predict_risks(self, X: pd.DataFrame) -> pd.DataFrame:
        check_is_fitted(self, "weights_")
        risks = [m.predict_risks(X) for m in self.members]
        mix = {h: sum(w * r[f"risk_{h}"].to_numpy() for w, r in zip(self.weights_, risks, strict=True))
               for h in ("13w", "52w")}
        return risk_frame(mix["13w"], mix["52w"], X.index)

    def explain(self, X: pd.DataFrame, horizon: str = "52w") -> tuple[pd.DataFrame, float]:
        check_is_fitted(self, "weights_")
        parts = [member.explain(X, horizon) for member in self.members]
        columns = list(dict.fromkeys(c for contributions, _ in parts for c in contributions.columns))
        total = sum(w * contributions.reindex(columns=columns, fill_value=0.0)
                    for w, (contributions, _) in zip(self.weights_, parts, strict=True))
        base = sum(w * member_base for w, (_, member_base) in zip(self.weights_, parts, strict=True))
        return total, float(base)
