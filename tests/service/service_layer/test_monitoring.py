import dataclasses
from datetime import date

import numpy as np
import pandas as pd
import pytest

from lks.service.service_layer.monitoring import alerts, fairness, load_config, monitor, psi, read_inputs
from tests.service.service_layer import monitoring_world as world


def run(tmp_path, **changes) -> dict:
    engine = world.build(tmp_path, **changes)
    return monitor(read_inputs(engine, world.MONITOR_ON), world.MONITOR_ON, load_config())


def checks(result: dict) -> set[tuple[str, str]]:
    return {(a["check"], a["subject"]) for a in result["alerts"]}


def test_an_unchanged_world_raises_no_alert_and_reports_the_known_figures(tmp_path):
    result = run(tmp_path)
    assert result["alerts"] == []
    figures = result["performance"]["13w"]["all"]["pooled"]
    assert figures["ece"] == pytest.approx(0.0, abs=1e-9)
    assert figures["observed_rate"] == pytest.approx(0.5)
    assert figures["precision_at_k"] == pytest.approx(23 / 25)  # 18 of the 0.9 block, 5 of the 0.7 block
    assert figures["recall_at_k"] == pytest.approx(23 / 50)
    assert result["performance"]["13w"]["all"]["n_weeks"] == len(world.WEEKS)
    assert "52w" not in result["performance"]  # first-year windows have not closed on 2024-09-01
    assert result["drift"]["scores"]["risk_52w"] == pytest.approx(0.0, abs=1e-9)
    assert result["decisions"]["share"] == 1.0
    assert result["listed_not_judged"]["13w"] == {"listed": 25 * len(world.WEEKS), "not_judged": 0, "share": 0.0}


def test_a_list_whose_outcomes_are_not_known_yet_is_not_judged(tmp_path):
    engine = world.build(tmp_path)
    early = date(2024, 7, 1)  # the first list's 13w window closed 2024-04-15, plus 60 days: 2024-06-14
    result = monitor(read_inputs(engine, early), early, load_config())
    assert 0 < result["performance"]["13w"]["all"]["n_weeks"] < len(world.WEEKS)


def test_an_ending_registered_as_onbekend_keeps_its_row_with_a_soft_label(tmp_path):
    unknown = {i for i in range(0, world.N, 10) if world.uitval(i)}  # one in ten uitval endings: reason onbekend
    result = run(tmp_path, reason=lambda i: "onbekend" if i in unknown else "conflict")
    block = result["performance"]["13w"]["all"]
    assert block["n_rows"] == world.N * len(world.WEEKS)  # dropped, they would take uitval rows only
    assert block["n_unknown_endings"] == len(unknown) * len(world.WEEKS)
    # every known ending is uitval here, so the unknown-reason model gives them P(uitval) near 1
    assert 0.5 - len(unknown) / world.N < block["pooled"]["observed_rate"] <= 0.5 + 1e-9
    excluded = monitor(read_inputs(world.build(tmp_path / "x", reason=lambda i: "onbekend" if i in unknown
                                               else "conflict"), world.MONITOR_ON),
                       world.MONITOR_ON, {**load_config(), "unknown_reasons": "exclude"})
    assert excluded["performance"]["13w"]["all"]["n_rows"] == (world.N - len(unknown)) * len(world.WEEKS)
    assert excluded["performance"]["13w"]["all"]["pooled"]["observed_rate"] < block["pooled"]["observed_rate"]


def test_an_input_that_drifts_in_the_recent_weeks_is_named(tmp_path):
    def inputs(i, week):
        values = world.default_inputs(i, week)
        return {**values, "hours_per_week": values["hours_per_week"] + (15 if week >= 4 else 0)}

    result = run(tmp_path, inputs=inputs)
    assert ("psi_input", "hours_per_week") in checks(result)
    assert result["drift"]["moved_most"][0] == "hours_per_week"
    assert not any(a["check"] == "psi_input" and a["subject"] != "hours_per_week" for a in result["alerts"])


def test_a_miscalibrated_champion_is_detected(tmp_path):
    result = run(tmp_path, score=lambda i, week: world.risk(i) + 0.08)
    assert ("ece", "13w") in checks(result)
    assert result["performance"]["13w"]["all"]["pooled"]["mean_risk"] == pytest.approx(0.58)


def test_a_group_whose_recall_collapses_is_named(tmp_path):
    def score(i, week):  # M's placements that end in uitval get the lowest risk
        return 0.05 if world.gender(i) == "M" and world.uitval(i) else world.risk(i)

    result = run(tmp_path, score=score)
    assert ("recall_gap", "13w gender") in checks(result)
    gender = result["fairness"]["13w"]["gender"]
    assert gender["lowest_group"] == "M" and gender["groups"]["M"]["recall_at_k"] == 0.0


def test_help_that_worked_is_reported_apart_and_is_no_false_alarm(tmp_path):
    helped = lambda i: i >= 80  # noqa: E731 - the 0.9 block gets extra jobcoaching and none of it ends
    result = run(tmp_path, intervene=helped, ends=lambda i: world.uitval(i) and not helped(i))
    performance = result["performance"]["13w"]
    assert performance["with_intervention"]["pooled"]["observed_rate"] == 0.0
    assert performance["without_intervention"]["pooled"]["ece"] == pytest.approx(0.0, abs=1e-9)
    assert performance["all"]["pooled"]["ece"] > 0.1  # judged on everyone, help would read as miscalibration
    assert result["alerts"] == []


def test_a_team_that_records_no_decisions_is_named(tmp_path):
    result = run(tmp_path, decide=False)
    assert checks(result) == {("decisions", "team_noord"), ("decisions", "team_zuid")}
    assert result["decisions"]["decided"] == 0


def test_psi_is_zero_for_the_same_distribution_and_large_for_a_shift():
    rng = np.random.default_rng(0)
    reference = pd.Series(rng.normal(size=2000))
    assert psi(reference, reference) == pytest.approx(0.0, abs=1e-9)
    assert psi(reference, pd.Series(rng.normal(size=2000))) < 0.1
    assert psi(reference, pd.Series(rng.normal(1.0, size=2000))) > 0.25
    assert psi(pd.Series(["a", "b"] * 50), pd.Series(["a"] * 100)) > 0.25


def test_the_steekproef_estimates_the_uitval_the_list_misses(tmp_path):
    result = run(tmp_path)
    sample = result["sample"]["13w"]
    assert sample["n_sampled"] == 5 * len(world.WEEKS)
    unlisted_rate = (50 - 23) / 75  # the uitval among the 75 placements below the top 25
    assert sample["rate_lo"] <= unlisted_rate <= sample["rate_hi"]
    assert sample["estimated_recall_at_k_lo"] <= 23 / 50 <= sample["estimated_recall_at_k_hi"]
    assert sample["unlisted_rows"] == 75 * len(world.WEEKS)


def group_rows(per_group: int) -> pd.DataFrame:
    """`per_group` uitval placements of women and of men; 50% of the women's on the list, 25% of the men's."""
    rows = pd.DataFrame({
        "placement_id": [f"PL{i}" for i in range(2 * per_group)],
        "gender": ["V"] * per_group + ["M"] * per_group,
        "y": 1.0, "p": 0.5,
        "on_list": [int(i < per_group // 2) for i in range(per_group)]
        + [int(i < per_group // 4) for i in range(per_group)],
    })
    for attribute in ("migration_background", "dutch_language_level", "age_band", "district"):
        rows[attribute] = "x"
    return rows


@pytest.mark.parametrize(("per_group", "alerted"), [(20, False), (400, True)])
def test_a_recall_gap_chance_alone_could_give_is_reported_not_alerted(per_group, alerted):
    figures = fairness(group_rows(per_group), k=25, min_positives=20)["gender"]
    assert figures["recall_gap"] == pytest.approx(0.25) and figures["lowest_group"] == "M"
    assert figures["recall_gap_lo"] <= 0.25 <= figures["recall_gap_hi"]
    result = {"performance": {}, "fairness": {"13w": {"gender": figures}}, "drift": {},
              "decisions": {"by_team": {}}}
    assert bool(alerts(result, load_config())) is alerted


def test_sampled_placements_never_count_in_precision_or_recall_at_k(tmp_path):
    engine = world.build(tmp_path)
    inputs = read_inputs(engine, world.MONITOR_ON)
    ids = [world.pid(i) for i in range(world.N) if world.uitval(i)]
    marked = inputs.scores.assign(sample=inputs.scores["placement_id"].isin(ids))
    flattering = dataclasses.replace(inputs, scores=marked)
    result = monitor(flattering, world.MONITOR_ON, load_config())
    figures = result["performance"]["13w"]["all"]["pooled"]
    assert figures["precision_at_k"] == pytest.approx(23 / 25) and figures["recall_at_k"] == pytest.approx(23 / 50)
    assert result["sample"]["13w"]["rate"] == 1.0  # the sample is judged on its own, below the cut
