import pytest

from lks.data_contracts.reasons import load_mapping, parse_mapping


def test_the_shipped_mapping_follows_the_contract():
    mapping = load_mapping()
    assert mapping.version
    assert len(mapping.codes_of("uitval")) == 10 and len(mapping.codes_of("neutral")) == 7
    assert mapping.codes_of("unknown") == ["onbekend"]
    assert mapping.classify("springplank_afgerond") == "neutral"


def test_a_reason_can_move_between_classes():
    raw = {"version": "x", "classes": {"uitval": ["conflict", "verhuizing"], "neutral": [], "unknown": ["onbekend"]}}
    assert parse_mapping(raw).classify("verhuizing") == "uitval"


@pytest.mark.parametrize("raw", [
    {"version": "x", "classes": {"uitval": ["a"], "neutral": ["a"]}},
    {"version": "x", "classes": {"bad": ["a"]}},
])
def test_an_inconsistent_mapping_is_refused(raw):
    with pytest.raises(ValueError):
        parse_mapping(raw)
