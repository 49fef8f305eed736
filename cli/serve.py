"""`lks serve`: the HTTP API with uvicorn, behind a TLS proxy too. Every option can also come from the
environment (LKS_HOST, LKS_PORT, LKS_WORKERS, LKS_PROXY_HEADERS, LKS_FORWARDED_ALLOW_IPS, LKS_ROOT_PATH),
which is how the image is configured.

Behind a proxy that ends TLS, run with `--proxy-headers --forwarded-allow-ips <the proxy's address>`:
uvicorn then takes the client's address and scheme from X-Forwarded-For/-Proto, but only from that
proxy, so the limit on failed logins counts browsers, not the proxy, and a request that came over
https is seen as such (and set LKS_SECURE_COOKIES=true). uvicorn's access log is off by default: its
lines carry paths with placement ids and client addresses (every look at a placement is in the audit
log instead); `--access-log` turns it on.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from lks.cli.logs import uvicorn_config

APP = "lks.service.app:create_app"  # a factory, so each worker process builds its own app


def options(host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str | None,
            access_log: bool, root_path: str = "", log_format: str = "text") -> dict[str, Any]:
    """The keyword arguments of uvicorn.run (uvicorn's own options, same names)."""
    return {"factory": True, "host": host, "port": port, "workers": workers, "proxy_headers": proxy_headers,
            "forwarded_allow_ips": forwarded_allow_ips, "access_log": access_log, "root_path": root_path,
            "log_level": "info", "log_config": uvicorn_config(log_format),  # LKS_LOG_FORMAT, in every worker
            # a spawned worker first imports lks, pandas and MLflow: on a busy machine that takes longer than
            # uvicorn's default 5 s, after which the parent would kill it as hung and start another, forever
            "timeout_worker_healthcheck": 60}


def serve(
    host: Annotated[str, typer.Option("--host", envvar="LKS_HOST", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", envvar="LKS_PORT", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", envvar="LKS_WORKERS", min=1,
                                         help="Worker processes, each with its own copy of the model.")] = 1,
    proxy_headers: Annotated[bool, typer.Option(
        "--proxy-headers/--no-proxy-headers", envvar="LKS_PROXY_HEADERS",
        help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a TLS proxy).")] = False,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips", envvar="LKS_FORWARDED_ALLOW_IPS",
        help="Comma-separated addresses of the proxies to trust ('*' trusts every sender: only behind a proxy "
             "that is the sole way in).")] = None,
    root_path: Annotated[str, typer.Option("--root-path", envvar="LKS_ROOT_PATH",
                                           help="The path prefix the proxy serves the service under.")] = "",
    access_log: Annotated[bool, typer.Option(
        "--access-log/--no-access-log", help="uvicorn's access log (paths with placement ids).")] = False,
) -> None:
    import uvicorn

    log_format = _prepare_state(workers)
    uvicorn.run(APP, **options(host, port, workers, proxy_headers, forwarded_allow_ips, access_log, root_path,
                               log_format))


def _prepare_state(workers: int) -> str:
    """Refuse a database behind this release's schema revision (`lks db upgrade` first), and create an empty one
    at the head revision, once, in this process; with more than one worker also the embedded MLflow store:
    workers starting together on a fresh state folder would race to create them (and die). The log format."""
    from lks.cli.db import ready_or_exit
    from lks.service.settings import get_settings
    from lks.training.tracking import configure

    settings = get_settings()
    ready_or_exit(settings.db_url)
    if workers > 1:
        configure(settings.home)
    return settings.log_format
