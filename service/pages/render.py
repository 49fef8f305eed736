"""Templates and the Dutch formatting of numbers, dates and codes the pages show."""

from __future__ import annotations

from datetime import date, datetime

from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

MONTHS = ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december"]
CHANGES = {"new": "nieuw", "risen": "gestegen", "fallen": "gedaald", "same": "gelijk"}
ROLES = {"coordinator": "coördinator Uitval", "jobcoach": "jobcoach", "data_scientist": "data scientist",
         "admin": "beheerder"}
# Pages show personal data: never cached, never framed, nothing loaded from elsewhere, no scripts at all.
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
}


def pct(value: float | None) -> str:
    """0.1234 -> '12,3%' (Dutch decimal comma)."""
    return "onbekend" if value is None or value != value else f"{value * 100:.1f}%".replace(".", ",")


def getal(value: float | None, digits: int = 3) -> str:
    """0.7854 -> '0,785'; a missing or NaN value -> '–'."""
    if value is None or value != value:
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def datum(value: date | datetime | str) -> str:
    """2026-11-22 -> '22 november 2026'; a datetime also gets its time."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    text = f"{value.day} {MONTHS[value.month - 1]} {value.year}"
    return f"{text}, {value:%H:%M}" if isinstance(value, datetime) else text


def week(value: date | str) -> int:
    return (date.fromisoformat(value) if isinstance(value, str) else value).isocalendar().week


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("lks.service.pages", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=pct, getal=getal, datum=datum, week=week, capfirst=capfirst, change=CHANGES.get,
                       role=ROLES.get)
    return env


ENV = _environment()


def render(template: str, **context) -> str:
    return ENV.get_template(template).render(**context)


def page(template: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status, headers=HEADERS)
