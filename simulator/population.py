"""Who works where: persons, employers and the static attributes of each placement.

Dates are integer days since 1970-01-01 throughout the simulator; `export` formats them.
Each placement has its own person (a person's second LKS job is not simulated).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from lks.data_contracts.schemas import codes
from lks.simulator.scenarios import Scenario, load

EPOCH = date(1970, 1, 1)
SCALES = {"rotterdam": 1, "national": 40}
# Yearly LKS starts at Rotterdam scale: Rotterdam started late and grows year on year.
YEARLY_STARTS = {
    2015: 6, 2016: 20, 2017: 40, 2018: 80, 2019: 220, 2020: 310, 2021: 410, 2022: 510,
    2023: 600, 2024: 680, 2025: 740,
}
MONTH_WEIGHT = np.array([1.2, 1.1, 1.1, 1.0, 1.0, 1.0, 0.7, 0.7, 1.1, 1.1, 1.0, 0.6])
EMPLOYERS_PER_PLACEMENT = 0.2
N_JOBCOACHES = 40
TEAMS = ["team_noord", "team_zuid", "team_centrum", "team_oost", "team_west"]
DISTRICT_TEAM = {
    "Centrum": "team_centrum", "Delfshaven": "team_west", "Overschie": "team_noord",
    "Noord": "team_noord", "Hillegersberg-Schiebroek": "team_noord",
    "Kralingen-Crooswijk": "team_oost", "Feijenoord": "team_zuid", "IJsselmonde": "team_zuid",
    "Pernis": "team_west", "Prins Alexander": "team_oost", "Charlois": "team_zuid",
    "Hoogvliet": "team_west", "Hoek van Holland": "team_west", "Rozenburg": "team_west",
}
DISTRICT_WEIGHT = [6, 9, 2, 7, 3, 6, 13, 7, 1, 7, 11, 4, 1, 1]
JOBCOACH_ORGS = ["Werkfit Rijnmond", "JobcoachPlus", "De Brugwerkers", "Maasstad Begeleiding"]
# Minimum education rank each sector asks for (rank = index in codes.EDUCATION_LEVEL).
SECTOR_NEEDS = {"zorg": 4, "techniek": 4, "overheid": 4, "zakelijke_dienstverlening": 5}
# P(education | language level); columns follow codes.EDUCATION_LEVEL.
EDUCATION_BY_LANGUAGE = {
    "onvoldoende": [22, 25, 20, 12, 8, 5, 3, 2, 3],
    "basis": [10, 15, 25, 17, 15, 10, 4, 2, 2],
    "voldoende": [4, 8, 25, 15, 18, 18, 6, 4, 2],
    "onbekend": [10, 10, 20, 15, 15, 12, 5, 3, 10],
}
LANGUAGE_BY_MIGRATION = {
    "geen": [1, 8, 88, 3],
    "westers": [8, 22, 65, 5],
    "niet_westers": [25, 38, 32, 5],
    "onbekend": [15, 25, 40, 20],
}
MATCH_BY_LANGUAGE = {"onvoldoende": -0.45, "basis": -0.2, "voldoende": 0.0, "onbekend": -0.1}
# Employer support climate by sector: high turnover and pressure in horeca and cleaning.
SECTOR_CLIMATE = {"horeca": -0.25, "schoonmaak": -0.15, "detailhandel": -0.1, "logistiek": -0.05,
                  "zorg": 0.1, "overheid": 0.2, "groen": 0.1}


def day(d: date) -> int:
    return (d - EPOCH).days


@dataclass
class Population:
    placements: dict[str, np.ndarray]   # one entry per placement, person attributes included
    employers: dict[str, np.ndarray]
    jobcoach_team: np.ndarray           # team of each jobcoach, indexed by jobcoach number


def _choice(rng: np.random.Generator, values, weights, n: int) -> np.ndarray:
    w = np.asarray(weights, dtype=float)
    return np.asarray(values)[rng.choice(len(values), size=n, p=w / w.sum())]


def _start_days(rng: np.random.Generator, factor: int, as_of: date, first_day: int | None = None) -> np.ndarray:
    """Start days up to as_of at the yearly rates; none before `first_day` (a young municipality)."""
    starts = []
    for year in range(min(YEARLY_STARTS), as_of.year + 1):
        rate = YEARLY_STARTS.get(year, YEARLY_STARTS[2025] + 40 * (year - 2025))
        first, last = day(date(year, 1, 1)), min(day(date(year, 12, 31)), day(as_of))
        if first_day is not None:
            first = max(first, first_day)
            if first > last:
                continue
        days = np.arange(first, last + 1)
        months = np.array([(EPOCH.toordinal() + d) for d in days])
        month = np.array([date.fromordinal(o).month for o in months]) - 1
        w = MONTH_WEIGHT[month] * np.where((days + 3) % 7 < 5, 1.0, 0.0)   # weekdays only
        w[(days + 3) % 7 == 0] *= 2.5                                      # Mondays
        n = int(round(rate * factor * w.sum() / _year_weight(year)))
        starts.append(rng.choice(days, size=n, p=w / w.sum()))
    return np.sort(np.concatenate(starts))


def _year_weight(year: int) -> float:
    days = np.arange(day(date(year, 1, 1)), day(date(year, 12, 31)) + 1)
    month = np.array([date.fromordinal(EPOCH.toordinal() + int(d)).month for d in days]) - 1
    w = MONTH_WEIGHT[month] * np.where((days + 3) % 7 < 5, 1.0, 0.0)
    w[(days + 3) % 7 == 0] *= 2.5
    return float(w.sum())


def _employers(rng: np.random.Generator, n: int) -> dict[str, np.ndarray]:
    n_ri, n_gem = max(3, n // 120), max(1, n // 500)
    etype = np.r_[np.zeros(n - n_ri - n_gem, int), np.ones(n_ri, int), np.full(n_gem, 2)]
    weight = rng.pareto(1.3, n) + 0.2
    weight[etype == 1] *= 25
    weight[etype == 2] *= 30
    rank = weight.argsort().argsort() / n + rng.normal(0, 0.15, n)
    size = np.digitize(rank, [0.35, 0.70, 0.90])
    size[etype > 0] = 3
    sector = _choice(rng, codes.SECTOR, [14, 12, 10, 12, 12, 9, 9, 5, 2, 8, 7], n)
    sector[etype == 1] = _choice(rng, ["productie", "groen", "schoonmaak", "overig"], [4, 3, 2, 1],
                                 int((etype == 1).sum()))
    sector[etype == 2] = "overheid"
    own = rng.random(n) < np.array([0.08, 0.25, 0.45, 0.65])[size]
    own |= etype > 0
    harrie = rng.random(n) < 0.25 + 0.3 * (size >= 2)
    social = rng.random(n) < np.array([0.05, 0.15, 0.35, 0.6])[size]
    # How well an employer supports LKS workers shows in its profile (sector, size, own coach,
    # training, social return), but a good part is its own culture, seen only in its track record.
    profile = (np.vectorize(SECTOR_CLIMATE.get)(sector, 0.0) + 0.08 * size + 0.15 * own
               + 0.15 * harrie + 0.10 * social + 0.3 * (etype == 1))
    quality = profile - 0.25 + rng.normal(0, 0.25, n)
    return {
        "type_code": etype, "weight": weight, "size_code": size, "sector": sector,
        "quality": quality, "own_jobcoach": own, "harrie": harrie, "social_return": social,
    }


def build(rng: np.random.Generator, scale: str, as_of: date, scenario: Scenario | None = None) -> Population:
    """The population; `scenario` sets how much history there is and the mix drift of new starts."""
    if scale not in SCALES:
        raise ValueError(f"scale must be one of {sorted(SCALES)}, but was {scale!r}")
    scenario = scenario or load()
    factor = SCALES[scale]
    first = scenario.history.first_day(as_of)
    start = _start_days(rng, factor, as_of, None if first is None else day(first))
    n = len(start)
    emp = _employers(rng, int(n * EMPLOYERS_PER_PLACEMENT))
    p: dict[str, np.ndarray] = {"start": start}

    # Which kind of job: springboard at Rotterdam Inclusief, sheltered, municipal, regular.
    kind = _choice(rng, np.arange(4), [8, 6, 6, 80], n)
    p["springboard"] = kind == 0
    employer = np.empty(n, int)
    for code, kinds in ((1, (0, 1)), (2, (2,)), (0, (3,))):
        pool = np.flatnonzero(emp["type_code"] == code)
        rows = np.isin(kind, kinds)
        w = emp["weight"][pool]
        employer[rows] = rng.choice(pool, size=int(rows.sum()), p=w / w.sum())
    drift = scenario.drift
    drifted = start >= day(drift.from_) if drift.from_ is not None else np.zeros(n, bool)
    if drift.small_employer_weight != 1.0 and drifted.any():
        # After the drift date, regular placements go to small employers more often.
        pool = np.flatnonzero(emp["type_code"] == 0)
        w = emp["weight"][pool] * np.where(emp["size_code"][pool] <= 1, drift.small_employer_weight, 1.0)
        rows = drifted & (kind == 3)
        employer[rows] = rng.choice(pool, size=int(rows.sum()), p=w / w.sum())
    p["employer"] = employer
    p["size_code"], p["sector"] = emp["size_code"][employer], emp["sector"][employer]
    p["own_jobcoach"] = emp["own_jobcoach"][employer]
    p["employer_quality"] = emp["quality"][employer]
    p["employer_type_code"] = emp["type_code"][employer]

    # The person.
    age = 18 + np.floor(rng.beta(1.6, 2.3, n) * 47).astype(int)
    year = np.array([date.fromordinal(EPOCH.toordinal() + int(d)).year for d in start])
    p["age_at_start"] = age
    p["birth_year"] = np.clip(year - age, 1940, 2012)
    p["gender"] = _choice(rng, codes.GENDER, [55, 43, 1, 1], n)
    p["migration_background"] = _choice(rng, codes.MIGRATION_BACKGROUND, [44, 10, 41, 5], n)
    lang = np.empty(n, dtype=object)
    for mig, weights in LANGUAGE_BY_MIGRATION.items():
        rows = p["migration_background"] == mig
        lang[rows] = _choice(rng, codes.DUTCH_LANGUAGE_LEVEL, weights, int(rows.sum()))
    p["dutch_language_level"] = lang.astype(str)
    edu = np.empty(n, int)
    for level, weights in EDUCATION_BY_LANGUAGE.items():
        rows = p["dutch_language_level"] == level
        edu[rows] = _choice(rng, np.arange(len(codes.EDUCATION_LEVEL)), weights, int(rows.sum()))
    p["education_rank"] = np.where(edu == 8, 2, edu)              # onbekend ranks as vmbo
    p["education_level"] = np.asarray(codes.EDUCATION_LEVEL)[edu]
    p["district"] = _choice(rng, codes.DISTRICTS, DISTRICT_WEIGHT, n)
    p["health_limitation"] = rng.random(n) < 0.15 + 0.006 * (age - 18)
    p["debt_problems"] = rng.random(n) < 0.20 + 0.08 * (p["migration_background"] == "niet_westers")
    young_parent = (age >= 24) & (age <= 45)
    p["childcare_need"] = rng.random(n) < np.where(
        young_parent, np.where(p["gender"] == "V", 0.30, 0.10), 0.03)
    p["target_group_register"] = rng.random(n) < 0.30 + 0.35 * p["health_limitation"]
    p["months_on_benefit_before"] = np.floor(rng.lognormal(2.8, 1.0, n)).astype(int).clip(0, 240)

    # Match quality: partly visible through trial placement, sector mismatch and the hours gap.
    need = np.array([SECTOR_NEEDS.get(s, 0) for s in codes.SECTOR])
    sector_idx = np.searchsorted(np.asarray(sorted(codes.SECTOR)), p["sector"])
    sector_need = need[np.argsort(codes.SECTOR)][sector_idx]
    p["sector_mismatch"] = p["education_rank"] < sector_need
    shift = np.vectorize(MATCH_BY_LANGUAGE.get)(p["dutch_language_level"])
    # A poor match is often placed after no trial, and at more hours than the loonwaarde supports
    # (the job asks more than the person can deliver); early events show the rest (`dynamics`).
    raw = rng.normal(0, 0.75, n) + shift
    p["trial_placement_before"] = rng.random(n) < 1 / (1 + np.exp(0.3 - 1.3 * raw))
    wage_value = rng.normal(55, 15, n)
    if drift.wage_value_shift:
        wage_value = wage_value + np.where(drifted, drift.wage_value_shift, 0.0)
    wage_value = np.clip(wage_value, 15, 95).round()
    gap = rng.normal(0, 2.0, n) + 8 * np.maximum(0, -raw) - 2 * np.maximum(0, raw)
    hours = 8 + 28 * wage_value / 100 + gap
    p["hours_per_week"] = np.clip(np.round(hours * 2) / 2, 4, 40)
    p["wage_value_pct"] = wage_value
    p["match"] = raw - 0.6 * p["sector_mismatch"] + 0.3 * p["trial_placement_before"]

    # The job.
    fixed = rng.random(n) < np.where(p["springboard"], 1.0, 0.6)
    weeks = np.where(rng.random(n) < 0.4, 26, 52)
    weeks[p["springboard"]] = 52
    p["fixed_term"] = fixed
    p["contract_weeks"] = np.where(fixed, weeks, 0)
    p["review_first"] = np.where(fixed & ~p["springboard"], weeks - 1, -1)
    p["subsidy_code"] = np.where(kind == 1, 2, np.where(rng.random(n) < 0.15, 1, 0))
    p["partial_benefit"] = (p["hours_per_week"] < 32) & (rng.random(n) < 0.6)
    org = _choice(rng, np.arange(len(JOBCOACH_ORGS) + 2), [20, 15, 12, 8, 20, 25], n)
    org[p["own_jobcoach"] & (org == len(JOBCOACH_ORGS) + 1)] = len(JOBCOACH_ORGS)   # intern
    p["jobcoach_org_code"] = org                      # 0..3 external, 4 intern, 5 none
    hours_pm = np.where(org < 4, rng.lognormal(np.log(7), 0.5, n), rng.uniform(2, 8, n))
    p["jobcoach_hours_per_month"] = np.where(org == 5, 0.0, np.round(hours_pm * 2) / 2)
    n_coaches = N_JOBCOACHES * factor
    coach_team = np.asarray(TEAMS)[np.arange(n_coaches) % len(TEAMS)]
    team = np.vectorize(DISTRICT_TEAM.get)(p["district"])
    coach = np.full(n, -1)
    for t in TEAMS:
        rows = (team == t) & (org < 4)
        coach[rows] = rng.choice(np.flatnonzero(coach_team == t), size=int(rows.sum()))
    p["jobcoach"], p["team"] = coach, team
    # LKS is often granted from the first working day, sometimes (late application) months later.
    delay = np.where(rng.random(n) < 0.62, 0, rng.integers(1, 31, n))
    late = rng.random(n) < 0.2
    p["lks_delay"] = np.where(late, rng.integers(31, 184, n), delay)
    p["lks_start"] = start + p["lks_delay"]
    p["retire_week"] = np.round((67 - age - rng.random(n)) * 52.18).astype(int)
    # Employers are registered before their first placement and only a training followed before
    # that registration is on record, so a trained employer was trained before every start.
    p["harrie_before_start"] = emp["harrie"][employer]
    return Population(placements=p, employers=emp, jobcoach_team=coach_team)
