"""Templates and the Dutch formatting of numbers, dates and codes the pages show."""

from __future__ import annotations

from datetime import date, datetime

from babel.dates import format_date, format_time
from babel.numbers import format_decimal, format_percent
from fastapi.responses import HTMLResponse
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

LOCALE = "nl_NL"
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
    """0.1234 -> '12,3%' (Babel, nl_NL)."""
    if value is None or value != value:
        return "onbekend"
    return format_percent(value, "#,##0.0%", locale=LOCALE)


def pct0(value: float) -> str:
    """0.25 -> '25%', 0.125 -> '12,5%': a cut point, without a trailing zero."""
    return format_percent(value, "#,##0.#%", locale=LOCALE)


def getal(value: float | None, digits: int = 3) -> str:
    """0.7854 -> '0,785'; a missing or NaN value -> '–'."""
    if value is None or value != value:
        return "–"
    return format_decimal(value, "#,##0." + "0" * digits if digits else "#,##0", locale=LOCALE)


def procentpunt(value: float) -> str:
    """0.031 -> '+3,1', -0.004 -> '−0,4': a change in risk in percentage points, with its sign."""
    text = format_decimal(abs(value) * 100, "0.0", locale=LOCALE)
    return ("+" if value >= 0 else "−") + text


def datum(value: date | datetime | str) -> str:
    """2026-11-22 -> '22 november 2026'; a datetime also gets its time."""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value or " " in value else date.fromisoformat(value)
    text = format_date(value, "long", locale=LOCALE)
    return f"{text}, {format_time(value, 'HH:mm', locale=LOCALE)}" if isinstance(value, datetime) else text


def week(value: date | str) -> int:
    return (date.fromisoformat(value) if isinstance(value, str) else value).isocalendar().week


def capfirst(text: str) -> str:
    return text[:1].upper() + text[1:]


def _environment() -> Environment:
    env = Environment(loader=PackageLoader("lks.service.pages", "templates"), autoescape=select_autoescape(["html"]),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(pct=pct, pct0=pct0, procentpunt=procentpunt, getal=getal,
                       datum=datum, week=week, capfirst=capfirst, change=CHANGES.get,
                       role=ROLES.get)
    return env


ENV = _environment()


def render(template: str, **context) -> str:
    return ENV.get_template(template).render(**context)


def page(template: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(render(template, **context), status_code=status, headers=HEADERS)
