"""How much of the oracle's ROC AUC (52w) a model reading only the export could reach.

The oracle knows each placement's hidden state (stable, strained, crisis) and its static factors.
This script replaces the known state by what a Bayes filter infers from the exported events
(jobcoach and municipality contacts with their rating, sick reports, employer signals, without
their free text), using the simulator's own equations; then it also hides the latent factors no
export shows (match quality, employer quality) and the health limitation the models may not use.
The rows are every (Monday, placement in its first year) of the backtest window. Analysis only:
it reads the simulator's internals and prints figures. Usage: python bench/oracle_gap.py [SEED]
"""

from __future__ import annotations

import inspect
import sys
from datetime import date

import numpy as np
from sklearn.metrics import roc_auc_score

from lks.simulator import dynamics as dy
from lks.simulator import model, oracle, population
from lks.simulator.dynamics import simulate_weeks

AS_OF = date(2026, 11, 22)
WINDOW = (date(2025, 3, 31), date(2025, 9, 22))
HIDDEN = ("match", "employer_quality", "health_limitation")


def filtered_states(pop, hist, effects) -> np.ndarray:
    """P(S_k | events of weeks < k, survival to k) per placement and tenure week k <= 52."""
    p, ev = pop.placements, hist.events
    n = len(p["start"])
    lu, ln, ls = effects
    coach = np.minimum(0.7, 0.18 + 0.02 * p["jobcoach_hours_per_month"]) * (p["jobcoach_org_code"] < 5)
    last_iv = np.full(n, -1000)
    alpha = model.initial_state_probs(ls)
    out = np.zeros((n, 53, 3))
    for k in range(53):
        out[:, k] = alpha / alpha.sum(1, keepdims=True)
        like = np.ones((n, 3))
        open_ = p["start"] + 7 * k + 6 >= p["lks_start"]
        tenure = 1.0 if k < 26 else 0.6
        rates = {"jobcoach_contact": coach[:, None] * dy.COACH_STATE[None] * tenure,
                 "municipality_contact": np.full((n, 1), dy.MUNI_RATE * (1.0 if k < 52 else 0.5)) * dy.MUNI_STATE[None],
                 "sick_report": dy.SICK_RATE[None] * np.where(p["health_limitation"], 1.6, 1.0)[:, None],
                 "employer_signal": np.broadcast_to(dy.SIGNAL_RATE[None], (n, 3))}
        for etype, rate in rates.items():
            rate = np.minimum(rate, 1.0)
            m = (ev["type"] == dy.EV[etype]) & (ev["week"] == k)
            seen, text = ev["placement"][m].astype(int), ev["text"][m].astype(int)
            missing = open_.copy()
            missing[seen] = False
            like[missing] *= 1 - rate[missing]
            like[seen] *= rate[seen] * (dy.RATING[:, text].T if etype.endswith("contact") else 1.0)
        prot = (k > last_iv) & (k <= last_iv + model.PROTECT_WEEKS)
        hu, hn, _ = model.hazards(np.full(n, k)[:, None], np.arange(3)[None], lu[:, None], ln[:, None],
                                  p["review_first"][:, None], p["springboard"][:, None],
                                  p["retire_week"][:, None], prot[:, None])
        a = alpha * like * (1 - hu - hn)
        a /= np.maximum(a.sum(1, keepdims=True), 1e-300)
        last_iv[hist.interventions["placement"][hist.interventions["week"] == k].astype(int)] = k
        alpha = np.einsum("ns,nst->nt", a, model.transitions(np.full(n, k), ls, prot))
    return out


def _forward_from(state_probs):
    """oracle._forward with the known state replaced by a distribution over states."""
    src = inspect.getsource(oracle._forward)
    src = src.replace("def _forward(pop, effects, hist: History, placement, d):",
                      "def forward(pop, effects, hist, placement, d, probs):")
    src = src.replace("alpha = np.eye(3)[s_w]", "alpha = probs.copy()")
    namespace = dict(oracle.__dict__)
    exec(src, namespace)  # noqa: S102  the source of our own oracle._forward, edited above; a benchmark only
    return namespace["forward"]


def main(seed: int = 7) -> None:
    rng = np.random.default_rng(seed)
    pop = population.build(rng, "rotterdam", AS_OF)
    effects = model.static_effects(pop.placements)
    hist = simulate_weeks(rng, pop, effects, AS_OF)
    p = pop.placements
    rows = oracle.risk_rows(pop, hist, population.day(AS_OF))
    day, placement = rows["day"], rows["placement"]
    keep = (day >= population.day(WINDOW[0])) & (day <= population.day(WINDOW[1]))
    day, placement = day[keep], placement[keep]
    week = (day - p["start"][placement]) // 7
    y = (hist.end_class[placement] == 1) & (hist.end_week[placement] >= 0) & (hist.end_week[placement] < 52)
    probs = filtered_states(pop, hist, effects)[placement, week]
    forward = _forward_from(probs)
    hidden = dict(p)
    for name in HIDDEN:
        hidden[name] = np.full(len(p["start"]), p[name].astype(float).mean())
    figures = {
        "oracle (knows the hidden state)": oracle._forward(pop, effects, hist, placement, day)[1],
        "state filtered from the exported events": forward(pop, effects, hist, placement, day, probs)[1],
        "... and without " + ", ".join(HIDDEN): forward(pop, model.static_effects(hidden), hist, placement, day,
                                                        probs)[1],
    }
    print(f"seed {seed}: {len(day):,} rows, {int(y.sum()):,} with uitval before week 52")
    for name, risk in figures.items():
        print(f"  ROC AUC 52w {roc_auc_score(y, risk):.3f}  {name}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
