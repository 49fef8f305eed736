"""Features of the employer as known on the as-of date, and its own track record: the other LKS
placements at this employer that started on or before the as-of date, and how they ended as
known then. The placement being scored never counts in its own track record."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.data_contracts.schemas import codes
from lks.features.cohort import started_with_outcomes
from lks.features.known import Columns, Known
from lks.features.placement import categorical, flag

FLAGS = ("own_jobcoach", "social_return")


def employer_features(known: Known, day: int, active: pd.DataFrame, started: pd.DataFrame | None = None) -> Columns:
    employers = known.current("employers", day).set_index("employer_id")
    employer = employers.reindex(active["employer_id"].to_numpy())
    trained = employer["harrie_training_date"] <= pd.Timestamp(0) + pd.Timedelta(days=day)
    out = {
        "sector": categorical(employer["sector"], codes.SECTOR),
        "size_class": categorical(employer["size_class"], codes.SIZE_CLASS),
        "employer_type": categorical(employer["employer_type"], codes.EMPLOYER_TYPE),
        **{name: flag(employer[name]) for name in FLAGS},
        "harrie_trained": np.where(employer["sector"].isna(), np.nan, trained.to_numpy(np.float64)),
    }
    started = started_with_outcomes(known, day) if started is None else started
    group = started["employer_code"].to_numpy(np.int64)
    size = int(max(group.max(initial=-1), active["employer_code"].max()) + 1) if len(active) else 0
    own = active["employer_code"].to_numpy(np.int64)
    # the scored placement is active (started, no ending known by the as-of date): it adds exactly
    # one placement to its employer's totals and nothing to the ended/uitval counts
    placements = np.bincount(group, minlength=size)[own] - 1
    ended_52w = np.bincount(group, weights=started["ended_52w"].to_numpy(float), minlength=size)[own]
    uitval = np.bincount(group, weights=started["uitval"].to_numpy(float), minlength=size)[own]
    out["employer_other_placements"] = placements
    out["employer_other_ended_52w"] = ended_52w.astype(np.int64)
    out["employer_other_uitval"] = uitval.astype(np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        out["employer_other_uitval_share"] = np.where(placements > 0, uitval / placements, np.nan)
    return out
