"""Proxy test: how well can the model's inputs tell the protected groups (and districts) apart?

Leaving a protected attribute out of the inputs does not keep it out of the model: inputs that
differ by group (language courses, sector, hours, district of the employer) can stand in for it.
Per attribute, one row per placement: a penalised logistic regression predicts the attribute from
the model's inputs, cross-validated by placement; its macro ROC AUC (each group against the rest,
averaged) is set against chance (0.5) and the configured flag (`config/governance.yaml`), together
with the balanced accuracy against its chance level (1 / number of groups). The inputs that carry
most of it are named by permutation importance on the held-out folds: how much the AUC drops when
one input's values are shuffled.

Worked example: if women hold 90% of the part-time placements and men 10%, `hours_per_week` alone
predicts gender well above chance; the test reports an AUC near 0.9 for gender and names
`hours_per_week` first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.inspection import permutation_importance
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from lks.training.governance_config import ProxyConfig

SEED = 0


def one_per_placement(rows: pd.DataFrame) -> pd.DataFrame:
    """The first row (earliest as-of date) of each placement: the test is by person, not by week."""
    return rows.sort_values(["as_of", "placement_id"]).drop_duplicates("placement_id").reset_index(drop=True)


def _categorical(frame: pd.DataFrame, features: list[str]) -> list[str]:
    return [c for c in features if not pd.api.types.is_numeric_dtype(frame[c]) or pd.api.types.is_bool_dtype(frame[c])]


def _pipeline(frame: pd.DataFrame, features: list[str]):
    categorical = _categorical(frame, features)
    numeric = [c for c in features if c not in categorical]
    prepare = ColumnTransformer([
        ("number", make_pipeline(SimpleImputer(strategy="median", add_indicator=True, keep_empty_features=True),
                                 StandardScaler()), numeric),
        ("category", make_pipeline(SimpleImputer(strategy="constant", fill_value="<leeg>"),
                                   OneHotEncoder(handle_unknown="ignore", min_frequency=10)), categorical),
    ])
    return make_pipeline(prepare, LogisticRegression(C=0.1, max_iter=2000))


def _as_text(frame: pd.DataFrame, features: list[str]) -> pd.DataFrame:
    """Categorical inputs as plain strings (missing stays missing), so one encoder reads them all."""
    out = frame[features].copy()
    for c in _categorical(frame, features):
        out[c] = pd.Series([str(v) if pd.notna(v) else np.nan for v in out[c]], index=out.index, dtype=object)
    return out


def _macro_auc(y: np.ndarray, proba: np.ndarray, classes: np.ndarray) -> float:
    if len(classes) == 2:
        return float(roc_auc_score(y == classes[1], proba[:, 1]))
    return float(roc_auc_score(y, proba, multi_class="ovr", average="macro", labels=classes))


def proxy_strength(rows: pd.DataFrame, features: list[str], attribute: str, config: ProxyConfig) -> dict:
    """One attribute: cross-validated macro ROC AUC and balanced accuracy, and the inputs carrying it."""
    labelled = rows[rows[attribute].notna()]
    counts = labelled[attribute].astype(str).value_counts()
    kept = counts[counts >= config.min_group_placements]
    small = sorted(counts.index.difference(kept.index))
    data = labelled[labelled[attribute].astype(str).isin(kept.index)].reset_index(drop=True)
    out = {"attribute": attribute, "n_placements": int(len(data)), "n_groups": int(len(kept)),
           "groups_left_out": small, "roc_auc": np.nan, "balanced_accuracy": np.nan,
           "chance_balanced_accuracy": np.nan, "flagged": False, "top_inputs": []}
    if len(kept) < 2:
        return out
    X, y = _as_text(data, features), data[attribute].astype(str).to_numpy()
    classes = np.sort(kept.index.to_numpy(str))
    proba = np.zeros((len(y), len(classes)))
    importance = pd.Series(0.0, index=features)
    folds = StratifiedKFold(config.folds, shuffle=True, random_state=SEED)
    scorer = "roc_auc" if len(classes) == 2 else "roc_auc_ovr"
    for i, (train, test) in enumerate(folds.split(X, y)):
        model = _pipeline(data, features).fit(X.iloc[train], y[train])
        proba[test] = model.predict_proba(X.iloc[test])
        if i == 0:  # importance on one held-out fold: enough to name the inputs, a fifth of the cost
            result = permutation_importance(model, X.iloc[test], y[test], scoring=scorer, n_repeats=3,
                                            random_state=SEED)
            importance = pd.Series(result.importances_mean, index=features)
    auc = _macro_auc(y, proba, classes)
    top = importance[importance > 0].sort_values(ascending=False).head(config.top_inputs)
    out.update(roc_auc=auc, balanced_accuracy=float(balanced_accuracy_score(y, classes[proba.argmax(axis=1)])),
               chance_balanced_accuracy=1 / len(classes), flagged=bool(auc >= config.flag_auc),
               top_inputs=[{"input": name, "auc_drop": float(value)} for name, value in top.items()])
    return out


def proxy_test(rows: pd.DataFrame, features: list[str], attributes, config: ProxyConfig) -> pd.DataFrame:
    """Per attribute: n_placements, n_groups, groups_left_out, roc_auc, balanced_accuracy,
    chance_balanced_accuracy, flagged, top_inputs (input and the AUC it carries), flag_auc.
    `rows` holds one row per placement (see `one_per_placement`), the inputs and the attributes."""
    if rows["placement_id"].duplicated().any():
        raise ValueError("rows must hold one row per placement, but placement_id repeats")
    table = pd.DataFrame([proxy_strength(rows, features, a, config) for a in attributes])
    return table.assign(flag_auc=config.flag_auc)
