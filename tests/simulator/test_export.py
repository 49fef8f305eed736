import hashlib

import pandas as pd
import pytest

from lks.data_contracts.schemas import TABLES, columns
from lks.simulator import simulate
from tests.simulator.conftest import TABLES as FILES


@pytest.mark.slow
@pytest.mark.parametrize("table", FILES)
def test_columns_match_the_contract(sim_dir, table):
    header = pd.read_csv(sim_dir[0] / f"{table}.csv", nrows=0).columns.tolist()
    assert header == list(columns(table))


@pytest.mark.slow
@pytest.mark.parametrize("table", FILES)
def test_every_row_passes_the_schema(export, table):
    TABLES[table].validate(export[table], lazy=True)


@pytest.mark.slow
def test_text_formats(sim_dir):
    text = (sim_dir[0] / "placements.csv").read_text(encoding="utf-8").splitlines()
    row = dict(zip(text[0].split(","), text[1].split(","), strict=True))
    assert row["springboard"] in ("true", "false")
    assert len(row["start_date"]) == 10 and row["registered_at"][10] == "T"
    events = pd.read_csv(sim_dir[0] / "events.csv", dtype=str, keep_default_na=False)
    assert (events["value_num"] == "").any() and not events["value_num"].str.contains("nan").any()


@pytest.mark.slow
def test_truth_files(sim_dir, truth):
    assert list(truth["hazards"].columns) == ["placement_id", "week", "hazard_uitval", "hazard_neutral"]
    assert truth["hazards"]["week"].between(0, 155).all()
    assert list(truth["risk"].columns) == ["as_of", "placement_id", "week", "p_uitval_13w", "p_uitval_52w"]
    assert (pd.to_datetime(truth["risk"]["as_of"]).dt.dayofweek == 0).all()
    assert list(truth["endings"].columns) == ["placement_id", "true_reason_code", "true_class", "end_date"]
    assert (sim_dir[0] / "truth" / "faults.csv").read_text().strip() == "file,line,rule"


def _digest(folder) -> str:
    h = hashlib.sha256()
    for table in FILES:
        h.update((folder / f"{table}.csv").read_bytes())
    return h.hexdigest()


@pytest.mark.slow
def test_same_seed_same_output(sim_dir, tmp_path):
    simulate(tmp_path / "again")
    assert _digest(tmp_path / "again") == _digest(sim_dir[0])
    simulate(tmp_path / "other", seed=8)
    assert _digest(tmp_path / "other") != _digest(sim_dir[0])


@pytest.mark.slow
def test_parquet_holds_the_same_rows(sim_dir, export, tmp_path):
    simulate(tmp_path / "pq", fmt="parquet")
    for table in FILES:
        df = pd.read_parquet(tmp_path / "pq" / f"{table}.parquet")
        assert list(df.columns) == list(columns(table))
        assert len(df) == len(export[table])
        TABLES[table].validate(df, lazy=True)


def test_faults_need_csv(tmp_path):
    with pytest.raises(ValueError, match="CSV"):
        simulate(tmp_path, faults=0.01, fmt="parquet")


def test_an_export_as_of_a_date_holds_only_the_rows_registered_by_its_end(tmp_path):
    from datetime import date

    from lks.simulator.export import write_as_of
    from tests.exports import ending, placement, write_export

    source = write_export(tmp_path / "far", placements=[placement(), placement(placement_id="PL2",
                                                                                registered_at="2024-03-05T08:00:00")],
                          endings=[ending(registered_at="2024-04-02T10:00:00")])
    counts = write_as_of(source, tmp_path / "then", date(2024, 3, 4))
    assert counts["placements"] == 1 and counts["endings"] == 0 and counts["persons"] == 1
    assert (tmp_path / "then" / "placements.csv").read_text().splitlines()[1] == \
        (source / "placements.csv").read_text().splitlines()[1]  # the same contract text, untouched
    assert write_as_of(source, tmp_path / "day", date(2024, 3, 5))["placements"] == 2
