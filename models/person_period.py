"""Expand (duration, event) data into person-period rows for discrete-time hazard models.

Worked example: a placement observed for ``duration = 3`` weeks that ended in uitval (``event = 1``) is at risk
in tenure weeks 0, 1 and 2 and becomes three rows::

    id  week  event
    a   0     0
    a   1     0
    a   2     1

A placement censored after 3 weeks (``event = 0``) gives the same rows with event 0 in week 2. Durations count
weeks at risk, so a duration of 1 means one row (week 0); Rossi's ``week = 52, arrest = 0`` (followed through
week 52) becomes 52 rows, weeks 0..51. Covariates are repeated on every row of their person (held fixed).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.models.base import EVENT, WEEK, WEIGHT


def expand(
    durations: pd.Series,
    events: pd.Series,
    covariates: pd.DataFrame | None = None,
    weights: pd.Series | None = None,
    id_column: str = "id",
) -> pd.DataFrame:
    """One row per person per week at risk: ``id_column`` (the input's index label), ``week``, ``event``,
    ``weight`` and the covariates. ``events`` holds 0 (censored) or an event code (1 uitval, 2 neutral, ...),
    recorded on the person's last row only."""
    durations = pd.Series(durations)
    events = pd.Series(events, index=durations.index)
    d = pd.to_numeric(durations, errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(d) & (d >= 1) & (d == np.round(d)))
    if bad.any():
        raise ValueError(f"durations must be whole numbers of weeks >= 1, but contain {durations.to_numpy()[bad][0]!r}")
    e = pd.to_numeric(events, errors="coerce").to_numpy(dtype=float)
    bad = ~(np.isfinite(e) & (e >= 0) & (e == np.round(e)))
    if bad.any():
        raise ValueError(
            f"events must be 0 (censored) or a positive event code, but contain {events.to_numpy()[bad][0]!r}")
    if weights is None:
        w = np.ones(len(d))
    else:
        w = pd.Series(weights, index=durations.index).to_numpy(dtype=float)
    d = d.astype(int)

    rows = np.repeat(np.arange(len(d)), d)
    starts = np.cumsum(d) - d
    week = np.arange(len(rows)) - np.repeat(starts, d)
    last = week == np.repeat(d - 1, d)
    out = pd.DataFrame({
        id_column: durations.index.to_numpy()[rows],
        WEEK: week,
        EVENT: np.where(last, e[rows], 0).astype(int),
        WEIGHT: w[rows],
    })
    if covariates is not None:
        cov = covariates.loc[durations.index].iloc[rows].reset_index(drop=True)
        out = pd.concat([out, cov], axis=1)
    return out
