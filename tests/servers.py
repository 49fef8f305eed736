"""Throwaway servers for the tests: a PostgreSQL cluster (Debian's `postgresql`, `initdb` + `pg_ctl` in a
temporary folder, on a unix socket only) and an MLflow tracking server on the loopback address.

Outside `make test` a missing binary skips the test, saying why; `make test` sets LKS_TEST_SERVERS=required
(and installs PostgreSQL first), so there a missing binary fails it."""

from __future__ import annotations

import getpass
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

START_SECONDS = 60


def missing(what: str) -> None:
    """Skip, or fail under `make test`, when a server's binary is not installed."""
    if os.environ.get("LKS_TEST_SERVERS") == "required":
        pytest.fail(f"{what} is not installed, although `make test` should have installed it")
    pytest.skip(f"{what} is not installed (`make test` installs it)")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def postgres_bin() -> Path | None:
    found = shutil.which("pg_ctl") or next(iter(sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))[::-1]), None)
    return Path(found).resolve().parent if found else None


@contextmanager
def postgres() -> Iterator[str]:
    """A fresh PostgreSQL cluster with a database `lks`; yields its SQLAlchemy URL (psycopg, unix socket)."""
    bindir = postgres_bin()
    if bindir is None:
        missing("PostgreSQL (Debian package postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="lks-pg-"))
    as_user, user = [], getpass.getuser()
    if os.geteuid() == 0:  # root may not run postgres: the package's own user does
        as_user, user = ["runuser", "-u", "postgres", "--"], "postgres"
        shutil.chown(folder, "postgres", "postgres")
    data, port = folder / "data", free_port()
    try:
        subprocess.run([*as_user, str(bindir / "initdb"), "-D", str(data), "-U", user, "--auth=trust",  # noqa: S603  the test's own fixed command, no outside input
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=START_SECONDS)
        options = f"-k {folder} -p {port} -c listen_addresses='' -c fsync=off -c full_page_writes=off"
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(folder / "log"),  # noqa: S603  the test's own fixed command, no outside input
                        "-w", "-t", str(START_SECONDS), "start"], check=True, capture_output=True,
                       timeout=START_SECONDS + 10)
        with psycopg.connect(host=str(folder), port=port, user=user, dbname="postgres", autocommit=True) as conn:
            conn.execute("CREATE DATABASE lks")
        yield f"postgresql+psycopg://{user}@/lks?host={folder}&port={port}"
    finally:
        subprocess.run([*as_user, str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],  # noqa: S603  the test's own fixed command, no outside input
                       capture_output=True, timeout=START_SECONDS)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def mlflow_server(folder: Path) -> Iterator[str]:
    """`mlflow server` on 127.0.0.1 with its own SQLite backend and artifact folder; yields its URI."""
    mlflow = Path(sys.executable).parent / "mlflow"
    if not mlflow.exists():
        missing("MLflow's `mlflow` command")
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    log = open(folder / "server.log", "wb")  # noqa: SIM115 (closed below; a pipe could fill and block it)
    process = subprocess.Popen(  # noqa: S603  the test's own fixed command, no outside input
        [str(mlflow), "server", "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
         "--backend-store-uri", f"sqlite:///{folder / 'backend.db'}",
         "--artifacts-destination", str(folder / "artifacts")],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 3 * START_SECONDS
        while True:
            try:
                with urllib.request.urlopen(f"{uri}/health", timeout=2) as response:  # noqa: S310  a loopback http URL the test built itself
                    if response.status == 200:
                        break
            except OSError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"mlflow server did not start: {(folder / 'server.log').read_text()[-2000:]}")
            time.sleep(0.5)
        yield uri
    finally:
        if process.poll() is None:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()
        log.close()
