"""The true mechanism of the simulated municipality: weekly hazards and hidden-state transitions.

Time runs in tenure weeks. Week k of a placement covers the days start + 7k .. start + 7k + 6.
In week k the placement is in a hidden state S_k (0 stable, 1 strained, 2 crisis). During the
week it ends as uitval with probability hu(k, S_k) or neutrally with hn(k, S_k) (competing,
at most one); an ending in week k has end_date = start + 7k + 6. A placement that survives
week k moves to S_{k+1} with the transition matrix T_k. Both depend on the placement's static
log-multipliers (`lu`, `ln`, `ls`, built in `static_effects`) and on whether an intervention
protects week k (an intervention decided in week i protects weeks i+1 .. i+PROTECT_WEEKS).

Every function here broadcasts, so the simulation (one row per placement, one week) and the
oracle (one row per as-of date and placement, all three states at once) share the same code.
"""

from __future__ import annotations

import numpy as np

STABLE, STRAINED, CRISIS = 0, 1, 2
N_STATES = 3
HAZARD_WEEKS = 156           # tenure weeks 0..155 carry their own tenure factor; later ones reuse 155
PROTECT_WEEKS = 12           # weeks an intervention protects
RENEWALS = 3                 # a fixed-term contract is reviewed at most this often, 52 weeks apart

_k = np.arange(HAZARD_WEEKS, dtype=float)
TENURE_U = 0.13 + 1.2 * np.exp(-_k / 8.0) + 0.8 * np.exp(-_k / 20.0)
TENURE_N = 0.5 + 0.6 * np.exp(-_k / 26.0)
TENURE_S = 0.5 + 1.0 * np.exp(-_k / 15.0)
SPRINGBOARD_END = np.where((_k >= 49) & (_k <= 56), 0.30, 0.0)   # springplank_afgerond around week 52

BASE_U = 0.0052
BASE_N = 0.0019
STATE_U = np.array([1.0, 2.5, 8.0])
STATE_N = np.array([1.0, 1.15, 1.4])
NONRENEW = np.array([0.05, 0.22, 0.45])   # P(contract not renewed | review week, state)
PROTECT_U = 0.75                          # hazard multiplier while an intervention protects
PROTECT_BOOST = 1.3                       # recovery speed-up while an intervention protects
RETIRE_HAZARD = 0.35
MAX_TOTAL_HAZARD = 0.95


def _tenure(table: np.ndarray, k):
    return table[np.minimum(k, HAZARD_WEEKS - 1)]


def is_review_week(k, review_first):
    """True in the last week of a fixed-term contract (first review, then every 52 weeks)."""
    since = k - review_first
    return (review_first >= 0) & (since >= 0) & (since % 52 == 0) & (since < 52 * RENEWALS)


def hazards(k, state, lu, ln, review_first, springboard, retire_week, protected, drift_u=1.0):
    """Weekly (uitval, neutral, non-renewal part of uitval) hazards; all arguments broadcast.
    `drift_u` multiplies the baseline uitval hazard (a scenario's drift, see `drift_factor`)."""
    hu = BASE_U * _tenure(TENURE_U, k) * np.exp(lu) * STATE_U[state] * drift_u
    hu = hu * np.where(protected, PROTECT_U, 1.0)
    nonrenew = np.where(
        is_review_week(k, review_first), np.minimum(NONRENEW[state] * np.exp(0.5 * lu), 0.9), 0.0
    )
    hu = 1.0 - (1.0 - np.minimum(hu, 0.9)) * (1.0 - nonrenew)
    hn = BASE_N * _tenure(TENURE_N, k) * np.exp(ln) * STATE_N[state]
    spring = np.where(springboard, _tenure(SPRINGBOARD_END, k), 0.0)
    retire = np.where(k >= retire_week, RETIRE_HAZARD, 0.0)
    hn = 1.0 - (1.0 - np.minimum(hn, 0.9)) * (1.0 - spring) * (1.0 - retire)
    total = hu + hn
    scale = np.where(total > MAX_TOTAL_HAZARD, MAX_TOTAL_HAZARD / np.maximum(total, 1e-12), 1.0)
    return hu * scale, hn * scale, nonrenew


def drift_factor(drift_day: int | None, factor: float, week_start):
    """The baseline uitval hazard multiplier of weeks starting on `week_start` (days): `factor`
    from `drift_day` on, 1 before it or when there is no drift."""
    if drift_day is None or factor == 1.0:
        return 1.0
    return np.where(np.asarray(week_start) >= drift_day, factor, 1.0)


def transitions(k, ls, protected) -> np.ndarray:
    """Transition matrices T_k, shape broadcast(k, ls, protected) + (3, 3); rows sum to one."""
    k, ls, protected = np.broadcast_arrays(k, ls, protected)
    boost = np.where(protected, PROTECT_BOOST, 1.0)
    up1 = np.minimum(0.02 * _tenure(TENURE_S, k) * np.exp(ls), 0.5)      # stable -> strained
    up2 = np.minimum(0.002 * np.exp(ls), 0.1)                             # stable -> crisis
    down1 = 0.07 * boost                                                  # strained -> stable
    worse = np.minimum(0.04 * np.exp(0.5 * ls) / boost, 0.4)              # strained -> crisis
    back = 0.08 * boost                                                   # crisis -> strained
    heal = 0.03 * boost                                                   # crisis -> stable
    out = np.empty(k.shape + (3, 3))
    out[..., 0, 1], out[..., 0, 2] = up1, up2
    out[..., 0, 0] = 1.0 - up1 - up2
    out[..., 1, 0], out[..., 1, 2] = down1, worse
    out[..., 1, 1] = 1.0 - down1 - worse
    out[..., 2, 0], out[..., 2, 1] = heal, back
    out[..., 2, 2] = 1.0 - heal - back
    return out


def initial_state_probs(ls: np.ndarray) -> np.ndarray:
    """P(S_0 = s): a poor start (strained) is likelier when the placement's risk is high."""
    strained = 1.0 / (1.0 + np.exp(2.0 - 1.2 * ls))
    crisis = 0.1 * strained
    return np.stack([1.0 - strained - crisis, strained, crisis], axis=-1)


def static_effects(p: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Static log-multipliers of the uitval hazard (lu), neutral hazard (ln) and of drifting
    into the strained state (ls), from placement, person and employer attributes.

    Protected attributes (birth year, gender, migration background, language level) have no
    direct term here: they act only through correlated attributes (a lower language level comes
    with less education, more sector mismatch and a poorer match; age raises health limitations
    and brings retirement, a neutral ending). `health_limitation` (special) is a true cause.
    """
    hours = p["jobcoach_hours_per_month"]
    low_coaching = (hours < 4).astype(float) + 0.4 * ((hours >= 4) & (hours < 8))
    size = p["size_code"]                                     # 0: 1-9, 1: 10-49, 2: 50-249, 3: 250+
    size_term = np.array([0.35, 0.12, 0.0, -0.10])[size]
    lu = (
        -0.50 * p["match"]
        + 0.40 * low_coaching
        + size_term
        + 0.30 * p["debt_problems"]
        + 0.30 * p["health_limitation"]
        + 0.10 * p["childcare_need"]
        - 0.70 * p["employer_quality"]
        - 0.20 * p["own_jobcoach"]
        - 0.20 * p["harrie_before_start"]
        - 0.20 * (p["employer_type_code"] == 1)               # rotterdam_inclusief
        - 0.10 * (p["employer_type_code"] == 2)               # gemeente
        + 0.10 * np.log1p(p["months_on_benefit_before"] / 12.0)
        + 0.10 * p["fixed_term"]
        - 0.40
    )
    ln = 0.15 * (p["age_at_start"] < 27) + 0.10 * (p["education_rank"] >= 5)
    ls = (
        -0.40 * p["match"]
        + 0.30 * low_coaching
        + 0.6 * size_term
        + 0.35 * p["debt_problems"]
        + 0.40 * p["health_limitation"]
        + 0.15 * p["childcare_need"]
        - 0.40 * p["employer_quality"]
        - 0.20
    )
    return lu, ln, ls
