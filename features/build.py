"""All features of every active placement on an as-of date, as known then.

`build_features(history, as_of)` is a pure function of the stored history (all versions, as
`data_contracts.store.history` returns them) and a date: no I/O, no clock. For many dates,
`prepare` the history once and call `features_on` per date (what `frames` does).

Special-category columns (role `special`, GDPR art. 9) are never read unless the caller passes the
`dpia_reference` the deployment names (LKS_DPIA_REFERENCE, passed on by the CLI and training); then
the special features of `features.catalog` are added too. Without one the frame is exactly as
if the switch did not exist. Protected and routing columns are never read, whatever is passed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import pandas as pd

from lks.data_contracts.roles import check_dpia_reference
from lks.features.cohort import active_on, started_with_outcomes
from lks.features.employer import employer_features
from lks.features.history_windows import window_features
from lks.features.known import AsOf, Known, as_of_day, prepare
from lks.features.match import match_features
from lks.features.person import person_features
from lks.features.placement import placement_features

ID_COLUMNS = ["placement_id", "as_of"]


def build_features(history: dict[str, pd.DataFrame], as_of: AsOf, *, dpia_reference: str | None = None) -> pd.DataFrame:
    """One row per placement active on `as_of`: `placement_id`, `as_of`, `tenure_weeks` and the
    features of `features.catalog.catalog(special)`, sorted by placement_id; `special` only with a
    `dpia_reference`."""
    return features_on(prepare(history), as_of, dpia_reference=dpia_reference)


def features_on(known: Known, as_of: AsOf, *, dpia_reference: str | None = None) -> pd.DataFrame:
    special = check_dpia_reference(dpia_reference) is not None
    day = as_of_day(as_of)
    active = active_on(known, day).reset_index(drop=True)
    started = started_with_outcomes(known, day)
    person = person_features(known, day, active, started, special=special)
    employer = employer_features(known, day, active, started)
    columns = {
        "placement_id": active["placement_id"].astype(str).to_numpy(),
        "as_of": np.full(len(active), pd.Timestamp(as_of).normalize().to_datetime64(), dtype="datetime64[ns]"),
        "tenure_weeks": ((day - active["day"].to_numpy()) // 7).astype(np.int64),
        **placement_features(known, day, active),
        **window_features(known, day, active),
        **person,
        **employer,
        **match_features(known, day, active, started, person["education_level"], employer["sector"]),
    }
    return pd.DataFrame(columns)


def features_over(known: Known, as_of_dates: Iterable[AsOf], *, dpia_reference: str | None = None
                  ) -> Iterator[pd.DataFrame]:
    for as_of in as_of_dates:
        yield features_on(known, as_of, dpia_reference=dpia_reference)


def feature_names(frame: pd.DataFrame) -> list[str]:
    """The model-input columns of a features frame (everything but the identifiers)."""
    return [c for c in frame.columns if c not in ID_COLUMNS]
