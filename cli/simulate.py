"""`lks simulate`: write a simulated export folder and its truth (registered in service/cli.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lks.simulator import scenarios, simulate
from lks.simulator.export import FORMATS
from lks.simulator.population import SCALES


def simulate_cmd(
    out: Annotated[Path, typer.Option("--out", help="Folder to write the export and truth/ into.")],
    seed: Annotated[int, typer.Option("--seed", help="Random seed; same seed, same output.")] = 7,
    as_of: Annotated[str, typer.Option("--as-of", help="Export date YYYY-MM-DD.")] = "2026-11-22",
    scale: Annotated[str, typer.Option("--scale", help="rotterdam or national (40x).")] = "rotterdam",
    faults: Annotated[float, typer.Option("--faults", help="Share of extra bad rows per file.")] = 0.0,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet.")] = "csv",
    scenario: Annotated[str, typer.Option(
        "--scenario", help="Assumptions of the simulated municipality (simulator/scenarios.yaml): "
        + ", ".join(scenarios.scenario_names()) + ".")] = "default",
) -> None:
    """Simulate Rotterdam's LKS placements and write one weekly export as of a date."""
    try:
        chosen = scenarios.load(scenario)
    except ValueError as err:
        raise typer.BadParameter(str(err), param_hint="--scenario") from err
    if scale not in SCALES:
        raise typer.BadParameter(f"use one of {sorted(SCALES)}", param_hint="--scale")
    if fmt not in FORMATS:
        raise typer.BadParameter(f"use one of {list(FORMATS)}", param_hint="--format")
    try:
        as_of_date = date.fromisoformat(as_of)
    except ValueError as err:
        raise typer.BadParameter(f"{as_of!r} is not a date YYYY-MM-DD", param_hint="--as-of") from err
    console = Console()
    with console.status("simulating ...") as status:
        try:
            summary = simulate(out, seed=seed, as_of=as_of_date, scale=scale, faults=faults,
                               fmt=fmt, progress=lambda step: status.update(f"simulating: {step}"),
                               scenario=chosen)
        except ValueError as err:
            console.print(f"[red]{err}[/red]")
            raise typer.Exit(code=2) from err
    table = Table(title=f"Simulated export as of {as_of_date} in {out} (scenario {chosen.name})")
    table.add_column("what")
    table.add_column("count", justify="right")
    for key, value in summary.items():
        if key not in ("timings", "scenario"):
            table.add_row(key.replace("_", " "), f"{value:,}" if isinstance(value, int) else str(value))
    console.print(table)
    console.print("timings (s): " + ", ".join(f"{k} {v}" for k, v in summary["timings"].items()))


if __name__ == "__main__":
    typer.run(simulate_cmd)
