"""The backtest never lets a model see what was unknown on its training date."""

from datetime import date

import pandas as pd
import pytest

from lks.features.frames import mondays, weekly_features
from lks.features.known import prepare
from lks.models.baselines import LogisticBaseline, TenureBaseline
from lks.training.backtest import BacktestConfig, choose_champion, eligible_champions, run_backtest, weekly_test_dates
from lks.training.candidates import Candidate


def test_test_dates_end_when_first_year_labels_are_all_known():
    dates = weekly_test_dates(date(2026, 11, 22), 3)
    assert dates[-1] == pd.Timestamp("2025-09-22") and dates[-1].weekday() == 0
    assert dates[-1] + pd.Timedelta(days=363 + 60) <= pd.Timestamp("2026-11-22")
    assert [d - dates[0] for d in dates] == [pd.Timedelta(weeks=w) for w in range(3)]


SEEN: list = []


class Spy(TenureBaseline):
    def fit(self, frame, features=()):
        SEEN.append(frame)
        return super().fit(frame, features)


class LandmarkSpy(LogisticBaseline):
    def fit(self, frame, features):
        SEEN.append(frame)
        return super().fit(frame, features)


@pytest.fixture(scope="module")
def simulated(tmp_path_factory):
    from lks.data_contracts.validate import validate_export
    from lks.simulator import simulate

    out = tmp_path_factory.mktemp("sim")
    simulate(out, seed=3)
    return validate_export(out).tables


@pytest.mark.slow
def test_no_model_sees_a_row_usable_only_after_its_training_date(simulated):
    known = prepare(simulated)
    as_of = date(2026, 11, 22)
    weekly = weekly_features(known, mondays("2023-01-02", as_of))
    candidates = [Candidate("spy", "person_period", Spy, True), Candidate("spy2", "landmark", LandmarkSpy, False)]
    SEEN.clear()
    config = BacktestConfig(as_of, unknown_reasons="as_uitval", n_test_dates=4, retrain_every=2)
    result = run_backtest(known, weekly, config, candidates=candidates)
    train_dates = sorted(result.predictions["train_date"].unique())
    assert len(train_dates) == 2 and len(SEEN) == 4
    for frame, train_date in zip(SEEN, [d for d in train_dates for _ in range(2)], strict=True):
        assert frame["as_of"].max() < train_date
        for column in [c for c in frame.columns if c.startswith("label_known_at")]:
            usable = frame[column][frame[column.replace("label_known_at", "uitval")].notna()] \
                if column != "label_known_at" else frame[column]
            assert (usable <= train_date).all(), column
    # every test row is scored by the model trained on or before its date, never after
    assert (result.predictions["train_date"] <= result.predictions["as_of"]).all()
    assert set(result.pooled) == {"spy", "spy2"}


def test_the_champion_is_chosen_by_precision_across_dates():
    per = {n: pd.DataFrame({"precision_at_k": p}) for n, p in {"a": [0.4, 0.4, 0.1], "b": [0.3, 0.3, 0.3]}.items()}

    class Result:
        per_date = per
        pooled = {"a": {"precision_at_k": 0.3, "ece_52w": 0.02}, "b": {"precision_at_k": 0.3, "ece_52w": 0.05}}

    candidates = [Candidate("a", "landmark", TenureBaseline, True), Candidate("b", "landmark", TenureBaseline, True)]
    assert choose_champion(Result, candidates) == "a"  # equal mean: it wins on more test dates


def test_a_champion_must_beat_every_baseline_on_each_headline_metric():
    def metrics(auc13, auc52, precision):
        return {"roc_auc_13w": auc13, "roc_auc_52w": auc52, "precision_at_k": precision, "ece_52w": 0.03}

    class Result:
        per_date = {n: pd.DataFrame({"precision_at_k": [0.4]}) for n in ("a", "b", "base")}
        pooled = {"a": metrics(0.70, 0.75, 0.45),      # the most precise, but below the baseline at 13 weeks
                  "b": metrics(0.75, 0.76, 0.40),
                  "base": metrics(0.72, 0.74, 0.35)}

    candidates = [Candidate("a", "landmark", TenureBaseline, True), Candidate("b", "landmark", TenureBaseline, True),
                  Candidate("base", "landmark", TenureBaseline, False)]
    assert eligible_champions(Result, candidates) == ["b"]
    assert choose_champion(Result, candidates) == "b"
    Result.pooled["b"] = metrics(0.75, 0.76, 0.30)   # now nobody beats the baseline: the most precise wins
    assert eligible_champions(Result, candidates) == [] and choose_champion(Result, candidates) == "a"
