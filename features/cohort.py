"""The cohort: which placements are at risk (active) on an as-of date, as known on that date.

Active on D means, with only what was registered by the end of D:
- the placement is known (a version registered by D) and started on or before D (start_date), and
- no ending is known with end_date <= D. An ending registered later is unknown on D, so the
  placement still counts as active then; an ending announced for a date after D does not end it yet.

Worked example: PL1 started 2025-01-06 and ended 2025-03-14, registered 2025-04-02. As of
2025-03-20 it is active (the ending is not known yet); as of 2025-04-02 it is not.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.features.known import AsOf, Known, as_of_day, prepare


def active_on(known: Known, day: int) -> pd.DataFrame:
    """Current versions of the placements active on `day` (day number), sorted by placement_id."""
    placements = known.current("placements", day)
    placements = placements[placements["day"].to_numpy() <= day]
    endings = known.current("endings", day)
    ended = endings["code"].to_numpy()[endings["day"].to_numpy() <= day]
    return placements[~np.isin(placements["code"].to_numpy(), ended)]


def cohort(history: dict[str, pd.DataFrame], as_of: AsOf) -> pd.Index:
    """The placement_ids active on `as_of`, as known then."""
    known = prepare(history)
    return pd.Index(active_on(known, as_of_day(as_of))["placement_id"], name="placement_id")


def started_with_outcomes(known: Known, day: int) -> pd.DataFrame:
    """Every placement known and started by `day`, with its outcome as known on `day`:
    `ended` (an ending known with end_date <= day), `ended_52w` (that ending within 52 weeks of
    the start) and `uitval` (that ending's reason is in the uitval class)."""
    placements = known.current("placements", day)
    placements = placements[placements["day"].to_numpy() <= day]
    endings = known.current("endings", day)
    endings = endings[endings["day"].to_numpy() <= day].set_index("code")
    end_day = endings["day"].reindex(placements["code"]).to_numpy(np.float64)
    end_class = endings["end_class"].reindex(placements["code"]).to_numpy(object)
    ended = ~np.isnan(end_day)
    return pd.DataFrame({
        "code": placements["code"].to_numpy(),
        "person_id": placements["person_id"].to_numpy(),
        "employer_id": placements["employer_id"].to_numpy(),
        "person_code": placements["person_code"].to_numpy(),
        "employer_code": placements["employer_code"].to_numpy(),
        "day": placements["day"].to_numpy(),
        "ended": ended,
        "ended_52w": ended & (end_day - placements["day"].to_numpy() < 364),
        "uitval": end_class == "uitval",
    })
