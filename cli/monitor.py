"""`lks monitor`: post-market monitoring of the stored lists (see service.service_layer.monitoring)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lks.cli.db import database_url
from lks.service.persistence.tables import make_service_engine
from lks.service.service_layer.monitoring import load_config, monitor, read_inputs
from lks.service.service_layer.monitoring_runs import store_run

console = Console()
ALERT_EXIT = 3

HELP = ("Judge the stored lists against what happened since: calibration, precision and recall at k, ROC AUC "
        "(with and without a recorded intervention), recall by protected group and district, drift of every "
        "input and of the scores, and decisions recorded within two weeks by team. Exit codes: 0 no threshold "
        f"crossed, {ALERT_EXIT} a threshold of the monitoring configuration crossed (each one is named), "
        "1 nothing to judge or a bad option.")


def monitor_cmd(
    as_of: Annotated[str, typer.Option("--as-of", help="Judge what was known on this date (YYYY-MM-DD); "
                                                      "default today.")] = "",
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole result as JSON.")] = False,
    config: Annotated[Path | None, typer.Option("--config", help="A thresholds file instead of the packaged "
                                                               "monitoring.yaml.")] = None,
) -> None:
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise typer.BadParameter(f"not a date: {as_of!r}", param_hint="--as-of") from None
    engine = make_service_engine(database_url())
    inputs = read_inputs(engine, day)
    if not len(inputs.scores):
        console.print(f"[red]No stored lists up to {day}.[/red] Run `lks score` first.")
        raise typer.Exit(1)
    result = monitor(inputs, day, load_config(config))
    run_id = store_run(engine, result)
    if as_json:
        typer.echo(json.dumps(result, indent=2))
    else:
        show(result)
        console.print(f"Stored as monitoring run {run_id}.")
    if result["alerts"]:
        raise typer.Exit(ALERT_EXIT)


def _fmt(figures: dict, name: str) -> str:
    value, lo, hi = figures.get(name), figures.get(f"{name}_lo"), figures.get(f"{name}_hi")
    if value is None:
        return "-"
    return f"{value:.3f} ({lo:.3f}-{hi:.3f})" if lo is not None and hi is not None else f"{value:.3f}"


def show(result: dict) -> None:
    console.print(f"Monitoring as of {result['as_of']}: {result['n_lists']} stored lists, k = {result['k']}, "
                  f"model versions {', '.join(result['model_versions'])}")
    for h, populations in result["performance"].items():
        table = Table(title=f"Lists with known {h} outcomes (mean over weeks, 95% interval)")
        for col in ("population", "weeks", "rows", "observed", "mean risk", "ECE", "Brier", "ROC AUC",
                    "precision@k", "recall@k"):
            table.add_column(col)
        for population, block in populations.items():
            f = block.get("pooled") or {}
            table.add_row(population, str(block["n_weeks"]), str(block.get("n_rows", 0)),
                          *(_fmt(f, n) for n in ("observed_rate", "mean_risk", "ece", "brier", "roc_auc",
                                                 "precision_at_k", "recall_at_k")))
        console.print(table)
    if not result["performance"]:
        console.print("No list has known outcomes yet (label window plus 60 days of registration grace).")
    for h, attributes in result["fairness"].items():
        gaps = ", ".join(f"{a} {f['recall_gap']:.2f}" + (f" ({f['recall_gap_lo']:.2f}-{f['recall_gap_hi']:.2f})"
                                                        if f.get("lowest_group") else " (too few to judge)")
                         for a, f in attributes.items())
        console.print(f"Recall-at-k gap between groups ({h}): {gaps}")
    for h, lost in result.get("listed_not_judged", {}).items():
        if lost.get("not_judged"):
            console.print(f"Not judged ({h}): {lost['not_judged']} of {lost['listed']} listed placements had already "
                          "ended on their list's date (registered later) or rest on an excluded onbekend ending.")
    for h, sample in result.get("sample", {}).items():
        if sample.get("n_sampled"):
            console.print(f"Steekproef ({h}): {sample['uitval_in_sample']:g} of {sample['n_sampled']} sampled unlisted "
                          f"rows ended in uitval ({_fmt(sample, 'rate')}); implied recall at k "
                          f"{_fmt(sample, 'estimated_recall_at_k')}")
    found = result["drift"]
    if found.get("status") == "ok":
        top = ", ".join(f"{n} {found['inputs'][n]:.2f}" for n in found["moved_most"][:5])
        console.print(f"Drift (PSI, weeks {found['reference_weeks'][0]}.. vs ..{found['recent_weeks'][-1]}): "
                      f"risk_52w {found['scores']['risk_52w']:.2f}; inputs that moved most: {top}")
    else:
        console.print(f"Drift: {found.get('status')}")
    d = result["decisions"]
    console.print(f"Decisions within {d['within_days']} days: {d['decided']} of {d['listed']} listed placements")
    for alert in result["alerts"]:
        console.print(f"[red]ALERT[/red] {alert['message']}")
    if not result["alerts"]:
        console.print("[green]No threshold crossed.[/green]")
