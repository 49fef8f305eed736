"""Where the champion's distance to the oracle (ROC AUC 52w) comes from, on one simulated municipality.

The same backtest as `lks train` (26 weekly test dates, the blend and its members), run three times:

1. on the export as it is (legacy endings say `onbekend`; the default `weighted` strategy);
2. on the export with every ending's true reason (what the registration since May 2025 gives);
3. as 2, with the simulator's hidden static factors added as inputs: the log-multipliers of the
   uitval hazard, the neutral hazard and the drift into strain, built from match quality,
   employer quality and the health limitation, which no export shows in full.

The step from 1 to 2 is the price of the legacy reasons, from 2 to 3 that of the hidden factors,
and what is left after 3 is learning the rest from a few thousand placements. Analysis only: step 3
reads the simulator's truth and step 2 its true reasons; nothing here is a model the service may use.
Usage: python bench/gap_decomposition.py [SEED]   (about five minutes on two cores)
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from lks.data_contracts.ingest import ingest
from lks.data_contracts.store import history, make_engine
from lks.features.frames import mondays, weekly_features
from lks.features.known import prepare
from lks.simulator import simulate
from lks.training.backtest import BacktestConfig, run_backtest
from lks.training.candidates import CANDIDATES_BY_NAME
from lks.training.train import HISTORY_START

AS_OF = date(2026, 11, 22)
MODELS = ("lightgbm", "survival", "logistic", "blend")
HIDDEN = ("log_mult_uitval", "log_mult_neutral", "log_mult_strain")


def with_true_reasons(export: Path, out: Path) -> Path:
    """A copy of the export whose endings carry the simulator's true reason codes."""
    shutil.copytree(export, out)
    endings = pd.read_csv(out / "endings.csv", dtype=str, keep_default_na=False)
    truth = pd.read_parquet(export / "truth" / "endings.parquet").set_index("placement_id")["true_reason_code"]
    true = truth.reindex(endings["placement_id"]).to_numpy(object)
    endings["reason_code"] = np.where(pd.isna(true), endings["reason_code"].to_numpy(object), true)
    endings.to_csv(out / "endings.csv", index=False)
    return out


def backtest(export: Path, store: Path, oracle: pd.DataFrame, hidden: pd.DataFrame | None = None) -> dict:
    engine = make_engine(f"sqlite:///{store}")
    ingest(engine, export)
    known = prepare(history(engine, AS_OF))
    weekly = weekly_features(known, mondays(HISTORY_START, AS_OF))
    if hidden is not None:
        values = hidden.set_index("placement_id").reindex(weekly["placement_id"].to_numpy())
        weekly = weekly.assign(**{name: values[name].to_numpy(float) for name in HIDDEN})
    result = run_backtest(known, weekly, BacktestConfig(as_of=AS_OF), oracle=oracle,
                          candidates=[CANDIDATES_BY_NAME[name] for name in MODELS])
    return result.pooled


def main(seed: int = 7) -> None:
    work = Path(tempfile.mkdtemp(prefix="lks-gap-"))
    try:
        export = work / "export"
        simulate(export, seed=seed, as_of=AS_OF)
        oracle = pd.read_parquet(export / "truth" / "risk.parquet")
        hidden = pd.read_parquet(export / "truth" / "latent.parquet")
        true = with_true_reasons(export, work / "true")
        runs = {
            "1 export as it is": backtest(export, work / "a.db", oracle),
            "2 true end reasons": backtest(true, work / "b.db", oracle),
            "3 ... and the hidden static factors": backtest(true, work / "c.db", oracle, hidden),
        }
        table = Table(title=f"ROC AUC 52w on seed {seed} (26 test dates); gap = oracle - blend")
        for col in ("run", *MODELS, "oracle", "gap"):
            table.add_column(col, justify="left" if col == "run" else "right")
        for name, pooled in runs.items():
            auc = {m: pooled[m]["roc_auc_52w"] for m in (*MODELS, "oracle")}
            table.add_row(name, *(f"{auc[m]:.3f}" for m in (*MODELS, "oracle")), f"{auc['oracle'] - auc['blend']:.3f}")
        Console().print(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 7)
