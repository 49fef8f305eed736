"""`lks score`: this week's risk list with the champion, stored; optionally written to a file."""

from __future__ import annotations

import getpass
import os
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer
from rich.console import Console

from lks.cli.db import ready_or_exit
from lks.service.bootstrap import bootstrap
from lks.service.persistence.audit import EXPORTED, Entry
from lks.service.service_layer import sampling
from lks.service.service_layer.scoring import list_frame, score_week
from lks.service.settings import get_settings

console = Console()
EXPORT_COLUMNS = ["placement_id", "as_of", "risk_13w", "risk_52w", "rank", "model_version", "team", "district",
                  "jobcoach_id"]


def score(
    as_of: Annotated[str, typer.Option("--as-of", help="Score what was known on this date (YYYY-MM-DD); "
                                                      "default today.")] = "",
    out: Annotated[Path | None, typer.Option("--out", help="Also write the list to FILE.csv or FILE.parquet.")] = None,
    sample: Annotated[int, typer.Option("--sample", min=0, help="Placements drawn at random below the top "
                                        f"{sampling.LIST_K} of a new list (the steekproef).")] = sampling.SAMPLE_SIZE,
) -> None:
    if out is not None and out.suffix not in (".csv", ".parquet"):
        raise typer.BadParameter("use a .csv or .parquet file", param_hint="--out")
    try:
        day = date.fromisoformat(as_of) if as_of else date.today()
    except ValueError:
        raise typer.BadParameter(f"not a date: {as_of!r}", param_hint="--as-of") from None
    settings = get_settings()
    ready_or_exit(settings.db_url)
    services = bootstrap(settings)
    champion = services.champion.refresh()
    if champion is None and services.champion.refused:
        console.print(f"[red]Not scored.[/red] {services.champion.refused}.")
        raise typer.Exit(1)
    if champion is None:
        console.print("[red]No champion model is registered.[/red] Run `lks train` first.")
        raise typer.Exit(1)
    with console.status(f"scoring as of {day} with model version {champion.version}"):
        result = score_week(services.engine, champion, day, dpia_reference=settings.dpia_reference,
                            sample_size=sample)
    if result.created:  # the steekproef is recorded in the audit log (issue 13)
        drawn = sampling.sampled(services.engine, result.list_id)
        services.audit.record(Entry(getpass.getuser(), "cli", pid, "lks score steekproef", result.model_version,
                                    sampling.SAMPLED) for pid in drawn)
        console.print(f"Steekproef: {len(drawn)} placements drawn at random below the top {sampling.LIST_K} "
                      f"(seed {sampling.seed_of(day)}), recorded in the audit log.")
    verb = "Stored" if result.created else "Already stored (nothing changed):"
    console.print(f"{verb} list {result.list_id}: {result.n_placements} placements as of {day}, "
                  f"model version {result.model_version}, inputs {result.input_hash[:12]}")
    if result.n_unscored:
        console.print(f"No prediction for {result.n_unscored} placements: a required input is missing "
                      "(shown apart on the list as 'geen voorspelling', with what is missing).")
    if out is not None:
        frame = list_frame(services.engine, result.list_id)[EXPORT_COLUMNS]
        user = getpass.getuser()
        write_after_audit(frame, out, lambda: services.audit.record(
            Entry(user, "cli", pid, f"lks score --out {out.name}", result.model_version, EXPORTED)
            for pid in frame["placement_id"]))
        console.print(f"Wrote {len(frame)} rows to {out} (recorded in the audit log as exported by {user}).")


def write_after_audit(frame: pd.DataFrame, out: Path, record: Callable[[], None]) -> None:
    """Write `frame` to `out` only once `record()` (its audit record) succeeded: the file is written under a
    hidden temporary name first and appears under its own name after the record is committed; if either
    step fails, no file is left and the error goes on."""
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(f".{out.name}.partial")
    try:
        frame.to_csv(partial, index=False) if out.suffix == ".csv" else frame.to_parquet(partial, index=False)
        record()
        os.replace(partial, out)
    finally:
        partial.unlink(missing_ok=True)
