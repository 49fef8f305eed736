import pandas as pd
import pytest

from lks.data_contracts import rules
from lks.simulator.faults import KINDS
from tests.simulator.conftest import TABLES

pytestmark = pytest.mark.slow  # the default (Rotterdam-scale) simulation, run once per session

validate = pytest.importorskip("lks.data_contracts.validate")


def _expected(folder) -> pd.DataFrame:
    return pd.read_csv(folder / "truth" / "faults.csv")


def test_every_rule_is_injected_into_every_table_it_applies_to(faulty_dir):
    got = _expected(faulty_dir).groupby("file")["rule"].agg(set)
    for table, kinds in KINDS.items():
        assert got[f"{table}.csv"] == set(kinds), table
    assert set(_expected(faulty_dir)["rule"]) <= set(rules.ROW_RULES)


def test_about_rate_times_rows_per_table(faulty_dir, export):
    counts = _expected(faulty_dir)["file"].value_counts()
    for table in TABLES:
        target = 0.02 * len(export[table])
        assert abs(counts[f"{table}.csv"] - target) <= 2, (table, counts[f"{table}.csv"], target)


def test_good_rows_are_untouched(faulty_dir, sim_dir):
    bad = _expected(faulty_dir)
    for table in TABLES:
        lines = (faulty_dir / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        injected = set(bad.loc[bad["file"] == f"{table}.csv", "line"])
        kept = [line for i, line in enumerate(lines, start=1) if i not in injected]
        clean = (sim_dir[0] / f"{table}.csv").read_text(encoding="utf-8").splitlines()
        assert kept == clean, table


def test_validator_accepts_the_clean_export(sim_dir):
    result = validate.validate_export(sim_dir[0])
    assert result.rejected.empty, result.rejected.head().to_string()


def test_validator_rejects_exactly_the_injected_rows(faulty_dir):
    result = validate.validate_export(faulty_dir)
    got = result.rejected[["file", "line", "rule"]].astype({"line": int})
    key = ["file", "line", "rule"]
    expected = _expected(faulty_dir).sort_values(key).reset_index(drop=True)
    got = got.sort_values(key).reset_index(drop=True)
    diff = expected.merge(got, how="outer", indicator=True).query("_merge != 'both'")
    assert diff.empty, diff.head(20).to_string()
