import subprocess
import sys

import cloudpickle
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from lks.models.base import RiskModel
from lks.models.baselines import CurrentPracticeRule, LogisticBaseline, TenureBaseline
from lks.models.calibration import TemporalCalibrated
from lks.models.classifier import LGBMRiskClassifier
from lks.models.logistic_hazard import LogisticHazard
from lks.models.survival import LGBMCompetingRisk
from tests.models.synthetic import FEATURES

LANDMARK_MODELS = [LGBMRiskClassifier(n_estimators=10, n_jobs=1), LogisticBaseline(), CurrentPracticeRule()]
HAZARD_MODELS = [LGBMCompetingRisk(n_estimators=10, n_jobs=1), LogisticHazard(), TenureBaseline()]
ALL = [*LANDMARK_MODELS, *HAZARD_MODELS]


def _fit(model, landmarks, person_periods):
    features = ["x", "sector", "flag"] if isinstance(model, LogisticHazard) else FEATURES
    frame = landmarks if any(model is m for m in LANDMARK_MODELS) else person_periods
    return clone(model).fit(frame, features)


@pytest.mark.parametrize("model", ALL, ids=lambda m: type(m).__name__)
def test_every_model_follows_the_interface(model, landmarks, person_periods, test_landmarks):
    assert isinstance(model, RiskModel)
    with pytest.raises(NotFittedError):
        model.predict_risks(test_landmarks)
    fitted = _fit(model, landmarks, person_periods)
    risks = fitted.predict_risks(test_landmarks)
    assert risks.columns.tolist() == ["risk_13w", "risk_52w"] and risks.index.equals(test_landmarks.index)
    assert risks.notna().all().all() and ((risks >= 0) & (risks <= 1)).all().all()
    loaded = cloudpickle.loads(cloudpickle.dumps(fitted))
    assert loaded.predict_risks(test_landmarks).equals(risks)
    assert clone(model).get_params() == model.get_params()


def test_calibrated_model_is_a_risk_model():
    assert isinstance(TemporalCalibrated(LGBMRiskClassifier()), RiskModel)


def test_models_do_not_import_features_training_or_service():
    code = ("import sys, models.base, models.baselines, models.calibration, models.classifier, "
            "models.logistic_hazard, models.person_period, models.survival; "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'features', 'training', 'service'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)  # noqa: S603  fixed code
    assert out.stdout.strip() == "[]"
