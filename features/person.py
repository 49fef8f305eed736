"""Features of the person, as known on the as-of date, and how their earlier LKS placements
ended as known then. Earlier: a placement of the same person with an earlier start_date.

The `special` flags (health) are read only when the caller asks for them (`special=True`, which
`features.build` allows only under a DPIA reference); otherwise they are never touched."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.data_contracts.schemas import codes
from lks.features.cohort import started_with_outcomes
from lks.features.known import Columns, Known
from lks.features.placement import categorical, flag

FLAGS = ("target_group_register", "debt_problems", "childcare_need")
SPECIAL_FLAGS = ("health_limitation",)  # role `special`: only with a DPIA reference
_DAYS = 1_000_000  # person_code * _DAYS + start day sorts by person, then start


def person_features(known: Known, day: int, active: pd.DataFrame, started: pd.DataFrame | None = None,
                    special: bool = False) -> Columns:
    persons = known.current("persons", day).set_index("person_id")
    person = persons.reindex(active["person_id"].to_numpy())
    out = {
        "education_level": categorical(person["education_level"], codes.EDUCATION_LEVEL),
        **{name: flag(person[name]) for name in FLAGS},
    }
    started = started_with_outcomes(known, day) if started is None else started
    keys = started["person_code"].to_numpy(np.int64) * _DAYS + started["day"].to_numpy(np.int64)
    order = np.argsort(keys, kind="stable")
    keys = keys[order]
    own = active["person_code"].to_numpy(np.int64) * _DAYS
    first = np.searchsorted(keys, own, side="left")
    earlier = np.searchsorted(keys, own + active["day"].to_numpy(np.int64), side="left")
    out["person_earlier_placements"] = earlier - first
    for name in ("ended", "uitval"):
        running = np.concatenate([[0], np.cumsum(started[name].to_numpy()[order])])
        out[f"person_earlier_{name}"] = running[earlier] - running[first]
    if special:
        out.update({name: flag(person[name]) for name in SPECIAL_FLAGS})
    return out
