"""`lks serve`: the HTTP API with uvicorn, behind a TLS proxy too.

Behind a proxy that ends TLS, run with `--proxy-headers --forwarded-allow-ips <the proxy's address>`:
uvicorn then takes the client's address and scheme from X-Forwarded-For/-Proto, but only from that
proxy, so the limit on failed logins counts browsers, not the proxy, and a request that came over
https is seen as such (and set LKS_SECURE_COOKIES=true). uvicorn's access log is off by default: its
lines carry paths with placement ids and client addresses (every look at a placement is in the audit
log instead); `--access-log` turns it on.
"""

from __future__ import annotations

from typing import Annotated

import typer

APP = "lks.service.app:create_app"  # a factory, so each worker process builds its own app


def options(host: str, port: int, workers: int, proxy_headers: bool, forwarded_allow_ips: str | None,
            access_log: bool) -> dict:
    """The keyword arguments of uvicorn.run (uvicorn's own options, same names)."""
    return {"factory": True, "host": host, "port": port, "workers": workers, "proxy_headers": proxy_headers,
            "forwarded_allow_ips": forwarded_allow_ips, "access_log": access_log, "log_level": "info"}


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
    workers: Annotated[int, typer.Option("--workers", min=1, help="Worker processes.")] = 1,
    proxy_headers: Annotated[bool, typer.Option(
        "--proxy-headers/--no-proxy-headers",
        help="Trust X-Forwarded-For/-Proto from --forwarded-allow-ips (behind a TLS proxy).")] = False,
    forwarded_allow_ips: Annotated[str | None, typer.Option(
        "--forwarded-allow-ips", help="Comma-separated addresses of the proxies to trust (uvicorn's default: "
                                      "127.0.0.1, or $FORWARDED_ALLOW_IPS).")] = None,
    access_log: Annotated[bool, typer.Option(
        "--access-log/--no-access-log", help="uvicorn's access log (paths with placement ids).")] = False,
) -> None:
    import uvicorn

    uvicorn.run(APP, **options(host, port, workers, proxy_headers, forwarded_allow_ips, access_log))
