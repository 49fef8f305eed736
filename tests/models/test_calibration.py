import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError

from lks.models.base import RiskModel, risk_frame
from lks.models.calibration import TemporalCalibrated
from lks.models.classifier import LGBMRiskClassifier
from lks.models.survival import LGBMCompetingRisk
from tests.models.synthetic import FEATURES, landmark_frame, make_placements


class Overconfident(RiskModel):
    """Knows the ranking (x) but squashes risks towards 0.9: calibration must fix the level, keep the order."""

    def __init__(self):
        pass

    def fit(self, frame, features):
        self.features_ = list(features)
        return self

    def predict_risks(self, X):
        r = 0.9 / (1 + np.exp(-3 * X["x"].to_numpy()))
        return risk_frame(r / 2, r, X.index)


@pytest.fixture(scope="module")
def big_landmarks():
    # starts spread over 150 weeks: the last as-of dates hold every tenure, as a running caseload does
    return landmark_frame(make_placements(2000, seed=3, start_weeks=150), seed=3)


@pytest.fixture(scope="module")
def later_landmarks():
    return landmark_frame(make_placements(1000, seed=4, start_weeks=150), seed=4)


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_calibration_fixes_the_level_and_keeps_the_order(big_landmarks, later_landmarks, method):
    test_landmarks = later_landmarks
    model = TemporalCalibrated(Overconfident(), method=method, calibration_weeks=40).fit(big_landmarks, FEATURES)
    raw = Overconfident().fit(big_landmarks, FEATURES).predict_risks(test_landmarks)
    calibrated = model.predict_risks(test_landmarks)
    for horizon in ("13w", "52w"):
        observed = test_landmarks[f"uitval_{horizon}"].mean()
        assert abs(calibrated[f"risk_{horizon}"].mean() - observed) < 0.05
        assert abs(calibrated[f"risk_{horizon}"].mean() - observed) < abs(raw[f"risk_{horizon}"].mean() - observed)
        assert calibrated[f"risk_{horizon}"].corr(raw[f"risk_{horizon}"], method="spearman") > 0.9


def test_base_model_never_sees_the_calibration_weeks(landmarks):
    model = TemporalCalibrated(LGBMRiskClassifier(n_estimators=20, validation_weeks=None, n_jobs=1),
                               calibration_weeks=10).fit(landmarks, FEATURES)
    cutoff = np.sort(landmarks["as_of"].unique())[-10]
    expected = LGBMRiskClassifier(n_estimators=20, validation_weeks=None, n_jobs=1).fit(
        landmarks[landmarks["as_of"] < cutoff], FEATURES)
    pd.testing.assert_frame_equal(model.model_.predict_risks(landmarks), expected.predict_risks(landmarks))
    contributions, base = model.explain(landmarks.head(5))
    np.testing.assert_allclose(contributions.sum(axis=1) + base, expected.raw_scores(landmarks.head(5)))


def test_prefit_survival_model_is_calibrated_on_landmarks(person_periods, test_landmarks):
    survival = LGBMCompetingRisk(n_estimators=30, num_leaves=4, min_child_samples=100, n_jobs=1)
    survival.fit(person_periods, FEATURES)
    model = TemporalCalibrated(survival, prefit=True).fit(test_landmarks, FEATURES)
    assert model.model_ is survival
    risks = model.predict_risks(test_landmarks)
    assert risks.columns.tolist() == ["risk_13w", "risk_52w"] and risks.notna().all().all()


def test_contract(landmarks, test_landmarks):
    with pytest.raises(NotFittedError):
        TemporalCalibrated(Overconfident()).predict_risks(test_landmarks)
    with pytest.raises(ValueError, match="method"):
        TemporalCalibrated(Overconfident(), method="beta").fit(landmarks, FEATURES)
    with pytest.raises(ValueError, match="calibration_weeks"):
        TemporalCalibrated(Overconfident(), calibration_weeks=0).fit(landmarks, FEATURES)
    with pytest.raises(ValueError, match="model must"):
        TemporalCalibrated(object()).fit(landmarks, FEATURES)
    with pytest.raises(NotFittedError):
        TemporalCalibrated(Overconfident(), prefit=True).fit(landmarks, FEATURES)
