"""Prometheus metrics, one registry per app (so tests can build many apps)."""

from __future__ import annotations

import math
import time
from datetime import UTC, date, datetime

from fastapi import FastAPI, Request, Response
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Gauge, Histogram, generate_latest


class Metrics:
    def __init__(self):
        self.registry = CollectorRegistry()
        self.requests = Counter("lks_http_requests_total", "HTTP requests", ["method", "route", "status"],
                                registry=self.registry)
        self.latency = Histogram("lks_http_request_seconds", "HTTP request duration", ["route"],
                                 registry=self.registry,
                                 buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
        self.model_version = Gauge("lks_model_version", "Version of the champion being served (0: none)",
                                   registry=self.registry)
        # monitoring (issue 13): the newest stored `lks monitor` run; a fixed set of figure names
        self.monitoring = Gauge("lks_monitoring_figure", "Headline figure of the newest monitoring run (NaN: not "
                                "known)", ["figure"], registry=self.registry)
        self.monitoring_as_of = Gauge("lks_monitoring_as_of_timestamp_seconds", "The date the newest monitoring "
                                      "run judged (0: no run)", registry=self.registry)

    def install(self, app: FastAPI) -> None:
        @app.middleware("http")
        async def measure(request: Request, call_next):
            start = time.perf_counter()
            status = 500
            try:
                response = await call_next(request)
                status = response.status_code
                return response
            finally:
                route = route_template(request)
                self.requests.labels(method_label(request), route, str(status)).inc()
                self.latency.labels(route).observe(time.perf_counter() - start)

    def render(self, version: str | None, monitoring: tuple[date, dict[str, float | None]] | None = None) -> Response:
        """`monitoring`: the newest run's date and headline figures (service_layer.monitoring.headline)."""
        self.model_version.set(float(version) if version and version.isdigit() else 0)
        if monitoring is not None:
            as_of, figures = monitoring
            self.monitoring_as_of.set(datetime.combine(as_of, datetime.min.time(), UTC).timestamp())
            for name, value in figures.items():
                self.monitoring.labels(name).set(math.nan if value is None else value)
        return Response(generate_latest(self.registry), media_type=CONTENT_TYPE_LATEST)


METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_template(request: Request) -> str:
    """The matched route's template (`/api/v1/placements/{placement_id}`), so no id, and nothing a client
    makes up, becomes a label value; every path no route matches shares the label `unmatched`. FastAPI keeps
    the template with its include prefixes in the matched route's effective context; a route added to the
    app itself (the docs) has it as its own path."""
    context = (request.scope.get("fastapi") or {}).get("effective_route_context")
    return getattr(context, "path", None) or getattr(request.scope.get("route"), "path", None) or "unmatched"


def method_label(request: Request) -> str:
    return request.method if request.method in METHODS else "other"
