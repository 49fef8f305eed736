"""Log lines of the commands and of the service: text for a person at a terminal, or, with LKS_LOG_FORMAT=json,
one JSON object per line for the platform's log collector (python-json-logger):

    {"time": "2026-12-03 10:12:01,532", "level": "ERROR", "logger": "lks.service.errors",
     "message": "unhandled error RuntimeError on POST /api/v1/placements/{placement_id}/actions (reference ...)"}

Both go through one handler on stderr. What a line may hold is decided where it is logged, not here: the service
logs an exception's type and the route's template, never its message or the path (service/errors.py), and the
database engine hides statements' parameters (data_contracts/store.py); the JSON format adds no field of a request.

MLflow installs a handler of its own at INFO when it is imported, so "Creating initial MLflow database tables..."
and its Alembic lines would reach the command line's output around the project's own progress (rich); here its
loggers lose that handler and pass their records to ours, at WARNING unless `lks -v`, and so do the lines it
prints itself ("Successfully registered model ..."). Its artifact download
progress bars and its run links on stdout are switched off too (QUIET_MLFLOW, unless set). Only the composition roots
call this (the `lks` callback, and uvicorn's workers through `uvicorn_config`): importing a library module never
changes logging.
"""

from __future__ import annotations

import logging
import os
import warnings
from typing import Any, TextIO

from mlflow.utils import logging_utils
from pythonjsonlogger.json import JsonFormatter

FORMATS = ("text", "json")
TEXT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
JSON_FIELDS = "%(asctime)s %(levelname)s %(name)s %(message)s"
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}
HANDLER = "lks"
# Libraries whose INFO lines are not the command line's progress: through our handler, at WARNING unless verbose.
LIBRARIES = ("mlflow", "alembic", "huey")
# MLflow's own settings (environment variables), unless set: no artifact download progress bars, and no
# "View run ... at" lines on stdout after each run against a tracking server (`lks train` names its run itself).
QUIET_MLFLOW = {"MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR": "false", "MLFLOW_SUPPRESS_PRINTING_URL_TO_STDOUT": "true"}


def formatter(log_format: str = "text") -> logging.Formatter:
    if log_format not in FORMATS:
        raise ValueError(f"LKS_LOG_FORMAT must be one of {', '.join(FORMATS)}, but was {log_format!r}")
    if log_format == "json":
        return JsonFormatter(JSON_FIELDS, rename_fields=RENAMED)
    return logging.Formatter(TEXT)


def configure(log_format: str, level: int, stream: TextIO | None = None) -> None:
    """The command line's logging: one handler on the root logger (replacing the one a previous call added, and
    leaving others alone), and MLflow's and Alembic's records through it."""
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == HANDLER]:
        root.removeHandler(old)
    handler = logging.StreamHandler(stream)  # None: sys.stderr as it is now
    handler.set_name(HANDLER)
    handler.setFormatter(formatter(log_format))
    root.addHandler(handler)
    root.setLevel(level)
    for name in LIBRARIES:
        library = logging.getLogger(name)
        library.handlers.clear()
        library.propagate = True
        library.setLevel(min(level, logging.WARNING))
    for name, value in QUIET_MLFLOW.items():
        os.environ.setdefault(name, value)
    # MLflow prints some lines itself ("Successfully registered model ...", "Created version ...") to a stream of
    # its own, which its own code switches on again after silencing it; they become records of its logger instead.
    logging_utils.MLFLOW_LOGGING_STREAM = MlflowPrints()
    # Python warnings become log lines (in the chosen format). lks logs its model without an input example on
    # purpose (MLflow holds no placement rows), so MLflow's advice to add one is left out.
    logging.captureWarnings(True)
    warnings.filterwarnings("ignore", message=r".*An input example was not provided", category=UserWarning)


class MlflowPrints(logging_utils.MlflowLoggingStream):
    """MLflow's print stream, each line an INFO record of the `mlflow` logger instead, so the logger's level and
    format decide (MLflow's enable/disable_logging set `enabled`, which changes nothing here)."""

    def write(self, text: str) -> None:
        if text.strip():
            logging.getLogger("mlflow").info(text.rstrip("\n"))

    def flush(self) -> None:
        pass


def uvicorn_config(log_format: str) -> dict[str, Any]:
    """uvicorn's `log_config` for `lks serve`: each worker applies it, so the server's own lines, the service's
    and MLflow's share one format; uvicorn's access log (off by default) too."""
    formatter(log_format)  # refuses an unknown format here, before any worker starts
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {"lks": {"()": "lks.cli.logs.formatter", "log_format": log_format}},
        "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "lks", "stream": "ext://sys.stderr"}},
        "root": {"level": "INFO", "handlers": ["stderr"]},
        "loggers": {
            **{name: {"level": "INFO", "handlers": [], "propagate": True}
               for name in ("uvicorn", "uvicorn.error", "uvicorn.access")},
            **{name: {"level": "WARNING", "handlers": [], "propagate": True} for name in LIBRARIES},
        },
    }
