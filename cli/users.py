"""`lks users add|list|revoke`: the embedded token store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from lks.cli.db import database_url
from lks.service.auth import ROLES, UserError
from lks.service.persistence.tables import make_service_engine
from lks.service.persistence.tokens import TokenStore

app = typer.Typer(no_args_is_help=True, help="Manage API users and their bearer tokens.")
console = Console()


def _store() -> TokenStore:
    return TokenStore(make_service_engine(database_url()))


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A pseudonymous user name.")],
    role: Annotated[str, typer.Option("--role", help=f"One of {', '.join(ROLES)}.")],
    team: Annotated[list[str] | None, typer.Option("--team", help="A team a coordinator serves (repeat).")] = None,
    jobcoach_id: Annotated[str | None, typer.Option("--jobcoach-id", help="The jobcoach's id.")] = None,
) -> None:
    """Add a user and print their token once: it is stored only as a hash."""
    try:
        token = _store().add(name, role, team or [], jobcoach_id)
    except UserError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(2) from None
    console.print(f"Added {name} ({role}). Token (shown once, keep it safe):", highlight=False)
    typer.echo(token)


@app.command("list")
def list_users() -> None:
    """List users (never their tokens)."""
    table = Table(title="Users")
    for col in ("name", "role", "teams", "jobcoach_id", "created", "revoked"):
        table.add_column(col)
    for u in _store().list():
        revoked = f"{u['revoked_at']:%Y-%m-%d %H:%M}" if u["revoked_at"] else ""
        table.add_row(u["name"], u["role"], ", ".join(u["teams"]), u["jobcoach_id"] or "",
                      f"{u['created_at']:%Y-%m-%d %H:%M}", revoked)
    console.print(table)


@app.command("revoke")
def revoke(name: Annotated[str, typer.Argument(help="The user whose token stops working now.")]) -> None:
    """Revoke a user's token; the user stays listed, with the revocation time."""
    try:
        _store().revoke(name)
    except UserError as err:
        console.print(f"[red]{err}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Revoked {name}.")
