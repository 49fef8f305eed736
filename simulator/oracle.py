"""The oracle: the exact probability of uitval that the best possible model could know.

For each Monday D and each placement truly active on D in its first 52 weeks, with t = D -
start_date (days), w = t // 7 the tenure week containing D:

- the oracle knows the placement's static factors, its hidden state S_w in week w, and the
  interventions already decided in weeks before w* (see below);
- "active on D" means no ending on or before D. Endings fall on the last day of a tenure week,
  so if D is that last day (t % 7 == 6) surviving D means surviving week w too, and the first
  week still open is w* = w + 1 with state distribution T_w[S_w]; otherwise w* = w;
- `p_uitval_13w` = P(uitval with end_date in (D, D + 91]) = uitval in tenure weeks
  w* .. w* + 12; `p_uitval_52w` = P(uitval in tenure weeks w* .. 51, i.e. end_date before
  start + 364 days);
- interventions decided in week w* or later are treated as not started (the oracle does not
  foresee the coordinators); those decided earlier protect their weeks as in the simulation.

Both follow from one forward recursion over weeks with the competing hazards and the
transition matrices of `model`: alpha_{j+1} = (alpha_j * (1 - hu_j - hn_j)) T_j, and the
probability of uitval in week j is alpha_j . hu_j. Vectorised over (D, placement) rows.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from lks.simulator import model
from lks.simulator.dynamics import History
from lks.simulator.population import Population, day
from lks.simulator.scenarios import Scenario, load

CHUNK = 200_000


def risk_rows(pop: Population, hist: History, as_of_day: int) -> dict[str, np.ndarray]:
    """(placement, D) for every Monday D on which the placement is truly active, w* <= 51."""
    start = pop.placements["start"]
    first_monday = start + (-(start + 3)) % 7          # 1970-01-01 was a Thursday
    end_day = np.where(hist.end_week >= 0, start + 7 * hist.end_week + 6, np.iinfo(np.int64).max)
    last = np.minimum.reduce([np.full_like(start, as_of_day), end_day - 1, start + 362])
    count = np.where(last >= first_monday, (last - first_monday) // 7 + 1, 0)
    placement = np.repeat(np.arange(len(start)), count)
    offset = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    d = first_monday[placement] + 7 * offset
    return {"placement": placement, "day": d}


def exact_risk(pop: Population, effects, hist: History, as_of_day: int,
               scenario: Scenario | None = None) -> pd.DataFrame:
    """The oracle's risks; `scenario` must be the one the history was simulated with (its drift
    changes the hazards the oracle knows)."""
    drift = (scenario or load()).drift
    drift_day = None if drift.from_ is None else day(drift.from_)
    rows = risk_rows(pop, hist, as_of_day)
    out13 = np.empty(len(rows["day"]))
    out52 = np.empty(len(rows["day"]))
    for lo in range(0, len(rows["day"]), CHUNK):
        sl = slice(lo, lo + CHUNK)
        out13[sl], out52[sl] = _forward(pop, effects, hist, rows["placement"][sl], rows["day"][sl],
                                        drift_day, drift.uitval_hazard)
    t = rows["day"] - pop.placements["start"][rows["placement"]]
    return pd.DataFrame({
        "as_of": rows["day"].astype("datetime64[D]"),
        "placement": rows["placement"],
        "week": (t // 7).astype(np.int16),
        "p_uitval_13w": out13,
        "p_uitval_52w": out52,
    })


def _last_intervention_before(hist: History, placement: np.ndarray, week: np.ndarray):
    """Week of the latest intervention decided before `week`, -1000 if none."""
    iv_p = hist.interventions["placement"].astype(np.int64)
    iv_w = hist.interventions["week"].astype(np.int64)
    if not len(iv_p):
        return np.full(len(placement), -1000)
    order = np.lexsort((iv_w, iv_p))
    iv_p, iv_w = iv_p[order], iv_w[order]
    pos = np.searchsorted(iv_p * 100_000 + iv_w, placement * 100_000 + week, side="left") - 1
    pos_ok = np.maximum(pos, 0)
    found = (pos >= 0) & (iv_p[pos_ok] == placement)
    return np.where(found, iv_w[pos_ok], -1000)


def _forward(pop, effects, hist: History, placement, d, drift_day=None, drift_u=1.0):
    p = pop.placements
    lu, ln, ls = (e[placement] for e in effects)
    t = d - p["start"][placement]
    w, last_day = t // 7, (t % 7) == 6
    w_star = w + last_day
    last_iv = _last_intervention_before(hist, placement, w_star)
    s_w = hist.states[placement, w].astype(int)
    alpha = np.eye(3)[s_w]
    if last_day.any():
        prot_w = (w > last_iv) & (w <= last_iv + model.PROTECT_WEEKS)
        step = model.transitions(w, ls, prot_w)[np.arange(len(w)), s_w]
        alpha = np.where(last_day[:, None], step, alpha)

    steps = np.maximum(13, 52 - w_star)
    order = np.argsort(-steps, kind="stable")
    cols = [lu, ln, ls, w_star, last_iv, p["review_first"][placement], p["springboard"][placement],
            p["retire_week"][placement], alpha, steps, p["start"][placement]]
    lu, ln, ls, w_star, last_iv, review, spring, retire, alpha, steps, start = (c[order] for c in cols)
    p13, p52 = np.zeros(len(order)), np.zeros(len(order))
    states = np.arange(3)[None, :]
    for j in range(int(steps.max(initial=0))):
        m = int(np.searchsorted(-steps, -j, side="left"))   # rows with steps > j: a prefix
        k = w_star[:m] + j
        prot = k <= last_iv[:m] + model.PROTECT_WEEKS
        hu, hn, _ = model.hazards(k[:, None], states, lu[:m, None], ln[:m, None], review[:m, None],
                                  spring[:m, None], retire[:m, None], prot[:, None],
                                  model.drift_factor(drift_day, drift_u, start[:m, None] + 7 * k[:, None]))
        a = alpha[:m]
        u = (a * hu).sum(axis=1)
        if j < 13:
            p13[:m] += u
        p52[:m] += np.where(k <= 51, u, 0.0)
        alpha[:m] = np.einsum("ns,nst->nt", a * (1.0 - hu - hn), model.transitions(k, ls[:m], prot))
    back = np.empty_like(order)
    back[order] = np.arange(len(order))
    return p13[back], p52[back]
