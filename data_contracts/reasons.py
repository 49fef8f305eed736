"""The end-reason code list and its mapping to classes, read from versioned configuration."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

DEFAULT_PATH = Path(__file__).parent / "config" / "end_reasons.yaml"
CLASSES = ("uitval", "neutral", "unknown")


@dataclass(frozen=True)
class ReasonMapping:
    version: str
    reason_class: dict[str, str]  # reason_code -> class

    @property
    def codes(self) -> list[str]:
        return list(self.reason_class)

    def codes_of(self, cls: str) -> list[str]:
        return [code for code, c in self.reason_class.items() if c == cls]

    def classify(self, code: str) -> str:
        return self.reason_class[code]


def parse_mapping(raw: dict[str, Any]) -> ReasonMapping:
    unknown_classes = set(raw["classes"]) - set(CLASSES)
    if unknown_classes:
        raise ValueError(f"unknown end-reason classes {sorted(unknown_classes)}; use {CLASSES}")
    reason_class: dict[str, str] = {}
    for cls, codes in raw["classes"].items():
        for code in codes:
            if code in reason_class:
                raise ValueError(f"reason code {code!r} is mapped to two classes")
            reason_class[code] = cls
    return ReasonMapping(version=str(raw["version"]), reason_class=reason_class)


@cache
def load_mapping(path: Path = DEFAULT_PATH) -> ReasonMapping:
    with open(path, encoding="utf-8") as fh:
        return parse_mapping(yaml.safe_load(fh))
