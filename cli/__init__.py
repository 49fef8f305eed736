"""The `lks` command line: one module per command group, joined here (the composition root)."""

import logging
from typing import Annotated

import typer
from pydantic import ValidationError

from lks.cli import audit, data, db, features, logs, model, score, serve, users
from lks.cli.monitor import HELP as MONITOR_HELP
from lks.cli.monitor import monitor_cmd
from lks.cli.simulate import simulate_cmd
from lks.service.settings import get_settings

app = typer.Typer(no_args_is_help=True, add_completion=False, help="LKS-uitval early warning.")
app.command("simulate", help="Write a simulated municipality's export folder (and its truth/).")(simulate_cmd)
app.command("ingest", help="Validate an export folder and store it with full history.")(data.ingest)
app.command("status", help="Show what the store holds.")(data.status)
app.command("train", help="Backtest, train on what was known on a date, log to MLflow, register.")(model.train)
app.command("evaluate", help="Champion and challenger side by side, with baselines and oracle.")(model.evaluate)
app.command("promote", help="Make the challenger champion, through quality and fairness gates.")(model.promote)
app.command("features", help="Write the features of every active placement as known on a date.")(features.features)
app.command("score", help="Score every active placement with the champion and store the week's risk list.")(score.score)
app.command("monitor", help=MONITOR_HELP)(monitor_cmd)
app.add_typer(users.app, name="users")
app.add_typer(audit.app, name="audit")
app.add_typer(db.app, name="db")
app.command("serve", help="Run the HTTP API with uvicorn.")(serve.serve)


@app.callback()
def main(verbose: Annotated[bool, typer.Option("--verbose", "-v", help="Log debug output.")] = False) -> None:
    try:
        log_format = get_settings().log_format
    except ValidationError:
        log_format = "text"  # the command that reads the settings names the bad value
    logs.configure(log_format, logging.DEBUG if verbose else logging.WARNING)
