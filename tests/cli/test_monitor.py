import json

import pytest
from typer.testing import CliRunner

from lks.cli import app
from lks.cli.monitor import ALERT_EXIT
from lks.service.service_layer.monitoring_runs import latest_runs
from lks.service.settings import get_settings
from tests.service.service_layer import monitoring_world as world


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_HOME", str(tmp_path))
    monkeypatch.delenv("LKS_DATABASE_URL", raising=False)
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def monitor(*args):
    return CliRunner().invoke(app, ["monitor", "--as-of", str(world.MONITOR_ON), *args])


def test_an_unchanged_world_exits_0(home):
    engine = world.build(home)
    result = monitor()
    assert result.exit_code == 0, result.output
    assert "No threshold crossed" in result.output
    runs = latest_runs(engine)
    assert len(runs) == 1 and runs[0]["n_alerts"] == 0 and runs[0]["result"]["as_of"] == str(world.MONITOR_ON)


def test_a_crossed_threshold_is_named_and_exits_3_also_with_json(home):
    world.build(home, score=lambda i, week: world.risk(i) + 0.08)
    result = monitor()
    assert result.exit_code == ALERT_EXIT == 3
    assert "ALERT ece 13w" in result.output
    as_json = monitor("--json")
    assert as_json.exit_code == ALERT_EXIT
    assert [a["check"] for a in json.loads(as_json.output)["alerts"]] == ["ece"]


def test_nothing_stored_exits_1(home):
    assert monitor().exit_code == 1


def test_the_help_says_what_exit_3_means():
    assert "3" in CliRunner().invoke(app, ["monitor", "--help"]).output
