"""Data commands: ingest, status."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import sqlalchemy as sa
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from lks.cli.db import database_url
from lks.data_contracts.ingest import IngestInProgress
from lks.data_contracts.ingest import ingest as run_ingest
from lks.data_contracts.parse import FileRejected
from lks.data_contracts.schemas import PRIMARY_KEYS, TABLES
from lks.data_contracts.store import VERSIONS, batches, make_engine, rejected_rows

console = Console()


def ingest(
    folder: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="Export folder.")],
    take_over: Annotated[bool, typer.Option(
        "--take-over", help="Free this export from an interrupted ingest (only when none is running).")] = False,
) -> None:
    engine = make_engine(database_url())
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("valideren en opslaan", total=None)
        try:
            report = run_ingest(engine, folder, progress=lambda _t, n: bar.advance(task, n), take_over=take_over)
        except FileRejected as err:
            console.print(f"[red]Export refused, nothing stored.[/red] {err.file}: {err.message} [{err.rule}]")
            raise typer.Exit(2) from None
        except IngestInProgress as err:
            console.print(f"[red]Refused:[/red] {err}. If no ingest is running, that one was interrupted: run "
                          "again with --take-over.")
            raise typer.Exit(3) from None
        except (sa.exc.OperationalError, OSError) as err:  # e.g. the disk is full: one transaction, rolled back
            cause = getattr(err, "orig", None) or err
            console.print(f"[red]Ingest failed, nothing of this export stored; the store is as it was.[/red] "
                          f"{type(cause).__name__}: {cause}")
            raise typer.Exit(3) from None
    if report.batch_id is None:
        console.print(f"This export was already ingested as batch {report.already_ingested}; nothing changed.")
        return
    _print_counts(report.counts, f"Ingest batch {report.batch_id} from {folder}")
    if len(report.rejected_by_rule):
        rules_table = Table(title="Rejected rows by rule")
        for col in ("table", "rule", "rows"):
            rules_table.add_column(col, justify="right" if col == "rows" else "left")
        for r in report.rejected_by_rule.itertuples():
            rules_table.add_row(r.table, r.rule, str(r.rows))
        console.print(rules_table)


def _print_counts(counts: pd.DataFrame, title: str) -> None:
    table = Table(title=title)
    table.add_column("table")
    for col in counts.columns:
        table.add_column(col, justify="right")
    for name, row in counts.iterrows():
        table.add_row(name, *[f"{int(v):,}" for v in row])
    console.print(table)


def status() -> None:
    engine = make_engine(database_url())
    with engine.connect() as conn:
        table = Table(title=f"Store {engine.url.render_as_string(hide_password=True)}")
        for col in ("table", "keys", "versions", "newest registered_at"):
            table.add_column(col, justify="left" if col == "table" else "right")
        for name in TABLES:
            t = VERSIONS[name]
            key = t.c[PRIMARY_KEYS[name]]
            keys, versions, newest = conn.execute(
                sa.select(sa.func.count(sa.distinct(key)), sa.func.count(), sa.func.max(t.c.registered_at))
            ).one()
            table.add_row(name, f"{keys:,}", f"{versions:,}", str(newest or "-"))
        console.print(table)
        rows = conn.execute(sa.select(batches).order_by(batches.c.batch_id.desc()).limit(10)).mappings().all()
        n_rejected = conn.execute(sa.select(sa.func.count()).select_from(rejected_rows)).scalar()
    hist = Table(title="Latest ingests")
    for col in ("batch", "finished", "source", "checksum", "new versions", "rejected"):
        hist.add_column(col)
    for b in rows:
        counts = b["counts"] or {}
        new = sum(c.get("loaded", 0) + c.get("corrected", 0) + c.get("history", 0) for c in counts.values())
        rej = sum(c.get("rejected", 0) for c in counts.values())
        finished = f"{b['finished_at']:%Y-%m-%d %H:%M}" if b["finished_at"] else "running"
        hist.add_row(str(b["batch_id"]), finished, b["source"], b["export_checksum"][:12], f"{new:,}", f"{rej:,}")
    console.print(hist)
    console.print(f"Rejected rows kept: {n_rejected:,}")
