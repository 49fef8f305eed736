import pytest

from lks.service.service_layer.services import told_once


def curve(ends: float, neutral: float = 0.3) -> dict:
    return {"model_version": "1", "points": [{"week": 10 + i, "cif_uitval": ends * (i + 1) / 4,
                                              "cif_neutral": neutral * (i + 1) / 4} for i in range(4)]}


def test_the_curve_ends_at_the_stated_first_year_risk_with_its_shape_kept():
    told = told_once(curve(0.8), 0.643)
    assert told["points"][-1]["cif_uitval"] == pytest.approx(0.643)
    assert [p["cif_uitval"] for p in told["points"]] == pytest.approx([0.643 * k / 4 for k in range(1, 5)])
    assert told["scale"] == pytest.approx(0.643 / 0.8) and told["survival_end"] == pytest.approx(0.8)


def test_a_raised_curve_never_adds_up_to_more_than_one():
    told = told_once(curve(0.4, neutral=0.5), 0.7)
    assert all(p["cif_uitval"] + p["cif_neutral"] <= 1 + 1e-12 for p in told["points"])
    assert told["points"][-1]["cif_neutral"] == pytest.approx(0.3)
    assert told_once(None, 0.5) is None and told_once(curve(0.0), 0.5)["points"][-1]["cif_uitval"] == 0.0
