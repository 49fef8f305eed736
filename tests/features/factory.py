"""Tiny hand-made histories, typed as `data_contracts.store.history` returns them.

Each helper gives one row with sensible defaults; pass only what the test is about.
"""

from __future__ import annotations

import pandas as pd

from lks.data_contracts.schemas import TABLES, coerce, columns

DEFAULTS = {
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
        "jobcoach_id": "JC1", "team": "team_zuid", "registered_at": "2024-01-10T10:15:00",
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
    return {**DEFAULTS[table], **changes}


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


def typed(rows: list[dict], table: str) -> pd.DataFrame:
    return coerce(pd.DataFrame(rows, columns=list(columns(table))), table)


def make_history(**tables: list[dict]) -> dict[str, pd.DataFrame]:
    """A history with the given rows; persons and employers default to one good row each."""
    tables.setdefault("persons", [person()])
    tables.setdefault("employers", [employer()])
    return {name: typed(tables.get(name, []), name) for name in TABLES}


def registered_by_all(history: dict[str, pd.DataFrame], as_of) -> dict[str, pd.DataFrame]:
    from lks.data_contracts.timeline import registered_by

    return {name: registered_by(frame, as_of) for name, frame in history.items()}
