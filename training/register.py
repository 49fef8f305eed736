"""The entry for the Dutch algorithm register (Algoritmeregister), publication standard 1.0.

Field names, maximum lengths, required fields and permitted values follow the register's own schema
of the standard: MinBZK/Algoritmeregister, `backend/app/schemas/config/v1_0.json` (publication
standard 1.0, https://regels.overheid.nl/publicaties/algoritmeregister-publicatiestandaard).
`validate` checks an entry against them; the texts are in Dutch at language level B1, as the
standard asks, and `readable` renders the entry as a Dutch document.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lks.training.documents import DocumentInputs

STANDARD = "Algoritmeregister publicatiestandaard 1.0"
SOURCE = "MinBZK/Algoritmeregister backend/app/schemas/config/v1_0.json"


@dataclass(frozen=True)
class Field:
    name: str
    title: str                      # the Dutch label on the register's site
    max_length: int | None = None   # characters; None: no limit (lists, choices)
    required: bool = False
    permitted: tuple[str, ...] = ()


FIELDS = (
    Field("name", "Naam", 100, True),
    Field("description_short", "Korte omschrijving", 350, True),
    Field("organization", "Organisatie", 100, True),
    Field("category", "Thema", permitted=("Sociale zekerheid", "Werk")),
    Field("status", "Status", required=True, permitted=("In ontwikkeling", "In gebruik", "Buiten gebruik")),
    Field("begin_date", "Begindatum", 7),
    Field("end_date", "Einddatum", 7),
    Field("contact_email", "Contactgegevens", 500, True),
    Field("website", "Link naar publiekspagina", 500),
    Field("publication_category", "Publicatiecategorie", required=True,
          permitted=("Hoog-risico AI-systeem", "Impactvolle algoritmes", "Overige algoritmes")),
    Field("goal", "Doel en impact", 2500),
    Field("proportionality", "Afwegingen", 2500),
    Field("human_intervention", "Menselijke tussenkomst", 2500),
    Field("risks", "Risicobeheer", 2500),
    Field("lawful_basis", "Wettelijke basis", 2500),
    Field("impacttoetsen", "Toelichting op impacttoetsen", 2500),
    Field("source_data", "Gegevens", 2500),
    Field("methods_and_models", "Technische werking", 5000),
    Field("provider", "Leverancier", 200),
    Field("source_id", "Bron-ID", 100),
    Field("lang", "Taal", required=True, permitted=("nld",)),
    Field("standard_version", "Versie publicatiestandaard", permitted=("1.0",)),
)
BY_NAME = {f.name: f for f in FIELDS}


def validate(entry: dict) -> list[str]:
    """Every way `entry` breaks the standard: unknown fields, missing required ones, texts over their
    limit, values outside the permitted list. Empty when the entry may be published."""
    problems = [f"{name}: geen veld van de standaard" for name in entry if name not in BY_NAME]
    for f in FIELDS:
        value = entry.get(f.name)
        if f.required and not value:
            problems.append(f"{f.name} ({f.title}): verplicht, maar niet ingevuld")
            continue
        if value is None:
            continue
        values = value if isinstance(value, list) else [value]
        if f.max_length is not None and len(str(value)) > f.max_length:
            problems.append(f"{f.name} ({f.title}): {len(str(value))} tekens, de standaard staat er {f.max_length} toe")
        if f.permitted and any(v not in f.permitted for v in values):
            problems.append(f"{f.name} ({f.title}): {value!r} is geen toegestane waarde")
    return problems


def _pct(value) -> str:
    return "onbekend" if value is None or pd.isna(value) else f"{100 * float(value):.0f}%".replace(".", ",")


def _decimal(value) -> str:
    return "onbekend" if value is None or pd.isna(value) else f"{float(value):.3f}".replace(".", ",")


def _flagged(inputs: DocumentInputs) -> str:
    if not len(inputs.proxy):
        return "De toets op vervangende kenmerken is voor deze versie niet gedaan."
    flagged = inputs.proxy[inputs.proxy["flagged"].astype(bool)]
    names = {"gender": "geslacht", "migration_background": "migratieachtergrond",
             "dutch_language_level": "taalniveau", "age_band": "leeftijd", "district": "stadsgebied"}
    if flagged.empty:
        return ("Uit de gegevens die het model gebruikt, is voor geen van deze kenmerken goed te voorspellen tot "
                "welke groep iemand hoort (toets op vervangende kenmerken).")
    listed = ", ".join(names.get(a, a) for a in flagged["attribute"])
    return (f"Uit de gegevens die het model gebruikt, is voor deze kenmerken goed te voorspellen tot welke groep "
            f"iemand hoort: {listed}. Daarom kijken we voor die groepen extra goed of de lijst hen gelijk behandelt.")


def entry(inputs: DocumentInputs) -> dict:
    """The register entry for one model version (fields of the standard only)."""
    m = inputs.metrics
    begin = inputs.train_as_of[:7] if inputs.status == "champion" else None
    return {
        "name": "Vroegsignalering uitval bij loonkostensubsidie",
        "description_short": ("Dit algoritme schat elke week voor lopende plaatsingen met loonkostensubsidie de kans "
                              "dat "
                              "iemand in het eerste jaar uitvalt. Jobcoaches gebruiken de lijst om op tijd extra "
                              "ondersteuning aan te bieden. Het algoritme neemt geen besluiten."),
        "organization": inputs.organisation,
        "category": ["Werk", "Sociale zekerheid"],
        "status": "In gebruik" if inputs.status == "champion" else "In ontwikkeling",
        "begin_date": begin,
        "contact_email": inputs.contact,
        "publication_category": "Hoog-risico AI-systeem",
        "goal": ("Het doel is dat mensen met een baan met loonkostensubsidie hun baan houden. Het algoritme zet elke "
                 f"week de {inputs.k} plaatsingen met de grootste kans op uitval bovenaan een lijst. De coördinator "
                 "Uitval en de jobcoaches bieden die mensen en hun werkgevers eerder hulp aan, zoals extra "
                 "jobcoaching of aangepaste taken. De lijst leidt nooit tot een sanctie."),
        "proportionality": ("Zonder het algoritme zien jobcoaches problemen pas als er al signalen zijn. In de toets "
                            f"op {len(inputs.test_dates)} weken vond de lijst {_pct(m.get('precision_at_k'))} echte "
                            f"uitval bij de {inputs.k} hoogste scores, tegen "
                            f"{_pct(inputs.baselines.get('current_practice', {}).get('precision_at_k'))} voor de "
                            "huidige werkwijze. Daar staat tegenover dat het algoritme mensen indeelt op kans; daarom "
                            "controleren we per groep of de lijst iedereen even goed bereikt."),
        "human_intervention": ("Een jobcoach bekijkt elke plaatsing op de lijst en beslist zelf of en welke hulp "
                               "wordt aangeboden. De jobcoach legt vast wat er gedaan is, of waarom niets. Het "
                               "algoritme besluit niets zelf."),
        "risks": ("Het grootste risico is dat de lijst sommige groepen minder goed bereikt dan andere. Voor elk nieuw "
                  "model controleren we per geslacht, migratieachtergrond, taalniveau, leeftijd en stadsgebied hoeveel "
                  "van de uitval de lijst vindt. Een model dat daar niet aan voldoet, wordt niet in gebruik genomen, "
                  "tenzij iemand met een vastgelegde reden anders beslist. " + _flagged(inputs)),
        "lawful_basis": ("Participatiewet (loonkostensubsidie, artikel 10d) voor de ondersteuning. Voor het gebruik "
                         "van "
                         "beschermde kenmerken alleen om het model op gelijke behandeling te toetsen: "
                         f"{inputs.audit_legal_basis or 'nog niet vastgelegd'}."),
        "impacttoetsen": ("Er is een samenvatting voor de toets op grondrechten (IAMA) opgesteld bij het technisch "
                          "dossier. " + (f"DPIA-referentie: {inputs.dpia_reference}." if inputs.dpia_reference
                                         else "Het model gebruikt geen bijzondere persoonsgegevens.")),
        "source_data": ("Gegevens over de plaatsing (sector, uren, duur), de werkgever, de begeleiding (contacten met "
                        "de jobcoach, ziekmeldingen) en het verloop tot nu toe. Geslacht, migratieachtergrond, "
                        "taalniveau, leeftijd en stadsgebied zijn geen invoer; ze worden alleen gebruikt om het model "
                        f"te controleren. Trainingsgegevens van {inputs.data_from} tot en met {inputs.data_to}."),
        "methods_and_models": (f"Zelflerend model ({inputs.model}), versie {inputs.version}, getraind op gegevens "
                               "zoals "
                               f"bekend op {inputs.train_as_of}. Het model leest {len(inputs.features)} kenmerken en "
                               "geeft per plaatsing de kans op uitval binnen 13 weken en in het eerste jaar, met een "
                               f"uitleg per kenmerk. Getoetst op {len(inputs.test_dates)} weken die het model niet "
                               "zag: "
                               f"ROC AUC {_decimal(m.get('roc_auc_52w'))}."),
        "provider": "Intern ontwikkeld",
        "source_id": f"lks-uitval v{inputs.version}",
        "lang": "nld",
        "standard_version": "1.0",
    }


def document(inputs: DocumentInputs) -> dict:
    """What is logged as algoritmeregister.json: the entry, its check against the standard, the source."""
    content = entry(inputs)
    return {"standard": STANDARD, "field_source": SOURCE, "model_version": inputs.version,
            "entry": {k: v for k, v in content.items() if v is not None}, "problems": validate(content)}


def readable(inputs: DocumentInputs) -> str:
    """The entry as a Dutch document, field by field under the register's own labels."""
    logged = document(inputs)
    lines = [f"# Algoritmeregister: {logged['entry']['name']}", "",
             f"Registratie volgens de {STANDARD}, voor modelversie {inputs.version}.", ""]
    for f in FIELDS:
        value = logged["entry"].get(f.name)
        if value is None:
            continue
        lines += [f"## {f.title}", "", ", ".join(value) if isinstance(value, list) else str(value), ""]
    if logged["problems"]:
        lines += ["## Nog in te vullen voor publicatie", "", *[f"- {p}" for p in logged["problems"]], ""]
    else:
        lines += ["Deze registratie voldoet aan de velden en lengtes van de standaard.", ""]
    return "\n".join(lines)
