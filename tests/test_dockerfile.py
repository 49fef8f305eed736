"""The image as far as it can be checked without a container engine: its final stage is what the platform
expects (slim Python 3.11, libgomp1, locked dependencies, non-root, a health check), and its exact entry
command, with the image's environment, serves /health from a fresh state folder."""

from __future__ import annotations

import json
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of each instruction, continuation lines joined, comments left out."""
    found, current = [], ""
    for line in text.splitlines():
        if not current and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.lstrip().startswith("#"):  # a comment inside a continued instruction
            continue
        continued = line.rstrip().endswith("\\")
        current += " " + line.strip().removesuffix("\\").strip()
        if not continued:
            keyword, _, args = current.strip().partition(" ")
            found.append((keyword.upper(), args.strip()))
            current = ""
    return found


def final_stage(text: str) -> list[tuple[str, str]]:
    steps = instructions(text)
    last = max(i for i, (keyword, _) in enumerate(steps) if keyword == "FROM")
    return steps[last:]


def environment(stage: list[tuple[str, str]]) -> dict[str, str]:
    env: dict[str, str] = {}
    for keyword, args in stage:
        if keyword == "ENV":
            env.update(pair.split("=", 1) for pair in shlex.split(args))
    return env


def exec_form(stage: list[tuple[str, str]], keyword: str) -> list[str]:
    args = [a for k, a in stage if k == keyword][-1]
    return json.loads(args.removeprefix("CMD").strip()) if keyword != "HEALTHCHECK" else \
        json.loads(args[args.index("CMD") + 3:].strip())


DOCKERFILE = (ROOT / "Dockerfile").read_text()
STAGE = final_stage(DOCKERFILE)
ENV = environment(STAGE)


def test_instructions_parse_continuations_and_stages():
    text = "FROM a AS b\nRUN x \\\n    # note\n    && y\nFROM c\nENV A=1 \\\n    B='two words'\nCMD [\"run\"]\n"
    assert instructions(text)[1] == ("RUN", "x && y")
    assert final_stage(text)[0] == ("FROM", "c")
    assert environment(final_stage(text)) == {"A": "1", "B": "two words"}
    assert exec_form(final_stage(text), "CMD") == ["run"]


def test_two_stages_on_slim_python_with_openmp_locked_dependencies_and_no_root():
    assert [args for keyword, args in instructions(DOCKERFILE) if keyword == "FROM"] == [
        "python:3.11-slim AS build", "python:3.11-slim"]
    assert any(k == "RUN" and "install" in a and "libgomp1" in a for k, a in STAGE)
    assert "--require-hashes" in DOCKERFILE and "requirements/runtime.lock" in DOCKERFILE
    user = [a for k, a in STAGE if k == "USER"][-1]
    assert user.split(":")[0] not in ("0", "root")
    assert not any(k == "COPY" and "--from" not in a for k, a in STAGE)  # only the built environment
    assert not any(k in ("ENV", "ARG") and any(s in a.upper() for s in ("PASSWORD", "SECRET", "TOKEN"))
                   for k, a in STAGE)


def test_dockerignore_lets_no_state_or_secrets_in():
    rules = [line.strip() for line in (ROOT / ".dockerignore").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert rules[0] == "*"  # everything out, then only what the image needs back in
    assert not [r for r in rules if r.startswith("!") and any(s in r for s in ("var", ".env", ".venv", "tests"))]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310  a loopback http URL the test built itself
            return response.status, response.read()
    except urllib.error.HTTPError as err:
        return err.code, err.read()


@pytest.fixture()
def image_env(tmp_path):
    """The image's environment on this machine: a fresh state folder, a free loopback port."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("LKS_DATABASE_URL", "MLFLOW_TRACKING_URI")}
    env.update({k: v for k, v in ENV.items() if k != "PATH"})
    env.update({"PATH": f"{BIN}{os.pathsep}{env['PATH']}", "LKS_HOME": str(tmp_path / "data"),
                "LKS_HOST": "127.0.0.1", "LKS_PORT": str(port)})
    return env


@pytest.mark.slow  # two workers each import lks and MLflow: 30 s on an idle machine, 90 s on a busy one
def test_the_entry_command_serves_health_from_a_fresh_state_folder(image_env):
    command = exec_form(STAGE, "ENTRYPOINT") + exec_form(STAGE, "CMD")
    assert command[:2] == ["lks", "serve"]
    base = f"http://127.0.0.1:{image_env['LKS_PORT']}"
    process = subprocess.Popen(command, env=image_env, cwd=image_env["LKS_HOME"].rsplit("/", 1)[0],  # noqa: S603  the test's own fixed command, no outside input
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline, status = time.monotonic() + 150, None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                status, body = get(f"{base}/health")
                break
            except OSError:
                time.sleep(0.5)
        assert status == 200, process.stdout.read().decode() if process.poll() is not None else "no answer"
        assert json.loads(body) == {"status": "ok"}
        ready, _ = get(f"{base}/ready")
        assert ready == 503  # a fresh state folder: no model yet, and the service says so
        health = subprocess.run(exec_form(STAGE, "HEALTHCHECK"), env=image_env, timeout=30)  # noqa: S603  the test's own fixed command, no outside input
        assert health.returncode == 0
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
