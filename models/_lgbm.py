"""Shared LightGBM plumbing: model matrices with native categoricals, seeded deterministic parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd

from lks.models.base import check_int, check_nonnegative, check_positive


def model_matrix(
    frame: pd.DataFrame, columns: Sequence[str], categories: dict[str, list[Any]] | None = None
) -> pd.DataFrame:
    """The columns LightGBM sees: categories stay pandas categoricals, everything else becomes float64 (NaN kept).

    With ``categories`` (those seen at fit time) those columns are recoded to exactly these levels, whatever their
    dtype; unseen levels become NaN. Other object and string columns are refused: the feature builders hand over
    categoricals, not free text.
    """
    categories = categories or {}
    out: dict[str, Any] = {}
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


def model_array(frame: pd.DataFrame, columns: Sequence[str], categories: dict[str, list[Any]]) -> np.ndarray:
    """What `model_matrix` gives a booster fitted on it, as one float64 array: a categorical column as its code
    among the fitted ``categories`` (NaN when missing or unseen), as LightGBM itself codes a frame's categoricals.

    For prediction: building a pandas frame of a hundred float columns copies every column twice (into the frame's
    one block, then into LightGBM's array), which made prediction the larger part of `lks train`'s time.
    """
    out = np.empty((len(frame), len(columns)))
    plain = [j for j, name in enumerate(columns) if name not in categories]
    for j in plain:
        dtype = frame[columns[j]].dtype
        if not (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype)):
            raise ValueError(f"feature {columns[j]!r} must be numeric or bool (it was no category when the model "
                             f"was fitted), but has dtype {dtype}")
    if plain:  # the numbers in one conversion: column by column was most of a week's coding time
        out[:, plain] = frame[[columns[j] for j in plain]].to_numpy(dtype="float64", na_value=np.nan)
    for j, name in enumerate(columns):
        if name in categories:
            codes = pd.Categorical(frame[name], categories=categories[name]).codes
            out[:, j] = np.where(codes < 0, np.nan, codes)
    return out


def categories_of(X: pd.DataFrame) -> dict[str, list[Any]]:
    return {c: list(X[c].cat.categories) for c in X.columns if isinstance(X[c].dtype, pd.CategoricalDtype)}


def booster_params(model: Any) -> dict[str, Any]:
    """Checked, seeded LightGBM parameters from the settings every lks booster model shares."""
    check_int("n_estimators", model.n_estimators)
    check_positive("learning_rate", model.learning_rate, maximum=1.0)
    check_int("num_leaves", model.num_leaves, minimum=2)
    check_int("min_child_samples", model.min_child_samples)
    check_nonnegative("reg_lambda", model.reg_lambda)
    check_positive("colsample", model.colsample, maximum=1.0)
    check_positive("subsample", model.subsample, maximum=1.0)
    check_int("random_state", model.random_state, minimum=0)
    check_int("n_jobs", model.n_jobs)
    return {
        "learning_rate": model.learning_rate,
        "num_leaves": model.num_leaves,
        "min_data_in_leaf": model.min_child_samples,
        "lambda_l2": model.reg_lambda,
        "feature_fraction": model.colsample,
        "feature_fraction_seed": model.random_state,
        "bagging_fraction": model.subsample,
        "bagging_freq": 1 if model.subsample < 1.0 else 0,
        "bagging_seed": model.random_state,
        "min_data_per_group": max(20, model.min_child_samples // 2),
        "cat_smooth": 10.0,
        "seed": model.random_state,
        "num_threads": model.n_jobs,
        "deterministic": True,
        "force_row_wise": True,
        "verbosity": -1,
    }


def dataset(
    X: pd.DataFrame, label: np.ndarray, weight: np.ndarray, reference: lgb.Dataset | None = None
) -> lgb.Dataset:
    return lgb.Dataset(X, label=label, weight=weight, categorical_feature="auto", reference=reference,
                       free_raw_data=True)


def predict(booster: lgb.Booster, X: pd.DataFrame | np.ndarray, raw_score: bool = False,
            pred_contrib: bool = False) -> np.ndarray:
    """`Booster.predict` as a dense array: lks passes dense inputs, so the sparse outputs it may type never occur."""
    return np.asarray(booster.predict(X, raw_score=raw_score, pred_contrib=pred_contrib))
