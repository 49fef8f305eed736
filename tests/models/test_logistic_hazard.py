import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from lks.models.logistic_hazard import LogisticHazard
from tests.models.synthetic import SECTOR_EFFECT, start_rows

FEATURES = ["x", "sector", "flag"]


@pytest.fixture(scope="module")
def model(person_periods):
    return LogisticHazard().fit(person_periods, FEATURES)


def test_recovers_the_true_log_odds(model):
    # synthetic truth: logit h_u = -4.6 + 1.2 x + sector effect (zorg is the reference level)
    assert model.coef_["x"] == pytest.approx(1.2, abs=0.2)
    assert model.coef_["sector=schoonmaak"] == pytest.approx(SECTOR_EFFECT["schoonmaak"], abs=0.35)
    assert abs(model.coef_["flag"]) < 0.3


def test_ranks_and_cif_sanity(model, test_placements):
    risks = model.predict_risks(start_rows(test_placements))
    assert roc_auc_score(test_placements["event"] == 1, risks["risk_52w"]) > 0.75
    assert np.all(risks["risk_13w"] <= risks["risk_52w"])
    curve = model.risk_curve(start_rows(test_placements).iloc[[0]])
    assert np.all(np.diff(curve["cif_uitval"]) >= 0) and np.all(curve["cif_neutral"] == 0)


@pytest.mark.parametrize("baseline", ["spline", "log"])
def test_hazard_matches_the_fitted_formula(person_periods, baseline):
    model = LogisticHazard(baseline=baseline).fit(person_periods, ["x"])
    X = person_periods.head(5)
    basis = model._baseline_basis(X["week"].to_numpy())
    eta = model.intercept_ + model.coef_["x"] * X["x"].to_numpy() + basis @ model.baseline_coef_
    np.testing.assert_allclose(model.hazard(X, X["week"].to_numpy()), 1 / (1 + np.exp(-eta)))


def test_contract(person_periods, test_placements):
    with pytest.raises(NotFittedError):
        LogisticHazard().predict_risks(start_rows(test_placements))
    with pytest.raises(ValueError, match="baseline"):
        LogisticHazard(baseline="step").fit(person_periods, FEATURES)
    with pytest.raises(ValueError, match="C must"):
        LogisticHazard(C=-1).fit(person_periods, FEATURES)
    with pytest.raises(ValueError, match="noise"):
        LogisticHazard().fit(person_periods, ["x", "noise"])  # noise has missing values
    model = LogisticHazard().fit(person_periods, FEATURES)
    unseen = start_rows(test_placements).head(2).assign(sector=pd.Categorical(["nieuw", "zorg"]))
    with pytest.raises(ValueError, match="sector"):
        model.predict_risks(unseen)
