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
from dataclasses import fields
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).parent))
from robustness import PLAIN, TRAIN_DATES, list_dates, metrics, true_labels, world_end  # noqa: E402
from seeds import TUNING_SEEDS  # noqa: E402

SCALE, FACTOR = "rotterdam_x4", 4


def world(scenario: str, seed: int, scale: str, work: Path) -> dict:
    """Simulate, ingest, and build what `lks train --as-of T` learns from and the 13 lists after T."""
    from lks.data_contracts.ingest import ingest
    from lks.data_contracts.store import history, make_engine
    from lks.features.frames import mondays, weekly_features
    from lks.features.known import prepare
    from lks.simulator import population, simulate
    from lks.training.backtest import final_frames, model_features
    from lks.training.candidates import add_rule_signals
    from lks.training.train import HISTORY_START, TrainConfig

    population.SCALES.setdefault(SCALE, FACTOR)  # a size between the shipped ones, for this experiment only
    as_of = TRAIN_DATES[0]
    end, dates = world_end(as_of), list_dates(as_of)
    export = work / "export"
    simulate(export, seed=seed, as_of=end, scale=scale, scenario=scenario)
    engine = make_engine(f"sqlite:///{work / 'store.db'}")
    ingest(engine, export)
    strategy = next(f.default for f in fields(TrainConfig) if f.name == "unknown_reasons")
    known = prepare(history(engine, as_of))
    weekly = weekly_features(known, mondays(HISTORY_START, as_of))
    landmark, _ = final_frames(known, weekly, as_of, strategy)
    lists = []
    for day in dates:
        rows = add_rule_signals(weekly_features(prepare(history(engine, day)), pd.DatetimeIndex([day])))
        lists.append(rows[rows["tenure_weeks"].between(0, 51)])
    oracle = pd.read_parquet(export / "truth" / "risk.parquet").rename(
        columns={"p_uitval_13w": "oracle__risk_13w", "p_uitval_52w": "oracle__risk_52w"})
    oracle["as_of"] = pd.to_datetime(oracle["as_of"])
    rows = (pd.concat(lists, ignore_index=True)
            .merge(true_labels(export, work, dates, end), on=["placement_id", "as_of"])
            .merge(oracle[["placement_id", "as_of", "oracle__risk_13w", "oracle__risk_52w"]],
                   on=["placement_id", "as_of"]))
    return {"landmark": landmark, "features": model_features(weekly), "rows": rows}


def judge(training: pd.DataFrame, features: list[str], rows: pd.DataFrame, cs: list[float],
          with_lightgbm: bool) -> list[dict]:
    from lks.models.baselines import LogisticBaseline
    from lks.training.candidates import lightgbm

    plain = [c for c in PLAIN if c != "tenure_weeks"]
    makers = {"plain (26 inputs)": lambda: LogisticBaseline(C=1.0).fit(training, plain),
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
