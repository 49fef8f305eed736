"""The week's list as a download: CSV (Dutch Excel's dialect: semicolons, decimal commas, a BOM) and an
Excel workbook (openpyxl) with a header block saying week, model version and filters.

Only what the list page shows, with pseudonymous placement ids: no names, no jobcoach ids. The placements
on the week's list without a prediction (an input the model requires is missing) follow apart, never ranked:
a second sheet in the workbook, a second table in the CSV, as the page shows them below the list."""

from __future__ import annotations

import csv
import io
from datetime import date

from babel.dates import format_date
from babel.numbers import format_decimal
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from lks.service.auth import Identity
from lks.service.bootstrap import Services
from lks.service.explanations import INTERVENTIONS
from lks.service.persistence.audit import EXPORTED
from lks.service.service_layer import services as views

LOCALE = "nl_NL"
CHANGES = {"new": "nieuw op de lijst", "risen": "gestegen", "fallen": "gedaald", "same": "gelijk"}
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8",
                 "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
# (Dutch header, kind): kind "pct" is a share (0.123) shown as a percentage
COLUMNS = [("Rang", "int"), ("Plaatsing", "text"), ("Kans op uitval binnen 13 weken", "pct"),
           ("Kans op uitval in het eerste jaar", "pct"), ("Risicoband", "text"), ("Sinds vorige week", "text"),
           ("Kans eerste jaar vorige week", "pct"), ("Belangrijkste redenen", "text"),
           ("Mogelijke ondersteuning", "text"), ("Team", "text"), ("Gebied", "text"), ("Weken in dienst", "int"),
           ("Opvolging", "text"), ("Besluit", "text"), ("Besluit vastgelegd op", "datetime")]
UNSCORED_TITLE = "Geen voorspelling"
UNSCORED_COLUMNS = ["Plaatsing", "Team", "Gebied", "Weken in dienst", "Waarom geen voorspelling"]


def export_list(services: Services, identity: Identity, endpoint: str, as_of: date | None, team: str | None,
                district: str | None) -> dict:
    """The whole of the week's list with these filters, for a download; every placement it holds is
    recorded in the audit log as `exported`."""
    return views.risk_list(services, identity, endpoint, as_of, team, district, 1, None, EXPORTED)


def unscored_rows(found: dict) -> list[list]:
    """One row per placement without a prediction, in the order of UNSCORED_COLUMNS."""
    return [[gap["placement_id"], gap["team"] or "onbekend", gap["district"] or "onbekend", gap["tenure_weeks"],
             gap["reason"]] for gap in found["unscored"]]


def decision_text(decision: dict | None) -> str:
    if decision is None:
        return "nog geen besluit"
    if decision["kind"] == "intervention":
        return "interventie: " + INTERVENTIONS.get(decision["intervention"], decision["intervention"] or "")
    return "geen actie (met reden)"


def follow_up_text(item: dict) -> str:
    """The list page's Opvolging cell: in the week's follow-up, added, or dismissed with its reason. A typed
    reason loses the control characters a worksheet cannot hold; the cell starts with our own words, so a
    reason starting with = is never read as a formula."""
    record = item.get("follow_up")
    if record and record["kind"] == "dismissed":
        return "van de opvolging gehaald: " + ILLEGAL_CHARACTERS_RE.sub("", record["reason"] or "")
    if item.get("in_follow_up"):
        return "toegevoegd" if record else "in de opvolging"
    return ""


def rows(found: dict) -> list[list]:
    """One row per placement, in the order of COLUMNS; shares as floats, a missing value as None."""
    out = []
    for item in found["items"]:
        decision = item.get("decision")
        out.append([item["rank"], item["placement_id"], item["risk_13w"], item["risk_52w"], item["band"],
                    CHANGES[item["change"]], item["previous_risk_52w"], ", ".join(item["raised_by"]),
                    ", ".join(item["suggestions"]), item["team"] or "onbekend", item["district"] or "onbekend",
                    item["tenure_weeks"], follow_up_text(item), decision_text(decision),
                    decision["at"] if decision else None])
    return out


def header_lines(found: dict, team: str | None, district: str | None) -> list[str]:
    as_of: date = found["as_of"]
    filters = ", ".join(f for f in (f"team {team}" if team else "", f"gebied {district}" if district else "") if f)
    bands = found["bands"]
    return [f"Risicolijst week {as_of.isocalendar().week} ({format_date(as_of, 'long', locale=LOCALE)})",
            f"Model versie {found['model_version']}",
            f"Filters: {filters or 'geen (alle plaatsingen die u mag zien)'}",
            f"{found['total']} plaatsingen; risicoband laag onder {_pct(bands['raised'])}, verhoogd vanaf "
            f"{_pct(bands['raised'])}, hoog vanaf {_pct(bands['high'])} (kans in het eerste jaar)",
            f"{found['unscored_total']} plaatsingen zonder voorspelling (er ontbreken gegevens): "
            + ("geen" if not found["unscored_total"] else f"zie '{UNSCORED_TITLE}'"),
            "Een advies om ondersteuning aan te bieden, nooit een grond voor sancties of controle."]


def _pct(share: float) -> str:
    return format_decimal(share * 100, "0.#", locale=LOCALE) + "%"


def filename(found: dict, extension: str) -> str:
    return f"risicolijst-{found['as_of'].isoformat()}.{extension}"


def to_csv(found: dict, team: str | None, district: str | None) -> bytes:
    """Semicolon-separated with decimal commas and a BOM, as Dutch Excel opens it; percentages as numbers
    of percent (12,3) under a header that says so."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\r\n")
    for line in header_lines(found, team, district):
        writer.writerow([line])
    writer.writerow([])
    writer.writerow([f"{name} (%)" if kind == "pct" else name for name, kind in COLUMNS])
    for row in rows(found):
        writer.writerow([_csv_cell(value, kind) for value, (_name, kind) in zip(row, COLUMNS, strict=True)])
    if found["unscored"]:
        writer.writerows([[], [UNSCORED_TITLE], UNSCORED_COLUMNS])
        writer.writerows([[_csv_cell(value, "text") for value in row] for row in unscored_rows(found)])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def _csv_cell(value, kind: str) -> str:
    if value is None:
        return ""
    if kind == "pct":
        return format_decimal(value * 100, "0.0", locale=LOCALE)
    if kind == "datetime":
        return value.strftime("%d-%m-%Y %H:%M")
    return str(value)


def _sheet_text(value):
    """Typed text (filters, reasons) loses the control characters a worksheet cannot hold: one place for every
    cell, found by the schema fuzzing (a filter with one answered 500)."""
    return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value


def to_xlsx(found: dict, team: str | None, district: str | None) -> bytes:
    """One sheet: the header block, then a table with the percentages as numbers in a percent format."""
    book = Workbook()
    sheet = book.active
    sheet.title = f"Week {found['as_of'].isocalendar().week}"
    lines = header_lines(found, team, district)
    for number, line in enumerate(lines, start=1):
        cell = sheet.cell(row=number, column=1, value=_sheet_text(line))
        cell.font = Font(bold=number == 1, size=14 if number == 1 else 11)
    top = len(lines) + 2
    for column, (name, _kind) in enumerate(COLUMNS, start=1):
        sheet.cell(row=top, column=column, value=name).font = Font(bold=True)
    for offset, row in enumerate(rows(found), start=1):
        for column, (value, (_name, kind)) in enumerate(zip(row, COLUMNS, strict=True), start=1):
            cell = sheet.cell(row=top + offset, column=column, value=_sheet_text(value))
            if kind == "pct":
                cell.number_format = "0.0%"
            elif kind == "datetime":
                cell.number_format = "dd-mm-yyyy hh:mm"
    for column, (name, kind) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = 40 if name.startswith(("Belang", "Mogelijk")) \
            else max(12, min(len(name) + 2, 24)) if kind != "text" else 18
    sheet.freeze_panes = sheet.cell(row=top + 1, column=3)
    if found["items"]:
        sheet.auto_filter.ref = f"A{top}:{get_column_letter(len(COLUMNS))}{top + len(found['items'])}"
    if found["unscored"]:
        _unscored_sheet(book.create_sheet(UNSCORED_TITLE), found)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _unscored_sheet(sheet, found: dict) -> None:
    for column, name in enumerate(UNSCORED_COLUMNS, start=1):
        sheet.cell(row=1, column=column, value=name).font = Font(bold=True)
    for number, row in enumerate(unscored_rows(found), start=2):
        for column, value in enumerate(row, start=1):
            sheet.cell(row=number, column=column, value=_sheet_text(value))
    for letter, width in zip("ABCDE", (14, 16, 16, 14, 90), strict=True):
        sheet.column_dimensions[letter].width = width


def build(found: dict, kind: str, team: str | None, district: str | None) -> tuple[bytes, str, str]:
    """(content, content type, file name) of the download of `kind` (csv or xlsx)."""
    content = to_csv(found, team, district) if kind == "csv" else to_xlsx(found, team, district)
    return content, CONTENT_TYPES[kind], filename(found, kind)

