"""The service's ratios (issue 16), measured in one run: placement and list latency against /health under
concurrent clients, and scoring with explanations against LightGBM's raw `pred_contrib` on the same rows.

Needs a home with a champion (e.g. after `make demo`, or simulate + ingest + train). The store is
copied to a temporary database, so the home's risk lists and audit log are left alone.

What is measured (each printed with its target, and met / not met):
* **scoring**: `score_week` of the as-of week (history, features, risks, explanations, curves, stored),
  and its model part alone on the same rows: the champion's risks with their SHAP contributions, the
  contributions grouped into Dutch factors (`explain`) and the risk curves. That model part is compared
  with the raw LightGBM `pred_contrib` calls on exactly the matrices the champion's explainers hand
  LightGBM (captured while it explains: the classifier's rows, the survival model's sampled week rows),
  timed alone. Target: at most 1.5 times. Each is the best of `--repeat` runs (the machine is shared).
* **latency**: `lks serve` on 127.0.0.1 with `--threads` concurrent clients, a mixed round (placement,
  list page of 25, /health, in turn): p99 of each route against the p99 of /health in the same round.
  Target: at most 3 times. Two rounds: the list scored by the champion being served (its curves stored
  with it), and the list scored by the previous champion (the served model's curves are not stored: the
  service prepares them when it swaps the model in, before the swap). Every placement is viewed for the
  first time in each round. An isolated round per route (only that route, same clients) is printed too.

Usage: python bench/bench_service.py [--home DIR] [--as-of 2026-11-22] [--requests 3000] [--threads 8]
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
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path

import httpx
import numpy as np
import sqlalchemy as sa
from rich.console import Console
from rich.table import Table

from lks.cli.logs import QUIET_MLFLOW
from lks.models import _lgbm
from lks.models.bundle import contributions_of
from lks.models.survival import HazardModel
from lks.service.champion.holder import ChampionHolder
from lks.service.champion.mlflow_source import MlflowChampionSource
from lks.service.persistence.tables import make_service_engine, metadata, risk_curves, risk_scores
from lks.service.persistence.tokens import TokenStore
from lks.service.service_layer import scoring
from lks.service.settings import Settings

LKS = str(Path(sys.executable).with_name("lks"))
LATENCY_TARGET = 3.0   # p99 of a route / p99 of /health, same round
SCORING_TARGET = 1.5   # scoring with explanations / raw pred_contrib, same rows and models


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[int(0.99 * (len(ordered) - 1))]


def verdict(ratio: float, target: float) -> str:
    return "met" if ratio <= target else "NOT MET"


def best_of(repeat: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def scoring_times(engine: sa.Engine, champion, as_of: date, reference: str | None, repeat: int) -> dict:
    """score_week, its model part on the same rows, and raw pred_contrib on the matrices it explains."""
    start = time.perf_counter()
    scored = scoring.score_week(engine, champion, as_of, dpia_reference=reference)
    full = time.perf_counter() - start
    hist = scoring.history(engine, as_of)
    features = scoring.build_features(hist, as_of, dpia_reference=reference if champion.special_features else None)
    features = features[features["tenure_weeks"].between(0, 51)].reset_index(drop=True)
    inputs = scoring.model_inputs(features, champion)
    complete = np.array([not gap for gap in scoring.missing_inputs.missing_per_row(inputs)])
    rows, ids = features[complete].reset_index(drop=True), features.loc[complete, "placement_id"].tolist()
    inputs = inputs[complete].reset_index(drop=True)

    captured: list[tuple] = []
    original = _lgbm.predict

    def capturing(booster, X, raw_score=False, pred_contrib=False):
        if pred_contrib:
            captured.append((booster, X))
        return original(booster, X, raw_score=raw_score, pred_contrib=pred_contrib)

    _lgbm.predict = capturing
    try:
        champion.risks(inputs)
    finally:
        _lgbm.predict = original

    def model_part() -> None:
        forget_hazards(champion)  # as for a new week: no hazards kept from the repetition before
        scoring.scored_rows(hist, rows, inputs, champion)
        scoring.curve_rows(inputs, ids, champion)

    def raw() -> None:
        for booster, X in captured:
            booster.predict(X, pred_contrib=True)

    risks = champion.risks(inputs)
    explained = (contributions_of(risks), risks["base_value"], risks["raw_52w"])
    return {"scored": scored, "full": full, "model": best_of(repeat, model_part), "raw": best_of(repeat, raw),
            "raw_rows": sum(len(X) for _, X in captured), "n": len(inputs),
            "explain": best_of(repeat, lambda: scoring.explain(inputs, *explained))}


def forget_hazards(champion) -> None:
    """Drop the hazards a survival model keeps of the rows it last scored (`HazardModel._hazard_matrix`)."""
    seen: set[int] = set()

    def walk(obj, depth: int) -> None:
        if depth > 4 or id(obj) in seen or not hasattr(obj, "__dict__"):
            return
        seen.add(id(obj))
        if isinstance(obj, HazardModel):
            obj.__dict__.pop("_last_hazards", None)
        for value in list(vars(obj).values()):
            for item in value if isinstance(value, (list, tuple)) else [value]:
                walk(item, depth + 1)

    walk(getattr(champion.predictor, "bundle", champion.predictor), 0)


def serve(url: str, home: Path, workers: int = 1, request_threads: int | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, "LKS_HOME": str(home.resolve()), "LKS_DATABASE_URL": url, "LKS_MODEL_REFRESH_SECONDS": "3600",
           "LKS_REQUEST_THREADS": str(request_threads or "")}
    server = subprocess.Popen([LKS, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],  # noqa: S603  lks itself, no shell
                              env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            if httpx.get(f"{base}/ready", timeout=2).status_code == 200:
                return server, base
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            server.terminate()
            sys.exit("the service did not become ready")
        time.sleep(0.2)


def rounds(base: str, token: str, ids: list[str], threads: int, n: int) -> dict[str, dict[str, list[float]]]:
    headers = {"Authorization": f"Bearer {token}"}
    pages = max(1, len(ids) // 25)
    out: dict[str, dict[str, list[float]]] = {}
    with httpx.Client(base_url=base, headers=headers, timeout=60,
                      limits=httpx.Limits(max_connections=threads)) as client:
        fails = [0]

        def get(path: str, params: dict | None = None) -> float:
            t = time.perf_counter()
            r = client.get(path, params=params)
            if r.status_code != 200:
                fails[0] += 1
            return time.perf_counter() - t

        def route(name: str, i: int) -> tuple[str, float]:
            if name == "placement":
                return name, get(f"/api/v1/placements/{ids[i % len(ids)]}")
            if name == "list page":
                return name, get("/api/v1/risk-lists/current", {"page": i % pages + 1, "page_size": 25})
            return name, get("/health")

        for i in range(10):  # warm up the connections (no placement viewed)
            route("health", i)
            route("list page", i)
        names = ("placement", "list page", "health")

        def run(title: str, pick: Callable[[int], tuple[str, int]], count: int) -> None:
            with ThreadPoolExecutor(threads) as pool:
                done = list(pool.map(lambda i: route(*pick(i)), range(count)))
            out[title] = {name: [s * 1000 for r, s in done if r == name] for name in names}
            out[title]["errors"] = [float(fails[0])]
            fails[0] = 0

        # mixed: placement, list page, health in turn; the i-th placement request views ids[i]: all first views
        run("mixed", lambda i: (names[i % 3], i // 3), min(n, 3 * len(ids)))
        for name in names:
            run(f"only {name}", lambda i, name=name: (name, i), n // 3)
    return out


def mark_previous(engine: sa.Engine, list_id: int, version: str) -> None:
    """Make the list's stored curves those of another model version: the list of the previous champion."""
    with engine.begin() as conn:
        conn.execute(risk_curves.update().where(risk_curves.c.list_id == list_id).values(
            curve=sa.func.json_set(risk_curves.c.curve, "$.model_version", version)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("LKS_HOME", "var")))
    parser.add_argument("--as-of", default="2026-11-22")
    parser.add_argument("--requests", type=int, default=1500, help="per round (mixed round: a third per route)")
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--scoring-only", action="store_true", help="Skip the latency rounds.")
    parser.add_argument("--workers", type=int, default=1, help="lks serve --workers (default 1, as measured).")
    parser.add_argument("--request-threads", type=int, default=None,
                        help="LKS_REQUEST_THREADS for the server (default unset: anyio's 40, as measured).")
    args = parser.parse_args()
    for name, value in QUIET_MLFLOW.items():  # the figures, not MLflow's download bars
        os.environ.setdefault(name, value)
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
    timed = scoring_times(engine, champion, date.fromisoformat(args.as_of), reference, args.repeat)
    scored = timed["scored"]
    with engine.connect() as conn:
        rows = conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.team)
                            .where(risk_scores.c.list_id == scored.list_id)).all()
    teams = sorted({r.team for r in rows if r.team})
    token = TokenStore(engine).add("bench", "coordinator", teams)
    ids = [r.placement_id for r in rows]

    results = {}
    try:
        if args.scoring_only:
            report(champion, scored, load_seconds, timed, results, args)
            return
        mark_previous(engine, scored.list_id, "previous")  # a list scored before the champion was swapped in
        server, base = serve(url, args.home, args.workers, args.request_threads)
        try:
            results["list scored by the previous champion"] = rounds(base, token, ids, args.threads, args.requests)
            mark_previous(engine, scored.list_id, champion.version)  # its curves stored by the served champion
            results["list scored by the served champion"] = rounds(base, token, ids, args.threads, args.requests)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(champion, scored, load_seconds, timed, results, args)


def report(champion, scored, load_seconds: float, timed: dict, results: dict, args) -> None:
    console = Console(width=150)
    console.print(f"machine: os.cpu_count()={os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at the end; "
                  f"server: {args.workers} worker(s), LKS_REQUEST_THREADS={args.request_threads or 'unset (40)'}")
    table = Table(title=f"scoring (as of {args.as_of}, model version {champion.version}, {timed['n']} placements)")
    for col in ("measure", "value"):
        table.add_column(col, justify="left" if col == "measure" else "right")
    table.add_row("load champion (s)", f"{load_seconds:.2f}")
    table.add_row(f"score_week: read, features, score, explain, curves, store {scored.n_placements} (s)",
                  f"{timed['full']:.2f}")
    table.add_row("  model part: risks + SHAP + Dutch factors + curves (s, best of "
                  f"{args.repeat})", f"{timed['model']:.3f}")
    table.add_row("  of which explain() grouping into factors (s)", f"{timed['explain']:.3f}")
    table.add_row(f"raw LightGBM pred_contrib, same boosters and matrices ({timed['raw_rows']} rows) (s)",
                  f"{timed['raw']:.3f}")
    ratio = timed["model"] / timed["raw"]
    table.add_row(f"RATIO scoring with explanations / raw pred_contrib (target <= {SCORING_TARGET})",
                  f"{ratio:.2f} {verdict(ratio, SCORING_TARGET)}")
    console.print(table)

    for situation, by_round in results.items():
        table = Table(title=f"GET latency, {args.threads} concurrent clients: {situation}")
        for col in ("round", "route", "requests", "errors", "p50 ms", "p99 ms", "p99 / p99 /health", "target"):
            table.add_column(col, justify="left" if col in ("round", "route") else "right")
        for title, by_route in by_round.items():
            health = p99(by_route["health"]) if by_route["health"] else None
            for route in ("placement", "list page", "health"):
                latencies = by_route[route]
                if not latencies:
                    continue
                if title == "mixed" and route != "health":
                    ratio = p99(latencies) / health
                    shown, target = f"{ratio:.2f}", f"<= {LATENCY_TARGET:g}: {verdict(ratio, LATENCY_TARGET)}"
                else:
                    shown, target = "", ""
                errors = f"{by_route['errors'][0]:.0f}" if route == "health" else ""
                table.add_row(title, route, str(len(latencies)), errors, f"{statistics.median(latencies):.1f}",
                              f"{p99(latencies):.1f}", shown, target)
        console.print(table)


if __name__ == "__main__":
    main()
