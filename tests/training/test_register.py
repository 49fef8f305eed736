from lks.training import register
from tests.training.test_documents import inputs


def test_the_entry_uses_the_standards_fields_within_their_limits():
    logged = register.document(inputs())
    entry = logged["entry"]
    assert logged["problems"] == [] and set(entry) <= set(register.BY_NAME)
    assert entry["status"] == "In gebruik" and entry["publication_category"] == "Hoog-risico AI-systeem"
    assert len(entry["description_short"]) <= 350 and len(entry["name"]) <= 100
    assert "45%" in entry["proportionality"] and "22%" in entry["proportionality"]  # precision at k: model, practice
    assert "geslacht" in entry["risks"]  # the flagged proxy, in Dutch
    assert "AI-verordening art. 10 lid 5" in entry["lawful_basis"] and "0,763" in entry["methods_and_models"]
    assert "2019-01-07" in entry["source_data"] and entry["begin_date"] == "2026-11"


def test_a_challenger_is_in_development_and_a_missing_contact_is_named():
    logged = register.document(inputs(status="challenger", contact=None))
    assert logged["entry"]["status"] == "In ontwikkeling" and "begin_date" not in logged["entry"]
    assert logged["problems"] == ["contact_email (Contactgegevens): verplicht, maar niet ingevuld"]


def test_validation_finds_lengths_values_and_unknown_fields():
    entry = register.entry(inputs())
    broken = {**entry, "name": "x" * 101, "status": "Actief", "category": ["Werk", "Sport"], "colour": "blauw"}
    problems = register.validate(broken)
    assert "colour: geen veld van de standaard" in problems
    assert "name (Naam): 101 tekens, de standaard staat er 100 toe" in problems
    assert any(p.startswith("status (Status): 'Actief'") for p in problems)
    assert any(p.startswith("category (Thema)") for p in problems) and len(problems) == 4


def test_the_readable_version_is_dutch_under_the_registers_labels():
    text = register.readable(inputs(contact=None))
    assert text.startswith("# Algoritmeregister: Vroegsignalering uitval bij loonkostensubsidie")
    for label in ("## Korte omschrijving", "## Doel en impact", "## Menselijke tussenkomst", "## Wettelijke basis",
                  "## Nog in te vullen voor publicatie"):
        assert label in text
    assert "Contactgegevens): verplicht" in text


def test_when_no_attribute_is_flagged_the_entry_says_so_in_a_sentence():
    proxy = inputs().proxy.assign(flagged=False)
    risks = register.entry(inputs(proxy=proxy))["risks"]
    assert "voor geen van deze kenmerken goed te voorspellen" in risks and "hoort: geen" not in risks
