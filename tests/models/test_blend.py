import cloudpickle
import numpy as np
import pytest

from lks.models.blend import RiskBlend
from lks.models.calibration import TemporalCalibrated
from lks.models.classifier import LGBMRiskClassifier
from lks.models.survival import LGBMCompetingRisk
from tests.models.synthetic import FEATURES


@pytest.fixture(scope="module")
def members(landmarks, person_periods):
    classifier = LGBMRiskClassifier(n_estimators=20, n_jobs=1).fit(landmarks, FEATURES)
    survival = LGBMCompetingRisk(n_estimators=20, n_jobs=1).fit(person_periods, FEATURES)
    return classifier, survival


def test_risks_are_the_weighted_mean_of_the_members(members, test_landmarks):
    blend = RiskBlend(members, (0.7, 0.3)).fit(features=FEATURES)
    a, b = (m.predict_risks(test_landmarks) for m in members)
    risks = blend.predict_risks(test_landmarks)
    np.testing.assert_allclose(risks.to_numpy(), 0.7 * a.to_numpy() + 0.3 * b.to_numpy())
    assert risks.index.equals(test_landmarks.index)
    assert cloudpickle.loads(cloudpickle.dumps(blend)).predict_risks(test_landmarks).equals(risks)


def test_explanation_adds_up_to_the_weighted_raw_scores(members, test_landmarks):
    blend = RiskBlend(members, (0.6, 0.4)).fit()
    contributions, base = blend.explain(test_landmarks, "52w")
    raw = [c.sum(axis=1).to_numpy() + b for c, b in (m.explain(test_landmarks, "52w") for m in members)]
    np.testing.assert_allclose(contributions.sum(axis=1).to_numpy() + base, 0.6 * raw[0] + 0.4 * raw[1], atol=1e-9)
    assert set(contributions.columns) == {*FEATURES, "tenure_weeks"}


def test_a_calibrated_member_explains_through_its_model(landmarks, person_periods, test_landmarks):
    calibrated = TemporalCalibrated(LGBMRiskClassifier(n_estimators=20, n_jobs=1), calibration_weeks=4)
    calibrated.fit(landmarks, FEATURES)
    survival = LGBMCompetingRisk(n_estimators=20, n_jobs=1).fit(person_periods, FEATURES)
    blend = RiskBlend([calibrated, survival], (0.5, 0.5)).fit()
    risks = blend.predict_risks(test_landmarks)
    assert ((risks >= 0) & (risks <= 1)).all().all()


@pytest.mark.parametrize("weights, message", [((0.5, 0.6), "sum to 1"), ((1.2, -0.2), "positive"),
                                              ((1.0,), "one weight each")])
def test_bad_weights_are_refused(members, weights, message):
    with pytest.raises(ValueError, match=message):
        RiskBlend(members, weights).fit()


def test_members_must_be_fitted_on_the_same_features(members, landmarks):
    other = LGBMRiskClassifier(n_estimators=5, n_jobs=1).fit(landmarks, FEATURES[:-1])
    with pytest.raises(ValueError, match="same features"):
        RiskBlend([members[0], other], (0.5, 0.5)).fit()
    with pytest.raises(ValueError, match="differ"):
        RiskBlend(members, (0.5, 0.5)).fit(features=FEATURES[:-1])
