"""Time and peak memory of `lks simulate` and `lks ingest` at both scales.

Targets (issue 3): the default scale does both in under 30 s on two cores; the national scale
in under 10 minutes without running out of memory. Usage: python bench/bench_data.py [--quick]
(--quick skips the national scale).
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
    scales = ["rotterdam"] if "--quick" in sys.argv else ["rotterdam", "national"]
    table = Table(title="lks simulate + ingest")
    for col in ("scale", "step", "seconds", "peak MB", "target"):
        table.add_column(col, justify="left" if col in ("scale", "step") else "right")
    work = Path(tempfile.mkdtemp(prefix="lks-bench-"))
    try:
        for scale in scales:
            out, home = work / scale / "export", work / scale / "home"
            target = "< 30 s together" if scale == "rotterdam" else "< 600 s together"
            sim = measure([LKS, "simulate", "--out", str(out), "--scale", scale])
            ing = measure([LKS, "ingest", str(out)], env={"LKS_HOME": str(home), "LKS_DATABASE_URL": ""})
            rows = sum(sum(1 for _ in open(p, "rb")) - 1 for p in out.glob("*.csv"))
            table.add_row(scale, f"simulate ({rows:,} rows)", f"{sim[0]:.1f}", f"{sim[1]:.0f}", target)
            table.add_row(scale, "ingest", f"{ing[0]:.1f}", f"{ing[1]:.0f}", f"total {sim[0] + ing[0]:.1f} s")
        Console().print(table)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
