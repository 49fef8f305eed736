import cloudpickle
import numpy as np
import pandas as pd
import pytest
from lifelines import AalenJohansenFitter, KaplanMeierFitter
from sklearn.exceptions import NotFittedError
from sklearn.metrics import roc_auc_score

from lks.models.baselines import CurrentPracticeRule, LogisticBaseline, TenureBaseline
from tests.models.synthetic import FEATURES, start_rows


def test_tenure_baseline_matches_lifelines_aalen_johansen(train_placements, person_periods):
    # lifelines jitters tied times of different event types at random (lifelines#1521); break the ties by hand
    # instead: within a week uitval first, then neutral endings, then censoring. That ordering is exactly what the
    # discrete-time estimator assumes (both causes compete for the same at-risk set of the week).
    model = TenureBaseline().fit(person_periods)
    duration, event = train_placements["duration"].to_numpy(), train_placements["event"].to_numpy()
    time = duration - np.select([event == 1, event == 2], [0.5, 0.25], 0.0)
    ours = model.cumulative_incidence(0).set_index("week")
    for cause, column in ((1, "cif_uitval"), (2, "cif_neutral")):
        ajf = AalenJohansenFitter(calculate_variance=False).fit(time, event, event_of_interest=cause)
        theirs = ajf.cumulative_density_.iloc[:, 0]
        for week in (0, 4, 12, 25, 51):  # by the end of tenure week w = by duration w + 1
            assert ours.loc[week, column] == pytest.approx(theirs[theirs.index <= week + 1].iloc[-1], abs=1e-9)


def test_tenure_baseline_is_kaplan_meier_without_competing_endings(train_placements, person_periods):
    no_neutral = person_periods.assign(event=person_periods["event"].replace(2, 0))
    model = TenureBaseline().fit(no_neutral)
    kmf = KaplanMeierFitter().fit(train_placements["duration"], train_placements["event"] == 1)
    risks = model.predict_risks(pd.DataFrame({"tenure_weeks": [0, 10]}))
    assert risks["risk_52w"].iloc[0] == pytest.approx(1 - kmf.survival_function_at_times(52).iloc[0])
    conditional = kmf.survival_function_at_times(23).iloc[0] / kmf.survival_function_at_times(10).iloc[0]
    assert risks["risk_13w"].iloc[1] == pytest.approx(1 - conditional)


def test_tenure_baseline_depends_on_tenure_only(person_periods, test_placements):
    model = TenureBaseline().fit(person_periods, FEATURES)
    risks = model.predict_risks(start_rows(test_placements, tenure=5))
    assert risks["risk_52w"].nunique() == 1 and risks["risk_13w"].iloc[0] <= risks["risk_52w"].iloc[0]
    weighted = TenureBaseline().fit(person_periods.assign(weight=2.0))
    np.testing.assert_allclose(weighted.hazard_uitval_, model.hazard_uitval_)


def test_logistic_baseline_ranks(landmarks, test_landmarks):
    model = LogisticBaseline().fit(landmarks, FEATURES)
    risks = model.predict_risks(test_landmarks)
    assert roc_auc_score(test_landmarks["uitval_52w"], risks["risk_52w"]) > 0.75
    unseen = test_landmarks.head(3).assign(sector=pd.Categorical(["nieuw", None, "zorg"]))
    assert model.predict_risks(unseen).notna().all().all()
    loaded = cloudpickle.loads(cloudpickle.dumps(model))
    pd.testing.assert_frame_equal(loaded.predict_risks(test_landmarks), risks)


def test_current_practice_rule_flags_signals(landmarks):
    X = pd.DataFrame({"sick_reports_4w": [0, 2, 0, np.nan], "zorgelijk_contacts_4w": [0, 0, 1, 0],
                      "tenure_weeks": [3, 3, 3, 3]}, index=list("abcd"))
    rule = CurrentPracticeRule().fit(landmarks, FEATURES)
    risks = rule.predict_risks(X)
    assert risks["risk_13w"].tolist() == [0, 1, 1, 0] and risks["risk_52w"].tolist() == [0, 1, 1, 0]
    assert rule.signal_counts(X).tolist() == [0, 2, 1, 0]


def test_current_practice_rule_takes_the_column_names(landmarks):
    renamed = landmarks.rename(columns={"sick_reports_4w": "ziek"})
    features = [f if f != "sick_reports_4w" else "ziek" for f in FEATURES]
    rule = CurrentPracticeRule(sick_column="ziek").fit(renamed, features)
    assert rule.predict_risks(renamed)["risk_13w"].sum() > 0
    with pytest.raises(ValueError, match="sick_column"):
        CurrentPracticeRule().fit(renamed, features)
    with pytest.raises(ValueError, match="contact_column"):
        CurrentPracticeRule(contact_column="").fit(landmarks, FEATURES)


@pytest.mark.parametrize("model", [TenureBaseline(), LogisticBaseline(), CurrentPracticeRule()])
def test_predict_before_fit_raises(model, test_landmarks):
    with pytest.raises(NotFittedError):
        model.predict_risks(test_landmarks)


def test_bad_parameters_are_named(landmarks, person_periods):
    with pytest.raises(ValueError, match="C must"):
        LogisticBaseline(C=0).fit(landmarks, FEATURES)
    with pytest.raises(ValueError, match="week"):
        TenureBaseline().fit(person_periods.assign(week=60))


def test_logistic_explanation_adds_up_to_its_log_odds(landmarks, test_landmarks):
    from scipy.special import logit

    model = LogisticBaseline(C=0.5).fit(landmarks, FEATURES)
    for horizon in ("13w", "52w"):
        contributions, base = model.explain(test_landmarks, horizon)
        assert contributions.columns.tolist() == [*FEATURES, "tenure_weeks"]
        raw = logit(model.predict_risks(test_landmarks)[f"risk_{horizon}"].to_numpy())
        np.testing.assert_allclose(contributions.sum(axis=1).to_numpy() + base, raw, atol=1e-8)
    # a feature held at one value for every row explains nothing about differences between rows
    same = test_landmarks.assign(x=test_landmarks["x"].iloc[0])
    spread = model.explain(same)[0]["x"]
    assert spread.max() - spread.min() < 1e-12
