"""The composition root of the HTTP service: `create_app(settings)` wires the services and includes the API's
routers (under /api/v1) and the Dutch pages (/, /lijst, /plaatsing/...)."""

from __future__ import annotations

from contextlib import asynccontextmanager
from functools import partial

import anyio.to_thread
from fastapi import FastAPI

from lks.service import errors, heap
from lks.service.api.routes import model, ops, placements, risk_lists
from lks.service.auth import IdentityProvider
from lks.service.bootstrap import bootstrap
from lks.service.champion.types import ChampionSource
from lks.service.headers import SecurityHeaders
from lks.service.metrics import Metrics
from lks.service.pages import routes as pages
from lks.service.service_layer import services as views
from lks.service.settings import Settings, get_settings

DESCRIPTION = """Early warning for LKS placements at risk of uitval, for the coördinator Uitval and jobcoaches.
The scores exist to offer support, never sanctions. Every look at a placement is recorded in the audit log."""


def create_app(settings: Settings | None = None, source: ChampionSource | None = None,
               identities: IdentityProvider | None = None) -> FastAPI:
    services = bootstrap(settings or get_settings(), source, identities)
    # a champion swapped in (or loaded at start) gets the newest list's curves prepared first: no view waits on one
    services.champion.prepare = partial(views.warm_curves, services)
    services.champion.swapped = heap.settle  # a swapped-in champion frozen, a replaced one's cycles collected first

    @asynccontextmanager
    async def lifespan(_app: FastAPI):
        if services.settings.request_threads:  # this loop's limit on threads running sync views (anyio's: 40)
            anyio.to_thread.current_default_thread_limiter().total_tokens = services.settings.request_threads
        services.champion.refresh()
        services.champion.start(services.settings.model_refresh_seconds)
        try:
            yield
        finally:
            services.champion.stop()
            heap.thaw()

    app = FastAPI(title="lks", version="1", description=DESCRIPTION, lifespan=lifespan,
                  docs_url="/api/v1/docs", openapi_url="/api/v1/openapi.json", redoc_url=None)
    app.state.services = services
    app.state.metrics = Metrics()
    app.state.metrics.install(app)
    errors.install(app)
    app.add_middleware(SecurityHeaders, always_https=services.settings.secure_cookies)  # outermost: every answer
    app.include_router(ops.probes)
    for router in (risk_lists.router, placements.router, model.router, ops.api):
        app.include_router(router, prefix="/api/v1")
    pages.install(app)
    return app
