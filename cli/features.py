"""`lks features --as-of DATE --out FILE.parquet`: the features of every active placement on a date, as
known then, from the store (special features only under the deployment's DPIA reference)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer

from lks.cli.db import database_url
from lks.data_contracts.store import history, make_engine
from lks.features.build import build_features
from lks.service.settings import get_settings


def features(
    as_of: Annotated[str, typer.Option("--as-of", help="The as-of date, YYYY-MM-DD.")],
    out: Annotated[Path, typer.Option("--out", help="The Parquet file to write.")],
) -> None:
    """Write the features of every placement active on --as-of to a Parquet file."""
    try:
        day = date.fromisoformat(as_of)
    except ValueError as err:
        raise typer.BadParameter(f"--as-of must be a date YYYY-MM-DD, but was {as_of!r}") from err
    settings = get_settings()
    frame = build_features(history(make_engine(database_url()), day), day, dpia_reference=settings.dpia_reference)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out, index=False)
    typer.echo(f"{len(frame)} active placements as of {day}: {out}")
