import pytest
import typer
from typer.testing import CliRunner

from lks.cli.simulate import simulate_cmd


@pytest.mark.slow
def test_cli_writes_the_export_and_prints_a_summary(tmp_path):
    app = typer.Typer()
    app.command()(simulate_cmd)
    result = CliRunner().invoke(app, ["--out", str(tmp_path), "--seed", "3", "--faults", "0.01"])
    assert result.exit_code == 0, result.output
    assert "placements rows" in result.output
    assert (tmp_path / "events.csv").exists() and (tmp_path / "truth" / "faults.csv").exists()


def test_cli_refuses_an_unknown_scale(tmp_path):
    app = typer.Typer()
    app.command()(simulate_cmd)
    result = CliRunner().invoke(app, ["--out", str(tmp_path), "--scale", "europe"])
    assert result.exit_code != 0


def test_cli_simulates_a_named_scenario_and_records_it(tmp_path):
    app = typer.Typer()
    app.command()(simulate_cmd)
    result = CliRunner().invoke(app, ["--out", str(tmp_path), "--seed", "3", "--as-of", "2025-06-30",
                                      "--scenario", "young"])
    assert result.exit_code == 0, result.output
    assert "young" in " ".join(result.output.split())  # the title may wrap
    assert "name: young" in (tmp_path / "truth" / "scenario.yaml").read_text()


def test_cli_refuses_an_unknown_scenario_and_names_the_known_ones(tmp_path):
    app = typer.Typer()
    app.command()(simulate_cmd)
    result = CliRunner().invoke(app, ["--out", str(tmp_path), "--scenario", "mnar"])
    assert result.exit_code != 0
    assert "mnar-neutral" in result.output and not (tmp_path / "truth").exists()
