"""Tiny synthetic placements whose weekly uitval hazard is driven by ``x`` (and the category ``sector``).

``make_placements(n, seed)`` draws placements followed for their whole first year; ``landmark_frame`` and
``person_period_frame`` turn them into the two frames the models consume, with labels known by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.models.person_period import expand

FEATURES = ["x", "noise", "sector", "flag", "sick_reports_4w", "zorgelijk_contacts_4w"]
SECTORS = ["zorg", "schoonmaak", "logistiek"]
SECTOR_EFFECT = {"zorg": 0.0, "schoonmaak": 0.6, "logistiek": -0.4}


def make_placements(n: int = 400, seed: int = 0, start_weeks: int = 30) -> pd.DataFrame:
    """One row per placement: features, ``duration`` (weeks at risk, 1..52), ``event`` (0 censored at 52, 1, 2),
    starting in one of ``start_weeks`` consecutive weeks (many weeks give a steady mix of tenures per as-of date)."""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    sector = rng.choice(SECTORS, size=n)
    noise = rng.normal(size=n)
    noise[rng.random(n) < 0.1] = np.nan
    logit_u = -4.6 + 1.2 * x + np.vectorize(SECTOR_EFFECT.get)(sector)
    h_u = 1 / (1 + np.exp(-logit_u))
    h_n = np.full(n, 0.006)
    duration = np.full(n, 52)
    event = np.zeros(n, dtype=int)
    alive = np.ones(n, dtype=bool)
    for week in range(52):
        u = rng.random(n)
        ends_u = alive & (u < h_u)
        ends_n = alive & ~ends_u & (u < h_u + h_n)
        duration[ends_u | ends_n] = week + 1
        event[ends_u] = 1
        event[ends_n] = 2
        alive &= ~(ends_u | ends_n)
    start = pd.Timestamp("2024-01-01") + pd.to_timedelta(rng.integers(0, start_weeks, size=n) * 7, unit="D")
    return pd.DataFrame({
        "placement_id": [f"PL{seed}-{i}" for i in range(n)],
        "x": x,
        "noise": noise,
        "sector": pd.Categorical(sector, categories=SECTORS),
        "flag": rng.random(n) < 0.5,
        "start": start,
        "duration": duration,
        "event": event,
    }).set_index("placement_id", drop=False)


def landmark_frame(placements: pd.DataFrame, every: int = 4, seed: int = 0) -> pd.DataFrame:
    """Landmarks at tenure 0, every, 2*every, ... while at risk; the sick/zorgelijk counts follow x loosely."""
    rng = np.random.default_rng(seed + 1000)
    rows = []
    for t in range(0, 52, every):
        at_risk = placements[placements["duration"] > t]
        end_week = at_risk["duration"] - 1  # the tenure week the placement ended (or 51 when censored)
        uitval = at_risk["event"] == 1
        rows.append(at_risk.assign(
            tenure_weeks=t,
            as_of=at_risk["start"] + pd.Timedelta(weeks=t),
            uitval_13w=(uitval & (end_week < t + 13)).astype(int),
            uitval_52w=uitval.astype(int),
        ))
    frame = pd.concat(rows, ignore_index=True)
    signal = 1 / (1 + np.exp(-(frame["x"].to_numpy() - 1.0)))
    frame["sick_reports_4w"] = rng.binomial(2, signal * 0.6)
    frame["zorgelijk_contacts_4w"] = rng.binomial(1, signal * 0.4)
    frame["weight"] = 1.0
    return frame.drop(columns=["start", "duration", "event"])


def person_period_frame(placements: pd.DataFrame) -> pd.DataFrame:
    covariates = placements[["x", "noise", "sector", "flag"]].assign(sick_reports_4w=0, zorgelijk_contacts_4w=0)
    return expand(placements["duration"], placements["event"], covariates, id_column="placement_id")


def start_rows(placements: pd.DataFrame, tenure: int = 0) -> pd.DataFrame:
    """X for scoring every placement at tenure week ``tenure`` (features + tenure_weeks)."""
    return placements[["x", "noise", "sector", "flag"]].assign(
        sick_reports_4w=0, zorgelijk_contacts_4w=0, tenure_weeks=tenure)
