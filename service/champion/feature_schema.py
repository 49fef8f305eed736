"""The champion's input schema (its feature list with types and categories) and the validation of a
feature payload that is not in the store (what-if questions, integrations).

Every input must be present (no silent defaults): a `number` may be null (the model was trained with
missing values, e.g. "weeks since the last sick report" when there was none), an `integer` must be a
whole number >= 0, a `category` one of its listed values, and tenure_weeks 0..51. Every problem is
reported at once, each with the field it is about.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd

from lks.data_contracts.timeline import YEAR_WEEKS
from lks.service.champion.types import FeatureSpec


@dataclass(frozen=True)
class Problem:
    field: str
    message: str


class InvalidFeatures(ValueError):
    def __init__(self, problems: list[Problem]):
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in problems))
        self.problems = problems


def _check(spec: FeatureSpec, value) -> str | None:
    if spec.kind == "category":
        if not isinstance(value, str) or value not in spec.categories:
            return f"must be one of {list(spec.categories)}, but was {value!r}"
        return None
    if value is None:
        return None if spec.kind == "number" and spec.name != "tenure_weeks" else "must not be null"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        return f"must be a finite number, but was {value!r}"
    if spec.kind == "integer" and (value != int(value) or value < 0):
        return f"must be a whole number >= 0, but was {value!r}"
    if spec.name == "tenure_weeks" and not (value == int(value) and 0 <= value < YEAR_WEEKS):
        return f"must be a whole number of weeks in 0..{YEAR_WEEKS - 1} (the model covers the first year), " \
               f"but was {value!r}"
    return None


def validate(schema: tuple[FeatureSpec, ...], payload: dict) -> dict:
    """The payload itself when it is valid; raises InvalidFeatures listing every problem otherwise."""
    problems = []
    if not isinstance(payload, dict):
        raise InvalidFeatures([Problem("features", "must be an object of feature name -> value")])
    known = {s.name for s in schema}
    for name in sorted(set(payload) - known):
        problems.append(Problem(name, "is not a model input"))
    for spec in schema:
        if spec.name not in payload:
            problems.append(Problem(spec.name, "is required (use null for an unknown number)"))
            continue
        message = _check(spec, payload[spec.name])
        if message:
            problems.append(Problem(spec.name, message))
    if problems:
        raise InvalidFeatures(problems)
    return payload


def frame(schema: tuple[FeatureSpec, ...], records: list[dict]) -> pd.DataFrame:
    """Model input rows typed as the model expects: categoricals with their levels, numbers as floats."""
    columns = {}
    for spec in schema:
        values = [r.get(spec.name) for r in records]
        if spec.kind == "category":
            columns[spec.name] = pd.Categorical(values, categories=list(spec.categories))
        elif spec.kind == "integer" and all(v is not None for v in values):
            columns[spec.name] = pd.array(values, dtype="int64")
        else:
            columns[spec.name] = pd.array([float("nan") if v is None else float(v) for v in values], dtype="float64")
    return pd.DataFrame(columns)


def describe(schema: tuple[FeatureSpec, ...]) -> list[dict]:
    from lks.features.catalog import BY_NAME

    return [{"name": s.name, "type": s.kind, "categories": list(s.categories) or None,
             "nullable": s.kind == "number" and s.name != "tenure_weeks",
             "meaning": BY_NAME[s.name].meaning if s.name in BY_NAME else None} for s in schema]
