import pytest
from pydantic import ValidationError

from service.settings import Settings


def test_no_dpia_reference_by_default(monkeypatch):
    monkeypatch.delenv("LKS_DPIA_REFERENCE", raising=False)
    assert Settings().dpia_reference is None


@pytest.mark.parametrize(("value", "expected"), [("", None), ("DPIA-2026-014", "DPIA-2026-014"),
                                                 ("  DPIA-2026-014\n", "DPIA-2026-014")])
def test_the_dpia_reference_comes_from_the_environment_stripped_and_empty_is_off(monkeypatch, value, expected):
    monkeypatch.setenv("LKS_DPIA_REFERENCE", value)
    assert Settings().dpia_reference == expected


def test_a_blank_dpia_reference_is_refused(monkeypatch):
    monkeypatch.setenv("LKS_DPIA_REFERENCE", "   ")
    with pytest.raises(ValidationError, match="DPIA reference"):
        Settings()
