"""Time and peak memory of `lks train` on the default simulated municipality.

Target (issue 5): under two minutes on two cores. Usage: python bench/bench_training.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _run import measure
from rich.console import Console
from rich.table import Table

LKS = str(Path(sys.executable).with_name("lks"))


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="lks-bench-train-"))
    env = {"LKS_HOME": str(work / "home"), "LKS_DATABASE_URL": "", "MLFLOW_TRACKING_URI": ""}
    try:
        export = work / "export"
        measure([LKS, "simulate", "--out", str(export)])
        measure([LKS, "ingest", str(export)], env=env)
        seconds, peak = measure([LKS, "train", "--as-of", "2026-11-22", "--truth", str(export / "truth")], env=env)
        table = Table(title="lks train (default simulator, 26 test dates, retrain every 13 weeks)")
        for col in ("step", "seconds", "peak MB", "target"):
            table.add_column(col, justify="left" if col == "step" else "right")
        table.add_row("train + backtest + register", f"{seconds:.1f}", f"{peak:.0f}", "< 120 s")
        Console().print(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
