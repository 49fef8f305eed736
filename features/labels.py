"""Outcomes with competing risks, as known on a label date L.

Each placement known and started by L gets one outcome:
- `uitval` or `neutral`: an ending is known on L (registered by L, newest version) with
  end_date <= L, and its reason_code is in that class of the versioned mapping;
- `unknown`: such an ending whose reason is in the unknown class (`onbekend`, mostly legacy);
- `censored`: no ending known on L (still active as far as L knows, or ending announced for
  a date after L).

`duration_days` runs from start_date to end_date, or to L when censored. `known_at` is the first
as-of date on which the outcome is known: the day the ending was registered (or its end_date, if
it was registered ahead of time), or L when censored. `registration` is `legacy` or `structured`.

Worked example. PL1 starts 2024-01-08 and stops 2024-06-28 with `conflict`, registered
2024-07-15. Labelled on 2024-07-01 it is censored at 175 days (the ending is unknown then);
labelled on 2024-07-15 it is `uitval` at 172 days, known_at 2024-07-15.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.data_contracts.reasons import ReasonMapping
from lks.features.known import MISSING_DAY, AsOf, Known, as_of_day, day_to_timestamp, prepare

EVENT_CLASSES = ("uitval", "neutral", "unknown", "censored")


def outcomes(history: dict[str, pd.DataFrame], label_date: AsOf, mapping: ReasonMapping | None = None) -> pd.DataFrame:
    """One row per placement known and started on `label_date`, indexed by placement_id."""
    return outcomes_known(prepare(history, mapping), as_of_day(label_date))


def outcomes_known(known: Known, day: int) -> pd.DataFrame:
    placements = known.current("placements", day)
    placements = placements[placements["day"].to_numpy() <= day]
    endings = known.current("endings", day)
    endings = endings[endings["day"].to_numpy() <= day].set_index("code").reindex(placements["code"].to_numpy())
    ended = endings["day"].notna().to_numpy()
    start = placements["day"].to_numpy()
    end = np.where(ended, endings["day"].to_numpy(np.float64, na_value=np.nan), np.nan)
    stop = np.where(ended, end, day).astype(np.int64)
    known_on = np.where(ended, np.fmax(endings["known_from"].to_numpy(np.float64, na_value=np.nan), end), day)
    frame = pd.DataFrame({
        "code": placements["code"].to_numpy(),
        "start_date": placements["start_date"].to_numpy(),
        "end_date": _days_or_missing(end),
        "duration_days": stop - start,
        "event": np.where(ended, endings["end_class"].to_numpy(object), "censored"),
        "reason_code": endings["reason_code"].to_numpy(object),
        "registration": endings["registration"].to_numpy(object),
        "known_at": day_to_timestamp(known_on.astype(np.int64)),
    }, index=pd.Index(placements["placement_id"].astype(str).to_numpy(), name="placement_id"))
    frame["duration_weeks"] = frame["duration_days"] // 7
    frame["event"] = pd.Categorical(frame["event"], categories=EVENT_CLASSES)
    return frame


def _days_or_missing(days: np.ndarray) -> np.ndarray:
    return day_to_timestamp(np.where(np.isnan(days), MISSING_DAY, np.nan_to_num(days)).astype(np.int64))
