"""Proxy test: how well can the model's inputs tell the protected groups (and districts) apart?

Leaving a protected attribute out of the inputs does not keep it out of the model: inputs that
differ by group (language courses, sector, hours, district of the employer) can stand in for it.
Per attribute, one row per placement: a penalised logistic regression predicts the attribute from
the model's inputs, cross-validated by placement; its macro ROC AUC (each group against the rest,
averaged) is set against chance (0.5) and the configured flag (`config/governance.yaml`), together
with the balanced accuracy against its chance level (1 / number of groups). The inputs that carry
most of it are named by permutation importance on a held-out fold (how much the AUC drops when
one input's values are shuffled), run on the inputs with the largest weights in the regression.

Worked example: if women hold 90% of the part-time placements and men 10%, `hours_per_week` alone
predicts gender well above chance; the test reports an AUC near 0.9 for gender and names
`hours_per_week` first.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import balanced_accuracy_score, roc_auc_score
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler
from sklearn.utils.parallel import Parallel, delayed

from lks.training.candidates import threads
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
    return make_pipeline(prepare, LogisticRegression(C=0.1, max_iter=300))


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


SCREENED = 3  # permutation importance for this many times `top_inputs`, the inputs with the largest weights


def _screen(model, features: list[str], config: ProxyConfig) -> list[str]:
    """The inputs with the largest summed absolute weight (inputs are standardised or one-hot, so weights
    compare): a cheap first cut, so permutation importance runs on a few inputs instead of every one."""
    names = model[0].get_feature_names_out()
    weight = np.abs(model[-1].coef_).sum(axis=0)
    by_length = sorted(features, key=len, reverse=True)
    total = pd.Series(0.0, index=features)
    for name, w in zip(names, weight, strict=True):
        bare = name.split("__", 1)[1].removeprefix("missingindicator_")
        owner = next((f for f in by_length if bare == f or bare.startswith(f + "_")), None)
        if owner is not None:
            total[owner] += w
    return list(total.sort_values(ascending=False).head(SCREENED * config.top_inputs).index)


def _importance(model, X: pd.DataFrame, y: np.ndarray, classes: np.ndarray, inputs: list[str],
                repeats: int = 3) -> pd.Series:
    """Permutation importance: the drop in macro ROC AUC when one input's values are shuffled."""
    rng = np.random.default_rng(SEED)
    base = _macro_auc(y, model.predict_proba(X), classes)
    drops = {}
    for column in inputs:
        scores = []
        for _ in range(repeats):
            shuffled = X.copy()
            shuffled[column] = shuffled[column].to_numpy()[rng.permutation(len(X))]
            scores.append(_macro_auc(y, model.predict_proba(shuffled), classes))
        drops[column] = base - float(np.mean(scores))
    return pd.Series(drops, dtype=float)


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
    importance = pd.Series(dtype=float)
    folds = StratifiedKFold(config.folds, shuffle=True, random_state=SEED)
    for i, (train, test) in enumerate(folds.split(X, y)):
        model = _pipeline(data, features).fit(X.iloc[train], y[train])
        proba[test] = model.predict_proba(X.iloc[test])
        if i == 0:  # importance on one held-out fold: enough to name the inputs, a fifth of the cost
            importance = _importance(model, X.iloc[test], y[test], classes, _screen(model, features, config))
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
    if len(rows) > config.max_placements:
        rows = rows.sample(config.max_placements, random_state=SEED)
    # the attributes in parallel processes: each is 5 folds of a single-threaded sklearn fit (about a fifth of
    # `lks train` in a profile), independent and seeded, so the table is the same as one after the other; as
    # many processes as a training run may use (LKS_THREADS, as LightGBM's fits), never more than it asked for
    attributes = list(attributes)
    processes = max(1, min(len(attributes), threads()))
    results = Parallel(n_jobs=processes)(delayed(proxy_strength)(rows, features, a, config) for a in attributes)
    return pd.DataFrame(results).assign(flag_auc=config.flag_auc)
