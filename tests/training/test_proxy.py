import numpy as np
import pandas as pd
import pytest

from lks.training.governance_config import ProxyConfig
from lks.training.proxy import one_per_placement, proxy_test

CONFIG = ProxyConfig(flag_auc=0.64, min_group_placements=25, folds=5, top_inputs=3)
FEATURES = ["hours_per_week", "noise", "sector"]


def placements(n: int = 600, seed: int = 1) -> pd.DataFrame:
    """Gender follows the hours (women mostly part-time); the district follows nothing."""
    rng = np.random.default_rng(seed)
    gender = rng.choice(["V", "M"], n)
    hours = np.where(gender == "V", rng.normal(20, 4, n), rng.normal(32, 4, n))
    return pd.DataFrame({
        "placement_id": [f"PL{i}" for i in range(n)], "as_of": pd.Timestamp("2025-01-06"),
        "hours_per_week": hours, "noise": rng.normal(0, 1, n),
        "sector": pd.Categorical(rng.choice(["zorg", "bouw", "schoonmaak"], n)),
        "gender": gender, "district": rng.choice(["Charlois", "Delfshaven", "Noord"], n),
    })


def test_an_attribute_the_inputs_carry_is_flagged_and_the_input_named():
    table = proxy_test(placements(), FEATURES, ["gender", "district"], CONFIG).set_index("attribute")
    gender, district = table.loc["gender"], table.loc["district"]
    assert gender["roc_auc"] > 0.9 and gender["flagged"]
    assert gender["top_inputs"][0]["input"] == "hours_per_week" and gender["top_inputs"][0]["auc_drop"] > 0.2
    assert gender["balanced_accuracy"] > 0.8 and gender["chance_balanced_accuracy"] == 0.5
    assert 0.4 < district["roc_auc"] < 0.6 and not district["flagged"]  # chance: the district follows nothing
    assert district["n_groups"] == 3 and district["chance_balanced_accuracy"] == pytest.approx(1 / 3)


def test_small_groups_and_missing_values_are_left_out_and_named():
    rows = placements()
    rows.loc[:9, "district"] = "Hoogvliet"      # 10 placements: below the minimum of 25
    rows.loc[10:19, "district"] = None
    table = proxy_test(rows, FEATURES, ["district"], CONFIG).set_index("attribute")
    assert table.loc["district", "groups_left_out"] == ["Hoogvliet"]
    assert table.loc["district", "n_placements"] == len(rows) - 20


def test_one_group_only_gives_no_score_and_no_flag():
    rows = placements().assign(gender="V")
    table = proxy_test(rows, FEATURES, ["gender"], CONFIG)
    assert np.isnan(table.loc[0, "roc_auc"]) and not table.loc[0, "flagged"]


def test_the_test_is_by_placement():
    rows = placements(50)
    weekly = pd.concat([rows, rows.assign(as_of=pd.Timestamp("2025-01-13"), hours_per_week=0.0)])
    first = one_per_placement(weekly)
    assert len(first) == 50 and (first["as_of"] == pd.Timestamp("2025-01-06")).all()
    with pytest.raises(ValueError, match="one row per placement"):
        proxy_test(weekly, FEATURES, ["gender"], CONFIG)


def test_a_large_population_is_sampled_down_to_the_configured_size():
    config = ProxyConfig(flag_auc=0.64, min_group_placements=25, folds=5, top_inputs=3, max_placements=200)
    table = proxy_test(placements(600), FEATURES, ["gender"], config)
    assert table.loc[0, "n_placements"] == 200 and table.loc[0, "roc_auc"] > 0.9


def test_the_attributes_tested_in_parallel_processes_give_the_table_of_one_after_the_other(monkeypatch):
    monkeypatch.setenv("LKS_THREADS", "2")  # two processes (the tests' own default is 1)
    parallel = proxy_test(placements(), FEATURES, ["gender", "district"], CONFIG)
    monkeypatch.setenv("LKS_THREADS", "1")  # one process: the attributes one after the other
    pd.testing.assert_frame_equal(parallel, proxy_test(placements(), FEATURES, ["gender", "district"], CONFIG))
