"""How strongly to penalise the logistic regression at one municipality's size (tuning seed 11 only).

The logistic regression is the baseline every candidate must beat and the model served when none does, so
at Rotterdam's size (a few thousand placements, ~55,000 landmark rows that are near-copies of them) its
~110 inputs must not overfit. Six training sets of that size, each judged as `bench/robustness.py` judges
a world (13 weekly lists after 2025-09-01, against the world's true outcomes):

- the four disjoint quarters (by placement) of one `default` world four times Rotterdam's size, all judged
  on the same lists of that world, so only the training data differ;
- the `default` and `weak-signals` worlds of Rotterdam's size.

For each set: a plain regression on the robustness benchmark's 26 inputs (C = 1), the full-feature
regression for each C, LightGBM (`--lightgbm`), and the oracle. Printed: ROC AUC 52w and precision at 25
per set, with the mean. Tuning seeds only (`bench/seeds.py`): a choice made here is reported elsewhere.

Usage: python bench/logistic_penalty.py [--cs 0.1,0.01,0.003,0.001,0.0003] [--lightgbm] [--seed 11]
About 15 minutes on one core.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from robustness import (  # noqa: E402
    PLAIN_INPUTS,
    TRAIN_DATES,
    default_strategy,
    list_dates,
    list_rows,
    metrics,
    oracle_risks,
    training_frame,
    true_labels,
    world_end,
)
from seeds import TUNING_SEEDS  # noqa: E402

SCALE, FACTOR = "rotterdam_x4", 4


def world(scenario: str, seed: int, scale: str, work: Path) -> dict:
    """Simulate, ingest, and build what `lks train --as-of T` learns from and the 13 lists after T."""
    from lks.data_contracts.ingest import ingest
    from lks.data_contracts.store import make_engine
    from lks.simulator import population, simulate

    population.SCALES.setdefault(SCALE, FACTOR)  # a size between the shipped ones, for this experiment only
    as_of = TRAIN_DATES[0]
    end, dates = world_end(as_of), list_dates(as_of)
    export = work / "export"
    simulate(export, seed=seed, as_of=end, scale=scale, scenario=scenario)
    engine = make_engine(f"sqlite:///{work / 'store.db'}")
    ingest(engine, export)
    landmark, features = training_frame(engine, as_of, default_strategy())
    rows = (pd.concat([list_rows(engine, day) for day in dates], ignore_index=True)
            .merge(true_labels(export, work, dates, end), on=["placement_id", "as_of"])
            .merge(oracle_risks(export), on=["placement_id", "as_of"]))
    return {"landmark": landmark, "features": features, "rows": rows}


def judge(training: pd.DataFrame, features: list[str], rows: pd.DataFrame, cs: list[float],
          with_lightgbm: bool) -> list[dict]:
    from lks.models.baselines import LogisticBaseline
    from lks.training.candidates import lightgbm

    makers = {"plain (26 inputs)": lambda: LogisticBaseline(C=1.0).fit(training, PLAIN_INPUTS),
              **{f"logistic C={c:g}": (lambda c=c: LogisticBaseline(C=c).fit(training, features)) for c in cs}}
    if with_lightgbm:
        makers["lightgbm"] = lambda: lightgbm(1).fit(training, features)
    rows = rows.copy()
    out = []
    for name, make in makers.items():
        risks = make().predict_risks(rows)
        rows["m__risk_13w"], rows["m__risk_52w"] = risks["risk_13w"].to_numpy(), risks["risk_52w"].to_numpy()
        out.append({"model": name, **metrics(rows, "m")})
    return [*out, {"model": "oracle", **metrics(rows, "oracle")}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cs", default="0.1,0.01,0.003,0.001,0.0003")
    parser.add_argument("--lightgbm", action="store_true")
    parser.add_argument("--seed", type=int, default=TUNING_SEEDS[0])
    args = parser.parse_args()
    if args.seed not in TUNING_SEEDS:
        parser.error(f"choices are made on the tuning seeds {TUNING_SEEDS} only (bench/seeds.py)")
    os.environ.setdefault("LKS_THREADS", "1")
    cs = [float(c) for c in args.cs.split(",")]
    results = []
    work = Path(tempfile.mkdtemp(prefix="lks-penalty-"))
    try:
        large = world("default", args.seed, SCALE, work / "large")
        ids = np.random.default_rng(0).permutation(large["landmark"]["placement_id"].unique())
        for q in range(FACTOR):
            quarter = large["landmark"][large["landmark"]["placement_id"].isin(set(ids[q::FACTOR]))]
            results += [{"set": f"x4 quarter {q + 1}", **r}
                        for r in judge(quarter, large["features"], large["rows"], cs, args.lightgbm)]
            print(f"x4 quarter {q + 1} done", flush=True)
        for scenario in ("default", "weak-signals"):
            one = world(scenario, args.seed, "rotterdam", work / scenario)
            results += [{"set": scenario, **r}
                        for r in judge(one["landmark"], one["features"], one["rows"], cs, args.lightgbm)]
            print(f"{scenario} done", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    table = pd.DataFrame(results)
    for metric in ("roc_auc_52w", "precision_at_25"):
        wide = table.pivot(index="model", columns="set", values=metric)
        print(f"\n{metric} (seed {args.seed}):")
        print(wide.assign(mean=wide.mean(axis=1)).round(3).to_string())


if __name__ == "__main__":
    main()
