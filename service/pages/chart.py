"""The risk curve over the rest of the first year as inline SVG, drawn on the server (no scripts).

`curve_chart` turns the curve's points into coordinates; the template only draws them. The y axis
runs from 0 to the next 10% above the highest point, so small risks stay readable.
"""

from __future__ import annotations

import math

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
