"""Time to score every placement with explanations, and latency of the placement endpoint under load.

Needs a home with a champion (e.g. after `make demo`, or simulate + ingest + train). The store is
copied to a temporary database, so the home's risk lists and audit log are left alone.

Usage: python bench/bench_service.py [--home DIR] [--as-of 2026-11-22] [--requests 2000] [--threads 8]
"""

from __future__ import annotations

import argparse
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from lks.service.champion.holder import ChampionHolder
from lks.service.champion.mlflow_source import MlflowChampionSource
from lks.service.persistence.tables import make_service_engine, metadata, risk_scores
from lks.service.persistence.tokens import TokenStore
from lks.service.service_layer.scoring import score_week
from lks.service.settings import Settings

LKS = str(Path(sys.executable).with_name("lks"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("LKS_HOME", "var")))
    parser.add_argument("--as-of", default="2026-11-22")
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lks-bench-service-"))
    db = work / "lks.db"
    shutil.copy(args.home / "lks.db", db)
    url = f"sqlite:///{db}"
    engine = make_service_engine(url)
    metadata.drop_all(engine)
    metadata.create_all(engine)
    reference = Settings().dpia_reference  # the deployment's LKS_DPIA_REFERENCE, as the service reads it
    holder = ChampionHolder(MlflowChampionSource(args.home.resolve()), dpia_reference=reference)
    start = time.perf_counter()
    champion = holder.refresh()
    load_seconds = time.perf_counter() - start
    if champion is None:
        sys.exit(f"no usable champion in {args.home}: run `lks train` first"
                 + (f" ({holder.refused})" if holder.refused else ""))
    start = time.perf_counter()
    scored = score_week(engine, champion, date.fromisoformat(args.as_of), dpia_reference=reference)
    score_seconds = time.perf_counter() - start
    with engine.connect() as conn:
        rows = conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.jobcoach_id, risk_scores.c.team)).all()
    teams = sorted({r.team for r in rows if r.team})
    token = TokenStore(engine).add("bench", "coordinator", teams)
    ids = [r.placement_id for r in rows]

    port = free_port()
    env = {**os.environ, "LKS_HOME": str(args.home.resolve()), "LKS_DATABASE_URL": url,
           "LKS_MODEL_REFRESH_SECONDS": "3600"}
    server = subprocess.Popen([LKS, "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,  # noqa: S603  lks itself, no shell
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                sys.exit("the service did not become ready")
            time.sleep(0.2)
        headers = {"Authorization": f"Bearer {token}"}
        client = httpx.Client(base_url=base, headers=headers, timeout=30,
                              limits=httpx.Limits(max_connections=args.threads))

        def one(i: int) -> tuple[float, int]:
            t = time.perf_counter()
            r = client.get(f"/api/v1/placements/{ids[i % len(ids)]}")
            return time.perf_counter() - t, r.status_code

        for i in range(20):  # warm up
            one(i)
        rounds = {}
        for name in ("first views (curves computed)", "repeat views (curves cached)"):
            start = time.perf_counter()
            with ThreadPoolExecutor(args.threads) as pool:
                rounds[name] = (list(pool.map(one, range(args.requests))), time.perf_counter() - start)
        list_t = [one_list(client) for _ in range(20)]
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    table = Table(title=f"lks service (as of {args.as_of}, model version {champion.version})")
    for col in ("measure", "value"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row("load champion (s)", f"{load_seconds:.2f}")
    table.add_row(f"score + explain + store {scored.n_placements} placements (s)", f"{score_seconds:.2f}")
    for name, (results, wall) in rounds.items():
        latencies = sorted(r[0] * 1000 for r in results)
        table.add_row(f"GET placement, {name}: {args.requests} requests, {args.threads} threads", f"{wall:.1f} s")
        table.add_row("  throughput (req/s)", f"{args.requests / wall:.0f}")
        table.add_row("  p50 latency (ms)", f"{statistics.median(latencies):.1f}")
        table.add_row("  p99 latency (ms)", f"{latencies[int(0.99 * (len(latencies) - 1))]:.1f}")
        table.add_row("  non-200 answers", str(sum(1 for r in results if r[1] != 200)))
    table.add_row("GET risk list, 25 per page, sequential p50 (ms)", f"{statistics.median(list_t):.1f}")
    Console().print(table)


def one_list(client: httpx.Client) -> float:
    t = time.perf_counter()
    client.get("/api/v1/risk-lists/current", params={"page_size": 25})
    return (time.perf_counter() - t) * 1000


if __name__ == "__main__":
    main()
