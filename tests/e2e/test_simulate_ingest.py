"""The whole intake: `lks simulate --faults` then `lks ingest` loads every good row and rejects
exactly the injected bad rows, through the command line and the store."""

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from lks.cli import app
from lks.data_contracts.store import VERSIONS, make_engine, rejected_rows

pytestmark = pytest.mark.slow  # end to end: the simulator at full scale and `lks train`


def test_simulate_with_faults_then_ingest(tmp_path, monkeypatch):
    export, home = tmp_path / "export", tmp_path / "home"
    monkeypatch.setenv("LKS_HOME", str(home))
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    from lks.service.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    assert runner.invoke(app, ["simulate", "--out", str(export), "--faults", "0.02"]).exit_code == 0
    result = runner.invoke(app, ["ingest", str(export)])
    assert result.exit_code == 0, result.output
    assert "Rejected rows by rule" in result.output

    engine = make_engine(get_settings().db_url)
    with engine.connect() as conn:
        kept = pd.DataFrame(conn.execute(sa.select(rejected_rows.c.file, rejected_rows.c.line, rejected_rows.c.rule))
                            .all(), columns=["file", "line", "rule"])
        stored = {t: conn.execute(sa.select(sa.func.count()).select_from(v)).scalar() for t, v in VERSIONS.items()}
    injected = pd.read_csv(export / "truth" / "faults.csv")
    key = ["file", "line", "rule"]
    assert len(injected) > 0
    pd.testing.assert_frame_equal(kept.sort_values(key).reset_index(drop=True),
                                  injected.sort_values(key).reset_index(drop=True)[key])
    # every good row loaded: rows in the file minus the injected ones (a field-count line is a row too)
    for table, n in stored.items():
        lines = sum(1 for _ in open(export / f"{table}.csv", encoding="utf-8")) - 1
        assert n == lines - (injected["file"] == f"{table}.csv").sum(), table

    again = runner.invoke(app, ["ingest", str(export)])
    assert "already ingested" in again.output
    status = runner.invoke(app, ["status"])
    assert status.exit_code == 0 and "placements" in status.output
    get_settings.cache_clear()
