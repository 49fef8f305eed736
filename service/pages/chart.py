"""The risk curve over the rest of the first year as inline SVG, drawn on the server (no scripts).

`curve_chart` turns the curve's points into coordinates; the template only draws them. The y axis
runs from 0 to the next 10% above the highest point, so small risks stay readable.
"""

from __future__ import annotations

import math

from lks.service.explanations import risk_points
from lks.service.pages.render import pct

WIDTH, HEIGHT = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 40
QUARTERS = (13, 26, 39)


def _polyline(coords: list[tuple[float, float]]) -> str:
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)


def curve_chart(points: list[dict], width: int = WIDTH, height: int = HEIGHT) -> dict | None:
    """Coordinates for the uitval and neutral cumulative-incidence lines, with axis ticks; None without points."""
    if not points:
        return None
    first, last = points[0]["week"], points[-1]["week"]
    span = max(last - first, 1)
    top_value = max(max(p["cif_uitval"], p["cif_neutral"]) for p in points)
    y_max = max(math.ceil(top_value * 10 - 1e-9) / 10, 0.1)

    def x(week: int) -> float:
        return LEFT + (week - first) / span * (width - LEFT - RIGHT)

    def y(value: float) -> float:
        return TOP + (1 - value / y_max) * (height - TOP - BOTTOM)

    weeks = [first, *(w for w in QUARTERS if first + 3 <= w <= last - 3), last] if last > first else [first]
    step = 0.05 if y_max <= 0.3 else 0.1
    return {
        "width": width, "height": height, "left": LEFT, "right": width - RIGHT, "top": TOP, "bottom": height - BOTTOM,
        "uitval": _polyline([(x(p["week"]), y(p["cif_uitval"])) for p in points]),
        "neutral": _polyline([(x(p["week"]), y(p["cif_neutral"])) for p in points]),
        "x_ticks": [{"x": round(x(w), 1), "label": str(w)} for w in weeks],
        "y_ticks": [{"y": round(y(i * step), 1), "label": pct(i * step).replace(",0", "")}
                    for i in range(round(y_max / step) + 1)],
        "end": points[-1],
    }


def factor_points(explanation: dict) -> list[dict]:
    """Each shown factor's effect on first-year risk (a fraction: 0.197 is 19.7 percentage points), largest
    rise first, largest fall last, computed where the API's `contribution_pp` is (`explanations.risk_points`)."""
    raw = explanation["raw_52w"]
    out = [{"label": f["label"], "points": risk_points(raw, f["contribution"]) / 100}
           for f in [*explanation["raises"], *explanation["lowers"]]]
    return sorted(out, key=lambda f: -f["points"])


def factor_chart(explanation: dict, width: int = WIDTH) -> dict | None:
    """Horizontal bars around a zero line, one per factor: to the right (red) raises the risk, to the left
    (green) lowers it; None when no factor is shown."""
    factors = factor_points(explanation)
    if not factors:
        return None
    label_width, bar_height, gap, pad = 290, 22, 8, 64  # pad: room for the value beside a bar
    reach = max(abs(f["points"]) for f in factors) or 1e-9
    has_lower = any(f["points"] < 0 for f in factors)
    has_raise = any(f["points"] > 0 for f in factors)
    left, right = label_width + (pad if has_lower else 8), width - (pad if has_raise else 8)
    zero = left if not has_lower else right if not has_raise else (left + right) / 2
    scale = (right - zero if has_raise else zero - left) / reach
    bars = []
    for i, f in enumerate(factors):
        length = abs(f["points"]) * scale
        x = zero if f["points"] >= 0 else zero - length
        sign = "+" if f["points"] >= 0 else "−"
        text = sign + pct(abs(f["points"])).replace("%", "")
        bars.append({"label": f["label"], "y": 8 + i * (bar_height + gap), "x": round(x, 1),
                     "width": round(max(length, 1.0), 1), "height": bar_height, "raises": f["points"] >= 0,
                     "value": text, "value_x": round(x + length + 4 if f["points"] >= 0 else x - 4, 1)})
    height = 8 + len(factors) * (bar_height + gap) + 24
    return {"width": width, "height": height, "zero": round(zero, 1), "label_x": label_width - 8, "bars": bars,
            "axis_y": height - 20}


def precision_chart(by_week: dict[str, list[dict]], model: str | None, baseline: str = "current_practice",
                    width: int = WIDTH, height: int = HEIGHT) -> dict | None:
    """Precision at k per backtest test week as lines: the model's (solid) and today's practice (dashed),
    a week without a figure left out; y from 0 to the next 10% above the highest week. None without weeks."""
    weeks = by_week.get(model or "") or []
    known = [w for w in weeks if w["precision_at_k"] is not None]
    if not known:
        return None
    dates = [w["as_of"] for w in weeks]
    others = [w for w in by_week.get(baseline) or [] if w["precision_at_k"] is not None and w["as_of"] in dates]
    top_value = max(w["precision_at_k"] for w in [*known, *others])
    y_max = min(max(math.ceil(top_value * 10 - 1e-9) / 10, 0.1), 1.0)
    span = max(len(dates) - 1, 1)

    def x(as_of: str) -> float:
        return LEFT + dates.index(as_of) / span * (width - LEFT - RIGHT)

    def y(value: float) -> float:
        return TOP + (1 - value / y_max) * (height - TOP - BOTTOM)

    step = 0.05 if y_max <= 0.3 else 0.1
    ticks = sorted({0, len(dates) - 1, *range(0, len(dates), max(1, len(dates) // 4))})
    return {
        "width": width, "height": height, "left": LEFT, "right": width - RIGHT, "top": TOP, "bottom": height - BOTTOM,
        "model": _polyline([(x(w["as_of"]), y(w["precision_at_k"])) for w in known]),
        "model_dots": [{"x": round(x(w["as_of"]), 1), "y": round(y(w["precision_at_k"]), 1)} for w in known],
        "baseline": _polyline([(x(w["as_of"]), y(w["precision_at_k"])) for w in others]) if others else None,
        "x_ticks": [{"x": round(x(dates[i]), 1), "as_of": dates[i]} for i in ticks],
        "y_ticks": [{"y": round(y(i * step), 1), "label": pct(i * step).replace(",0", "")}
                    for i in range(round(y_max / step) + 1)],
        "weeks": [{"as_of": w["as_of"], "model": w["precision_at_k"],
                   "baseline": next((o["precision_at_k"] for o in others if o["as_of"] == w["as_of"]), None),
                   "k": w.get("k")} for w in weeks],
        "mean": sum(w["precision_at_k"] for w in known) / len(known),
    }
