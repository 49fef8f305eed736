import sqlite3

import sqlalchemy as sa
import typer
from typer.testing import CliRunner

from lks.cli import data
from lks.cli.db import upgrade
from tests.exports import write_export


def test_lks_ingest_on_a_full_disk_says_so_and_that_nothing_was_stored(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_DATABASE_URL", f"sqlite:///{tmp_path / 'store.db'}")
    upgrade(f"sqlite:///{tmp_path / 'store.db'}")

    def disk_full(*_args, **_kwargs):
        raise sa.exc.OperationalError("INSERT INTO events", {}, sqlite3.OperationalError("database or disk is full"))

    monkeypatch.setattr(data, "run_ingest", disk_full)
    app = typer.Typer()
    app.command()(data.ingest)
    result = CliRunner().invoke(app, [str(write_export(tmp_path / "w1"))])
    assert result.exit_code == 3
    assert "nothing of this export stored" in result.output and "database or disk is full" in result.output
    assert "Traceback" not in result.output
