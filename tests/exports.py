"""Tiny hand-made rows, the one source for every test: one good row per table, changed one field at a time.

The same rows serve as an export folder (`write_export`, the contract's CSV text) and as a history typed as
`data_contracts.store.history` returns it (`make_history`). Pass only what the test is about; values may be
Python values or contract text (`hours_per_week=20.0` or `hours_per_week="20"`).
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd

from lks.data_contracts.schemas import TABLES, coerce, columns
from lks.data_contracts.timeline import registered_by

GOOD = {
    "persons": {
        "person_id": "P1", "birth_year": 1990, "gender": "V", "migration_background": "geen",
        "dutch_language_level": "voldoende", "district": "Charlois", "education_level": "mbo2",
        "target_group_register": True, "health_limitation": False, "debt_problems": False,
        "childcare_need": False, "registered_at": "2024-01-02T09:00:00",
    },
    "employers": {
        "employer_id": "W1", "sector": "zorg", "size_class": "10-49", "employer_type": "regulier",
        "own_jobcoach": True, "harrie_training_date": None, "social_return": False,
        "registered_at": "2024-01-02T09:00:00",
    },
    "placements": {
        "placement_id": "PL1", "person_id": "P1", "employer_id": "W1", "start_date": "2024-01-08",
        "lks_start_date": "2024-02-01", "contract_type": "bepaald", "planned_end_date": "2025-01-07",
        "hours_per_week": 24.0, "wage_value_pct": 55.5, "subsidy_type": "regulier",
        "springboard": False, "trial_placement_before": True, "partial_benefit": False,
        "months_on_benefit_before": 14, "jobcoach_org": "Jobcoach BV", "jobcoach_hours_per_month": 6.0,
        "jobcoach_id": "JC1", "team": "team_zuid", "registered_at": "2024-02-03T10:15:00",
    },
    "events": {
        "event_id": "E1", "placement_id": "PL1", "event_date": "2024-03-04",
        "event_type": "jobcoach_contact", "value_num": None, "value_text": "zorgelijk",
        "registered_at": "2024-03-06T16:00:00",
    },
    "endings": {
        "placement_id": "PL1", "end_date": "2024-06-28", "reason_code": "mismatch_taken",
        "registration": "structured", "registered_at": "2024-07-15T11:00:00",
    },
}


def row(table: str, **changes) -> dict:
    return {**GOOD[table], **changes}


def person(**changes) -> dict:
    return row("persons", **changes)


def employer(**changes) -> dict:
    return row("employers", **changes)


def placement(**changes) -> dict:
    return row("placements", **changes)


def event(**changes) -> dict:
    return row("events", **changes)


def ending(**changes) -> dict:
    return row("endings", **changes)


# ---- as an export folder ------------------------------------------------------------------------

def _text(value) -> str:
    """A value as the contract writes it: booleans true/false, an empty field for null."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def write_export(folder: Path, **tables: list[dict]) -> Path:
    """Write an export folder; tables not given get their one good row."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        rows = tables.get(table, [GOOD[table]])
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(columns(table)))
            writer.writeheader()
            writer.writerows({name: _text(value) for name, value in r.items()} for r in rows)
    return folder


# ---- as a typed history -------------------------------------------------------------------------

def typed(rows: list[dict], table: str) -> pd.DataFrame:
    return coerce(pd.DataFrame(rows, columns=list(columns(table))), table)


def make_history(**tables: list[dict]) -> dict[str, pd.DataFrame]:
    """A history with the given rows; persons and employers default to one good row each."""
    tables.setdefault("persons", [person()])
    tables.setdefault("employers", [employer()])
    return {name: typed(tables.get(name, []), name) for name in TABLES}


def registered_by_all(history: dict[str, pd.DataFrame], as_of) -> dict[str, pd.DataFrame]:
    return {name: registered_by(frame, as_of) for name, frame in history.items()}
