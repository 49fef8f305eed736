"""The fairness audit on hand-built test rows where every figure is known by hand."""

import numpy as np
import pandas as pd
import pytest

from lks.training.fairness import AuditSettings, as_json, audit, largest_gaps, summary_fields, worst_case_flags

SMALL = AuditSettings(min_placements=1, min_positives=1, n_boot=50)
WEEK = pd.Timestamp("2025-06-02")


def frame(rows, week=WEEK):
    """rows: (placement_id, gender, risk, uitval) on one test week."""
    predictions = pd.DataFrame([{"placement_id": p, "as_of": week, "uitval_52w": y, "m__risk_52w": r}
                                for p, _, r, y in rows])
    persons = pd.DataFrame([{"placement_id": p, "gender": g, "birth_year": 1980, "migration_background": "geen",
                             "dutch_language_level": "goed", "district": "Noord"} for p, g, _, _ in rows])
    return predictions, persons.drop_duplicates("placement_id")


def group(table, attribute, name):
    return table[(table["attribute"] == attribute) & (table["group"] == name)].iloc[0]


def test_every_metric_per_group_as_counted_by_hand():
    predictions, persons = frame([(1, "man", 0.9, 1), (2, "man", 0.5, 0), (3, "man", 0.1, 1),
                                  (4, "vrouw", 0.8, 0), (5, "vrouw", 0.3, 1), (6, "vrouw", 0.2, 0),
                                  (7, "vrouw", 0.15, 1)])
    table = audit(predictions, persons, "m", k=2, settings=SMALL)
    man, vrouw = group(table, "gender", "man"), group(table, "gender", "vrouw")
    # on the list (top 2): placements 1 (man, uitval) and 4 (vrouw, no uitval)
    assert (man["n_placements"], man["n_uitval"], vrouw["n_placements"], vrouw["n_uitval"]) == (3, 2, 4, 2)
    assert man["share_flagged"] == pytest.approx(1 / 3) and vrouw["share_flagged"] == pytest.approx(1 / 4)
    assert man["recall"] == pytest.approx(1 / 2) and vrouw["recall"] == 0
    assert man["fnr"] == pytest.approx(1 / 2) and vrouw["fnr"] == 1
    assert man["fpr"] == 0 and vrouw["fpr"] == pytest.approx(1 / 2)
    assert man["precision"] == 1 and vrouw["precision"] == 0
    assert man["mean_predicted"] == pytest.approx(0.5) and man["observed"] == pytest.approx(2 / 3)
    assert man["calibration_gap"] == pytest.approx(0.5 - 2 / 3)
    # the reference is the largest judged group (vrouw, 4 placements); it catches none, so no ratio is defined
    assert vrouw["reference"] and not man["reference"]
    assert np.isnan(vrouw["recall_ratio"]) and np.isinf(man["recall_ratio"])
    assert man["recall_lo"] <= man["recall"] <= man["recall_hi"]


def test_ties_at_k_are_reported_in_each_groups_worst_case():
    # k = 2: placement 1 is on the list; one place is left for the three rows tied at 0.5
    predictions, persons = frame([(1, "man", 0.9, 1), (2, "man", 0.5, 1), (3, "vrouw", 0.5, 1),
                                  (4, "vrouw", 0.5, 0), (5, "vrouw", 0.1, 0)])
    table = audit(predictions, persons, "m", k=2, settings=SMALL)
    man, vrouw = group(table, "gender", "man"), group(table, "gender", "vrouw")
    # man loses the tie to both women: 1 of its 2 uitval caught. vrouw loses to man: none of its rows listed
    assert man["recall"] == pytest.approx(1 / 2) and man["share_flagged"] == pytest.approx(1 / 2)
    assert vrouw["recall"] == 0 and vrouw["share_flagged"] == 0
    assert (man["tied_at_k"], vrouw["tied_at_k"]) == (1, 2)


def test_within_a_group_its_uitval_cases_lose_the_tie():
    week = np.zeros(3)
    flags = worst_case_flags(week, np.array([0.5, 0.5, 0.1]), np.array([1.0, 0.0, 0.0]),
                             np.array(["a", "a", "a"]), k=1)
    assert flags.tolist() == [0, 1, 0]


def test_a_group_below_the_minimum_is_not_judged_and_is_no_reference():
    rows = [(i, "man", 0.9 - i / 100, i % 2) for i in range(10)] + [(20, "x", 0.95, 1)]
    predictions, persons = frame(rows)
    table = audit(predictions, persons, "m", k=3, settings=AuditSettings(min_placements=5, min_positives=2, n_boot=20))
    assert not group(table, "gender", "x")["judged"] and group(table, "gender", "man")["judged"]
    assert group(table, "gender", "man")["reference"]
    listed = {g["group"]: g for g in as_json(table)["gender"]}
    assert listed["x"]["judged"] is False and listed["x"]["n_placements"] == 1
    assert largest_gaps(table)["gender"] == 0.0  # one judged group: no gap to measure


def test_bootstrap_resamples_placements_and_soft_labels_count_with_their_weight():
    weeks = [WEEK, WEEK + pd.Timedelta(days=7)]
    parts = [frame([(1, "man", 0.9, 0.5), (2, "man", 0.1, 1.0), (3, "vrouw", 0.8, 1.0), (4, "vrouw", 0.2, 0.0)], w)
             for w in weeks]
    predictions = pd.concat([p for p, _ in parts], ignore_index=True)
    table = audit(predictions, parts[0][1], "m", k=2, settings=AuditSettings(1, 1, 200))
    man = group(table, "gender", "man")
    # each week: placement 1 (listed) counts 0.5 uitval, placement 2 (not listed) 1: recall 0.5 / 1.5
    assert man["recall"] == pytest.approx(1 / 3)
    assert man["n_placements"] == 2 and man["n_uitval"] == 1 and man["n_rows"] == 4
    # resampling whole placements, man's recall is 0 (only placement 2), 1/3 or 1 (only placement 1)
    assert man["recall_lo"] == pytest.approx(0) and man["recall_hi"] == pytest.approx(1)
    ratio = as_json(table)["gender"]
    assert all(len(g["recall_ratio_ci"]) == 2 for g in ratio)


def test_an_empty_table_gives_an_empty_audit():
    predictions, persons = frame([(1, "man", 0.5, np.nan)])
    table = audit(predictions, persons, "m", k=2, settings=SMALL)
    assert table.empty
    fields = summary_fields(table, predictions)
    assert fields["fairness"] == {} and fields["fairness_gaps"] == {}
