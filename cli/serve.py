"""`lks serve`: the HTTP API with uvicorn."""

from __future__ import annotations

from typing import Annotated

import typer


def serve(
    host: Annotated[str, typer.Option("--host", help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="Port to listen on.")] = 8000,
) -> None:
    import uvicorn

    from lks.service.app import create_app
    from lks.service.settings import get_settings

    uvicorn.run(create_app(get_settings()), host=host, port=port, log_level="info")
