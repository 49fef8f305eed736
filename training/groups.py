"""The protected grounds (and district) the governance checks look at, per placement or per scored row.

Audit only: these columns are never model inputs. The age band is taken on the row's own date (its
as-of date, or the placement's start), so the same person can move from one band to the next.
"""

from __future__ import annotations

import pandas as pd

PROTECTED = ("gender", "migration_background", "dutch_language_level", "age_band")
AUDITED = (*PROTECTED, "district")
PERSON_COLUMNS = ("birth_year", "gender", "migration_background", "dutch_language_level", "district")
AGE_EDGES, AGE_LABELS = [0, 27, 35, 45, 55, 120], ["<27", "27-34", "35-44", "45-54", "55+"]


def age_band(birth_year: pd.Series, on: pd.Series) -> pd.Series:
    """Age in whole calendar years on the date `on`, in the bands the fairness audit uses; NaN stays NaN."""
    age = pd.to_datetime(on).dt.year.to_numpy() - birth_year.astype(float).to_numpy()
    bands = pd.cut(pd.Series(age, index=birth_year.index), AGE_EDGES, right=False, labels=AGE_LABELS)
    return bands.astype(object).where(bands.notna(), None)


def with_groups(rows: pd.DataFrame, persons: pd.DataFrame, on: str = "as_of") -> pd.DataFrame:
    """`rows` (with placement_id and the date column `on`) with the audited attributes added from
    `persons` (placement_id and PERSON_COLUMNS, one row per placement); birth_year becomes `age_band`."""
    wanted = ["placement_id", *PERSON_COLUMNS]
    missing = [c for c in wanted if c not in persons.columns]
    if missing:
        raise ValueError(f"persons must have the columns {wanted}, but lacks {missing}")
    if persons["placement_id"].duplicated().any():
        raise ValueError("persons must have one row per placement_id, but has duplicates")
    drop = [c for c in AUDITED if c in rows.columns]
    out = rows.drop(columns=drop).merge(persons[wanted], on="placement_id", how="left")
    out["age_band"] = age_band(out["birth_year"], out[on])
    return out.drop(columns="birth_year")
