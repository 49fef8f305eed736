import pytest

from lks.service.champion import dpia
from tests.service.fakes import REFERENCE, champion


def test_a_model_without_special_inputs_or_reference_is_used_under_any_deployment():
    for deployment in (None, REFERENCE, "DPIA-other"):
        dpia.check(champion(reference=None, special=False), deployment)


def test_a_dpia_model_is_used_only_where_the_deployment_names_its_reference():
    dpia.check(champion(), REFERENCE)
    for deployment, here in ((None, "names none"), ("DPIA-2025-001", "names 'DPIA-2025-001'")):
        with pytest.raises(dpia.DpiaRefused, match=f"trained under DPIA reference '{REFERENCE}'") as refused:
            dpia.check(champion(), deployment)
        assert here in str(refused.value) and refused.value.special == ("health_limitation",)


def test_a_model_recording_a_reference_is_refused_without_it_even_without_special_inputs():
    with pytest.raises(dpia.DpiaRefused, match="reads no special column"):
        dpia.check(champion(special=False), None)


def test_special_inputs_without_a_recorded_reference_are_refused_everywhere():
    for deployment in (None, REFERENCE):
        with pytest.raises(dpia.DpiaRefused, match="records no DPIA reference"):
            dpia.check(champion(reference=None), deployment)
