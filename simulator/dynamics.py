"""The weekly simulation: hidden states, endings, observable events and interventions.

One loop over tenure weeks, vectorised over the placements still active in that week. Events
are emitted only from the week LKS starts (jobcoaching and municipal contact are part of LKS).
Coordinators start an intervention after a warning sign seen the week before (a `zorgelijk`
contact, a sick report or an employer signal); more often once the coordinator Uitval started.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from lks.data_contracts.schemas import codes
from lks.simulator import model
from lks.simulator.population import Population, day
from lks.simulator.scenarios import Scenario, load

COORDINATOR_START = day(date(2025, 5, 1))
EV = {name: i for i, name in enumerate(codes.EVENT_TYPE)}
SIGNALS = [
    ["loopt naar wens", "werkgever tevreden over inzet"],
    ["werkgever maakt zich zorgen over het tempo", "spanning met collega's, vraagt aandacht"],
    ["werkgever overweegt te stoppen", "meerdere keren niet verschenen, geen bericht"],
]
# value_text codes: contact ratings, then interventions, then employer signals.
TEXTS = (
    list(codes.CONTACT_ASSESSMENT) + list(codes.INTERVENTION) + [t for s in SIGNALS for t in s]
)
_INTERVENTION0 = len(codes.CONTACT_ASSESSMENT)
_SIGNAL0 = _INTERVENTION0 + len(codes.INTERVENTION)
# Emissions of the hidden state (rows: stable, strained, crisis). A jobcoach sees a coached
# placement every few weeks and more often when it goes badly; the municipality is called in
# when there is trouble. Contacts are rated in line with the state; sick reports, employer
# signals and hours cuts cluster in strained and crisis weeks.
RATING = np.array([[0.64, 0.34, 0.02], [0.15, 0.45, 0.40], [0.04, 0.21, 0.75]])
SICK_RATE = np.array([0.004, 0.035, 0.15])
SIGNAL_RATE = np.array([0.002, 0.03, 0.12])
HOURS_RATE = np.array([0.003, 0.012, 0.04])
COACH_STATE = np.array([1.0, 1.8, 2.5])
MUNI_STATE = np.array([1.0, 2.0, 3.5])
MUNI_RATE = 0.08                # per week in the first year, half that later
# A poor match shows early: a cut in hours or a new loonwaarde assessment in weeks 2..20.
EARLY_WEEKS = (2, 20)
EARLY_HOURS_CUT = (0.004, 0.03)     # weekly rate: base + per unit of poor match
EARLY_WAGE_CHECK = (0.003, 0.03)
# Share of placement-weeks in each state (default world, first year): the state-independent
# average that weak signals move towards.
STATE_SHARE = np.array([0.79, 0.155, 0.055])


@dataclass(frozen=True)
class Emissions:
    """How strongly each observable follows the hidden state (rows or entries: the states)."""
    rating: np.ndarray
    sick: np.ndarray
    signal: np.ndarray
    hours: np.ndarray
    coach: np.ndarray
    muni: np.ndarray


def emissions(strength: float) -> Emissions:
    """Today's emissions at strength 1; at strength 0 every state emits the state-share average."""
    today = Emissions(RATING, SICK_RATE, SIGNAL_RATE, HOURS_RATE, COACH_STATE, MUNI_STATE)
    if strength == 1.0:
        return today

    def weaken(table: np.ndarray) -> np.ndarray:
        return strength * table + (1.0 - strength) * (STATE_SHARE @ table)

    return Emissions(*(weaken(getattr(today, f)) for f in
                       ("rating", "sick", "signal", "hours", "coach", "muni")))


@dataclass
class History:
    end_week: np.ndarray            # tenure week of the true ending, -1 if none by as_of
    end_class: np.ndarray           # 0 none, 1 uitval, 2 neutral
    end_state: np.ndarray
    nonrenewal: np.ndarray          # the uitval was a contract not renewed
    last_sick: np.ndarray           # week of the latest sick report
    states: np.ndarray              # (n, 53) S_k for k <= 52, -1 where not reached
    hazards: dict[str, np.ndarray]  # placement, week, hazard_uitval, hazard_neutral
    interventions: dict[str, np.ndarray]   # placement, week
    events: dict[str, np.ndarray]   # placement, week, date, type, value_num, text


class _Collector:
    def __init__(self) -> None:
        self.parts: dict[str, list[np.ndarray]] = {}

    def add(self, **cols: np.ndarray) -> None:
        for k, v in cols.items():
            self.parts.setdefault(k, []).append(v)

    def result(self, names: list[str]) -> dict[str, np.ndarray]:
        return {k: np.concatenate(self.parts[k]) if k in self.parts else np.empty(0) for k in names}


def _draw(rng: np.random.Generator, probs: np.ndarray) -> np.ndarray:
    """One categorical draw per row of `probs`."""
    u = rng.random(len(probs))[:, None]
    return np.minimum((u > probs.cumsum(axis=1)).sum(axis=1), probs.shape[1] - 1)


def simulate_weeks(rng: np.random.Generator, pop: Population, effects, as_of: date,
                   scenario: Scenario | None = None) -> History:
    scenario = scenario or load()
    em = emissions(scenario.signals.strength)
    drift = scenario.drift
    drift_day = None if drift.from_ is None else day(drift.from_)
    p = pop.placements
    lu, ln, ls = effects
    n = len(p["start"])
    start, lks = p["start"], p["lks_start"]
    as_of_day = day(as_of)
    weeks_avail = (as_of_day - start) // 7 + 1
    state = _draw(rng, model.initial_state_probs(ls))
    end_week, end_class = np.full(n, -1), np.zeros(n, np.int8)
    end_state, nonrenewal = np.zeros(n, np.int8), np.zeros(n, bool)
    last_int, last_warn, last_sick = np.full(n, -1000), np.full(n, -1000), np.full(n, -1000)
    states = np.full((n, 53), -1, np.int8)
    has_coach = p["jobcoach_org_code"] < 5
    coach_rate = np.minimum(0.7, 0.18 + 0.02 * p["jobcoach_hours_per_month"]) * has_coach
    hz, ev, iv = _Collector(), _Collector(), _Collector()

    idx = np.flatnonzero(weeks_avail > 0)
    k = 0
    while len(idx):
        s = state[idx]
        prot = (k > last_int[idx]) & (k <= last_int[idx] + model.PROTECT_WEEKS)
        week_day = start[idx] + 7 * k
        hu, hn, nr = model.hazards(k, s, lu[idx], ln[idx], p["review_first"][idx],
                                   p["springboard"][idx], p["retire_week"][idx], prot,
                                   model.drift_factor(drift_day, drift.uitval_hazard, week_day))
        if k < model.HAZARD_WEEKS:
            hz.add(placement=idx, week=np.full(len(idx), k, np.int16),
                   hazard_uitval=hu.astype(np.float32), hazard_neutral=hn.astype(np.float32))
        if k <= 52:
            states[idx, k] = s
        _emit_events(rng, ev, idx, k, s, week_day, lks[idx], coach_rate[idx], p, last_warn,
                     last_sick, em)

        # Coordinators act on last week's warning signs.
        eligible = (last_warn[idx] == k - 1) & (k > last_int[idx] + model.PROTECT_WEEKS)
        eligible &= week_day + 6 >= lks[idx]
        q = np.where(week_day >= COORDINATOR_START, 0.35, 0.12)
        act = eligible & (rng.random(len(idx)) < q)
        if act.any():
            a = idx[act]
            kind = _intervention_kind(rng, p, a, s[act])
            last_int[a] = k
            iv.add(placement=a, week=np.full(len(a), k))
            ev.add(placement=a, week=np.full(len(a), k), date=start[a] + 7 * k +
                   rng.integers(0, 7, len(a)), type=np.full(len(a), EV["intervention"]),
                   value_num=np.full(len(a), np.nan), text=_INTERVENTION0 + kind)

        u = rng.random(len(idx))
        ends = (u < hu + hn) & (week_day + 6 <= as_of_day)
        if ends.any():
            e = idx[ends]
            is_u = u[ends] < hu[ends]
            end_week[e], end_class[e], end_state[e] = k, np.where(is_u, 1, 2), s[ends]
            nonrenewal[e] = is_u & (rng.random(len(e)) * hu[ends] < nr[ends])
        _emit_extensions(ev, idx[~ends], k, p, rng)

        keep = ~ends
        idx, s, prot = idx[keep], s[keep], prot[keep]
        trans = model.transitions(k, ls[idx], prot)[np.arange(len(idx)), s]
        state[idx] = _draw(rng, trans)
        idx = idx[k + 1 < weeks_avail[idx]]
        k += 1

    return History(
        end_week=end_week, end_class=end_class, end_state=end_state, nonrenewal=nonrenewal,
        last_sick=last_sick, states=states,
        hazards=hz.result(["placement", "week", "hazard_uitval", "hazard_neutral"]),
        interventions=iv.result(["placement", "week"]),
        events=ev.result(["placement", "week", "date", "type", "value_num", "text"]),
    )


def _emit_events(rng, ev: _Collector, idx, k, s, week_day, lks, coach_rate, p, last_warn,
                 last_sick, em: Emissions) -> None:
    m = len(idx)
    open_ = week_day + 6 >= lks
    health = p["health_limitation"][idx]

    def add(mask, etype, value_num=None, text=None):
        a = np.flatnonzero(mask & open_)
        if not len(a):
            return a
        d = np.maximum(week_day[a] + rng.integers(0, 7, len(a)), lks[a])
        ev.add(placement=idx[a], week=np.full(len(a), k), date=d,
               type=np.full(len(a), EV[etype]),
               value_num=np.full(len(a), np.nan) if value_num is None else value_num(a),
               text=np.full(len(a), -1) if text is None else text(a))
        return a

    tenure = 1.0 if k < 26 else 0.6
    for etype, rate in (("jobcoach_contact", coach_rate * em.coach[s] * tenure),
                        ("municipality_contact", MUNI_RATE * (1.0 if k < 52 else 0.5) * em.muni[s])):
        rating = _draw(rng, em.rating[s])
        a = add(rng.random(m) < rate, etype, text=lambda a, r=rating: r[a])
        worried = a[rating[a] == 2]
        last_warn[idx[worried]] = k
    sick_p = em.sick[s] * np.where(health, 1.6, 1.0)
    expected = np.round(np.exp(rng.normal(np.log([4, 9, 25])[s], 0.6)))
    expected = np.where(rng.random(m) < 0.2, np.nan, expected)
    a = add(rng.random(m) < sick_p, "sick_report", value_num=lambda a: expected[a])
    last_warn[idx[a]], last_sick[idx[a]] = k, k
    sig = _SIGNAL0 + 2 * s + rng.integers(0, 2, m)
    a = add(rng.random(m) < em.signal[s], "employer_signal", text=lambda a: sig[a])
    last_warn[idx[a[s[a] > 0]]] = k
    hours = p["hours_per_week"][idx]
    step = rng.choice([2.0, 4.0, 6.0, 8.0], m)
    new_hours = np.clip(np.where(s == 0, hours + step, hours - step), 1, 40)
    add(rng.random(m) < em.hours[s], "hours_change", value_num=lambda a: new_hours[a])
    if k % 52 == 51:
        wv = np.clip(p["wage_value_pct"][idx] + rng.normal(0, 5, m) - 6 * (s == 2), 0, 100).round()
        add(rng.random(m) < 0.7, "wage_value_assessment", value_num=lambda a: wv[a])
    elif EARLY_WEEKS[0] <= k <= EARLY_WEEKS[1]:
        poor = np.maximum(0.0, -p["match"][idx])
        cut = np.clip(hours - rng.choice([2.0, 4.0, 6.0, 8.0], m), 1, 40)
        add(rng.random(m) < EARLY_HOURS_CUT[0] + EARLY_HOURS_CUT[1] * poor, "hours_change",
            value_num=lambda a: cut[a])
        lower = np.clip(p["wage_value_pct"][idx] - 3 - 8 * poor + rng.normal(0, 3, m), 0, 100).round()
        add(rng.random(m) < EARLY_WAGE_CHECK[0] + EARLY_WAGE_CHECK[1] * poor,
            "wage_value_assessment", value_num=lambda a: lower[a])


def _emit_extensions(ev: _Collector, idx, k, p, rng) -> None:
    """A fixed-term contract that survives its review is extended by a year (the third review
    turns it into a permanent contract, which has no event of its own)."""
    first = p["review_first"][idx]
    since = k - first
    ext = model.is_review_week(k, first) & (since < 52 * (model.RENEWALS - 1))
    a = idx[ext]
    if len(a):
        new_end = p["start"][a] + 7 * (k + 53) - 1
        ev.add(placement=a, week=np.full(len(a), k), date=p["start"][a] + 7 * k +
               rng.integers(0, 7, len(a)), type=np.full(len(a), EV["contract_extension"]),
               value_num=new_end.astype(float), text=np.full(len(a), -1))


def _intervention_kind(rng, p, a, s) -> np.ndarray:
    """Which intervention a coordinator picks, following what the warning signs point at."""
    w = np.stack([
        0.5 + 2.0 * (p["jobcoach_hours_per_month"][a] < 6),          # extra_jobcoaching
        0.3 + 1.5 * (p["match"][a] < -0.5),                          # loonwaarde_onderzoek
        0.5 + 1.0 * p["sector_mismatch"][a],                         # taken_aangepast
        0.2 + 1.0 * (s == 2),                                        # overstap_begeleiding
        0.3 * ~p["harrie_before_start"][a],                          # harrie_training
        0.1 + 2.0 * p["debt_problems"][a],                           # schuldhulp
    ], axis=1)
    return _draw(rng, w / w.sum(axis=1, keepdims=True))
