"""Log lines as text or JSON (LKS_LOG_FORMAT), for the commands and the service, still without personal data;
MLflow's INFO lines and progress bars kept out of the command line's output."""

from __future__ import annotations

import io
import json
import logging
import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from mlflow.utils import logging_utils

from lks.cli import logs
from lks.service.persistence import queries
from tests.service.test_errors import NOTE, PERSONAL, REASON
from tests.service.world import build_world

LKS = str(Path(sys.executable).with_name("lks"))


def run_lks(home: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`lks` in a process of its own, as a person or a job runs it (MLflow imported afresh)."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(("LKS_", "MLFLOW_"))}
    return subprocess.run([LKS, *args], env={**environ, "LKS_HOME": str(home), **env},  # noqa: S603  the test's own command
                          capture_output=True, text=True, timeout=300)


@pytest.fixture
def root_handler():
    """Leaves the root logger as it was: without our handler, at its level."""
    root = logging.getLogger()
    level = root.level
    yield
    for handler in [h for h in root.handlers if h.get_name() == logs.HANDLER]:
        root.removeHandler(handler)
    root.setLevel(level)


def test_a_json_line_has_time_level_logger_and_message(root_handler):
    stream = io.StringIO()
    logs.configure("json", logging.INFO, stream)
    logging.getLogger("lks.service.errors").error("unhandled error %s (reference %s)", "RuntimeError", "abc123")
    line = json.loads(stream.getvalue())
    assert set(line) == {"time", "level", "logger", "message"}
    assert (line["level"], line["logger"]) == ("ERROR", "lks.service.errors")
    assert line["message"] == "unhandled error RuntimeError (reference abc123)"


def test_an_unknown_format_is_refused_by_name():
    with pytest.raises(ValueError, match="LKS_LOG_FORMAT must be one of text, json, but was 'xml'"):
        logs.formatter("xml")


def test_a_command_shows_no_mlflow_info_lines(tmp_path):
    result = run_lks(tmp_path / "home", "evaluate")  # creates the embedded MLflow store: its INFO lines
    assert "run `lks train` first" in result.stdout
    assert result.stderr == "", result.stderr
    verbose = run_lks(tmp_path / "home2", "-v", "evaluate")
    assert "Creating initial MLflow database tables" in verbose.stderr  # still there when asked for


def test_json_logs_of_a_command_are_one_object_per_line_mlflow_and_alembic_included(tmp_path):
    result = run_lks(tmp_path / "home", "-v", "evaluate", LKS_LOG_FORMAT="json")
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    loggers = {line["logger"].split(".")[0] for line in lines}
    assert {"mlflow", "alembic"} <= loggers and all(set(line) >= {"time", "level", "message"} for line in lines)


def test_mlflow_progress_bars_and_run_links_are_off_unless_asked_for(monkeypatch, root_handler):
    monkeypatch.delenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", raising=False)
    monkeypatch.delenv("MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT", raising=False)
    logs.configure("text", logging.WARNING, io.StringIO())
    assert os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] == "false"
    assert os.environ["MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT"] == "true"
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "true")
    logs.configure("text", logging.WARNING, io.StringIO())
    assert os.environ["MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR"] == "true"


def test_mlflows_printed_lines_and_its_input_example_advice_are_left_out_unless_verbose(capsys, root_handler):
    stream = io.StringIO()
    original = logging_utils.MLFLOW_LOGGING_STREAM
    try:
        logs.configure("text", logging.WARNING, stream)
        logging_utils.enable_logging()  # as MLflow's own code does after silencing itself
        logging_utils.eprint("Successfully registered model 'lks-uitval'.")
        warnings.warn("\x1b[1;33mAn input example was not provided when logging the model.", UserWarning,
                      stacklevel=1)
        assert capsys.readouterr().err == "" and stream.getvalue() == ""
        logs.configure("json", logging.DEBUG, stream)
        logging_utils.eprint("Created version '1' of model 'lks-uitval'.")
        line = json.loads(stream.getvalue())
        assert (line["logger"], line["message"]) == ("mlflow", "Created version '1' of model 'lks-uitval'.")
        assert capsys.readouterr().err == ""
    finally:
        logging_utils.MLFLOW_LOGGING_STREAM = original
        logging.captureWarnings(False)


def test_the_services_json_logs_carry_no_personal_data(tmp_path, monkeypatch, root_handler):
    stream = io.StringIO()
    logs.configure("json", logging.DEBUG, stream)
    world = build_world(tmp_path)
    headers = {"Authorization": f"Bearer {world.tokens['coach1']}"}
    body = {"kind": "no_action", "reason": REASON, "note": NOTE}

    def boom(_engine, _identity, placement_id, _kind, _intervention, _reason, note):
        raise RuntimeError(f"could not record {note} for {placement_id}")  # a message quoting what was typed

    monkeypatch.setattr(queries, "record_action", boom)
    with TestClient(world.app, raise_server_exceptions=False) as client:
        assert client.get("/api/v1/placements/PL1", headers=headers).status_code == 200
        assert client.post("/api/v1/placements/PL1/actions", json=body, headers=headers).status_code == 500
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    service = [line for line in lines if not line["logger"].startswith("httpx")]  # httpx: the test's client
    assert any("RuntimeError" in line["message"] and "{placement_id}" in line["message"] for line in service)
    text = json.dumps(service)
    assert [value for value in PERSONAL if value in text] == []


def test_every_worker_of_lks_serve_logs_json_the_same_way(tmp_path):
    script = ("import json, logging.config, sys; from lks.cli.logs import uvicorn_config; "
              "logging.config.dictConfig(uvicorn_config('json')); "
              "logging.getLogger('uvicorn.error').info('Started server process'); "
              "logging.getLogger('lks.service.champion.holder').warning('no champion'); "
              "logging.getLogger('mlflow.store.db.utils').info('Creating initial MLflow database tables...')")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)  # noqa: S603  the test's own command
    lines = [json.loads(line) for line in result.stderr.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("uvicorn.error", "Started server process"), ("lks.service.champion.holder", "no champion")]
