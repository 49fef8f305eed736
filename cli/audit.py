"""`lks audit`: who was shown which placement, when (and who logged in on the pages); `lks audit verify`
checks the hash chain; `lks audit purge` for an admin."""

from __future__ import annotations

import getpass
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lks.cli.db import database_url
from lks.service.persistence.audit import RETENTION_MONTHS, AuditLog
from lks.service.persistence.tables import make_service_engine

app = typer.Typer(help="The audit log of every placement shown or asked for, and of page logins.",
                  invoke_without_command=True)
console = Console()


def _log() -> AuditLog:
    return AuditLog(make_service_engine(database_url()))


@app.callback()
def show(
    ctx: typer.Context,
    user: Annotated[str | None, typer.Option("--user", help="Only this user.")] = None,
    placement: Annotated[str | None, typer.Option("--placement", help="Only this placement.")] = None,
    limit: Annotated[int, typer.Option("--limit", help="At most this many entries, newest first.")] = 200,
    csv: Annotated[bool, typer.Option("--csv", help="Print CSV instead of a table.")] = False,
) -> None:
    """List audit entries, newest first."""
    if ctx.invoked_subcommand is not None:
        return
    entries = _log().query(user, placement, limit)
    if csv:
        typer.echo(entries.to_csv(index=False), nl=False)
        return
    table = Table(title=f"Audit log ({len(entries)} entries)")
    for col in ("at", "user", "role", "placement_id", "endpoint", "model_version", "outcome"):
        table.add_column(col, overflow="fold")
    for e in entries.itertuples():
        table.add_row(f"{e.at:%Y-%m-%d %H:%M:%S}", e.user, e.role, e.placement_id or "", e.endpoint,
                      e.model_version or "", e.outcome)
    console.print(table)


@app.command("verify")
def verify(
    expect: Annotated[str | None, typer.Option(
        "--expect", help="ID:HASH of a record noted earlier (from a previous verify): it must still be there, "
                         "unchanged.")] = None,
) -> None:
    """Check the audit log's hash chain: exit 1 naming the first broken record after any change, deletion or
    reordering; print the newest record's id and hash to note elsewhere."""
    log = _log()
    result = log.verify()
    if result.broken is not None:
        console.print(f"[red]Audit log broken at record {result.broken.audit_id}:[/red] {result.broken.reason}.")
        raise typer.Exit(1)
    if expect is not None:
        audit_id, _, expected_hash = expect.partition(":")
        found = log.hash_of(int(audit_id)) if audit_id.isdigit() else None
        if found is None or not expected_hash or not found.startswith(expected_hash):
            console.print(f"[red]Audit log broken at record {audit_id}:[/red] it is not the record noted "
                          f"({'missing' if found is None else 'another hash'}).")
            raise typer.Exit(1)
    console.print(f"Audit log intact: {result.records} records; newest record {result.last_id}, hash "
                  f"{result.last_hash}.")


@app.command("purge")
def purge(
    older_than_months: Annotated[int, typer.Option("--older-than-months", help=f"At least {RETENTION_MONTHS}.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm the deletion.")] = False,
) -> None:
    """Admin only: delete entries older than N months (never younger than the retention period); a checkpoint
    record keeps the chain verifiable and records the purge."""
    if not yes:
        console.print("Nothing deleted: add --yes to confirm.")
        raise typer.Exit(1)
    try:
        n = _log().purge(older_than_months, by=getpass.getuser())
    except ValueError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Deleted {n} audit entries older than {older_than_months} months; the purge is recorded in "
                  "the audit log.")
