import numpy as np
import pandas as pd
import pytest

from lks.features.frames import landmark_frame, mondays, person_period_frame
from tests.exports import ending, make_history, person, placement, registered_by_all

DATES = mondays("2024-01-15", "2024-03-04")
T = "2024-12-31"
REGISTERED = "2024-01-10T10:15:00"  # two days after the start: known on every as-of date


def history():
    """A: uitval, B: neutral (both structured, ended 16 Feb), C: legacy onbekend (ended 26 Jan),
    D: still active, E: ended 12 Jan but registered only on 1 March."""
    return make_history(
        placements=[placement(placement_id=p, start_date="2024-01-08", registered_at=REGISTERED) for p in "ABCDE"],
        endings=[
            ending(placement_id="A", end_date="2024-02-16", reason_code="conflict", registered_at="2024-02-20T09:00"),
            ending(placement_id="B", end_date="2024-02-16", reason_code="ander_werk", registered_at="2024-02-20T09:00"),
            ending(placement_id="C", end_date="2024-01-26", reason_code="onbekend", registration="legacy",
                   registered_at="2024-01-29T09:00"),
            ending(placement_id="E", end_date="2024-01-12", reason_code="conflict", registered_at="2024-03-01T09:00"),
        ],
    )


def labels(frame, column="uitval_13w"):
    first = frame[frame["as_of"] == "2024-01-15"]
    return dict(zip(first["placement_id"], first[column], strict=True))


def test_as_uitval_counts_unknown_endings_as_uitval_and_neutral_as_competing_event():
    frame = landmark_frame(history(), DATES, label_date=T, unknown_reasons="as_uitval")
    assert labels(frame) == {"A": 1, "B": 0, "C": 1, "D": 0}  # E had ended before: never at risk
    assert (frame["weight"] == 1).all()
    a = frame[(frame["placement_id"] == "A") & (frame["as_of"] == "2024-01-15")].iloc[0]
    # registered 2024-02-20, but usable only once its window closed (no selection on the outcome)
    assert a["label_known_at"] == pd.Timestamp("2024-01-15") + pd.Timedelta(days=91 + 60)
    d = frame[(frame["placement_id"] == "D") & (frame["as_of"] == "2024-01-15")].iloc[0]
    assert d["label_known_at"] == pd.Timestamp("2024-01-15") + pd.Timedelta(days=91 + 60)
    assert pd.isna(d["uitval_52w"])  # its 52-week window closes in 2025: unknown on T


def test_exclude_drops_rows_resting_on_an_unknown_reason():
    frame = landmark_frame(history(), DATES, label_date=T, unknown_reasons="exclude")
    assert labels(frame) == {"A": 1, "B": 0, "D": 0}
    assert "C" not in set(frame["placement_id"])


def test_structured_only_keeps_rows_from_the_structured_era():
    frame = landmark_frame(history(), DATES, label_date=T, unknown_reasons="structured_only")
    # the first structured ending was known on 2024-02-20: only later as-of dates remain
    assert (frame["as_of"] >= "2024-02-20").all() and set(frame["placement_id"]) == {"D"}
    explicit = landmark_frame(history(), DATES, label_date=T, unknown_reasons="structured_only",
                              structured_since="2024-01-01")
    assert labels(explicit) == {"A": 1, "B": 0, "D": 0}


def test_weighted_splits_unknown_endings_by_what_similar_endings_with_a_reason_did():
    # most endings with a reason are legacy ones that happen to carry one; they are evidence too (the four
    # structured ones alone, all neutral, would say nothing about debts)
    placements = [placement(placement_id=f"S{i}", person_id=f"P{i}", start_date="2024-01-08", registered_at=REGISTERED)
                  for i in range(20)]
    persons = [person(person_id=f"P{i}", debt_problems=i % 2 == 0) for i in range(20)]
    endings = [ending(placement_id=f"S{i}", end_date="2024-02-16", registered_at="2024-02-20T09:00",
                      reason_code="verzuim" if i % 2 == 0 else "ander_werk",
                      registration="structured" if i in (1, 3, 5, 7) else "legacy")
               for i in range(20)]
    for name, debt in (("U1", True), ("U0", False)):
        persons.append(person(person_id=name, debt_problems=debt))
        placements.append(placement(placement_id=name, person_id=name, start_date="2024-01-08",
                                    registered_at=REGISTERED))
        endings.append(ending(placement_id=name, end_date="2024-01-26", reason_code="onbekend", registration="legacy",
                              registered_at="2024-01-29T09:00"))
    h = make_history(persons=persons, placements=placements, endings=endings)
    frame = landmark_frame(h, DATES, label_date=T, unknown_reasons="weighted")
    rows = frame[frame["placement_id"].isin(["U1", "U0"]) & (frame["as_of"] == "2024-01-15")]
    assert len(rows) == 4
    assert rows.groupby("placement_id")["weight"].sum().tolist() == pytest.approx([1.0, 1.0])
    p = rows[rows["uitval_13w"] == 1].set_index("placement_id")["weight"]
    assert p["U1"] > 0.6 and p["U0"] < 0.4  # debts went with uitval among endings with a reason
    assert (frame.loc[~frame["placement_id"].isin(["U1", "U0"]), "weight"] == 1).all()


def test_training_frame_on_a_date_holds_only_labels_known_then():
    full = history()
    for t in ("2024-02-19", "2024-02-25", "2024-06-20"):
        frame = landmark_frame(full, DATES, label_date=t, unknown_reasons="as_uitval")
        assert (frame["label_known_at"] <= t).all()
        pd.testing.assert_frame_equal(
            frame, landmark_frame(registered_by_all(full, t), DATES, label_date=t, unknown_reasons="as_uitval"))
    def ids(t):
        return set(landmark_frame(full, DATES, label_date=t, unknown_reasons="as_uitval")["placement_id"])

    # The rows of 2024-01-15 enter together once their window (to 2024-04-15) closed plus 60 days,
    # the endings of A, B and C no earlier than D's "no ending": no selection on the outcome.
    assert ids("2024-06-13") == set()
    assert ids("2024-06-14") == {"A", "B", "C", "D"}


def test_52_week_horizon_waits_for_the_whole_first_year():
    frame = landmark_frame(history(), DATES, horizon="52w", label_date="2025-06-01", unknown_reasons="exclude")
    d = frame[frame["placement_id"] == "D"]
    assert len(d) == len(DATES) and (d["uitval_52w"] == 0).all()
    assert (d["label_known_at"] == pd.Timestamp("2024-01-08") + pd.Timedelta(days=363 + 60)).all()
    with pytest.raises(ValueError, match="horizon"):
        landmark_frame(history(), DATES, horizon="8w")


def test_person_period_rows_carry_the_event_of_their_week():
    frame = person_period_frame(history(), DATES, label_date=T, unknown_reasons="as_uitval")
    events = frame[frame["event"] > 0].set_index("placement_id")
    assert events["event"].to_dict() == {"C": 1, "A": 1, "B": 2}
    assert events.loc["A", "as_of"] == pd.Timestamp("2024-02-12")
    assert (frame["placement_id"] == "A").sum() == 5  # 15 Jan .. 12 Feb, none after the ending
    assert np.array_equal(frame.loc[frame["placement_id"] == "D", "tenure_weeks"], np.arange(1, 9))
    excluded = person_period_frame(history(), DATES, label_date=T, unknown_reasons="exclude")
    assert (excluded["placement_id"] == "C").sum() == 1  # censored at the start of its ending week
    weighted = person_period_frame(history(), DATES, label_date=T, unknown_reasons="weighted")
    c = weighted[(weighted["placement_id"] == "C") & (weighted["event"] > 0)]
    assert sorted(c["event"]) == [1, 2] and c["weight"].sum() == pytest.approx(1.0)


def test_unknown_strategy_is_checked():
    with pytest.raises(ValueError, match="unknown_reasons"):
        landmark_frame(history(), DATES, unknown_reasons="guess")


def test_horizon_none_keeps_rows_with_any_label_known_each_label_on_its_own_date():
    t = "2024-06-14"  # the 13-week windows of 2024-01-15 closed plus grace; no 52-week window yet
    frame = landmark_frame(history(), DATES, horizon=None, label_date=t, unknown_reasons="as_uitval")
    assert set(frame["placement_id"]) == {"A", "B", "C", "D"}
    assert frame["uitval_13w"].notna().all() and frame["uitval_52w"].isna().all()
    assert (frame["label_known_at_13w"] <= t).all() and (frame["label_known_at_52w"] > t).all()


def test_the_13_week_label_stops_at_the_end_of_the_first_year():
    """Started 2024-01-08, its first year ends 2025-01-05; on 2024-11-25 (week 46) an uitval on
    2025-01-20 lies within 13 weeks but after the first year: it counts for neither label."""
    hist = make_history(
        placements=[placement(placement_id=p, start_date="2024-01-08", registered_at=REGISTERED) for p in "FG"],
        endings=[
            ending(placement_id="F", end_date="2025-01-20", reason_code="conflict", registered_at="2025-01-22T09:00"),
            ending(placement_id="G", end_date="2025-01-03", reason_code="conflict", registered_at="2025-01-06T09:00"),
        ],
    )
    frame = landmark_frame(hist, [pd.Timestamp("2024-11-25")], label_date="2025-12-31", unknown_reasons="exclude")
    rows = frame.set_index("placement_id")
    assert rows.loc["F", "uitval_13w"] == 0 and rows.loc["F", "uitval_52w"] == 0
    assert rows.loc["G", "uitval_13w"] == 1 and rows.loc["G", "uitval_52w"] == 1
    # the window closed at the end of the first year, so the label is usable 60 days later
    assert rows.loc["F", "label_known_at_13w"] == pd.Timestamp("2025-01-05") + pd.Timedelta(days=60)


@pytest.fixture(scope="module")
def mnar():
    """A history (prepared) and its weekly features: see `mnar_history`."""
    from lks.features.frames import weekly_features
    from lks.features.known import prepare

    known = prepare(mnar_history())
    return known, weekly_features(known, DATES)


def mnar_history():
    """60 structured endings (debts: verzuim, an uitval; none: ander_werk, neutral); legacy: 10 uitval
    and 2 neutral with a reason, and 20 `onbekend` (U0..U9 with debts, N0..N9 without). Uitval
    reasons were recorded more often than neutral ones in the legacy era."""
    persons, placements, endings = [], [], []

    def add(name, debt, reason, registration, end="2024-02-16"):
        persons.append(person(person_id=f"P{name}", debt_problems=debt))
        placements.append(placement(placement_id=name, person_id=f"P{name}", start_date="2024-01-08",
                                    registered_at="2024-01-08T10:15:00"))
        registered = "2024-02-20T09:00" if end == "2024-02-16" else "2024-01-29T09:00"
        endings.append(ending(placement_id=name, end_date=end, reason_code=reason, registration=registration,
                              registered_at=registered))

    for i in range(60):
        add(f"S{i}", i % 2 == 0, "verzuim" if i % 2 == 0 else "ander_werk", "structured")
    for i in range(10):
        add(f"LU{i}", True, "verzuim", "legacy")
        add(f"U{i}", True, "onbekend", "legacy", end="2024-01-26")
        add(f"N{i}", False, "onbekend", "legacy", end="2024-01-26")
    for i in range(2):
        add(f"LN{i}", False, "ander_werk", "legacy")
    return make_history(persons=persons, placements=placements, endings=endings)


def uitval_weights(frame):
    first = frame[(frame["as_of"] == "2024-01-15") & (frame["uitval_13w"] == 1)]
    return first.set_index("placement_id")["weight"]


def test_mnar_weighted_is_the_default_and_lowers_p_when_uitval_was_recorded_more_often(mnar):
    h, weekly = mnar
    mar = landmark_frame(h, DATES, label_date=T, unknown_reasons="weighted", features=weekly)
    mnar = landmark_frame(h, DATES, label_date=T, features=weekly)
    pd.testing.assert_frame_equal(mnar, landmark_frame(h, DATES, label_date=T, unknown_reasons="mnar_weighted"))
    assert len(mnar) == len(mar)  # the same rows, split the same way, only the weights differ
    unknown = [f"U{i}" for i in range(10)] + [f"N{i}" for i in range(10)]
    first = mnar[(mnar["as_of"] == "2024-01-15") & mnar["placement_id"].isin(unknown)]
    assert first.groupby("placement_id")["weight"].sum().to_numpy() == pytest.approx(np.ones(20))
    p_mnar, p_mar = uitval_weights(mnar)[unknown], uitval_weights(mar)[unknown]
    assert (p_mnar < p_mar - 0.02).all()  # an unrecorded reason was more likely a neutral one
    assert p_mnar[[f"U{i}" for i in range(10)]].min() > p_mnar[[f"N{i}" for i in range(10)]].max()
    pp = person_period_frame(h, DATES, label_date=T, features=weekly)
    u0 = pp[(pp["placement_id"] == "U0") & (pp["event"] == 1)]["weight"]
    assert u0.to_numpy() == pytest.approx([p_mnar["U0"]])


def test_mnar_weighted_falls_back_to_weighted_with_too_few_structured_endings():
    for build in (landmark_frame, person_period_frame):
        pd.testing.assert_frame_equal(build(history(), DATES, label_date=T, unknown_reasons="mnar_weighted"),
                                      build(history(), DATES, label_date=T, unknown_reasons="weighted"))


def test_unknown_reason_estimate_reads_the_endings_known_on_the_label_date(mnar):
    from lks.features.frames import unknown_reason_estimate

    h, weekly = mnar
    est = unknown_reason_estimate(h, DATES, label_date=T, features=weekly, n_boot=30)
    assert est.method == "mnar" and est.n_structured_reasons == 60
    assert (est.n_legacy, est.n_legacy_uitval, est.n_legacy_neutral, est.n_legacy_unknown) == (32, 10, 2, 20)
    assert est.r_uitval > est.r_neutral
    assert est.low <= est.share <= est.high and est.share < est.mar_share
    assert sorted(est.legacy_unknown) == sorted([f"U{i}" for i in range(10)] + [f"N{i}" for i in range(10)])
    early = unknown_reason_estimate(h, DATES, label_date="2024-02-01", features=weekly, n_boot=0)
    assert early.n_legacy_unknown == 20 and early.n_structured_reasons == 0 and early.method == "mar_fallback"
