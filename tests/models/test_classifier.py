import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from lks.models import _lgbm
from lks.models.classifier import LGBMRiskClassifier, temporal_split
from tests.models.synthetic import FEATURES

FAST = {"n_estimators": 80, "num_leaves": 7, "min_child_samples": 20, "validation_weeks": 8, "n_jobs": 1}


@pytest.fixture(scope="module")
def model(landmarks):
    return LGBMRiskClassifier(**FAST).fit(landmarks, FEATURES)


def test_ranks_by_the_feature_that_drives_risk(model, test_landmarks):
    risks = model.predict_risks(test_landmarks)
    assert risks.columns.tolist() == ["risk_13w", "risk_52w"]
    assert risks.index.equals(test_landmarks.index)
    assert roc_auc_score(test_landmarks["uitval_52w"], risks["risk_52w"]) > 0.75
    assert roc_auc_score(test_landmarks["uitval_13w"], risks["risk_13w"]) > 0.75


def test_early_stopping_chooses_at_most_n_estimators(model):
    assert set(model.best_iterations_) == {"13w", "52w"}
    assert all(1 <= n <= FAST["n_estimators"] for n in model.best_iterations_.values())
    assert model.boosters_["52w"].num_trees() == model.best_iterations_["52w"]


@pytest.mark.parametrize("horizon", ["13w", "52w"])
def test_shap_contributions_add_up_to_the_raw_score(model, test_landmarks, horizon):
    X = test_landmarks.head(300)
    contributions, base = model.explain(X, horizon)
    assert contributions.columns.tolist() == [*FEATURES, "tenure_weeks"]
    raw = model.raw_scores(X, horizon)
    np.testing.assert_allclose(contributions.sum(axis=1) + base, raw, atol=1e-8)
    risk = model.predict_risks(X)[f"risk_{horizon}"]
    np.testing.assert_allclose(1 / (1 + np.exp(-raw)), risk, atol=1e-10)


def test_x_leads_the_explanations(model, test_landmarks):
    contributions, _ = model.explain(test_landmarks)
    assert contributions.abs().mean().idxmax() == "x"


def test_unseen_and_missing_categories_and_object_columns_are_handled(model, test_landmarks):
    X = test_landmarks.head(5).copy()
    X["sector"] = pd.Series(["onbekend", None, "zorg", "zorg", "logistiek"], index=X.index, dtype="category")
    risks = model.predict_risks(X)
    assert risks.notna().all().all()


def test_the_models_own_coding_of_inputs_predicts_as_lightgbm_codes_a_frame(model, test_landmarks):
    # prediction passes one float array (`_lgbm.model_array`), not a pandas frame: unseen and missing levels included
    X = test_landmarks.head(5).copy()
    X["sector"] = pd.Series(["onbekend", None, "zorg", "zorg", "logistiek"], index=X.index, dtype="category")
    X.loc[X.index[0], "x"] = np.nan
    frame = _lgbm.model_matrix(X, model.columns_, model.categories_)
    for horizon, booster in model.boosters_.items():
        np.testing.assert_array_equal(_lgbm.predict(booster, frame, pred_contrib=True),
                                      _lgbm.predict(booster, model._matrix(X), pred_contrib=True))
        np.testing.assert_array_equal(booster.predict(frame), model.predict_risks(X)[f"risk_{horizon}"])


def test_deterministic_and_picklable(model, landmarks, test_landmarks):
    again = LGBMRiskClassifier(**FAST).fit(landmarks, FEATURES)
    pd.testing.assert_frame_equal(model.predict_risks(test_landmarks), again.predict_risks(test_landmarks))
    loaded = cloudpickle.loads(cloudpickle.dumps(model))
    pd.testing.assert_frame_equal(model.predict_risks(test_landmarks), loaded.predict_risks(test_landmarks))


def test_without_validation_slice_uses_all_trees(landmarks):
    model = LGBMRiskClassifier(n_estimators=10, validation_weeks=None, n_jobs=1)
    model.fit(landmarks.drop(columns="as_of"), FEATURES)
    assert model.boosters_["13w"].num_trees() == 10


def test_temporal_split_holds_out_the_last_as_of_dates():
    as_of = pd.Series(pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20", "2025-01-13"]))
    assert temporal_split(as_of, 2).tolist() == [False, True, True, True]
    with pytest.raises(ValueError, match="validation_weeks=3"):
        temporal_split(as_of, 3)


def test_predict_before_fit_raises(test_landmarks):
    with pytest.raises(NotFittedError):
        LGBMRiskClassifier().predict_risks(test_landmarks)


@pytest.mark.parametrize("param, value", [
    ("learning_rate", -0.1), ("num_leaves", 1), ("n_estimators", 0), ("colsample", 1.5), ("validation_weeks", 0),
    ("min_child_samples", 2.5),
])
def test_bad_parameters_are_named(landmarks, param, value):
    with pytest.raises(ValueError, match=param):
        LGBMRiskClassifier(**{param: value}).fit(landmarks, FEATURES)


def test_bad_inputs_are_named(model, landmarks, test_landmarks):
    with pytest.raises(ValueError, match="'x'"):
        model.predict_risks(test_landmarks.drop(columns="x"))
    with pytest.raises(ValueError, match="tenure_weeks"):
        model.predict_risks(test_landmarks.head(1).assign(tenure_weeks=60))
    with pytest.raises(ValueError, match="placement_id"):
        LGBMRiskClassifier(**FAST).fit(landmarks, [*FEATURES, "placement_id"])
    with pytest.raises(ValueError, match="tenure_weeks"):
        LGBMRiskClassifier(**FAST).fit(landmarks, [*FEATURES, "tenure_weeks"])
    with pytest.raises(ValueError, match="uitval_52w"):
        LGBMRiskClassifier(**FAST).fit(landmarks.drop(columns="uitval_52w"), FEATURES)


def test_split_rows_with_fractional_weights_are_accepted_and_bad_weights_named(landmarks):
    first = landmarks.head(1)
    split = pd.concat([landmarks, first.assign(uitval_52w=1, weight=0.3), first.assign(uitval_52w=0, weight=0.7)])
    LGBMRiskClassifier(n_estimators=5, validation_weeks=None, n_jobs=1).fit(split, FEATURES)
    with pytest.raises(ValueError, match="weight"):
        LGBMRiskClassifier(n_estimators=5, n_jobs=1).fit(landmarks.assign(weight=-1.0), FEATURES)


def test_model_array_codes_every_dtype_as_the_column_by_column_coding_does():
    X = pd.DataFrame({
        "f": [0.5, np.nan, 2.0], "i": [1, 2, 3], "b": [True, False, True],
        "n": pd.array([1, None, 3], dtype="Int64"), "nb": pd.array([True, None, False], dtype="boolean"),
        "c": pd.Series(["zorg", None, "nieuw"], dtype="category"), "f32": np.array([1.5, np.nan, 0], dtype="float32"),
    })
    columns, categories = ["c", "f", "i", "b", "n", "nb", "f32"], {"c": ["horeca", "zorg"]}
    expected = np.column_stack([
        [1.0, np.nan, np.nan],  # zorg is code 1; missing and unseen: NaN
        *(X[name].to_numpy(dtype="float64", na_value=np.nan) for name in columns[1:]),
    ])
    np.testing.assert_array_equal(_lgbm.model_array(X, columns, categories), expected)
    with pytest.raises(ValueError, match="'t' must be numeric"):
        _lgbm.model_array(X.assign(t=["a", "b", "c"]), ["t", *columns], categories)
