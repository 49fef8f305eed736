"""Tiny hand-made exports: one good row per table, to be changed one field at a time."""

from __future__ import annotations

import csv
from pathlib import Path

from lks.data_contracts.schemas import TABLES, columns

GOOD = {
    "persons": {
        "person_id": "P1", "birth_year": "1990", "gender": "V", "migration_background": "geen",
        "dutch_language_level": "voldoende", "district": "Charlois", "education_level": "mbo2",
        "target_group_register": "true", "health_limitation": "false", "debt_problems": "FALSE",
        "childcare_need": "0", "registered_at": "2024-01-02T09:00:00",
    },
    "employers": {
        "employer_id": "W1", "sector": "zorg", "size_class": "10-49", "employer_type": "regulier",
        "own_jobcoach": "true", "harrie_training_date": "", "social_return": "false",
        "registered_at": "2024-01-02T09:00:00",
    },
    "placements": {
        "placement_id": "PL1", "person_id": "P1", "employer_id": "W1", "start_date": "2024-01-08",
        "lks_start_date": "2024-02-01", "contract_type": "bepaald", "planned_end_date": "2025-01-07",
        "hours_per_week": "24", "wage_value_pct": "55.5", "subsidy_type": "regulier",
        "springboard": "false", "trial_placement_before": "true", "partial_benefit": "false",
        "months_on_benefit_before": "14", "jobcoach_org": "Jobcoach BV", "jobcoach_hours_per_month": "6",
        "jobcoach_id": "JC1", "team": "team_zuid", "registered_at": "2024-02-03T10:15:00",
    },
    "events": {
        "event_id": "E1", "placement_id": "PL1", "event_date": "2024-03-04",
        "event_type": "jobcoach_contact", "value_num": "", "value_text": "zorgelijk",
        "registered_at": "2024-03-06T16:00:00",
    },
    "endings": {
        "placement_id": "PL1", "end_date": "2024-06-30", "reason_code": "mismatch_taken",
        "registration": "legacy", "registered_at": "2024-07-15T11:00:00",
    },
}


def row(table: str, **changes: str) -> dict[str, str]:
    return {**GOOD[table], **changes}


def write_export(folder: Path, **tables: list[dict[str, str]]) -> Path:
    """Write an export folder; tables not given get their one good row."""
    folder.mkdir(parents=True, exist_ok=True)
    for table in TABLES:
        rows = tables.get(table, [GOOD[table]])
        with open(folder / f"{table}.csv", "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(columns(table)))
            writer.writeheader()
            writer.writerows(rows)
    return folder
