"""How well person and job fit, and how recent warning signs add up, as known on the as-of date.

A poor match rarely shows in one column. It shows in combinations and early traces:
- more hours per week than the loonwaarde carries (`hours_above_wage_value`): a job of 32 hours
  for someone with 40% loonwaarde asks more than a job of 20 hours does;
- an education level below what the employer's sector usually asks (`education_below_sector_need`);
- an early cut in hours or an early new loonwaarde assessment (tenure weeks 0..20): adjustments
  that follow a start that does not work out.

Worked example. A placement starting with 30 hours at 40% loonwaarde has
hours_above_wage_value = 30 - (8 + 0.28 * 40) = 10.8; one with 20 hours at 40%, 0.8. If its hours
are cut to 24 by an hours_change dated in week 6, early_hours_cut is 1 from the day that change is
registered, and stays 1.

Track record of the employer: the share of uitval among its other placements whose outcome is
settled (ended, or past their first year), shrunk towards the share over all employers, so an
employer with two placements does not get a share of 0 or 1 (`employer_uitval_rate_smoothed`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.data_contracts.schemas import codes
from lks.features.history_windows import CONTACT_KINDS, last_per_placement, weeks_since
from lks.features.known import Columns, EventArrays, Known

# Hours a placement typically has at a given loonwaarde: the lower line of well-matched starts.
TYPICAL_HOURS = (8.0, 0.28)  # hours = 8 + 0.28 * wage_value_pct
EARLY_WEEKS = 20             # tenure weeks 0..20 count as "early"
# Minimum education most jobs in a sector ask for: a startkwalificatie (mbo 2) in care, technical
# work and government, mbo 3/4 in business services; other sectors ask for none. An assumption to
# review with the coordinators. Unknown education (`onbekend`) is never "below" (left empty).
SECTOR_MIN_EDUCATION = {"zorg": "mbo2", "techniek": "mbo2", "overheid": "mbo2",
                        "zakelijke_dienstverlening": "mbo3_4"}
EDUCATION_RANK = {level: rank for rank, level in enumerate(codes.EDUCATION_LEVEL) if level != "onbekend"}
TRACK_RECORD_PRIOR = 3.0     # settled placements' worth of weight given to the overall share
WARNING_HALF_LIFE_WEEKS = 4.0
WARNING_EVENTS = ("sick_report", "employer_signal")


def match_features(known: Known, day: int, active: pd.DataFrame, started: pd.DataFrame,
                   person_education: pd.Categorical, employer_sector: pd.Categorical) -> Columns:
    codes_ = active["code"].to_numpy()
    n = len(known.placement_ids)
    start_day = active["day"].to_numpy()
    hours_start = active["hours_per_week"].to_numpy(np.float64)
    wage_start = active["wage_value_pct"].to_numpy(np.float64)

    education = pd.Series(np.asarray(person_education, dtype=object))
    rank = education.map(EDUCATION_RANK).to_numpy(np.float64)
    need = pd.Series(np.asarray(employer_sector, dtype=object)).map(
        lambda s: EDUCATION_RANK.get(SECTOR_MIN_EDUCATION.get(s, ""), np.nan) if isinstance(s, str) else np.nan)
    need = need.to_numpy(np.float64)
    sector_known = pd.notna(np.asarray(employer_sector, dtype=object))
    below = np.where(np.isnan(rank) | ~sector_known, np.nan, np.where(np.isnan(need), 0.0, (rank < need) * 1.0))

    return {
        "hours_above_wage_value": hours_start - (TYPICAL_HOURS[0] + TYPICAL_HOURS[1] * wage_start),
        "education_rank": rank,
        "education_below_sector_need": below,
        **_early_adjustments(known, day, codes_, n, start_day, hours_start),
        "employer_uitval_rate_smoothed": _track_record(started, active, day),
        **_warnings(known, day, codes_, n),
    }


def _early_adjustments(known: Known, day: int, codes_: np.ndarray, n: int, start_day: np.ndarray,
                       hours_start: np.ndarray) -> Columns:
    early_end = start_day + 7 * (EARLY_WEEKS + 1)  # first day after tenure week 20
    hours = known.event("hours_change")
    mask = hours.known_on(day)
    cut = np.zeros(len(codes_))
    wage_check = np.zeros(len(codes_))
    row_of = np.full(n, -1)
    row_of[codes_] = np.arange(len(codes_))
    rows = row_of[hours.code[mask]]
    inside = rows >= 0
    rows, ev_day, value = rows[inside], hours.day[mask][inside], hours.value_num[mask][inside]
    hit = (ev_day < early_end[rows]) & (value < hours_start[rows])
    np.add.at(cut, rows[hit], 1.0)
    wage = known.event("wage_value_assessment")
    mask = wage.known_on(day)
    rows = row_of[wage.code[mask]]
    inside = rows >= 0
    rows, ev_day = rows[inside], wage.day[mask][inside]
    np.add.at(wage_check, rows[ev_day < early_end[rows]], 1.0)
    return {"early_hours_cut": np.minimum(cut, 1.0), "early_wage_value_assessment": np.minimum(wage_check, 1.0)}


def _track_record(started: pd.DataFrame, active: pd.DataFrame, day: int) -> np.ndarray:
    """(uitval + prior * overall share) / (settled + prior) over the employer's other placements."""
    settled = (started["ended"].to_numpy() | (started["day"].to_numpy() <= day - 364)).astype(float)
    uitval = started["uitval"].to_numpy(float)
    overall = uitval.sum() / settled.sum() if settled.sum() else 0.0
    group = started["employer_code"].to_numpy(np.int64)
    own = active["employer_code"].to_numpy(np.int64)
    size = int(max(group.max(initial=-1), own.max(initial=-1)) + 1)
    # the scored placement is active and not yet settled unless it runs past its first year
    own_settled = (active["day"].to_numpy() <= day - 364).astype(float)
    n_settled = np.bincount(group, weights=settled, minlength=size)[own] - own_settled
    n_uitval = np.bincount(group, weights=uitval, minlength=size)[own]
    rate: np.ndarray = (n_uitval + TRACK_RECORD_PRIOR * overall) / (n_settled + TRACK_RECORD_PRIOR)
    return rate


def _warnings(known: Known, day: int, codes_: np.ndarray, n: int) -> Columns:
    """Recent signs, each weighted by 0.5 ** (age in weeks / half-life): warnings are zorgelijk
    contacts (jobcoach or municipality), sick reports and employer signals; reassurance is
    positief contacts. Also the weeks since the last zorgelijk and the last positief contact."""
    row_of = np.full(n, -1)
    row_of[codes_] = np.arange(len(codes_))
    warning, last_worry = _decayed_contacts(known, day, codes_, n, row_of, "zorgelijk")
    for event_type in WARNING_EVENTS:
        ev = known.event(event_type)
        _add_decayed(warning, ev, ev.known_on(day), day, row_of)
    reassuring, last_positive = _decayed_contacts(known, day, codes_, n, row_of, "positief")
    return {"warning_signs_recent": warning, "weeks_since_zorgelijk_contact": weeks_since(day, last_worry),
            "reassuring_signs_recent": reassuring, "weeks_since_positief_contact": weeks_since(day, last_positive)}


def _decayed_contacts(known: Known, day: int, codes_: np.ndarray, n: int, row_of: np.ndarray,
                      rating: str) -> tuple[np.ndarray, np.ndarray]:
    """Contacts (jobcoach or municipality) with this rating, each weighted by its age, and the day
    of the latest one."""
    score = np.zeros(len(codes_))
    last = np.full(len(codes_), np.nan)
    for event_type in CONTACT_KINDS.values():
        ev = known.event(event_type)
        mask = ev.known_on(day) & ev.text_is(rating)
        last = np.fmax(last, last_per_placement(ev, mask, ev.day.astype(np.float64), codes_, n))
        _add_decayed(score, ev, mask, day, row_of)
    return score, last


def _add_decayed(score: np.ndarray, ev: EventArrays, mask: np.ndarray, day: int, row_of: np.ndarray) -> None:
    """Add 0.5 ** (age in weeks / half-life) of each masked event to its placement's row of `score`."""
    rows = row_of[ev.code[mask]]
    inside = rows >= 0
    age = (day - ev.day[mask][inside]) / 7.0
    np.add.at(score, rows[inside], 0.5 ** (age / WARNING_HALF_LIFE_WEEKS))
