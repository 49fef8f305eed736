"""A simulated municipality: a weekly export per the data contract, plus the truth behind it.

`simulate(out)` writes `out/{persons,employers,placements,events,endings}.csv` (or .parquet)
holding only facts registered by `as_of`, and `out/truth/` (never part of an export):
hazards.parquet (true weekly hazards), endings.parquet (true reasons), risk.parquet (the
oracle's exact probabilities, see `oracle`), latent.parquet, faults.csv and scenario.yaml (the
scenario's parameters, see `scenarios`).

The mechanism (see `model`): per placement a hidden weekly Markov state (stable, strained,
crisis) that emits events; competing weekly hazards of uitval and of a neutral ending that fall
with tenure and depend on static factors, the state and running interventions.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from lks.simulator import export, model, oracle, population, registration, scenarios
from lks.simulator.dynamics import simulate_weeks
from lks.simulator.faults import inject as inject_faults

TABLES = ("persons", "employers", "placements", "events", "endings")


def simulate(
    out: Path,
    seed: int = 7,
    as_of: date = date(2026, 11, 22),
    scale: str = "rotterdam",
    faults: float = 0.0,
    fmt: str = "csv",
    progress: Callable[[str], None] | None = None,
    scenario: scenarios.Scenario | str | None = None,
) -> dict[str, Any]:
    """Simulate and write one export folder; return a summary of counts and timings.
    `scenario` (default: `scenarios.load("default")`, today's assumptions) sets what differs
    between simulated municipalities; a name is loaded from the shipped scenarios."""
    scenario = scenarios.load(scenario) if isinstance(scenario, str) else scenario or scenarios.load()
    if fmt not in export.FORMATS:
        raise ValueError(f"fmt must be one of {export.FORMATS}, but was {fmt!r}")
    if faults and fmt != "csv":
        raise ValueError(f"faults can only be injected into CSV files, but fmt was {fmt!r}")
    step = progress or (lambda _msg: None)
    t0 = time.perf_counter()
    timings: dict[str, float] = {}

    def lap(name: str) -> None:
        timings[name] = round(time.perf_counter() - t0 - sum(timings.values()), 2)

    rng = np.random.default_rng(seed)
    out = Path(out)
    (out / "truth").mkdir(parents=True, exist_ok=True)

    step("population")
    pop = population.build(rng, scale, as_of, scenario)
    effects = model.static_effects(pop.placements)
    lap("population")
    step("weekly dynamics")
    hist = simulate_weeks(rng, pop, effects, as_of, scenario)
    lap("dynamics")
    step("registration")
    tables, truth_endings, ids = registration.register(rng, pop, hist, as_of, scenario)
    lap("registration")
    step("oracle risk")
    risk = oracle.exact_risk(pop, effects, hist, population.day(as_of), scenario)
    lap("oracle")

    step("writing export")
    fault_truth = pd.DataFrame(columns=["file", "line", "rule"])
    if faults:
        text = {t: export.as_text(tables[t], t) for t in TABLES}
        lines, fault_truth = inject_faults(rng, text, faults, as_of)
        for t in TABLES:
            export.write_csv_lines(out / f"{t}.csv", list(text[t].columns), lines[t])
    else:
        for t in TABLES:
            export.write_table(out, t, tables[t], fmt)
    lap("export")

    step("writing truth")
    pid = ids["placement_id"]
    hz = hist.hazards
    pd.DataFrame({
        "placement_id": pd.Categorical.from_codes(hz["placement"], categories=pid),
        "week": hz["week"], "hazard_uitval": hz["hazard_uitval"],
        "hazard_neutral": hz["hazard_neutral"],
    }).to_parquet(out / "truth" / "hazards.parquet", index=False)
    truth_endings.to_parquet(out / "truth" / "endings.parquet", index=False)
    risk.insert(1, "placement_id", pid[risk.pop("placement").to_numpy()])
    risk.to_parquet(out / "truth" / "risk.parquet", index=False)
    _latent(pop, effects, hist, ids).to_parquet(out / "truth" / "latent.parquet", index=False)
    fault_truth.to_csv(out / "truth" / "faults.csv", index=False)
    (out / "truth" / "scenario.yaml").write_text(scenario.to_yaml(), encoding="utf-8")
    lap("truth")

    summary: dict[str, Any] = {"scenario": scenario.name}
    summary.update({f"{t}_rows": len(tables[t]) for t in TABLES})
    summary.update(
        placements_simulated=len(pid),
        placements_active_as_of=int(len(tables["placements"]) - len(tables["endings"])),
        true_endings=len(truth_endings),
        interventions=len(hist.interventions["placement"]),
        risk_rows=len(risk),
        fault_rows=len(fault_truth),
        seconds=round(time.perf_counter() - t0, 2),
        timings=timings,
    )
    return summary


def _latent(pop, effects, hist, ids) -> pd.DataFrame:
    p = pop.placements
    lu, ln, ls = effects
    n_iv = np.bincount(hist.interventions["placement"].astype(int), minlength=len(lu))
    return pd.DataFrame({
        "placement_id": ids["placement_id"],
        "employer_id": ids["employer_id"][p["employer"]],
        "match_quality": p["match"], "sector_mismatch": p["sector_mismatch"],
        "employer_quality": p["employer_quality"],
        "log_mult_uitval": lu, "log_mult_neutral": ln, "log_mult_strain": ls,
        "initial_state": hist.states[:, 0],
        "interventions": n_iv,
        "true_end_week": hist.end_week,
        "true_end_class": np.select([hist.end_class == 1, hist.end_class == 2],
                                    ["uitval", "neutral"], ""),
    })
