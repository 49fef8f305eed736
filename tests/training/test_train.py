from datetime import date

import pytest

from lks.training.train import TrainConfig, _feature_list, special_use

AS_OF = date(2026, 11, 22)
REFERENCE = "DPIA-2026-014"


def test_training_has_no_dpia_reference_by_default_and_refuses_a_blank_or_padded_one():
    assert TrainConfig(AS_OF).dpia_reference is None
    assert TrainConfig(AS_OF, dpia_reference=REFERENCE).dpia_reference == REFERENCE
    for bad in ("", "  ", f" {REFERENCE}"):
        with pytest.raises(ValueError, match="DPIA reference|stripped"):
            TrainConfig(AS_OF, dpia_reference=bad)


def test_the_bundle_records_the_reference_and_the_special_columns_its_inputs_read():
    used = special_use(TrainConfig(AS_OF, dpia_reference=REFERENCE), ["hours_per_week", "health_limitation"])
    assert used == {"dpia_reference": REFERENCE, "special_columns": ["persons.health_limitation"]}
    assert special_use(TrainConfig(AS_OF), ["hours_per_week"]) == {"dpia_reference": None, "special_columns": []}


def test_the_logged_feature_list_gives_each_input_its_role():
    listed = _feature_list(["hours_per_week", "health_limitation"])
    roles = {f["name"]: f["role"] for f in listed["features"]}
    assert roles == {"tenure_weeks": "feature", "hours_per_week": "feature", "health_limitation": "special"}
    assert listed["contract_roles"]["persons"]["health_limitation"] == "special"


def test_training_estimates_unknown_reasons_without_assuming_them_missing_at_random_by_default():
    assert TrainConfig(AS_OF).unknown_reasons == "mnar_weighted"
    assert TrainConfig(AS_OF, unknown_reasons="weighted").unknown_reasons == "weighted"


def test_the_unknown_reason_estimate_is_in_the_summary_and_the_run_metrics():
    import numpy as np
    import pandas as pd

    from lks.features.unknown_reasons import UnknownEstimate
    from lks.training.train import unknown_metrics, unknown_summary

    estimate = UnknownEstimate("mnar", 0.41, 0.35, 0.47, 0.55, 0.6, 0.2, 120, 900, 150, 60, 690,
                               probability=pd.Series(dtype=float), legacy_unknown=pd.Index([]))
    summary = unknown_summary(estimate)
    assert summary["share"] == 0.41 and "0.410 (95% interval 0.350..0.470" in summary["text"]
    metrics = unknown_metrics(estimate)
    assert metrics["unknown_reasons.share"] == 0.41 and metrics["unknown_reasons.r_neutral"] == 0.2
    assert "unknown_reasons.method" not in metrics  # a tag, not a number
    fallback = UnknownEstimate("mar_fallback", 0.5, 0.4, 0.6, 0.5, np.nan, np.nan, 10, 900, 150, 60, 690,
                               probability=pd.Series(dtype=float), legacy_unknown=pd.Index([]))
    assert "the MAR model was used" in unknown_summary(fallback)["text"]
    assert "unknown_reasons.r_uitval" not in unknown_metrics(fallback)  # NaN is not logged
