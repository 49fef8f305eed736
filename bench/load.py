"""A bounded load test of `lks serve` on 127.0.0.1: list pages, placement lookups, action records and
/health from concurrent clients, with one week's scoring run (`lks score`) started with them; zero errors
expected. Prints per endpoint: requests, errors, p50, p99 and throughput. Stops by itself after
`--seconds` (and at most `--max-requests`; the scoring run is awaited, at most 300 s); exits 1 if any
request or the scoring run failed. Throughput is over the clients' time.

The state folder is built here in a temporary directory (the default simulated municipality, ingested,
a small quickly fitted champion registered as `lks train` does: `tests/service/real_champion.py`), or
taken from `--home` (copied: the home's database is left alone).

Usage: python bench/load.py [--seconds 60] [--clients 8] [--home DIR | --cache DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the repository: tests.service.real_champion

LKS = str(Path(sys.executable).with_name("lks"))
HOST = "127.0.0.1"
SCORING_LIMIT = 300  # seconds: a scoring run still going by then is killed and counted as an error
MIX = [("list page", 35), ("placement", 45), ("action", 10), ("health", 10)]


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def build_home(work: Path, cache: Path | None) -> Path:
    """simulate + ingest + a small registered champion (the simulated base kept in `cache`); both weeks scored."""
    from lks.service.champion.holder import ChampionHolder
    from lks.service.champion.mlflow_source import MlflowChampionSource
    from lks.service.persistence.tables import make_service_engine
    from lks.service.service_layer.scoring import score_week
    from tests.service.real_champion import AS_OF, PREVIOUS, build_base, new_home, register

    base = build_base((cache or work) / "base")
    home = new_home(base, work)
    register(base, home)
    engine = make_service_engine(f"sqlite:///{home / 'lks.db'}")
    champion = ChampionHolder(MlflowChampionSource(home)).refresh()
    for as_of in (PREVIOUS, AS_OF):
        score_week(engine, champion, as_of)
    engine.dispose()
    return home


def prepare(home: Path) -> tuple[dict, list[str], str]:
    """Tokens (a coordinator of every team), the placements on the newest list, a week to score."""
    from lks.service.persistence.tables import make_service_engine, risk_lists, risk_scores
    from lks.service.persistence.tokens import TokenStore

    engine = make_service_engine(f"sqlite:///{home / 'lks.db'}")
    with engine.connect() as conn:
        newest = conn.execute(sa.select(sa.func.max(risk_lists.c.as_of))).scalar()
        if newest is None:
            sys.exit(f"no risk list in {home}: run `lks score` first")
        rows = conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.team)
                            .join(risk_lists, risk_lists.c.list_id == risk_scores.c.list_id)
                            .where(risk_lists.c.as_of == newest)).all()
    teams = sorted({r.team for r in rows if r.team})
    token = TokenStore(engine).add(f"load-{os.getpid()}", "coordinator", teams)
    engine.dispose()
    return {"Authorization": f"Bearer {token}"}, [r.placement_id for r in rows], str(newest - timedelta(days=14))


async def worker(client: httpx.AsyncClient, ids: list[str], until: float, budget: list[int], seed: int,
                 results: list[tuple[str, float, bool]]) -> None:
    rng = random.Random(seed)  # noqa: S311  a seeded draw for a test or benchmark, not a secret
    names, weights = zip(*MIX, strict=True)
    pages = max(1, len(ids) // 25)
    while time.monotonic() < until and budget[0] > 0:
        budget[0] -= 1
        name = rng.choices(names, weights)[0]
        started = time.perf_counter()
        try:
            if name == "list page":
                r = await client.get("/api/v1/risk-lists/current", params={"page": rng.randint(1, pages)})
            elif name == "placement":
                r = await client.get(f"/api/v1/placements/{rng.choice(ids)}")
            elif name == "action":
                r = await client.post(f"/api/v1/placements/{rng.choice(ids)}/actions",
                                      json={"kind": "no_action", "reason": "belasting test"})
            else:
                r = await client.get("/health")
            ok = r.status_code in (200, 201)
        except httpx.HTTPError:
            ok = False
        results.append((name, time.perf_counter() - started, ok))


async def scoring_run(env: dict, as_of: str, limit: float, out: dict) -> None:
    """One week scored by `lks score` while the clients run (killed, and counted as an error, after `limit` s)."""
    started = time.perf_counter()
    process = await asyncio.create_subprocess_exec(LKS, "score", "--as-of", as_of, env=env,
                                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out["code"] = await asyncio.wait_for(process.wait(), timeout=limit)
    except TimeoutError:
        process.kill()
        out["code"] = await process.wait()
    out["seconds"] = time.perf_counter() - started


async def load(base: str, headers: dict, ids: list[str], args, env: dict, score_as_of: str):
    results: list[tuple[str, float, bool]] = []
    scoring: dict = {}
    limits = httpx.Limits(max_connections=args.clients)
    async with httpx.AsyncClient(base_url=base, headers=headers, timeout=30, limits=limits) as client:
        started = time.monotonic()
        until = started + args.seconds
        budget = [args.max_requests]
        score = asyncio.create_task(scoring_run(env, score_as_of, SCORING_LIMIT, scoring))
        await asyncio.gather(*(worker(client, ids, until, budget, seed, results) for seed in range(args.clients)))
        wall = time.monotonic() - started  # the clients' time: throughput is over this
        await score
    return results, scoring, wall


def report(results, scoring: dict, wall: float, args) -> int:
    table = Table(title=f"lks serve on {HOST}: {args.clients} clients, {wall:.0f} s "
                        f"(os.cpu_count()={os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the end)")
    for col in ("endpoint", "requests", "errors", "p50 ms", "p99 ms", "req/s"):
        table.add_column(col, justify="left" if col == "endpoint" else "right")
    errors = 0
    for name, _ in MIX:
        mine = [r for r in results if r[0] == name]
        if not mine:
            continue
        latencies = sorted(r[1] * 1000 for r in mine)
        failed = sum(1 for r in mine if not r[2])
        errors += failed
        table.add_row(name, str(len(mine)), str(failed), f"{statistics.median(latencies):.1f}",
                      f"{latencies[int(0.99 * (len(latencies) - 1))]:.1f}", f"{len(mine) / wall:.1f}")
    table.add_row("all", str(len(results)), str(errors), "", "", f"{len(results) / wall:.1f}")
    Console().print(table)
    if "code" in scoring:
        print(f"scoring run (lks score, started with the clients): {scoring['seconds']:.1f} s, "
              f"exit code {scoring['code']}" + (" (still running when the clients stopped)"
                                                 if scoring["seconds"] > wall else ""))
    return errors + int(scoring.get("code", 1) != 0)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--max-requests", type=int, default=200_000)
    parser.add_argument("--home", type=Path, help="A home with a champion and a risk list (copied).")
    parser.add_argument("--cache", type=Path, help="Keep the simulated base here and reuse it on the next run.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lks-load-"))
    try:
        if args.home:
            home = work / "home"
            shutil.copytree(args.home, home)
        else:
            home = build_home(work, args.cache)
        headers, ids, score_as_of = prepare(home)
        port = free_port()
        env = {**os.environ, "LKS_HOME": str(home), "LKS_DATABASE_URL": f"sqlite:///{home / 'lks.db'}",
               "LKS_MODEL_REFRESH_SECONDS": "3600"}
        env.pop("MLFLOW_TRACKING_URI", None)
        server = subprocess.Popen([LKS, "serve", "--host", HOST, "--port", str(port)], env=env,  # noqa: S603  the script's own fixed command, no outside input
                                  stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        base = f"http://{HOST}:{port}"
        try:
            wait_ready(base, server)
            results, scoring, wall = asyncio.run(load(base, headers, ids, args, env, score_as_of))
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if report(results, scoring, wall, args) else 0)


def wait_ready(base: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and server.poll() is None:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    sys.exit("the service did not become ready")


if __name__ == "__main__":
    main()
