"""Which model inputs a placement must have to be scored, and the Dutch reason when it has not.

LightGBM takes a missing value (NaN) as information, and many inputs are empty by design: "weeks since
the last sick report" when there was none, the share of positive contacts when there was no contact, the
weeks to the planned end of a permanent contract, the track record of an employer without other placements,
the expected length of a sick report that was not given (see docs/features.md: "leeg als ..."). Scoring
those is right. An input is *required* when its emptiness can only be a gap in the data, never a fact
about the placement; the model would then score a made-up person or employer without saying so.

Required (when the champion reads them):

* the placement's own registration: hours and loonwaarde (now and at the start), contract and subsidy
  type, jobcoach hours, months on benefit before, the weeks between the first working day and the
  subsidy, and for a fixed-term contract (`bepaald`) the weeks to its planned end. The contract makes
  these columns mandatory, so a gap here means a broken export or a contract change.
* the person's registration (education level, target-group register, debt problems, childcare need):
  empty when the export has no valid persons row for the placement's person (not delivered, or rejected
  at ingest).
* the employer's registration (sector, size, type, own jobcoach, Social Return, Harrie training): empty
  when the export has no valid employers row for the placement's employer.

A placement missing any of them gets no score ("geen voorspelling"): it is stored apart with what it
misses (table `unscored_placements`), shown and counted apart from the ranked list, and never ranked.
"""

from __future__ import annotations

import math

import pandas as pd

# source -> (who the data is about, in Dutch; how to correct it)
SOURCES = {
    "placements": ("de plaatsing", "Laat de plaatsingsgegevens in het bronsysteem aanvullen of verbeteren."),
    "persons": ("de werknemer", "De persoonsgegevens van de werknemer ontbreken in de gegevenslevering of zijn "
                "afgekeurd. Laat ze in het bronsysteem aanvullen of verbeteren."),
    "employers": ("de werkgever", "De gegevens van de werkgever ontbreken in de gegevenslevering of zijn "
                  "afgekeurd. Laat ze in het bronsysteem aanvullen of verbeteren."),
}
AFTER = "Na de volgende gegevenslevering krijgt de plaatsing weer een voorspelling."

# input -> (source, Dutch name)
REQUIRED = {
    "hours_per_week": ("placements", "uren per week"),
    "hours_per_week_start": ("placements", "uren per week bij de start"),
    "wage_value_pct": ("placements", "loonwaarde"),
    "wage_value_pct_start": ("placements", "loonwaarde bij de start"),
    "contract_type": ("placements", "soort contract"),
    "subsidy_type": ("placements", "soort loonkostensubsidie"),
    "jobcoach_hours_per_month": ("placements", "uren jobcoaching per maand"),
    "months_on_benefit_before": ("placements", "maanden uitkering voor deze baan"),
    "lks_delay_weeks": ("placements", "startdatum van de loonkostensubsidie"),
    "education_level": ("persons", "opleidingsniveau"),
    "target_group_register": ("persons", "inschrijving in het doelgroepregister"),
    "debt_problems": ("persons", "schulden"),
    "childcare_need": ("persons", "behoefte aan kinderopvang"),
    "sector": ("employers", "sector"),
    "size_class": ("employers", "grootte"),
    "employer_type": ("employers", "soort werkgever"),
    "own_jobcoach": ("employers", "eigen jobcoach"),
    "social_return": ("employers", "Social Return"),
    "harrie_trained": ("employers", "Harrie-training"),
}
PLANNED_END = ("weeks_to_planned_end", "placements", "geplande einddatum van het contract voor bepaalde tijd")


def _empty(value) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def missing(row: dict, inputs: tuple[str, ...] | list[str]) -> list[dict]:
    """The required inputs of `inputs` (the model's) that `row` lacks: [{"input", "source", "label"}]."""
    found = [{"input": name, "source": REQUIRED[name][0], "label": REQUIRED[name][1]}
             for name in inputs if name in REQUIRED and _empty(row.get(name))]
    name, source, label = PLANNED_END
    if name in inputs and row.get("contract_type") == "bepaald" and _empty(row.get(name)):
        found.append({"input": name, "source": source, "label": label})
    return found


def missing_per_row(inputs: pd.DataFrame) -> list[list[dict]]:
    """`missing` for every row of a model-input frame."""
    columns = list(inputs.columns)
    return [missing(row, columns) for row in inputs.astype(object).to_dict("records")]


def reason(found: list[dict]) -> str:
    """Why there is no prediction, in Dutch: which data is missing, and how to correct it."""
    parts, fixes = [], []
    for source, (about, fix) in SOURCES.items():
        labels = [m["label"] for m in found if m["source"] == source]
        if labels:
            parts.append(f"{_join(labels)} van {about}")
            fixes.append(fix)
    return (f"Geen voorspelling: het model mist {_join(parts)}. Zonder deze gegevens zou het een score geven "
            f"die niet over deze plaatsing gaat. {' '.join(fixes)} {AFTER}")


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} en {items[-1]}"
