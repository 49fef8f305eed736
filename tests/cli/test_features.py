import pandas as pd
from typer.testing import CliRunner

from lks.cli import app
from lks.cli.db import upgrade
from lks.data_contracts.ingest import ingest
from lks.data_contracts.store import make_engine
from lks.service.settings import get_settings
from tests.exports import write_export


def test_lks_features_writes_the_active_placements_as_of_a_date(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'lks.db'}"
    upgrade(url)  # made as `lks` makes it
    ingest(make_engine(url), write_export(tmp_path / "export"))
    monkeypatch.setenv("LKS_DATABASE_URL", url)
    get_settings.cache_clear()
    out = tmp_path / "features.parquet"
    try:
        result = CliRunner().invoke(app, ["features", "--as-of", "2024-03-10", "--out", str(out)])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    frame = pd.read_parquet(out)
    assert frame["placement_id"].tolist() == ["PL1"] and frame["jobcoach_contacts_all"].tolist() == [1]


def test_lks_features_refuses_a_date_that_is_not_one(tmp_path):
    result = CliRunner().invoke(app, ["features", "--as-of", "gisteren", "--out", str(tmp_path / "f.parquet")])
    assert result.exit_code != 0 and "YYYY-MM-DD" in result.output
