"""The champion rule on constructed backtest results: it never crowns a model that loses to a baseline."""

import pandas as pd
import pytest

from lks.models.baselines import TenureBaseline
from lks.training.backtest import BacktestResult
from lks.training.candidates import Candidate
from lks.training.champion import NoChampion, choose_champion, eligible_champions, summary_fields

CANDIDATES = [Candidate("a", "landmark", TenureBaseline, True), Candidate("b", "landmark", TenureBaseline, True),
              Candidate("tenure_rate", "person_period", TenureBaseline, False),
              Candidate("logistic", "landmark", TenureBaseline, False, fallback=True),
              Candidate("current_practice", "landmark", TenureBaseline, False)]


def metrics(auc13, auc52, precision, ece=0.03):
    return {"roc_auc_13w": auc13, "roc_auc_52w": auc52, "precision_at_k": precision, "ece_52w": ece}


def result(validation: dict, test: dict | None = None, precision_by_date: dict | None = None) -> BacktestResult:
    dates = [pd.Timestamp("2025-03-31") + pd.Timedelta(weeks=w) for w in range(3)]
    per_date = {n: pd.DataFrame({"as_of": dates, "precision_at_k": (precision_by_date or {}).get(
        n, [m["precision_at_k"]] * 3)}) for n, m in validation.items()}
    return BacktestResult(dates, {}, test or {}, {}, pd.DataFrame(), validation_dates=dates, validation=validation,
                          validation_per_date=per_date)


BASELINES = {"tenure_rate": metrics(0.70, 0.72, 0.20), "logistic": metrics(0.74, 0.76, 0.30),
             "current_practice": metrics(0.55, 0.56, 0.10)}


def test_a_candidate_that_beats_every_baseline_on_each_headline_metric_is_champion():
    chosen = result({"a": metrics(0.73, 0.80, 0.45),   # the most precise, but behind logistic at 13 weeks
                     "b": metrics(0.75, 0.77, 0.35), **BASELINES})
    assert eligible_champions(chosen, CANDIDATES) == ["b"]
    choice = choose_champion(chosen, CANDIDATES)
    assert (choice.model, choice.kind, choice.eligible) == ("b", "candidate", ["b"])


def test_among_eligible_candidates_precision_then_winning_dates_decide():
    equal = result({"a": metrics(0.75, 0.77, 0.35, ece=0.05), "b": metrics(0.75, 0.77, 0.35, ece=0.01),
                    **BASELINES}, precision_by_date={"a": [0.4, 0.4, 0.25], "b": [0.35, 0.35, 0.35]})
    assert choose_champion(equal, CANDIDATES).model == "a"  # equal mean: it is ahead on more dates


def test_when_no_candidate_beats_every_baseline_the_best_baseline_that_beats_practice_is_registered():
    losing = result({"a": metrics(0.73, 0.80, 0.45), "b": metrics(0.75, 0.77, 0.29), **BASELINES})
    choice = choose_champion(losing, CANDIDATES)
    assert (choice.model, choice.kind, choice.eligible) == ("logistic", "baseline", [])
    assert "no candidate beats every baseline" in choice.reason and "registered instead" in choice.reason
    assert "roc_auc_13w 0.730 not above logistic 0.740" in choice.reason      # says why each candidate lost
    assert "precision_at_k 0.290 not above logistic 0.300" in choice.reason


def test_a_baseline_without_explanations_is_never_served_even_when_it_is_the_best():
    better_tenure = {**BASELINES, "tenure_rate": metrics(0.80, 0.82, 0.40)}
    choice = choose_champion(result({"a": metrics(0.73, 0.80, 0.45), **better_tenure}), CANDIDATES)
    assert choice.model == "logistic" and choice.kind == "baseline"


def test_when_nothing_beats_todays_practice_nothing_is_registered():
    weak = {**BASELINES, "logistic": metrics(0.60, 0.61, 0.09)}  # behind practice on precision at k
    with pytest.raises(NoChampion, match="no baseline that can be served beats today's practice.*precision_at_k"):
        choose_champion(result({"a": metrics(0.50, 0.50, 0.05), **weak}), CANDIDATES)


def test_a_tie_is_not_a_win_and_nan_never_beats():
    tied = result({"a": metrics(0.74, 0.77, 0.35), **BASELINES})       # equal to logistic on ROC AUC 13w
    assert eligible_champions(tied, CANDIDATES) == []
    missing = result({"a": metrics(float("nan"), 0.9, 0.9), **BASELINES})
    assert eligible_champions(missing, CANDIDATES) == []


def test_the_choice_is_made_on_validation_and_a_shortfall_on_test_is_reported_not_hidden():
    validation = {"a": metrics(0.76, 0.80, 0.45), **BASELINES}
    test = {"a": metrics(0.72, 0.78, 0.40), **BASELINES}             # behind logistic at 13 weeks on test
    choice = choose_champion(result(validation, test), CANDIDATES)
    assert choice.model == "a" and choice.kind == "candidate"
    assert choice.test_shortfalls == ["roc_auc_13w 0.720 not above logistic 0.740"]
    # the test figures alone never change the choice
    assert choose_champion(result(validation, {"a": metrics(0.1, 0.1, 0.0), **BASELINES}), CANDIDATES).model == "a"


def test_the_summary_records_the_rule_the_validation_window_and_the_primary_figure():
    chosen = result({"a": metrics(0.73, 0.80, 0.45), **BASELINES})
    chosen.choice = choose_champion(chosen, CANDIDATES)
    chosen.predictions = pd.DataFrame({"unknown_ending": [True, False, False]})
    fields = summary_fields(chosen)
    assert fields["champion_rule"]["kind"] == "baseline" and fields["champion_rule"]["model"] == "logistic"
    assert fields["validation_dates"] == ["2025-03-31", "2025-04-07", "2025-04-14"]
    assert fields["primary_figure"] == "weighted"
    assert fields["onbekend"]["rows_with_onbekend_ending"] == 1 and fields["onbekend"]["test_rows"] == 3
