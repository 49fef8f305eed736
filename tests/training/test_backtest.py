"""The backtest never lets a model see what was unknown on its training date."""

from datetime import date

import pandas as pd
import pytest

from lks.features.frames import landmark_frame, mondays, weekly_features
from lks.features.known import prepare
from lks.models.baselines import LogisticBaseline, TenureBaseline
from lks.training.backtest import (
    BacktestConfig,
    NoTrainingRows,
    evaluation_rows,
    fit_candidate,
    run_backtest,
    training_frames,
    weekly_test_dates,
)
from lks.training.candidates import CANDIDATES_BY_NAME, Candidate


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


@pytest.fixture(scope="module")
def weekly_of():
    cache = {}

    def build(tables):
        if "weekly" not in cache:
            cache["weekly"] = weekly_features(prepare(tables), mondays("2023-01-02", date(2026, 11, 22)))
        return cache["weekly"]
    return build


@pytest.mark.slow
def test_no_model_sees_a_row_usable_only_after_its_training_date(simulated, weekly_of):
    known = prepare(simulated)
    as_of = date(2026, 11, 22)
    weekly = weekly_of(simulated)
    candidates = [Candidate("spy", "person_period", Spy, True), Candidate("spy2", "landmark", LandmarkSpy, False)]
    SEEN.clear()
    config = BacktestConfig(as_of, unknown_reasons="as_uitval", n_test_dates=2, n_validation_dates=2,
                            retrain_every=2)
    result = run_backtest(known, weekly, config, candidates=candidates)
    # one fit for the validation window, one for the test window; the test window comes after
    assert len(SEEN) == 4 and len(result.validation_dates) == 2 and len(result.test_dates) == 2
    assert max(result.validation_dates) < min(result.test_dates)
    assert set(result.predictions["as_of"]) == set(result.test_dates)
    assert set(result.validation) == {"spy", "spy2"} and result.validation_per_date["spy"]["as_of"].tolist() == \
        result.validation_dates
    train_dates = sorted(result.predictions["train_date"].unique())
    assert train_dates == [result.test_dates[0]]
    train_dates = [result.validation_dates[0], result.test_dates[0]]
    for frame, train_date in zip(SEEN, [d for d in train_dates for _ in range(2)], strict=True):
        assert frame["as_of"].max() < train_date
        for column in [c for c in frame.columns if c.startswith("label_known_at")]:
            usable = frame[column][frame[column.replace("label_known_at", "uitval")].notna()] \
                if column != "label_known_at" else frame[column]
            assert (usable <= train_date).all(), column
    # every test row is scored by the model trained on or before its date, never after
    assert (result.predictions["train_date"] <= result.predictions["as_of"]).all()
    assert set(result.pooled) == {"spy", "spy2"}


@pytest.mark.slow
def test_test_rows_with_an_onbekend_ending_stay_in_with_a_soft_label_between_the_two_readings(simulated, weekly_of):
    known, as_of = prepare(simulated), date(2026, 11, 22)
    weekly = weekly_of(simulated)
    dates = weekly_test_dates(as_of, 6)
    rows = evaluation_rows(known, weekly, dates, as_of)
    excluded = landmark_frame(known, dates, horizon="52w", label_date=as_of, unknown_reasons="exclude",
                              features=weekly[weekly["as_of"].isin(dates)])
    keys = ["placement_id", "as_of"]
    assert not rows.duplicated(keys).any()
    # nothing is left out: every row the old evaluation kept, plus the ones with an onbekend ending
    kept = rows.merge(excluded[keys], on=keys, how="left", indicator=True)
    assert (kept["_merge"] == "both").sum() == len(excluded)
    assert set(kept.loc[kept["_merge"] == "left_only", "placement_id"]) == \
        set(rows.loc[rows["unknown_ending"], "placement_id"])
    unknown = rows[rows["unknown_ending"]]
    assert len(unknown) > 0 and unknown["p_unknown_uitval"].between(0, 1).all()
    assert (unknown["uitval_52w__as_uitval"] == 1).all() and (unknown["uitval_52w__as_neutral"] == 0).all()
    assert unknown["uitval_52w"].to_numpy() == pytest.approx(unknown["p_unknown_uitval"].to_numpy())
    certain = rows[~rows["unknown_ending"]]
    assert (certain["uitval_52w"] == certain["uitval_52w__as_neutral"]).all()
    assert set(certain["uitval_52w"].unique()) <= {0.0, 1.0}


@pytest.mark.slow
def test_a_strategy_that_leaves_no_training_rows_says_why(simulated, weekly_of):
    known = prepare(simulated)
    with pytest.raises(NoTrainingRows) as err:
        training_frames(known, weekly_of(simulated), pd.Timestamp("2024-07-01"), "structured_only")
    message = str(err.value)
    assert "no training rows on 2024-07-01" in message and "'structured_only'" in message
    assert "0 landmark rows" in message and "as-of dates 2023-01-02 .. 2024-06-24" in message
    assert "structured-registration era" in message


def test_a_history_too_short_to_hold_out_the_newest_labels_says_why_in_plain_words():
    # every label of the frame became known in its last week: the classifier's early stopping has no earlier rows
    frame = pd.DataFrame({"x": [0.0, 1.0, 2.0, 3.0], "tenure_weeks": [1, 2, 3, 4], "weight": 1.0,
                          "as_of": pd.Timestamp("2025-01-06"), "uitval_13w": pd.array([0, 1, 0, 1], dtype="Int8"),
                          "uitval_52w": pd.array([0, 1, 0, 1], dtype="Int8"),
                          "label_known_at_13w": pd.Timestamp("2025-06-02"),
                          "label_known_at_52w": pd.Timestamp("2025-06-02")})
    with pytest.raises(NoTrainingRows, match="lightgbm cannot hold out its newest labels .* --validation-dates"):
        fit_candidate(CANDIDATES_BY_NAME["lightgbm"], (frame, frame), ["x"])
