"""`lks serve`: the HTTP API with uvicorn. Every option can also come from the environment (LKS_HOST,
LKS_PORT, LKS_WORKERS, LKS_FORWARDED_ALLOW_IPS, LKS_ROOT_PATH), which is how the image is configured."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option("--host", envvar="LKS_HOST", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", envvar="LKS_PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", envvar="LKS_WORKERS", min=1,
                                         help="Worker processes, each with its own copy of the model.")] = 1,
    forwarded_allow_ips: Annotated[str, typer.Option(
        "--forwarded-allow-ips", envvar="LKS_FORWARDED_ALLOW_IPS",
        help="Comma-separated addresses of the reverse proxies whose X-Forwarded-For/-Proto headers are "
             "trusted ('*' trusts every sender: only behind a proxy that is the sole way in).")] = "127.0.0.1",
    root_path: Annotated[str, typer.Option("--root-path", envvar="LKS_ROOT_PATH",
                                           help="The path prefix the proxy serves the service under.")] = "",
) -> None:
    import uvicorn

    if workers == 1:
        from lks.service.app import create_app
        from lks.service.settings import get_settings

        uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info", proxy_headers=True,
                    forwarded_allow_ips=forwarded_allow_ips, root_path=root_path)
    else:  # each worker process builds its own app from the environment
        _prepare_state()
        # a spawned worker first imports lks, pandas and MLflow: on a busy machine that takes longer than
        # uvicorn's default 5 s, after which the parent would kill it as hung and start another, forever
        uvicorn.run("lks.service.app:create_app", factory=True, workers=workers, host=host, port=port,
                    log_level="info", timeout_worker_healthcheck=60, proxy_headers=True,
                    forwarded_allow_ips=forwarded_allow_ips, root_path=root_path)


def _prepare_state() -> None:
    """Create the service's tables and the embedded MLflow store once, before the workers start: workers
    starting together on a fresh state folder would race to create them (and die)."""
    from lks.service.persistence.tables import make_service_engine
    from lks.service.settings import get_settings
    from lks.training.tracking import configure

    settings = get_settings()
    make_service_engine(settings.db_url).dispose()
    configure(settings.home)
