"""The MNAR estimate on the simulator's two missing-not-at-random worlds: legacy reasons recorded far more
often for neutral endings (`mnar-neutral`) or for uitval (`mnar-uitval`). The estimate's interval must hold
the true uitval share among the legacy `onbekend` endings, where the MAR model's figure is off."""

from datetime import date

import pytest

from lks.data_contracts.validate import validate_export
from lks.simulator import simulate
from lks.training.strategies import legacy_unknown_share, true_unknown_share
from tests.seeds import ROBUSTNESS_SEED

AS_OF = date(2026, 5, 4)  # a year into the structured registration


@pytest.mark.slow
@pytest.mark.parametrize("scenario", ["mnar-neutral", "mnar-uitval"])
def test_the_mnar_estimate_holds_the_true_uitval_share_of_legacy_unknown_endings(tmp_path, scenario):
    simulate(tmp_path, seed=ROBUSTNESS_SEED, as_of=AS_OF, scenario=scenario)
    estimate = legacy_unknown_share(validate_export(tmp_path).tables, AS_OF)
    truth = true_unknown_share(estimate, tmp_path / "truth")
    assert estimate.method == "mnar" and estimate.n_legacy_unknown > 200
    assert estimate.low <= truth <= estimate.high, estimate.describe() + f" truth {truth:.3f}"
    # the MAR model's figure is pulled the wrong way: too low where uitval was left unknown, too high where neutral
    mar_error = estimate.mar_share - truth
    assert (mar_error < -0.05) if scenario == "mnar-neutral" else (mar_error > 0.05), (estimate.mar_share, truth)
