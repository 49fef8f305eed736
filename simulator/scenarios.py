"""Scenarios: the simulator's assumptions that differ between simulated municipalities.

The parameters live in `scenarios.yaml` (package data, versioned): `base` holds today's
assumptions and each scenario lists only what it changes. `load(name)` returns a frozen
`Scenario`; `simulate(..., scenario=...)` hands it to the parts that use it. Only the simulator
and `lks simulate` import this module: features and models never see a scenario.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

VERSION = 1


@dataclass(frozen=True)
class Registration:
    legacy_unknown_uitval: float
    legacy_unknown_neutral: float


@dataclass(frozen=True)
class Signals:
    strength: float


@dataclass(frozen=True)
class Drift:
    from_: date | None
    uitval_hazard: float
    small_employer_weight: float
    wage_value_shift: float


@dataclass(frozen=True)
class History:
    years: float | None
    first_start: date | None

    def first_day(self, as_of: date) -> date | None:
        """The first day a placement may start: `first_start`, or `years` before as_of."""
        if self.first_start is not None:
            return self.first_start
        return None if self.years is None else as_of - timedelta(days=round(365.25 * self.years))


@dataclass(frozen=True)
class Scenario:
    name: str
    description: str
    registration: Registration
    signals: Signals
    drift: Drift
    history: History

    def as_dict(self) -> dict[str, Any]:
        """The scenario as written to truth/scenario.yaml (YAML keys, dates as text)."""
        out: dict[str, Any] = {"version": VERSION, **asdict(self)}
        for group in ("drift", "history"):
            out[group] = {_yaml_key(k): (v.isoformat() if isinstance(v, date) else v)
                          for k, v in out[group].items()}
        return out

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.as_dict(), sort_keys=False, allow_unicode=True)


GROUPS: dict[str, type] = {"registration": Registration, "signals": Signals, "drift": Drift,
                           "history": History}


def _yaml_key(field: str) -> str:
    return field.rstrip("_")          # `from` is a Python keyword: the field is `from_`


def _number(where: str, value: Any, low: float | None = None, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where} must be a number, but was {value!r}")
    if (low is not None and value < low) or (high is not None and value > high):
        raise ValueError(f"{where} must be between {low} and {high}, but was {value!r}")
    return float(value)


def _check(where: str, key: str, value: Any) -> Any:
    """One parameter, validated by its meaning."""
    if key in ("legacy_unknown_uitval", "legacy_unknown_neutral", "strength"):
        return _number(where, value, 0.0, 1.0)
    if key in ("uitval_hazard", "small_employer_weight"):
        return _number(where, value, 0.01, 100.0)
    if key == "wage_value_shift":
        return _number(where, value, -50.0, 50.0)
    if key == "years":
        return None if value is None else _number(where, value, 0.25, 50.0)
    if key in ("from", "first_start"):
        if value is None or isinstance(value, date):
            return value
        raise ValueError(f"{where} must be a date YYYY-MM-DD or null, but was {value!r}")
    raise AssertionError(key)


def _merge(where: str, base: dict[str, Any], changes: Any) -> dict[str, Any]:
    if not isinstance(changes, dict):
        raise ValueError(f"{where} must be a mapping, but was {changes!r}")
    unknown = sorted(set(changes) - set(base))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown}; allowed: {sorted(base)}")
    return {**base, **changes}


def parse(document: Any) -> dict[str, Scenario]:
    """All scenarios of a scenarios document (the YAML as loaded), validated."""
    if not isinstance(document, dict):
        raise ValueError("a scenarios file must be a mapping with version, base and scenarios")
    top = _merge("scenarios file", {"version": None, "base": None, "scenarios": None}, document)
    if top["version"] != VERSION:
        raise ValueError(f"scenarios file version must be {VERSION}, but was {top['version']!r}")
    base = top["base"]
    expected = {group: [_yaml_key(f.name) for f in fields(cls)] for group, cls in GROUPS.items()}
    if not isinstance(base, dict) or sorted(base) != sorted(expected):
        raise ValueError(f"base must hold exactly the groups {sorted(expected)}")
    for group, keys in expected.items():
        if not isinstance(base[group], dict) or sorted(base[group]) != sorted(keys):
            raise ValueError(f"base.{group} must hold exactly the keys {sorted(keys)}")
    if not isinstance(top["scenarios"], dict) or "default" not in top["scenarios"]:
        raise ValueError("scenarios must be a mapping that includes `default`")
    out = {}
    for name, spec in top["scenarios"].items():
        where = f"scenario {name!r}"
        spec = _merge(where, {"description": None, **{g: {} for g in GROUPS}}, spec)
        if not isinstance(spec["description"], str) or not spec["description"].strip():
            raise ValueError(f"{where} needs a description")
        groups = {}
        for group, cls in GROUPS.items():
            values = _merge(f"{where}.{group}", base[group], spec[group] or {})
            groups[group] = cls(**{f.name: _check(f"{where}.{group}.{_yaml_key(f.name)}",
                                                  _yaml_key(f.name), values[_yaml_key(f.name)])
                                   for f in fields(cls)})
        if groups["history"].years is not None and groups["history"].first_start is not None:
            raise ValueError(f"{where}.history: set years or first_start, not both")
        out[name] = Scenario(name=name, description=" ".join(spec["description"].split()), **groups)
    return out


@cache
def _shipped() -> dict[str, Scenario]:
    text = resources.files("lks.simulator").joinpath("scenarios.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))


def scenario_names() -> list[str]:
    return list(_shipped())


def load(name: str = "default") -> Scenario:
    """The shipped scenario `name`; a ValueError names the ones there are."""
    scenarios = _shipped()
    if name not in scenarios:
        raise ValueError(f"unknown scenario {name!r}; use one of {list(scenarios)}")
    return scenarios[name]
