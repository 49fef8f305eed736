import numpy as np
import pytest

from lks.features.build import build_features
from tests.exports import employer as employer_row
from tests.exports import ending, event, make_history, person, placement


def row(frame, placement_id="PL1"):
    return frame.set_index("placement_id").loc[placement_id]


def test_hours_above_what_the_loonwaarde_carries():
    hist = make_history(placements=[placement(hours_per_week=30.0, wage_value_pct=40.0)])
    assert row(build_features(hist, "2024-03-04"))["hours_above_wage_value"] == pytest.approx(30 - (8 + 0.28 * 40))


@pytest.mark.parametrize("sector, education, below", [
    ("zorg", "mbo1", 1.0), ("zorg", "mbo2", 0.0), ("zakelijke_dienstverlening", "mbo2", 1.0),
    ("horeca", "geen", 0.0), ("zorg", "onbekend", np.nan),
])
def test_education_below_what_the_sector_asks(sector, education, below):
    hist = make_history(persons=[person(education_level=education)], employers=[employer_row(sector=sector)],
                        placements=[placement()])
    features = row(build_features(hist, "2024-03-04"))
    assert features["education_below_sector_need"] == pytest.approx(below, nan_ok=True)


def test_early_hours_cut_and_early_loonwaarde_assessment_count_from_their_registration():
    hist = make_history(
        placements=[placement(hours_per_week=24.0)],
        events=[
            event(event_id="E1", event_type="hours_change", value_num=20.0, value_text=None,
                  event_date="2024-02-12", registered_at="2024-02-20T09:00"),
            event(event_id="E2", event_type="wage_value_assessment", value_num=45.0, value_text=None,
                  event_date="2024-08-12", registered_at="2024-08-13T09:00"),  # week 31: not early
        ],
    )
    before, after = row(build_features(hist, "2024-02-19")), row(build_features(hist, "2024-09-02"))
    assert before["early_hours_cut"] == 0 and after["early_hours_cut"] == 1
    assert after["early_wage_value_assessment"] == 0


def test_employer_track_record_is_shrunk_towards_the_overall_share():
    # W1: one other placement, ended in uitval; W2: two placements that ran past their first year
    placements = [
        placement(placement_id="PL1", person_id="P1", employer_id="W1", start_date="2025-06-02"),
        placement(placement_id="PL2", person_id="P2", employer_id="W1", start_date="2024-01-08"),
        placement(placement_id="PL3", person_id="P3", employer_id="W2", start_date="2024-01-08"),
        placement(placement_id="PL4", person_id="P4", employer_id="W2", start_date="2024-01-08"),
    ]
    hist = make_history(
        persons=[person(person_id=f"P{i}") for i in range(1, 5)],
        employers=[employer_row(employer_id="W1"), employer_row(employer_id="W2")],
        placements=placements,
        endings=[ending(placement_id="PL2", end_date="2024-06-28", reason_code="conflict")],
    )
    features = build_features(hist, "2025-06-09").set_index("placement_id")
    overall = 1 / 3  # one uitval among three settled placements
    assert features.loc["PL1", "employer_uitval_rate_smoothed"] == pytest.approx((1 + 3 * overall) / (1 + 3))
    assert features.loc["PL3", "employer_uitval_rate_smoothed"] == pytest.approx((0 + 3 * overall) / (1 + 3))


def test_recent_warning_signs_fade_with_a_four_week_half_life():
    hist = make_history(placements=[placement()], events=[event(event_date="2024-03-04", value_text="zorgelijk")])
    features = row(build_features(hist, "2024-04-01"))
    assert features["warning_signs_recent"] == pytest.approx(0.5)
    assert features["weeks_since_zorgelijk_contact"] == pytest.approx(4.0)
