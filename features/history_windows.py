"""Event history of each active placement in windows before the as-of date, as known then.

A window of w weeks on as-of day D holds the events with D - 7w < event_date <= D; `all` holds
every event since the start. Only event versions current on D count (registered by D, not yet
corrected), so a sick report registered after D is invisible on D even if it is dated before D.
`employer_signal` counts, its free text never does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.data_contracts.schemas import codes
from lks.features.known import EventArrays, Known

WINDOWS = (4, 13, 26, None)  # None: since the start of the placement
CONTACT_KINDS = {"jobcoach": "jobcoach_contact", "municipality": "municipality_contact"}
RATINGS = ("zorgelijk", "positief")  # contact ratings with a share of their own; `neutraal` is the rest
COUNTED = {  # feature stem -> event_type
    "sick_reports": "sick_report",
    "recoveries": "recovery_report",
    "hours_changes": "hours_change",
    "employer_signals": "employer_signal",
    "interventions": "intervention",
    "jobcoach_contacts": "jobcoach_contact",
    "municipality_contacts": "municipality_contact",
}


def window_name(stem: str, weeks: int | None) -> str:
    return f"{stem}_{weeks}w" if weeks else f"{stem}_all"


def counts(events: EventArrays, mask: np.ndarray, codes_: np.ndarray, n: int) -> np.ndarray:
    """Per placement in `codes_`, the number of masked events."""
    per_code: np.ndarray = np.bincount(events.code[mask], minlength=n)
    return np.asarray(per_code[codes_])


def last_per_placement(events: EventArrays, mask: np.ndarray, values: np.ndarray, codes_: np.ndarray,
                       n: int) -> np.ndarray:
    """Per placement in `codes_`, `values` of its latest masked event (by event_date, then
    registered_at); NaN (or None for objects) where it has none."""
    idx = np.flatnonzero(mask)
    placement = events.code[idx]
    last = idx[np.r_[placement[1:] != placement[:-1], True]] if len(idx) else idx
    full = np.full(n, None if values.dtype == object else np.nan, dtype=values.dtype)
    full[events.code[last]] = values[last]
    return np.asarray(full[codes_])


def weeks_since(day: int, event_day: np.ndarray) -> np.ndarray:
    return (day - event_day) / 7.0


def window_features(known: Known, day: int, active: pd.DataFrame) -> dict[str, np.ndarray]:
    codes_ = active["code"].to_numpy()
    n = len(known.placement_ids)
    out: dict[str, np.ndarray] = {}
    masks = {t: known.event(t).known_on(day) for t in codes.EVENT_TYPE}

    for weeks in WINDOWS:
        for stem, event_type in COUNTED.items():
            ev, mask = known.event(event_type), masks[event_type]
            in_window = mask & (ev.day > day - 7 * weeks) if weeks else mask
            out[window_name(stem, weeks)] = counts(ev, in_window, codes_, n)
        for kind, event_type in CONTACT_KINDS.items():
            ev, mask = known.event(event_type), masks[event_type]
            in_window = mask & (ev.day > day - 7 * weeks) if weeks else mask
            total = out[window_name(f"{kind}_contacts", weeks)]
            for rating in RATINGS:
                rated = counts(ev, in_window & ev.text_is(rating), codes_, n)
                with np.errstate(invalid="ignore", divide="ignore"):
                    out[window_name(f"{kind}_{rating}_share", weeks)] = np.where(total > 0, rated / total, np.nan)

    out.update(_sickness(known, day, masks, codes_, n))
    for kind, event_type in CONTACT_KINDS.items():
        ev, mask = known.event(event_type), masks[event_type]
        last_day = last_per_placement(ev, mask, ev.day.astype(np.float64), codes_, n)
        last_text = last_per_placement(ev, mask, ev.value_text, codes_, n)
        out[f"weeks_since_{kind}_contact"] = weeks_since(day, last_day)
        out[f"no_{kind}_contact_yet"] = np.isnan(last_day).astype(np.float64)
        for rating in RATINGS:
            out[f"last_{kind}_contact_{rating}"] = np.where(np.isnan(last_day), np.nan, last_text == rating)

    ev, mask = known.event("intervention"), masks["intervention"]
    for intervention in codes.INTERVENTION:
        out[f"intervention_{intervention}"] = counts(ev, mask & ev.text_is(intervention), codes_, n)
    out["weeks_since_intervention"] = weeks_since(day, last_per_placement(ev, mask, ev.day.astype(float), codes_, n))
    return out


def _sickness(known: Known, day: int, masks: dict[str, np.ndarray], codes_: np.ndarray,
              n: int) -> dict[str, np.ndarray]:
    """Currently sick: the latest known sick report has no recovery dated on or after it."""
    sick, recovery = known.event("sick_report"), known.event("recovery_report")
    last_sick = last_per_placement(sick, masks["sick_report"], sick.day.astype(float), codes_, n)
    expected = last_per_placement(sick, masks["sick_report"], sick.value_num, codes_, n)
    last_recovery = last_per_placement(recovery, masks["recovery_report"], recovery.day.astype(float), codes_, n)
    currently = ~np.isnan(last_sick) & (np.isnan(last_recovery) | (last_recovery < last_sick))
    return {
        "weeks_since_sick_report": weeks_since(day, last_sick),
        "weeks_since_recovery": weeks_since(day, last_recovery),
        "currently_sick": currently.astype(np.float64),
        "weeks_sick_current": np.where(currently, weeks_since(day, last_sick), 0.0),
        "sick_expected_days_current": np.where(currently, expected, np.nan),
    }
