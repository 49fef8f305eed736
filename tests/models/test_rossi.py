"""The survival machinery against a published result it was not built on: Rossi et al.'s recidivism data
(432 released prisoners followed weekly for 52 weeks; ``week`` = time, ``arrest`` = event), shipped with lifelines.
Published Cox coefficients (lifelines documentation): fin -0.38, age -0.057, prio 0.091.
"""

import numpy as np
import pandas as pd
import pytest
from lifelines import CoxPHFitter
from lifelines.datasets import load_rossi
from lifelines.utils import concordance_index
from sklearn.model_selection import KFold

from lks.models.logistic_hazard import LogisticHazard
from lks.models.person_period import expand
from lks.models.survival import LGBMCompetingRisk

COVARIATES = ["fin", "age", "race", "wexp", "mar", "paro", "prio"]
# regularised for 432 people and 114 arrests: 3 leaves, >= 1000 person-weeks per leaf, few small steps
SMALL_DATA_LGBM = {"n_estimators": 300, "learning_rate": 0.03, "num_leaves": 3, "min_child_samples": 1000,
                   "colsample": 1.0, "n_jobs": 1}


@pytest.fixture(scope="module")
def rossi():
    return load_rossi()


def test_logistic_hazard_coefficients_match_cox(rossi):
    cox = CoxPHFitter().fit(rossi, "week", "arrest").params_
    hazard = LogisticHazard().fit(expand(rossi["week"], rossi["arrest"], rossi[COVARIATES]), COVARIATES).coef_
    print("\n" + pd.DataFrame({"cox": cox, "logistic_hazard": hazard}).round(4).to_string())
    assert hazard["fin"] == pytest.approx(-0.38, abs=0.1) and hazard["fin"] == pytest.approx(cox["fin"], abs=0.02)
    assert hazard["age"] == pytest.approx(-0.057, abs=0.02) and hazard["age"] == pytest.approx(cox["age"], abs=0.005)
    assert hazard["prio"] == pytest.approx(0.091, abs=0.02) and hazard["prio"] == pytest.approx(cox["prio"], abs=0.005)
    assert (np.sign(hazard) == np.sign(cox[hazard.index])).all()
    assert np.max(np.abs(hazard - cox[hazard.index])) < 0.02


def test_lgbm_hazard_concordance_matches_cox_out_of_fold(rossi):
    cox_c, lgbm_c = [], []
    for train, test in KFold(5, shuffle=True, random_state=0).split(rossi):
        fit_on, held_out = rossi.iloc[train], rossi.iloc[test]
        cox = CoxPHFitter().fit(fit_on[["week", "arrest", *COVARIATES]], "week", "arrest")
        cox_c.append(concordance_index(held_out["week"], -cox.predict_partial_hazard(held_out), held_out["arrest"]))
        frame = expand(fit_on["week"], fit_on["arrest"], fit_on[COVARIATES])
        model = LGBMCompetingRisk(**SMALL_DATA_LGBM).fit(frame, COVARIATES)
        risk = model.predict_risks(held_out[COVARIATES].assign(tenure_weeks=0))["risk_52w"]
        lgbm_c.append(concordance_index(held_out["week"], -risk, held_out["arrest"]))
    print(f"\n5-fold concordance: CoxPH {np.mean(cox_c):.4f} {np.round(cox_c, 3)}, "
          f"LightGBM hazard {np.mean(lgbm_c):.4f} {np.round(lgbm_c, 3)}")
    assert np.mean(cox_c) == pytest.approx(0.62, abs=0.03)
    assert np.mean(lgbm_c) == pytest.approx(np.mean(cox_c), abs=0.03)
