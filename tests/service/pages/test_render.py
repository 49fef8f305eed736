from datetime import date, datetime

from lks.service.pages.render import capfirst, datum, getal, pct, render, week


def test_dutch_numbers_dates_and_weeks():
    assert pct(0.1234) == "12,3%" and pct(0) == "0,0%" and pct(None) == "onbekend" and pct(float("nan")) == "onbekend"
    assert getal(0.78549) == "0,785" and getal(0.7, 2) == "0,70" and getal(None) == getal(float("nan")) == "–"
    assert datum(date(2026, 11, 22)) == "22 november 2026" and datum("2026-03-01") == "1 maart 2026"
    assert datum(datetime(2026, 11, 23, 9, 5)) == "23 november 2026, 09:05"
    assert week(date(2026, 11, 22)) == 47 and week("2026-01-01") == 1
    assert capfirst("ziekmeldingen") == "Ziekmeldingen" and capfirst("") == ""


def test_templates_escape_what_they_show():
    html = render("melding.html", identity=None, csrf="", title="<script>x</script>", paragraphs=["a & b"], links=[])
    assert "<script>x" not in html and "&lt;script&gt;" in html and "a &amp; b" in html
    assert html.startswith("<!DOCTYPE html>") and '<html lang="nl">' in html
