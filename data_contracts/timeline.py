"""What was known on a date: the one definition of point in time used everywhere.

Worked example. A sick report for 2025-03-03 registered at 2025-03-10T08:12:00 is unknown as of
2025-03-09 and known as of 2025-03-10 (as of D means registered before D + 1 day, i.e. through
the end of day D). If a placement row was registered on 2025-01-05 with 20 hours and corrected
on 2025-04-01 to 24 hours, then as of 2025-03-31 the placement has 20 hours and as of
2025-04-01 it has 24; both versions stay in the history.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from lks.data_contracts.schemas import PRIMARY_KEYS

# The first year of a placement in whole weeks: tenure weeks 0..51. Labels, models, the feature schema and
# scoring all stop at its end (day 7 * 52 = 364 after the start).
YEAR_WEEKS = 52


def cutoff(as_of: date | str | pd.Timestamp) -> pd.Timestamp:
    """The first moment *not* known as of `as_of`: midnight at the start of the next day."""
    return pd.Timestamp(as_of).normalize() + pd.Timedelta(days=1)


def registered_by(frame: pd.DataFrame, as_of: date | str | pd.Timestamp) -> pd.DataFrame:
    """Rows (versions) registered on or before `as_of`."""
    return frame[frame["registered_at"] < cutoff(as_of)]


def latest_versions(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    """Per key, the version with the newest `registered_at` (ties: the one stored last)."""
    key = PRIMARY_KEYS[table]
    ordered = frame.sort_values("registered_at", kind="stable")
    return ordered.drop_duplicates(key, keep="last").sort_values(key).reset_index(drop=True)


def snapshot(history: dict[str, pd.DataFrame], as_of: date | str | pd.Timestamp) -> dict[str, pd.DataFrame]:
    """Each table as it was known as of `as_of`: newest known version per key."""
    return {t: latest_versions(registered_by(f, as_of), t) for t, f in history.items()}
