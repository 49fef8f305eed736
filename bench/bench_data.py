"""Time and peak memory of `lks simulate` and `lks ingest` at both scales.

Targets: the default scale does both in under 30 s on two cores (issue 3); the national scale (6.8 million
rows) ingests in at most 180 s with at most 2,048 MB peak memory (issue 15: it streams in chunks). Wall time
depends on what else the machine runs, so the CPU time (user + system, of the command and its children) of
each step is printed beside it: on an idle machine the wall time of a step that uses one core is about its CPU
time; an ingest checks the export in a second process while the first writes (data_contracts.background), so
its CPU time is more than its wall time. Peak memory is that of the whole process tree (`_run.run`: PSS summed).
Usage: python bench/bench_data.py [--quick] [--export DIR]
(--quick skips the national scale; --export ingests that national export instead of simulating one).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from _run import Usage, run
from rich.console import Console
from rich.table import Table

LKS = str(Path(sys.executable).with_name("lks"))
NATIONAL_SECONDS, NATIONAL_MB = 180, 2048


def main() -> None:
    scales = ["rotterdam"] if "--quick" in sys.argv else ["rotterdam", "national"]
    given = Path(sys.argv[sys.argv.index("--export") + 1]) if "--export" in sys.argv else None
    table = Table(title="lks simulate + ingest")
    for col in ("scale", "step", "seconds", "CPU s", "peak MB", "target"):
        table.add_column(col, justify="left" if col in ("scale", "step", "target") else "right")
    work = Path(tempfile.mkdtemp(prefix="lks-bench-"))
    try:
        for scale in scales:
            out, home = work / scale / "export", work / scale / "home"
            if scale == "national" and given is not None:
                out, sim = given, None
            else:
                sim = run([LKS, "simulate", "--out", str(out), "--scale", scale])
            ing = run([LKS, "ingest", str(out)], env={"LKS_HOME": str(home), "LKS_DATABASE_URL": ""})
            rows = sum(sum(1 for _ in open(p, "rb")) - 1 for p in out.glob("*.csv"))
            if sim is not None:
                table.add_row(scale, f"simulate ({rows:,} rows)", *_figures(sim), "")
            if scale == "rotterdam":
                total = ing.seconds + (sim.seconds if sim else 0)
                table.add_row(scale, "ingest", *_figures(ing), f"< 30 s with simulate: {total:.1f} s")
            else:
                verdict = "met" if ing.seconds <= NATIONAL_SECONDS and ing.peak_mb <= NATIONAL_MB else "NOT met"
                table.add_row(scale, f"ingest ({rows:,} rows)", *_figures(ing),
                              f"<= {NATIONAL_SECONDS} s, <= {NATIONAL_MB:,} MB: {verdict}")
        Console().print(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _figures(usage: Usage) -> tuple[str, str, str]:
    return f"{usage.seconds:.1f}", f"{usage.cpu_seconds:.1f}", f"{usage.peak_mb:,.0f}"


if __name__ == "__main__":
    main()
