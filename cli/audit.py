"""`lks audit`: who was shown which placement, when (and who logged in on the pages); `lks audit purge`
for an admin."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lks.service.persistence.audit import RETENTION_MONTHS, AuditLog
from lks.service.persistence.tables import make_service_engine
from lks.service.settings import get_settings

app = typer.Typer(help="The audit log of every placement shown or asked for, and of page logins.",
                  invoke_without_command=True)
console = Console()


def _log() -> AuditLog:
    return AuditLog(make_service_engine(get_settings().db_url))


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


@app.command("purge")
def purge(
    older_than_months: Annotated[int, typer.Option("--older-than-months", help=f"At least {RETENTION_MONTHS}.")],
    yes: Annotated[bool, typer.Option("--yes", help="Confirm the deletion.")] = False,
) -> None:
    """Admin only: delete entries older than N months (never younger than the retention period)."""
    if not yes:
        console.print("Nothing deleted: add --yes to confirm.")
        raise typer.Exit(1)
    try:
        n = _log().purge(older_than_months)
    except ValueError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Deleted {n} audit entries older than {older_than_months} months.")
