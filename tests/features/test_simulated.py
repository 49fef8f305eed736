"""Point-in-time checks on the simulated municipality's export (skipped if the simulator is absent)."""

import pandas as pd
import pytest

from lks.data_contracts.validate import validate_export
from lks.features.build import build_features
from tests.exports import registered_by_all

pytestmark = pytest.mark.slow  # the default (Rotterdam-scale) simulation, run once per session

simulator = pytest.importorskip("lks.simulator")


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sim") / "export"
    simulator.simulate(folder, seed=7, fmt="parquet")
    return validate_export(folder).tables


@pytest.mark.parametrize("as_of", ["2021-06-07", "2024-03-18", "2026-10-05"])
def test_time_travel_on_the_simulated_export(history, as_of):
    full = build_features(history, as_of)
    assert len(full) > 100
    pd.testing.assert_frame_equal(full, build_features(registered_by_all(history, as_of), as_of))
