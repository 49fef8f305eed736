"""Run a command as a child process and measure its wall time, CPU time and peak memory (max RSS)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass


@dataclass(frozen=True)
class Usage:
    seconds: float      # wall time
    cpu_seconds: float  # user + system CPU time: close to the wall time on an idle machine (one core)
    peak_mb: float      # max resident memory


def run(cmd: list[str], env: dict | None = None) -> Usage:
    """Run `cmd` and measure it (raises if it fails). Peak memory is that of the whole process tree: the
    proportional set size (PSS: a page shared after a fork counted once, split between the sharers) of the
    command and its children (an ingest checks in a second process), summed, sampled every 50 ms; or the
    command's own peak resident memory if that is larger (a sample can miss a short peak)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)  # noqa: S603  the benchmark's own commands, no shell
    peak = [0]
    sampler = threading.Thread(target=_sample_tree, args=(proc.pid, peak), daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    sampler.join()
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed with exit code {os.waitstatus_to_exitcode(status)}")
    return Usage(seconds, usage.ru_utime + usage.ru_stime, max(usage.ru_maxrss * 1024, peak[0]) / 2**20)


def _sample_tree(pid: int, peak: list[int]) -> None:
    """Keep in peak[0] the largest summed PSS in bytes of `pid` and its descendants seen until it ends."""
    while True:
        tree, total = [pid], 0
        for p in tree:
            try:
                with open(f"/proc/{p}/smaps_rollup") as fh:
                    total += next(int(line.split()[1]) for line in fh if line.startswith("Pss:")) * 1024
                with open(f"/proc/{p}/task/{p}/children") as fh:
                    tree += [int(c) for c in fh.read().split()]
            except (FileNotFoundError, ProcessLookupError, ValueError, StopIteration):
                if p == pid:
                    return  # the command ended (and was reaped)
        peak[0] = max(peak[0], total)
        time.sleep(0.05)


def measure(cmd: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak resident memory in MB of `cmd` (raises if it fails)."""
    usage = run(cmd, env)
    return usage.seconds, usage.peak_mb
