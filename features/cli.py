"""`lks features --as-of DATE --out FILE.parquet`: the features of every active placement on a
date, as known then, from the store. The lead registers the command and wires `db_url` and the
deployment's `dpia_reference` (special features only with one)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from data_contracts.store import history, make_engine
from features.build import build_features


def features_cmd(
    as_of: Annotated[str, typer.Option("--as-of", help="the as-of date, YYYY-MM-DD")],
    out: Annotated[Path, typer.Option("--out", help="the Parquet file to write")],
    db_url: Annotated[str, typer.Option("--db-url", help="the store's database URL")],
    dpia_reference: Annotated[str | None, typer.Option(
        hidden=True, help="the deployment's DPIA reference (LKS_DPIA_REFERENCE), wired by the lead")] = None,
) -> None:
    """Write the features of every placement active on --as-of to a Parquet file."""
    try:
        day = pd.Timestamp(as_of).date()
    except ValueError as err:
        raise typer.BadParameter(f"--as-of must be a date YYYY-MM-DD, but was {as_of!r}") from err
    frame = build_features(history(make_engine(db_url), day), day, dpia_reference=dpia_reference)
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_parquet(out, index=False)
    typer.echo(f"{len(frame)} active placements as of {day}: {out}")
