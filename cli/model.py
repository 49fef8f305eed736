"""Model commands: train, evaluate, promote."""

from __future__ import annotations

import json
import logging
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lks.cli.db import database_url
from lks.data_contracts.store import make_engine
from lks.features.unknown_reasons import DEFAULT_STRATEGY, STRATEGIES
from lks.service.settings import get_settings
from lks.training import promote as promotion
from lks.training.tracking import configure

console = Console()
log = logging.getLogger(__name__)
SHOWN = {"roc_auc_13w": "AUC 13w", "roc_auc_52w": "AUC 52w", "pr_auc_52w": "PR-AUC 52w", "brier_52w": "Brier",
         "ece_52w": "ECE", "precision_at_k": "P@k", "recall_at_k": "R@k"}


def train(
    as_of: Annotated[str, typer.Option("--as-of", help="Use only what was known on this date (YYYY-MM-DD).")] = "",
    unknown_reasons: Annotated[str, typer.Option("--unknown-reasons", help=f"One of {', '.join(STRATEGIES)}.")]
    = DEFAULT_STRATEGY,
    truth: Annotated[Path | None, typer.Option("--truth", help="A simulator truth/ folder: adds the oracle.")] = None,
    k: Annotated[int, typer.Option("--k", help="Weekly capacity: placements the coordinator can take up.")] = 25,
    test_dates: Annotated[int, typer.Option("--test-dates", help="Weekly test dates reported by the backtest.")]
    = 13,
    validation_dates: Annotated[int, typer.Option(
        "--validation-dates", help="Weekly dates before the test dates on which the champion is chosen.")] = 13,
    since: Annotated[str, typer.Option("--since", help="First weekly as-of date to learn from.")] = "2019-01-07",
) -> None:
    from lks.training.backtest import NoTrainingRows
    from lks.training.champion import NoChampion
    from lks.training.governance import Accountability
    from lks.training.train import TrainConfig
    from lks.training.train import train as run_training

    if unknown_reasons not in STRATEGIES:
        raise typer.BadParameter(f"use one of {', '.join(STRATEGIES)}", param_hint="--unknown-reasons")
    if truth is not None and not (truth / "risk.parquet").exists():
        raise typer.BadParameter(f"{truth} holds no risk.parquet", param_hint="--truth")
    settings = get_settings()
    day = date.fromisoformat(as_of) if as_of else date.today()
    configure(settings.home)
    config = TrainConfig(day, unknown_reasons, k, test_dates, n_validation_dates=validation_dates, truth=truth,
                         since=since, dpia_reference=settings.dpia_reference)
    if config.dpia_reference:
        console.print(f"[yellow]Special columns (health) are model inputs under DPIA reference "
                      f"{config.dpia_reference}[/yellow] (LKS_DPIA_REFERENCE); the model records it.")
    accountability = Accountability(settings.accountable_role, settings.audit_legal_basis, settings.register_contact)
    try:
        with console.status("training") as status:
            result = run_training(make_engine(database_url()), config, progress=lambda m: status.update(m),
                                  accountability=accountability)
    except NoTrainingRows as err:
        console.print(f"[red]Not trained:[/red] {err}")
        raise typer.Exit(1) from None
    except NoChampion as err:
        console.print(f"[red]No model registered:[/red] {err}")
        raise typer.Exit(1) from None
    report = settings.home / "reports" / f"report-v{result['version']}.html"
    report.parent.mkdir(parents=True, exist_ok=True)
    report.write_text(result["report"], encoding="utf-8")
    summary = result["summary"]
    _metric_table(f"Backtest over {len(summary['test_dates'])} test dates (data known on {day})",
                  {f"{summary['model']} (v{result['version']})": summary["champion"], **summary["baselines"],
                   **({"oracle": summary["oracle"]} if summary.get("oracle") else {})})
    for note in summary["notes"]:  # the unknown-reason estimate is among them
        console.print(f"- {note}")
    rule = summary.get("champion_rule") or {}
    if rule.get("kind") == "baseline":
        console.print(f"[yellow]No candidate beat every baseline: the baseline {summary['model']} is registered "
                      f"instead.[/yellow]")
    console.print(f"Registered {summary['model']} as version {result['version']} with alias "
                  f"[bold]{result['alias']}[/bold]. Report: {report}")
    _proxy_summary(result.get("governance", {}).get("proxy"))
    _failed_gates(summary.get("gates") or [])  # fairness gates (training.promote)


def evaluate(as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False) -> None:
    configure(get_settings().home)
    try:
        table = promotion.side_by_side(dpia_reference=get_settings().dpia_reference)
    except LookupError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(1) from None
    if as_json:
        typer.echo(json.dumps(table, indent=2, default=str))
        return
    rows = {f"champion v{table['champion']['version']} ({table['champion']['model']})": table["champion"]}
    if "challenger" in table:
        rows[f"challenger v{table['challenger']['version']} ({table['challenger']['model']})"] = table["challenger"]
    rows.update(table["baselines"])
    if "oracle" in table:
        rows["oracle"] = table["oracle"]
    _metric_table("Pooled backtest metrics (test window)", rows)
    for role in ("champion", "challenger"):
        rule = (table.get(role) or {}).get("champion_rule")
        if rule:
            kind = "a baseline, registered because no candidate beat every baseline" if rule["kind"] == "baseline" \
                else "a candidate that beat every baseline"
            console.print(f"{role} v{table[role]['version']} ({table[role]['model']}) is {kind}: {rule['reason']}")
            for shortfall in rule.get("test_shortfalls") or []:
                console.print(f"  [yellow]on the test window:[/yellow] {shortfall}")


def promote(
    force: Annotated[bool, typer.Option("--force", help="Override failed gates (needs --reason).")] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why the gates are overridden.")] = "",
) -> None:
    configure(get_settings().home)
    if force and not reason:
        raise typer.BadParameter("--force needs --reason", param_hint="--reason")
    decision = promotion.promote(force=force, reason=reason or None, dpia_reference=get_settings().dpia_reference)
    if not decision.promoted:
        console.print("[red]Not promoted.[/red] The challenger fails these gates:")
        for failed in decision.reasons:
            console.print(f"  - {failed}")
        raise typer.Exit(1)
    _refresh_documents()
    if decision.reasons:
        log.warning("promotion forced past gates %s: %s", decision.reasons, reason)
        console.print(f"[yellow]Promoted by force[/yellow] past: {'; '.join(decision.reasons)}. Reason: {reason}")
    else:
        console.print("[green]Promoted:[/green] the challenger passed every gate and is now the champion.")


def _proxy_summary(proxy) -> None:
    """The proxy test's verdict in one line per flagged attribute (the documents hold the whole table)."""
    if proxy is None or not len(proxy):
        return
    for _, row in proxy[proxy["flagged"].astype(bool)].iterrows():
        carried = ", ".join(t["input"] for t in row["top_inputs"])
        console.print(f"[yellow]Proxy test:[/yellow] the inputs predict {row['attribute']} with macro ROC AUC "
                      f"{row['roc_auc']:.3f} (flag at {row['flag_auc']}), carried most by {carried}.")
    console.print("Documents logged with the version: model_card.md, technical_file.md, algoritmeregister.json.")


def _refresh_documents() -> None:
    """The new champion's documents again: its status and the forced promotions (with reasons) changed."""
    from lks.training.governance import refresh
    from lks.training.tracking import CHAMPION, alias_version

    champion = alias_version(CHAMPION)
    if champion is not None and not refresh(str(champion.version)):
        console.print(f"[yellow]Version {champion.version} has no documents to update[/yellow] (trained before them).")


def _failed_gates(gates: list[dict]) -> None:
    """The gates a newly trained model fails, with their numbers: it is not made champion for them."""
    failed = [g for g in gates if not g["passed"]]
    if failed:
        console.print("[red]The model fails these gates[/red] (it is not made champion; `lks promote --force "
                      "--reason` decides with these numbers):")
        for gate in failed:
            console.print(f"  - {gate['name']}: {gate['detail']}")


def _metric_table(title: str, rows: dict[str, dict]) -> None:
    table = Table(title=title)
    table.add_column("model")
    for header in SHOWN.values():
        table.add_column(header, justify="right")
    for name, metrics in rows.items():
        table.add_row(name, *[f"{metrics.get(m, float('nan')):.3f}" for m in SHOWN])
    console.print(table)
