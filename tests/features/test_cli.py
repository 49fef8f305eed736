import pandas as pd
import typer
from typer.testing import CliRunner

from data_contracts.ingest import ingest
from data_contracts.store import make_engine
from features.cli import features_cmd
from tests.exports import write_export


def test_features_cmd_writes_the_active_placements_as_of_a_date(tmp_path):
    url = f"sqlite:///{tmp_path / 'lks.db'}"
    ingest(make_engine(url), write_export(tmp_path / "export"))
    app = typer.Typer()
    app.command()(features_cmd)
    out = tmp_path / "features.parquet"
    result = CliRunner().invoke(app, ["--as-of", "2024-03-10", "--out", str(out), "--db-url", url])
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert frame["placement_id"].tolist() == ["PL1"] and frame["jobcoach_contacts_all"].tolist() == [1]
    bad = CliRunner().invoke(app, ["--as-of", "soon", "--out", str(out), "--db-url", url])
    assert bad.exit_code != 0


def test_features_cmd_adds_the_special_features_only_with_the_deployments_dpia_reference(tmp_path):
    url = f"sqlite:///{tmp_path / 'lks.db'}"
    ingest(make_engine(url), write_export(tmp_path / "export"))
    plain, special = tmp_path / "plain.parquet", tmp_path / "special.parquet"
    features_cmd(as_of="2024-03-10", out=plain, db_url=url)
    features_cmd(as_of="2024-03-10", out=special, db_url=url, dpia_reference="DPIA-2026-014")
    assert "health_limitation" not in pd.read_parquet(plain).columns
    with_health = pd.read_parquet(special)
    assert with_health["health_limitation"].tolist() == [0.0]
    pd.testing.assert_frame_equal(with_health.drop(columns="health_limitation"), pd.read_parquet(plain))
