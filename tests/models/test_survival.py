import cloudpickle
import numpy as np
import pandas as pd
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from lks.models import _lgbm
from lks.models.survival import LGBMCompetingRisk, cumulative_incidence, week_grid
from tests.models.synthetic import FEATURES, start_rows

FAST = {"n_estimators": 60, "num_leaves": 4, "min_child_samples": 100, "learning_rate": 0.1, "n_jobs": 1}


@pytest.fixture(scope="module")
def model(person_periods):
    return LGBMCompetingRisk(**FAST).fit(person_periods, FEATURES)


def test_ranks_by_the_feature_that_drives_risk(model, test_placements):
    risks = model.predict_risks(start_rows(test_placements))
    assert risks.index.equals(test_placements.index)
    assert roc_auc_score(test_placements["event"] == 1, risks["risk_52w"]) > 0.75


def test_cif_sanity(model, test_placements):
    X = start_rows(test_placements).head(50)
    for _, row in X.iterrows():
        curve = model.risk_curve(row)
        assert curve["week"].tolist() == list(range(52))
        assert np.all(np.diff(curve["cif_uitval"]) >= 0) and np.all(np.diff(curve["cif_neutral"]) >= 0)
        assert np.all(curve["cif_uitval"] + curve["cif_neutral"] <= 1 + 1e-12)
    risks = model.predict_risks(X)
    assert np.all(risks["risk_13w"] <= risks["risk_52w"]) and np.all(risks["risk_13w"] > 0)


def test_risks_are_read_off_the_curve_from_the_landmark(model, test_placements):
    X = start_rows(test_placements, tenure=20).head(3)
    risks = model.predict_risks(X)
    for i in range(3):
        curve = model.risk_curve(X.iloc[[i]]).set_index("week")
        assert curve.index[0] == 20
        assert risks["risk_13w"].iloc[i] == pytest.approx(curve.loc[32, "cif_uitval"])
        assert risks["risk_52w"].iloc[i] == pytest.approx(curve.loc[51, "cif_uitval"])


def test_horizons_end_at_the_first_year(model, test_placements):
    risks = model.predict_risks(start_rows(test_placements, tenure=45).head(10))
    np.testing.assert_allclose(risks["risk_13w"], risks["risk_52w"])


@pytest.mark.parametrize("horizon", ["13w", "52w"])
def test_shap_contributions_add_up_to_the_mean_weekly_log_odds(model, test_placements, horizon):
    X = start_rows(test_placements).head(40).assign(tenure_weeks=np.arange(40))
    contributions, base = model.explain(X, horizon)
    assert contributions.columns.tolist() == [*FEATURES, "tenure_weeks"]
    np.testing.assert_allclose(contributions.sum(axis=1) + base, model.raw_scores(X, horizon), atol=1e-8)
    # the raw score by hand: uitval-vs-none log-odds of every step-th week of the horizon, averaged
    end = min(int(X["tenure_weeks"].iloc[7]) + (13 if horizon == "13w" else 52), 52)
    weeks = np.arange(int(X["tenure_weeks"].iloc[7]), end)
    weeks = weeks[::int(np.ceil(len(weeks) / model.explain_weeks))]
    assert len(weeks) <= model.explain_weeks
    rows = X.iloc[[7] * len(weeks)][FEATURES].reset_index(drop=True).assign(week=weeks.astype(float))
    rows[["flag", "sick_reports_4w", "zorgelijk_contacts_4w"]] = rows[["flag", "sick_reports_4w",
                                                                       "zorgelijk_contacts_4w"]].astype(float)
    raw = model.booster_.predict(rows, raw_score=True)
    assert contributions.iloc[7].sum() + base == pytest.approx(np.mean(raw[:, 1] - raw[:, 0]))


def test_explanations_rank_like_the_risk(model, test_placements):
    X = start_rows(test_placements)
    contributions, base = model.explain(X)
    assert contributions.abs().mean().idxmax() == "x"
    score = contributions.sum(axis=1) + base
    assert np.corrcoef(score.rank(), model.predict_risks(X)["risk_52w"].rank())[0, 1] > 0.95


def test_the_week_rows_built_from_one_coding_of_each_row_predict_as_lightgbm_codes_a_frame(model, test_placements):
    # prediction codes each placement's inputs once (`_lgbm.model_array`) and repeats them per week: the booster must
    # give what it gives the person-period frame written out as pandas rows (unseen and missing levels included)
    X = start_rows(test_placements, tenure=40).head(4).reset_index(drop=True)
    X["sector"] = pd.Series(["onbekend", None, *X["sector"].iloc[2:]], dtype="category")
    X.loc[0, "x"] = np.nan
    rows, weeks = week_grid(X["tenure_weeks"].to_numpy())
    frame = _lgbm.model_matrix(X.iloc[rows], model.features_, model.categories_).reset_index(drop=True)
    frame["week"] = weeks.astype(float)
    for kind in ({}, {"pred_contrib": True}):
        np.testing.assert_array_equal(_lgbm.predict(model.booster_, frame, **kind),
                                      _lgbm.predict(model.booster_, model._matrix(X, rows, weeks), **kind))


def test_cumulative_incidence_by_hand():
    h_u = np.array([[0.1, 0.2, 0.0]])
    h_n = np.array([[0.1, 0.0, 0.5]])
    cif_u, cif_n = cumulative_incidence(h_u, h_n)
    np.testing.assert_allclose(cif_u, [[0.1, 0.1 + 0.8 * 0.2, 0.26]])
    np.testing.assert_allclose(cif_n, [[0.1, 0.1, 0.1 + 0.64 * 0.5]])


def test_week_grid():
    rows, weeks = week_grid(np.array([50, 0]), horizon=3)
    assert rows.tolist() == [0, 0, 1, 1, 1]
    assert weeks.tolist() == [50, 51, 0, 1, 2]


def test_deterministic_and_picklable(model, person_periods, test_placements):
    X = start_rows(test_placements)
    again = LGBMCompetingRisk(**FAST).fit(person_periods, FEATURES)
    pd.testing.assert_frame_equal(model.predict_risks(X), again.predict_risks(X))
    loaded = cloudpickle.loads(cloudpickle.dumps(model))
    pd.testing.assert_frame_equal(model.predict_risks(X), loaded.predict_risks(X))


def test_contract(person_periods, test_placements):
    with pytest.raises(NotFittedError):
        LGBMCompetingRisk().predict_risks(start_rows(test_placements))
    with pytest.raises(ValueError, match="learning_rate"):
        LGBMCompetingRisk(learning_rate=0).fit(person_periods, FEATURES)
    with pytest.raises(ValueError, match="week"):
        LGBMCompetingRisk().fit(person_periods, [*FEATURES, "week"])
    with pytest.raises(ValueError, match="event must be"):
        LGBMCompetingRisk().fit(person_periods.assign(event=3), FEATURES)


def test_risk_curve_takes_one_placement(model, test_placements):
    with pytest.raises(ValueError, match="x_row"):
        model.risk_curve(start_rows(test_placements).head(2))


def test_risk_curves_of_many_rows_equal_each_row_on_its_own(model, test_placements):
    """One model call for a week's list (at scoring time) gives what risk_curve gives per placement."""
    X = pd.concat([start_rows(test_placements, tenure=t).head(2) for t in (0, 20, 51)], ignore_index=True)
    curves = model.risk_curves(X)
    for i in range(len(X)):
        one = model.risk_curve(X.iloc[[i]]).reset_index(drop=True)
        mine = curves[curves["row"] == i].drop(columns="row").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, one, check_dtype=False)


def test_the_hazards_of_the_rows_last_scored_are_reused_for_the_same_rows_and_never_pickled(model, test_placements,
                                                                                            monkeypatch):
    X = start_rows(test_placements, tenure=20).head(40)
    model.__dict__.pop("_last_hazards", None)
    risks, curves = model.predict_risks(X), model.risk_curves(X)  # a week's list: risks, then curves
    calls = []
    computed = model._compute_hazards
    monkeypatch.setattr(model, "_compute_hazards", lambda *a: calls.append(1) or computed(*a))
    pd.testing.assert_frame_equal(model.predict_risks(X), risks)
    pd.testing.assert_frame_equal(model.risk_curves(X), curves)
    assert calls == []  # the same rows: the hazards kept
    other = start_rows(test_placements, tenure=21).head(40)
    model.predict_risks(other)
    assert calls == [1]  # other inputs: computed again
    model.__dict__.pop("_last_hazards")
    pd.testing.assert_frame_equal(model.risk_curves(X), curves)  # kept or not, the same curves
    assert "_last_hazards" in model.__dict__
    assert "_last_hazards" not in cloudpickle.loads(cloudpickle.dumps(model)).__dict__
