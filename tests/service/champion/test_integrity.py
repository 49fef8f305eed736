import pytest

from lks.service.champion.integrity import BundleMismatch, check_bundle

GOOD, OTHER = "a" * 64, "b" * 64


def test_a_bundle_matching_what_was_recorded_passes():
    check_bundle("3", {"run parameter": GOOD, "model version tag": GOOD}, GOOD)
    check_bundle("3", {"run parameter": GOOD, "model version tag": None}, GOOD)


@pytest.mark.parametrize("recorded, named", [
    ({"run parameter": GOOD, "model version tag": GOOD}, "run parameter bbbb"),
    ({"run parameter": None, "model version tag": None}, "no bundle checksum was recorded"),
])
def test_a_changed_or_unrecorded_bundle_is_refused_and_named(recorded, named):
    recorded = {k: (v.replace("a", "b") if v else v) for k, v in recorded.items()}
    with pytest.raises(BundleMismatch, match="model version 3") as refused:
        check_bundle("3", recorded, GOOD)
    assert named in str(refused.value) and refused.value.version == "3"


def test_a_tag_that_disagrees_with_the_run_is_refused():
    with pytest.raises(BundleMismatch, match="model version tag bbbb"):
        check_bundle("3", {"run parameter": GOOD, "model version tag": OTHER}, GOOD)
