"""Time and peak memory of scoring every active placement of the national simulated export, with explanations.

The model is trained on the default simulated municipality (training at national scale is not what is measured;
the features are the same), then `lks score` scores the week on a store holding the national export with that
champion: features from the store's history, both risks, SHAP contributions grouped into reasons in Dutch, the
list stored. Usage: python bench/bench_scoring.py [--export DIR] (a national export; default: simulate one).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import sqlalchemy as sa
from _run import Usage, run
from rich.console import Console
from rich.table import Table

from lks.service.persistence.tables import risk_scores

LKS = str(Path(sys.executable).with_name("lks"))
AS_OF = "2026-11-22"  # the simulator's default export date


def main() -> None:
    given = Path(sys.argv[sys.argv.index("--export") + 1]) if "--export" in sys.argv else None
    work = Path(tempfile.mkdtemp(prefix="lks-bench-score-"))
    model = {"LKS_HOME": str(work / "model"), "LKS_DATABASE_URL": "", "MLFLOW_TRACKING_URI": ""}
    store = work / "national" / "lks.db"
    try:
        run([LKS, "simulate", "--out", str(work / "default")])
        run([LKS, "ingest", str(work / "default")], env=model)
        run([LKS, "train", "--as-of", AS_OF], env=model)
        _champion(model)
        export = given or work / "export"
        if given is None:
            run([LKS, "simulate", "--out", str(export), "--scale", "national"])
        ingest = run([LKS, "ingest", str(export)], env={"LKS_HOME": str(store.parent), "LKS_DATABASE_URL": ""})
        score = run([LKS, "score", "--as-of", AS_OF], env={**model, "LKS_DATABASE_URL": f"sqlite:///{store}"})
        engine = sa.create_engine(f"sqlite:///{store}")
        with engine.connect() as conn:
            scored = conn.execute(sa.select(sa.func.count()).select_from(risk_scores)).scalar_one()
        engine.dispose()
        table = Table(title=f"national simulated export, scored as of {AS_OF}")
        for col in ("step", "seconds", "CPU s", "peak MB"):
            table.add_column(col, justify="left" if col == "step" else "right")
        table.add_row("ingest", *_figures(ingest))
        table.add_row(f"score + explain + store {scored:,} first-year placements", *_figures(score))
        Console().print(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _champion(env: dict[str, str]) -> None:
    """The default world's first model may fail a fairness gate and stay challenger (as in `make demo`): it is
    promoted in the open, as the benchmark measures scoring, not the model."""
    evaluate = subprocess.run([LKS, "evaluate"], env={**os.environ, **env}, capture_output=True, check=False)  # noqa: S603  lks itself, no shell
    if evaluate.returncode != 0:
        run([LKS, "promote", "--force", "--reason", "bench/bench_scoring.py on simulated data"], env=env)


def _figures(usage: Usage) -> tuple[str, str, str]:
    return f"{usage.seconds:.1f}", f"{usage.cpu_seconds:.1f}", f"{usage.peak_mb:,.0f}"


if __name__ == "__main__":
    main()
