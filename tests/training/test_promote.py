from lks.training.promote import FAIRNESS_TOLERANCE, challenger_refusal, gates


def summary(precision=0.40, ece=0.03, practice=0.15, gaps=None):
    return {"champion": {"precision_at_k": precision, "ece_52w": ece},
            "baselines": {"current_practice": {"precision_at_k": practice}},
            "fairness_gaps": gaps or {"gender": 0.05}}


def test_a_challenger_as_good_passes():
    assert gates(summary(), summary()) == []
    assert gates(summary(), summary(precision=0.45, ece=0.02)) == []


def test_less_precise_or_worse_calibrated_is_refused_with_reasons():
    failed = gates(summary(), summary(precision=0.39, ece=0.04))
    assert len(failed) == 2
    assert "precision at k 0.390 < champion's 0.400" in failed[0]
    assert "ECE" in failed[1]


def test_not_beating_current_practice_is_refused():
    champion = summary(precision=0.10, practice=0.12)
    assert any("current practice" in f for f in gates(champion, summary(precision=0.12, practice=0.12)))


def test_a_wider_gap_between_protected_groups_is_refused():
    widened = summary(gaps={"gender": 0.05 + FAIRNESS_TOLERANCE + 0.01})
    assert any("gender" in f for f in gates(summary(), widened))
    assert gates(summary(), summary(gaps={"gender": 0.05 + FAIRNESS_TOLERANCE})) == []


def test_a_dpia_model_is_promoted_only_where_the_deployment_names_its_reference():
    challenger = {"version": "3", "dpia_reference": "DPIA-1"}
    assert "names none" in challenger_refusal(challenger, None)
    assert "names 'DPIA-2'" in challenger_refusal(challenger, "DPIA-2")
    assert challenger_refusal(challenger, "DPIA-1") is None
    assert challenger_refusal({"version": "4", "dpia_reference": None}, None) is None
    assert challenger_refusal({"version": "4", "dpia_reference": None}, "DPIA-1") is None
