"""Run a command as a child process and measure its wall time, CPU time and peak memory (max RSS)."""

from __future__ import annotations

import os
import subprocess
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    seconds: float      # wall time
    cpu_seconds: float  # user + system CPU time: close to the wall time on an idle machine (one core)
    peak_mb: float      # max resident memory


def run(cmd: list[str], env: dict | None = None) -> Usage:
    """Run `cmd` and measure it (raises if it fails)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)  # noqa: S603  the benchmark's own commands, no shell
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {os.waitstatus_to_exitcode(status)}")
    return Usage(seconds, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory in MB of `cmd` (raises if it fails)."""
    usage = run(cmd, env)
    return usage.seconds, usage.peak_mb
