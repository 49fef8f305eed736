"""The week's list as a download (CSV and Excel), from the API and from the list page, on the tiny
hand-made world (tests.service.world): what the file holds is worked out from the world's table."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from lks.data_contracts.ingest import ingest
from lks.service.persistence.audit import EXPORTED, AuditLog
from lks.service.service_layer.downloads import COLUMNS, UNSCORED_COLUMNS
from lks.service.service_layer.services import risk_band
from lks.service.settings import Settings
from tests.exports import placement, write_export
from tests.service.pages.conftest import login
from tests.service.world import EARLIER, NOW, build_world

HEADERS = [name for name, _kind in COLUMNS]


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    world = build_world(tmp_path_factory.mktemp("downloads"), weekly_capacity=1)
    with TestClient(world.app):  # the lifespan: the champion is loaded
        yield world


def api(world, user: str, **params):
    client = TestClient(world.app, raise_server_exceptions=False)
    return client.get("/api/v1/risk-lists/current/export", params=params,
                      headers={"Authorization": f"Bearer {world.tokens[user]}"})


def table(sheet) -> tuple[list[str], list[dict]]:
    """The header block's lines and the table's rows as {header: cell} (the table starts at 'Rang')."""
    values = list(sheet.iter_rows(values_only=True))
    top = next(i for i, row in enumerate(values) if row[0] == "Rang")
    lines = [row[0] for row in values[:top] if row[0]]
    cells = list(sheet.iter_rows(min_row=top + 2))
    return lines, [{h: c for h, c in zip(values[top], row, strict=True)} for row in cells]


def test_excel_holds_the_filtered_week_with_percentages_as_numbers(world):
    r = api(world, "coord-zuid", format="xlsx", as_of=EARLIER.isoformat())
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert f'filename="risicolijst-{EARLIER.isoformat()}.xlsx"' in r.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(r.content)).active
    lines, rows = table(sheet)
    assert lines[0].startswith(f"Risicolijst week {EARLIER.isocalendar().week} (4 maart 2024)")
    assert "Model versie 7" in lines and any(line.startswith("Filters: geen") for line in lines)
    # coord-zuid sees PL1 (rank 1, 0.2 on EARLIER) and PL3 (rank 3, 0.6), not PL2 of team_noord
    assert [row["Plaatsing"].value for row in rows] == ["PL1", "PL3"]
    first, third = rows
    assert first["Kans op uitval in het eerste jaar"].value == pytest.approx(0.2)
    assert third["Kans op uitval in het eerste jaar"].value == pytest.approx(0.6)
    assert third["Kans op uitval binnen 13 weken"].value == pytest.approx(0.3)
    assert first["Kans op uitval in het eerste jaar"].number_format == "0.0%"
    assert first["Opvolging"].value == "in de opvolging" and not third["Opvolging"].value  # capacity 1
    assert [row["Risicoband"].value for row in rows] == ["laag", "hoog"]
    assert [row["Rang"].value for row in rows] == [1, 3] and first["Team"].value == "team_zuid"
    assert first["Besluit"].value == "nog geen besluit" and first["Besluit vastgelegd op"].value is None
    assert [c.value for c in sheet[len(lines) + 2]] == HEADERS
    assert "jobcoach" not in " ".join(HEADERS).lower()  # no jobcoach ids: only what the page shows


def test_filters_are_applied_and_named_in_the_sheet_header(world):
    r = api(world, "coord-noord", format="xlsx", team="team_noord", district="Charlois")
    lines, rows = table(load_workbook(io.BytesIO(r.content)).active)
    assert "Filters: team team_noord, gebied Charlois" in lines
    assert [row["Plaatsing"].value for row in rows] == ["PL2"]
    assert rows[0]["Kans op uitval in het eerste jaar"].value == pytest.approx(0.45)  # NOW's list by default
    empty = api(world, "coord-noord", format="xlsx", district="Delfshaven")
    assert table(load_workbook(io.BytesIO(empty.content)).active)[1] == []


def test_csv_is_dutch_excels_dialect(world):
    r = api(world, "coach1", format="csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    assert r.content.startswith("\ufeff".encode())
    lines = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))
    top = next(i for i, line in enumerate(lines) if line and line[0] == "Rang")
    header = lines[top]
    assert header[2] == "Kans op uitval binnen 13 weken (%)"
    rows = [dict(zip(header, line, strict=True)) for line in lines[top + 1:]]
    assert [(row["Plaatsing"], row["Kans op uitval in het eerste jaar (%)"]) for row in rows] == [("PL1", "25,0")]


def test_every_download_is_audited_with_the_placements_it_held(world):
    before = len(AuditLog(world.engine).query(user="coord-zuid"))
    api(world, "coord-zuid", format="csv", as_of=NOW.isoformat())
    log = AuditLog(world.engine).query(user="coord-zuid").iloc[before:]
    assert set(log["placement_id"]) == {"PL1", "PL3"}
    assert set(log["outcome"]) == {EXPORTED} and set(log["endpoint"]) == {"GET /api/v1/risk-lists/current/export"}


def test_roles_without_placements_get_no_download_and_a_bad_format_is_refused(world):
    assert api(world, "ds", format="xlsx").status_code == 403
    assert api(world, "admin", format="csv").status_code == 403
    assert api(world, "coach1", format="pdf").status_code == 422


def test_the_list_page_offers_the_download_with_its_filters_and_the_file_follows_them(world):
    browser = login(world.app, world.tokens["coord-zuid"])
    page = browser.get("/lijst", params={"week": EARLIER.isoformat()})
    assert page.status_code == 200
    assert f'href="/lijst/download?week={EARLIER.isoformat()}&amp;formaat=xlsx"' in page.text
    r = browser.get("/lijst/download", params={"week": EARLIER.isoformat(), "formaat": "xlsx"})
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    lines, rows = table(load_workbook(io.BytesIO(r.content)).active)
    assert [row["Plaatsing"].value for row in rows] == ["PL1", "PL3"]
    log = AuditLog(world.engine).query(user="coord-zuid")
    assert {"PL1", "PL3"} <= set(log[(log["endpoint"] == "GET /lijst/download")
                                     & (log["outcome"] == EXPORTED)]["placement_id"])


def test_the_list_shows_bands_capacity_earlier_weeks_and_decisions_as_known_that_week(world):
    browser = login(world.app, world.tokens["coord-zuid"])
    recorded = TestClient(world.app).post("/api/v1/placements/PL3/actions", json={"kind": "no_action", "reason": "x"},
                                          headers={"Authorization": f"Bearer {world.tokens['coord-zuid']}"})
    assert recorded.status_code == 201
    now = browser.get("/lijst").text
    assert "band-verhoogd" in now and "band-hoog" in now  # PL1 0.25, PL3 0.65 on NOW's list
    assert "laag onder 25%" in now and "hoog vanaf 50%" in now
    assert "Capaciteit deze week: 1 plaatsingen" in now  # weekly_capacity=1: the line under the first
    assert now.index("PL1") < now.index("Capaciteit deze week") < now.index("PL3")
    assert "geen actie" in now and "nog geen besluit" in now
    assert f'<option value="{EARLIER.isoformat()}">' in now and f'<option value="{NOW.isoformat()}" selected>' in now
    earlier = browser.get("/lijst", params={"week": EARLIER.isoformat()}).text
    assert "week 10" in earlier and "geen actie" not in earlier  # the decision was recorded on NOW's list
    missing = browser.get("/lijst", params={"week": "2024-01-01"})
    assert missing.status_code == 404 and "Geen risicolijst voor deze week" in missing.text


def test_risk_bands_follow_the_configured_cut_points():
    settings = Settings(risk_band_raised=0.2, risk_band_high=0.4)
    risks = (0.0, 0.199, 0.2, 0.399, 0.4, 1.0)
    assert [risk_band(r, settings.risk_band_raised, settings.risk_band_high) for r in risks] == \
        ["laag", "laag", "verhoogd", "verhoogd", "hoog", "hoog"]
    with pytest.raises(ValueError, match="above"):
        Settings(risk_band_raised=0.5, risk_band_high=0.4)


def test_typed_reasons_cannot_become_formulas_or_break_the_workbook():
    from lks.service.service_layer.downloads import follow_up_text

    def dismissed(reason):
        return follow_up_text({"in_follow_up": False, "follow_up": {"kind": "dismissed", "reason": reason}})

    assert dismissed("=HYPERLINK(\"x\")").startswith("van de opvolging gehaald: =")  # never the cell's start
    assert dismissed("al in gesprek\x07") == "van de opvolging gehaald: al in gesprek"


def test_placements_without_a_prediction_follow_apart_in_both_files_and_are_audited(tmp_path):
    world = build_world(tmp_path, weekly_capacity=1)
    ingest(world.engine, write_export(tmp_path / "export-pl4", placements=[
        placement(placement_id="PL4", jobcoach_id="JC1", team="team_zuid", registered_at="2024-02-03T10:15:00")],
        events=[], endings=[]))
    missing = [{"input": "education_level", "source": "persons", "label": "opleidingsniveau"}]
    world.add_unscored("PL4", missing)
    with TestClient(world.app):
        book = load_workbook(io.BytesIO(api(world, "coord-zuid", format="xlsx").content))
        text = api(world, "coord-zuid", format="csv").content.decode("utf-8-sig")
        noord = load_workbook(io.BytesIO(api(world, "coord-noord", format="xlsx").content))
    lines, rows = table(book.active)
    assert [row["Plaatsing"].value for row in rows] == ["PL1", "PL3"]  # never ranked among the scored
    assert "1 plaatsingen zonder voorspelling (er ontbreken gegevens): zie 'Geen voorspelling'" in lines
    gaps = list(book["Geen voorspelling"].iter_rows(values_only=True))
    assert gaps[0] == tuple(UNSCORED_COLUMNS)
    assert gaps[1][:4] == ("PL4", "team_zuid", "onbekend", 5)
    assert gaps[1][4].startswith("Geen voorspelling: het model mist opleidingsniveau van de werknemer")
    csv_lines = list(csv.reader(io.StringIO(text), delimiter=";"))
    at = csv_lines.index(["Geen voorspelling"])
    assert csv_lines[at + 1] == UNSCORED_COLUMNS and csv_lines[at + 2][:4] == ["PL4", "team_zuid", "onbekend", "5"]
    assert noord.sheetnames == [noord.active.title]  # another team's gap is not in its file
    log = AuditLog(world.engine).query(user="coord-zuid")
    assert "PL4" in set(log.loc[log["outcome"] == EXPORTED, "placement_id"])
