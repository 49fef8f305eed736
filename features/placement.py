"""Features of the placement itself, as known on the as-of date, updated by its known events:
hours after `hours_change`, loonwaarde after `wage_value_assessment`, planned end after
`contract_extension` (the latest by event_date, then registered_at, wins)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.data_contracts.schemas import codes
from lks.features.history_windows import counts, last_per_placement
from lks.features.known import Columns, Known

JOBCOACH_ORG_TYPES = ["geen", "intern", "extern"]
FLAGS = ("springboard", "trial_placement_before", "partial_benefit")


def categorical(values: pd.Series | np.ndarray, categories: list[str]) -> pd.Categorical:
    return pd.Categorical(np.asarray(values, dtype=object), categories=categories)


def flag(values: pd.Series) -> np.ndarray:
    return np.asarray(values.astype("Float64").to_numpy(np.float64, na_value=np.nan))


def jobcoach_org_type(org: pd.Series) -> np.ndarray:
    """`geen` (no jobcoach organisation), `intern` (the employer's own), `extern` (any other)."""
    text = org.fillna("").astype(str).str.strip()
    return np.where(text == "", "geen", np.where(text.str.lower() == "intern", "intern", "extern"))


def placement_features(known: Known, day: int, active: pd.DataFrame) -> Columns:
    codes_ = active["code"].to_numpy()
    n = len(known.placement_ids)
    hours_start = active["hours_per_week"].to_numpy(np.float64)
    wage_start = active["wage_value_pct"].to_numpy(np.float64)
    hours = _latest_num(known, "hours_change", day, codes_, n, fallback=hours_start)
    wage = _latest_num(known, "wage_value_assessment", day, codes_, n, fallback=wage_start)

    extension = known.event("contract_extension")
    ext_mask = extension.known_on(day)
    extended_to = last_per_placement(extension, ext_mask, extension.value_day, codes_, n)
    planned = active["planned_end_day"].to_numpy(np.float64)
    planned_end = np.where(np.isnan(extended_to), planned, extended_to)

    out = {
        "hours_per_week": hours,
        "hours_per_week_start": hours_start,
        "hours_change_since_start": hours - hours_start,
        "wage_value_pct": wage,
        "wage_value_pct_start": wage_start,
        "wage_value_change_since_start": wage - wage_start,
        "subsidy_type": categorical(active["subsidy_type"], codes.SUBSIDY_TYPE),
        "contract_type": categorical(active["contract_type"], codes.CONTRACT_TYPE),
        "weeks_to_planned_end": (planned_end - day) / 7.0,
        "contract_extensions": counts(extension, ext_mask, codes_, n),
        "months_on_benefit_before": active["months_on_benefit_before"].to_numpy(np.float64, na_value=np.nan),
        "jobcoach_hours_per_month": active["jobcoach_hours_per_month"].to_numpy(np.float64),
        "jobcoach_org_type": categorical(jobcoach_org_type(active["jobcoach_org"]), JOBCOACH_ORG_TYPES),
        "lks_delay_weeks": (active["lks_day"].to_numpy() - active["day"].to_numpy()) / 7.0,
        **{name: flag(active[name]) for name in FLAGS},
    }
    return out


def _latest_num(known: Known, event_type: str, day: int, codes_: np.ndarray, n: int,
                fallback: np.ndarray) -> np.ndarray:
    events = known.event(event_type)
    latest = last_per_placement(events, events.known_on(day), events.value_num, codes_, n)
    return np.where(np.isnan(latest), fallback, latest)
