"""Shared fixtures: the default simulation (and one with faults), run once per session."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from lks.data_contracts.parse import parse_column
from lks.data_contracts.schemas import columns
from lks.simulator import simulate

AS_OF = date(2026, 11, 22)
TABLES = ("persons", "employers", "placements", "events", "endings")


def read_typed(folder: Path, table: str) -> pd.DataFrame:
    """Read one export CSV with the dtypes the pandera schemas expect (the contract's own text parser)."""
    text = pd.read_csv(folder / f"{table}.csv", dtype=str, keep_default_na=False)
    return pd.DataFrame({name: parse_column(text[name], spec["kind"])[0] for name, spec in columns(table).items()})


@pytest.fixture(scope="session")
def sim_dir(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("sim_default")
    summary = simulate(out)
    return out, summary


@pytest.fixture(scope="session")
def export(sim_dir) -> dict[str, pd.DataFrame]:
    return {t: read_typed(sim_dir[0], t) for t in TABLES}


@pytest.fixture(scope="session")
def truth(sim_dir) -> dict[str, pd.DataFrame]:
    folder = sim_dir[0] / "truth"
    return {name: pd.read_parquet(folder / f"{name}.parquet")
            for name in ("hazards", "endings", "risk", "latent")}


@pytest.fixture(scope="session")
def faulty_dir(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("sim_faults")
    simulate(out, faults=0.02)
    return out


@pytest.fixture(scope="session")
def joined(export, truth) -> pd.DataFrame:
    """One row per exported placement: attributes, exported ending, true ending and latents."""
    pl = export["placements"].merge(export["persons"], on="person_id", suffixes=("", "_person"))
    pl = pl.merge(export["employers"], on="employer_id", suffixes=("", "_employer"))
    ends = export["endings"].rename(columns={"registered_at": "ending_registered_at"})
    pl = pl.merge(ends, on="placement_id", how="left")
    true = truth["endings"].rename(columns={"end_date": "true_end_date"})
    pl = pl.merge(true, on="placement_id", how="left")
    return pl.merge(truth["latent"].drop(columns="employer_id"), on="placement_id", how="left")
