import pytest

from lks.service.pages.chart import BOTTOM, HEIGHT, LEFT, RIGHT, TOP, WIDTH, curve_chart


def points(first: int, uitval_end: float):
    n = 52 - first
    return [{"week": first + i, "cif_uitval": uitval_end * (i + 1) / n, "cif_neutral": 0.05 * (i + 1) / n}
            for i in range(n)]


def coords(polyline: str) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in polyline.split()]


def test_the_curve_spans_the_plot_from_this_week_to_week_51():
    chart = curve_chart(points(10, 0.34))
    line = coords(chart["uitval"])
    assert line[0][0] == LEFT and line[-1][0] == WIDTH - RIGHT
    assert all(TOP <= y <= HEIGHT - BOTTOM for _, y in line)
    assert [y for _, y in line] == sorted((y for _, y in line), reverse=True)  # rising risk: y goes up
    assert [t["label"] for t in chart["x_ticks"]] == ["10", "13", "26", "39", "51"]
    assert chart["y_ticks"][-1]["label"] == "40%" and chart["y_ticks"][-1]["y"] == TOP  # next 10% above 34%
    assert chart["end"]["week"] == 51


def test_small_risks_get_a_readable_axis_and_edge_cases_hold():
    assert [t["label"] for t in curve_chart(points(40, 0.03))["y_ticks"]] == ["0%", "5%", "10%"]
    assert [t["label"] for t in curve_chart(points(40, 0.03))["x_ticks"]] == ["40", "51"]  # 39 too close to 40
    single = curve_chart(points(51, 0.02))
    assert coords(single["uitval"])[0][0] == LEFT and [t["label"] for t in single["x_ticks"]] == ["51"]
    assert curve_chart([]) is None


def test_factor_bars_are_percentage_points_of_risk_not_log_odds():
    import math

    from lks.service.pages.chart import factor_chart, factor_points

    raw = 0.5  # risk 62.2%
    explanation = {"raw_52w": raw, "raises": [{"label": "ziekmeldingen", "contribution": 0.8}],
                   "lowers": [{"label": "uren", "contribution": -0.3}, {"label": "werkgever", "contribution": -0.1}]}
    found = {f["label"]: f["points"] for f in factor_points(explanation)}

    def risk(x):
        return 1 / (1 + math.exp(-x))

    assert found["ziekmeldingen"] == pytest.approx(risk(0.5) - risk(-0.3))  # about +19.7 points
    assert found["uren"] == pytest.approx(risk(0.5) - risk(0.8)) and found["uren"] < found["werkgever"] < 0
    chart = factor_chart(explanation)
    bars = {b["label"]: b for b in chart["bars"]}
    # the rise first, the largest fall last
    assert [b["label"] for b in chart["bars"]] == ["ziekmeldingen", "werkgever", "uren"]
    assert bars["ziekmeldingen"]["raises"] and bars["ziekmeldingen"]["x"] == chart["zero"]
    assert bars["uren"]["x"] + bars["uren"]["width"] == pytest.approx(chart["zero"], abs=0.11)
    ratio = found["ziekmeldingen"] / -found["uren"]
    assert bars["ziekmeldingen"]["width"] / bars["uren"]["width"] == pytest.approx(ratio, rel=0.01)
    assert bars["ziekmeldingen"]["value"] == "+19,7" and bars["uren"]["value"].startswith("−")
    assert factor_chart({"raw_52w": 0.0, "raises": [], "lowers": []}) is None
