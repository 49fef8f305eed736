"""Shared LightGBM plumbing: model matrices with native categoricals, seeded deterministic parameters."""

from __future__ import annotations

from collections.abc import Sequence

import lightgbm as lgb
import numpy as np
import pandas as pd


def model_matrix(
    frame: pd.DataFrame, columns: Sequence[str], categories: dict[str, list] | None = None
) -> pd.DataFrame:
    """The columns LightGBM sees: categories stay pandas categoricals, everything else becomes float64 (NaN kept).

    With ``categories`` (those seen at fit time) those columns are recoded to exactly these levels, whatever their
    dtype; unseen levels become NaN. Other object and string columns are refused: the feature builders hand over
    categoricals, not free text.
    """
    categories = categories or {}
    out = {}
    for name in columns:
        col = frame[name]
        if name in categories:
            out[name] = pd.Categorical(col, categories=categories[name])
        elif isinstance(col.dtype, pd.CategoricalDtype):
            out[name] = col
        elif pd.api.types.is_bool_dtype(col.dtype) or pd.api.types.is_numeric_dtype(col.dtype):
            out[name] = col.astype("float64")
        else:
            raise ValueError(f"feature {name!r} must be numeric, bool or category, but has dtype {col.dtype}")
    return pd.DataFrame(out, index=frame.index)


def categories_of(X: pd.DataFrame) -> dict[str, list]:
    return {c: list(X[c].cat.categories) for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)}


def base_params(
    *, learning_rate: float, num_leaves: int, min_child_samples: int, reg_lambda: float, colsample: float,
    random_state: int, n_jobs: int,
) -> dict:
    return {
        "learning_rate": learning_rate,
        "num_leaves": num_leaves,
        "min_data_in_leaf": min_child_samples,
        "lambda_l2": reg_lambda,
        "feature_fraction": colsample,
        "feature_fraction_seed": random_state,
        "min_data_per_group": max(20, min_child_samples // 2),
        "cat_smooth": 10.0,
        "seed": random_state,
        "num_threads": n_jobs,
        "deterministic": True,
        "force_row_wise": True,
        "verbosity": -1,
    }


def dataset(X: pd.DataFrame, label: np.ndarray, weight: np.ndarray, reference: lgb.Dataset | None = None):
    return lgb.Dataset(X, label=label, weight=weight, categorical_feature="auto", reference=reference,
                       free_raw_data=True)
