"""When each fact becomes known to the source systems, and the export tables as of a date.

Lags: persons and employers are registered before their first placement; a placement when LKS
is granted (a few days to three weeks after `lks_start_date`); events days to weeks after they
happen (a sick report sometimes late); an ending 0 to 60 days after its last working day. Every
child is registered after its parent. Endings registered before the improved end-reason
registration (2025-05-01) are `legacy`, their reason mostly `onbekend`: how often, per true
class, is the scenario's (`registration.legacy_unknown_*`; equal shares, missing at random, by
default).
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from lks.data_contracts.schemas import codes
from lks.simulator import dynamics
from lks.simulator.dynamics import History
from lks.simulator.end_reasons import true_reasons
from lks.simulator.population import JOBCOACH_ORGS, Population, day
from lks.simulator.scenarios import Scenario, load

DAY = 86_400
STRUCTURED_FROM = day(date(2025, 5, 1))
STRUCTURED_UNKNOWN = 0.03
JOBCOACH_ORG_NAMES = [*JOBCOACH_ORGS, "intern", None]


def _tod(rng: np.random.Generator, n: int) -> np.ndarray:
    return rng.integers(8 * 3600, 18 * 3600, n)


def _ids(prefix: str, n: int, width: int) -> np.ndarray:
    width = max(width, len(str(n)))
    return np.char.add(prefix, np.char.zfill(np.arange(1, n + 1).astype(str), width))


def _ts(seconds: np.ndarray) -> np.ndarray:
    return np.asarray(seconds, dtype="int64").astype("datetime64[s]")


def _dates(days: np.ndarray) -> np.ndarray:
    return np.asarray(days, dtype="int64").astype("datetime64[D]")


def _event_lag(rng: np.random.Generator, etype: np.ndarray) -> np.ndarray:
    n = len(etype)
    lag = rng.exponential(3.0, n)
    sick = etype == dynamics.EV["sick_report"]
    late = rng.random(n)
    sick_lag = np.where(late < 0.5, rng.exponential(1.5, n),
                        np.where(late < 0.85, rng.uniform(3, 14, n), rng.uniform(14, 42, n)))
    return np.floor(np.clip(np.where(sick, sick_lag, lag), 0, 42)).astype(int)


def register(rng: np.random.Generator, pop: Population, hist: History, as_of: date,
             scenario: Scenario | None = None):
    """Return (export tables as typed DataFrames, truth frames, per-placement extras)."""
    reg = (scenario or load()).registration
    p, emp = pop.placements, pop.employers
    n, n_emp = len(p["start"]), len(emp["type_code"])
    as_of_end = (day(as_of) + 1) * DAY
    ended = hist.end_week >= 0
    end_day = p["start"] + 7 * hist.end_week + 6
    # LKS is never granted after the job ended.
    lks = p["lks_start"].copy()
    late = ended & (lks > end_day)
    lks[late] = p["start"][late] + np.floor(rng.random(late.sum()) * (end_day - p["start"])[late] + 1)
    lks = np.minimum(lks, np.where(ended, end_day, lks))

    placement_id = _ids("PL", n, 6)
    person_id = _ids("P", n, 6)
    employer_id = _ids("W", n_emp, 5)

    placement_reg = (lks + rng.integers(1, 22, n)) * DAY + _tod(rng, n)
    person_reg = (p["start"] - rng.integers(14, 541, n)) * DAY + _tod(rng, n)
    first = np.full(n_emp, np.iinfo(np.int64).max)
    np.minimum.at(first, p["employer"], p["start"])
    no_job = first == np.iinfo(np.int64).max
    first[no_job] = rng.integers(day(date(2015, 1, 1)), day(as_of), no_job.sum())
    emp_reg_day = first - rng.integers(7, 901, n_emp)
    emp_reg = emp_reg_day * DAY + _tod(rng, n_emp)
    harrie_day = np.where(emp["harrie"], emp_reg_day - rng.integers(0, 701, n_emp), -1)

    # Endings: true reason, registration lag, legacy masking.
    e = np.flatnonzero(ended)
    ew = hist.end_week[e]
    cause = {
        "cls": hist.end_class[e], "week": ew, "state": hist.end_state[e],
        "nonrenewal": hist.nonrenewal[e], "recent_sick": (ew - hist.last_sick[e]) <= 8,
        "retired": ew >= p["retire_week"][e], "age": p["age_at_start"][e] + ew / 52,
        "springboard_done": p["springboard"][e] & (ew >= 49) & (ew <= 56)
        & (rng.random(len(e)) < 0.9),
    }
    for key in ("match", "jobcoach_hours_per_month", "health_limitation", "debt_problems",
                "childcare_need", "size_code"):
        cause[key] = p[key][e]
    reason = true_reasons(rng, cause)
    mix = rng.random(len(e))
    lag = np.where(mix < 0.5, rng.exponential(5, len(e)),
                   np.where(mix < 0.9, rng.exponential(15, len(e)), rng.uniform(30, 60, len(e))))
    end_reg = np.maximum((end_day[e] + np.floor(np.minimum(lag, 60))) * DAY + _tod(rng, len(e)),
                         placement_reg[e] + 60)
    legacy = end_reg < STRUCTURED_FROM * DAY
    legacy_unknown = np.where(hist.end_class[e] == 1, reg.legacy_unknown_uitval, reg.legacy_unknown_neutral)
    unknown = rng.random(len(e)) < np.where(legacy, legacy_unknown, STRUCTURED_UNKNOWN)
    reported = np.where(unknown, "onbekend", reason)

    ev = _events_with_recoveries(rng, hist, end_day, ended)
    ev_reg = np.maximum((ev["date"] + _event_lag(rng, ev["type"])) * DAY + _tod(rng, len(ev["date"])),
                        placement_reg[ev["placement"]] + 60)
    order = np.lexsort((ev["placement"], ev_reg))
    ev = {k: v[order] for k, v in ev.items()}
    ev_reg = ev_reg[order]

    org = p["jobcoach_org_code"]
    fixed = p["fixed_term"]
    tables = {
        "persons": pd.DataFrame({
            "person_id": person_id, "birth_year": p["birth_year"], "gender": p["gender"],
            "migration_background": p["migration_background"],
            "dutch_language_level": p["dutch_language_level"], "district": p["district"],
            "education_level": p["education_level"],
            "target_group_register": p["target_group_register"],
            "health_limitation": p["health_limitation"], "debt_problems": p["debt_problems"],
            "childcare_need": p["childcare_need"], "registered_at": _ts(person_reg),
        }),
        "employers": pd.DataFrame({
            "employer_id": employer_id, "sector": emp["sector"],
            "size_class": np.asarray(codes.SIZE_CLASS)[emp["size_code"]],
            "employer_type": np.asarray(codes.EMPLOYER_TYPE)[emp["type_code"]],
            "own_jobcoach": emp["own_jobcoach"],
            "harrie_training_date": pd.Series(_dates(harrie_day)).where(harrie_day >= 0),
            "social_return": emp["social_return"], "registered_at": _ts(emp_reg),
        }),
        "placements": pd.DataFrame({
            "placement_id": placement_id, "person_id": person_id,
            "employer_id": employer_id[p["employer"]], "start_date": _dates(p["start"]),
            "lks_start_date": _dates(lks),
            "contract_type": np.where(fixed, "bepaald", "onbepaald"),
            "planned_end_date": pd.Series(_dates(p["start"] + 7 * p["contract_weeks"] - 1)).where(fixed),
            "hours_per_week": p["hours_per_week"], "wage_value_pct": p["wage_value_pct"],
            "subsidy_type": np.asarray(codes.SUBSIDY_TYPE)[p["subsidy_code"]],
            "springboard": p["springboard"], "trial_placement_before": p["trial_placement_before"],
            "partial_benefit": p["partial_benefit"],
            "months_on_benefit_before": p["months_on_benefit_before"],
            "jobcoach_org": pd.Series(np.asarray(JOBCOACH_ORG_NAMES, dtype=object)[org]),
            "jobcoach_hours_per_month": p["jobcoach_hours_per_month"],
            "jobcoach_id": pd.Series(np.char.add("JC", np.char.zfill(
                (p["jobcoach"] + 1).astype(str), 3)).astype(object)).where(p["jobcoach"] >= 0),
            "team": p["team"], "registered_at": _ts(placement_reg),
        }),
        "events": pd.DataFrame({
            "event_id": _ids("E", len(ev_reg), 7),
            "placement_id": pd.Categorical.from_codes(ev["placement"], categories=placement_id),
            "event_date": _dates(ev["date"]),
            "event_type": pd.Categorical.from_codes(ev["type"], categories=codes.EVENT_TYPE),
            "value_num": ev["value_num"], "value_text": ev["text"], "registered_at": _ts(ev_reg),
        }),
        "endings": pd.DataFrame({
            "placement_id": placement_id[e], "end_date": _dates(end_day[e]),
            "reason_code": reported, "registration": np.where(legacy, "legacy", "structured"),
            "registered_at": _ts(end_reg),
        }),
    }
    regs = {"persons": person_reg, "employers": emp_reg, "placements": placement_reg,
            "events": ev_reg, "endings": end_reg}
    tables = {name: df[regs[name] < as_of_end].reset_index(drop=True) for name, df in tables.items()}
    truth_endings = pd.DataFrame({
        "placement_id": placement_id[e], "true_reason_code": reason.astype(str),
        "true_class": np.where(hist.end_class[e] == 1, "uitval", "neutral"),
        "end_date": _dates(end_day[e]),
    })
    return tables, truth_endings, {"placement_id": placement_id, "employer_id": employer_id}


def _events_with_recoveries(rng, hist: History, end_day, ended) -> dict[str, np.ndarray]:
    ev = dict(hist.events)
    text = np.asarray(dynamics.TEXTS + [""], dtype=object)[ev["text"]]
    text[ev["text"] < 0] = None
    ev["text"] = text
    ext = ev["type"] == dynamics.EV["contract_extension"]
    ev["text"][ext] = np.datetime_as_string(_dates(ev["value_num"][ext].astype(int)))
    ev["value_num"] = np.where(ext, np.nan, ev["value_num"])
    sick = np.flatnonzero(ev["type"] == dynamics.EV["sick_report"])
    expected = np.nan_to_num(ev["value_num"][sick], nan=7.0)
    rec_day = ev["date"][sick] + np.ceil(expected * rng.lognormal(0, 0.5, len(sick))).astype(int)
    pl = ev["placement"][sick]
    ok = ~ended[pl] | (rec_day <= end_day[pl])
    rec = {
        "placement": pl[ok], "week": ev["week"][sick][ok], "date": rec_day[ok],
        "type": np.full(ok.sum(), dynamics.EV["recovery_report"]),
        "value_num": np.full(ok.sum(), np.nan), "text": np.full(ok.sum(), None, dtype=object),
    }
    return {k: np.concatenate([ev[k], rec[k]]) for k in ev}
