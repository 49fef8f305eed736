"""The history prepared once, so "what was known on day D" is a cheap mask for many dates.

Point in time is defined in `data_contracts.timeline`: as of D we know the versions with
`registered_at < cutoff(D)`, and per key the newest of those. Here every version gets the
interval of as-of days on which it is that newest known version:

    known_from  = the day of its registered_at          (cutoff(D) > registered_at  <=>  D >= that day)
    known_until = known_from of the next version of the same key (or never)

Worked example. Placement PL1 registered 2025-01-05T09:00 with 20 hours and corrected
2025-04-01T10:00 to 24 hours: version 1 is current on days [2025-01-05, 2025-04-01), version 2
from 2025-04-01 on. Two versions on the same day: the first gets an empty interval, exactly as
`timeline.latest_versions` keeps only the newer one. `tests/features/test_known.py` checks this
against `timeline.snapshot` for many dates.

Days are integers (days since 1970-01-01) so masks over hundreds of thousands of event versions
cost microseconds per as-of date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TypeAlias, overload

import numpy as np
import pandas as pd

from lks.data_contracts.reasons import ReasonMapping, load_mapping
from lks.data_contracts.schemas import PRIMARY_KEYS, TABLES, columns
from lks.data_contracts.timeline import cutoff

AsOf: TypeAlias = "pd.Timestamp | date | str"  # an as-of date in any form pd.Timestamp accepts
Columns: TypeAlias = "dict[str, np.ndarray | pd.Categorical]"  # feature name -> one value per active placement

NEVER = np.iinfo(np.int64).max
MISSING_DAY = np.iinfo(np.int64).min


@overload
def day_number(values: date | str) -> int: ...
@overload
def day_number(values: pd.Series) -> np.ndarray: ...
def day_number(values: pd.Series | date | str) -> np.ndarray | int:
    """Days since 1970-01-01 (floor); NaT becomes MISSING_DAY."""
    if isinstance(values, pd.Series):
        days = values.to_numpy(dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64)
        return np.where(values.isna().to_numpy(), MISSING_DAY, days)
    return int((pd.Timestamp(values).normalize() - pd.Timestamp(0)).days)


def as_of_day(as_of: AsOf) -> int:
    """The as-of date as a day number: versions with known_from <= it are registered by it."""
    return int(day_number(cutoff(as_of))) - 1


def day_to_timestamp(days: np.ndarray) -> np.ndarray:
    out = np.asarray(days, dtype=np.int64).astype("datetime64[D]").astype("datetime64[ns]")
    out[np.asarray(days) == MISSING_DAY] = np.datetime64("NaT")
    return out


@dataclass(frozen=True)
class EventArrays:
    """The versions of one event type, sorted by (placement code, event day, registered_at)."""

    code: np.ndarray
    day: np.ndarray
    known_from: np.ndarray
    known_until: np.ndarray
    value_num: np.ndarray
    value_text: np.ndarray
    value_day: np.ndarray  # value_text read as a date (contract_extension), as a float day number

    _text_masks: dict[str, np.ndarray] = field(default_factory=dict, compare=False, repr=False)

    def known_on(self, day: int) -> np.ndarray:
        """Mask of the event versions that are current as of `day` and happened by then."""
        return (self.known_from <= day) & (day < self.known_until) & (self.day <= day)

    def text_is(self, value: str) -> np.ndarray:
        """Mask of the versions whose value_text is `value`; kept, as comparing strings is slow and
        the weekly features ask the same question for hundreds of dates."""
        if value not in self._text_masks:
            self._text_masks[value] = self.value_text == value
        return self._text_masks[value]


@dataclass(frozen=True)
class Known:
    """All versions of the five tables, sorted per key, each with its known_from/known_until days.

    `placement_ids` fixes an integer code per placement (`code` columns) used by every
    vectorised per-placement computation.
    """

    tables: dict[str, pd.DataFrame]
    placement_ids: pd.Index
    mapping: ReasonMapping
    events: dict[str, EventArrays]  # event_type -> its versions

    def current(self, table: str, day: int) -> pd.DataFrame:
        """The newest version per key known on `day` (= timeline.snapshot for one table)."""
        frame = self.tables[table]
        mask = (frame["known_from"].to_numpy() <= day) & (day < frame["known_until"].to_numpy())
        return frame[mask]

    def event(self, event_type: str) -> EventArrays:
        return self.events.get(event_type) or empty_events()

    def codes(self, placement_ids: pd.Index | pd.Series) -> np.ndarray:
        return np.asarray(self.placement_ids.get_indexer(placement_ids))


def prepare(history: dict[str, pd.DataFrame], mapping: ReasonMapping | None = None) -> Known:
    """Sort and index the history once. Extra columns (batch_id, source_line, ...) are dropped."""
    mapping = mapping or load_mapping()
    tables = {name: _with_intervals(history[name][list(columns(name))], name) for name in TABLES}
    ids = pd.concat([tables[t]["placement_id"] for t in ("placements", "events", "endings")])
    placement_ids = pd.Index(np.sort(ids.dropna().unique().astype(str)), name="placement_id")
    for name in ("placements", "events", "endings"):
        tables[name]["code"] = placement_ids.get_indexer(tables[name]["placement_id"])
    for name, date_col in (("placements", "start_date"), ("events", "event_date"), ("endings", "end_date")):
        tables[name]["day"] = day_number(tables[name][date_col])
    placements = tables["placements"]
    for key, parent in (("person_id", "persons"), ("employer_id", "employers")):
        ids = pd.Index(np.sort(pd.concat([tables[parent][key], placements[key]]).dropna().unique().astype(str)))
        placements[f"{parent[:-1]}_code"] = ids.get_indexer(placements[key])
    placements["lks_day"] = day_number(placements["lks_start_date"])
    placements["planned_end_day"] = _float_days(placements["planned_end_date"])
    endings = tables["endings"]
    endings["end_class"] = endings["reason_code"].map(mapping.reason_class).fillna("unknown")
    return Known(tables=tables, placement_ids=placement_ids, mapping=mapping, events=_event_arrays(tables["events"]))


def _with_intervals(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    key = PRIMARY_KEYS[table]
    ordered = frame.sort_values("registered_at", kind="stable").sort_values(key, kind="stable")
    ordered = ordered.reset_index(drop=True)
    known_from = day_number(ordered["registered_at"])
    same_key_next = ordered[key].shift(-1).eq(ordered[key]).to_numpy()
    next_from = np.append(known_from[1:], NEVER)
    ordered["known_from"] = known_from
    ordered["known_until"] = np.where(same_key_next, next_from, NEVER)
    return ordered


def _event_arrays(events: pd.DataFrame) -> dict[str, EventArrays]:
    ordered = events.sort_values(["code", "day", "registered_at"], kind="stable")
    out = {}
    for event_type, rows in ordered.groupby("event_type", sort=False):
        out[str(event_type)] = EventArrays(
            code=rows["code"].to_numpy(np.int64),
            day=rows["day"].to_numpy(np.int64),
            known_from=rows["known_from"].to_numpy(np.int64),
            known_until=rows["known_until"].to_numpy(np.int64),
            value_num=rows["value_num"].to_numpy(np.float64, na_value=np.nan),
            value_text=rows["value_text"].to_numpy(object),
            value_day=_float_days(pd.to_datetime(rows["value_text"], format="%Y-%m-%d", errors="coerce")),
        )
    return out


def empty_events() -> EventArrays:
    none = np.array([], dtype=np.int64)
    nothing = np.array([], dtype=np.float64)
    return EventArrays(none, none, none, none, nothing, np.array([], dtype=object), nothing)


def _float_days(values: pd.Series) -> np.ndarray:
    days = day_number(values).astype(np.float64)
    return np.where(values.isna().to_numpy(), np.nan, days)
