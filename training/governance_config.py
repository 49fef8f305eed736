"""The versioned thresholds of the proxy and flip tests (`config/governance.yaml`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

DEFAULT_PATH = Path(__file__).parent / "config" / "governance.yaml"


@dataclass(frozen=True)
class ProxyConfig:
    flag_auc: float = 0.64
    min_group_placements: int = 25
    folds: int = 5
    top_inputs: int = 5
    max_placements: int = 3000

    def __post_init__(self):
        if self.max_placements < 100:
            raise ValueError(f"max_placements must be >= 100, but was {self.max_placements!r}")
        if not 0.5 < self.flag_auc < 1:
            raise ValueError(f"flag_auc must be between 0.5 and 1, but was {self.flag_auc!r}")
        if self.folds < 2 or self.min_group_placements < self.folds or self.top_inputs < 1:
            raise ValueError(f"folds must be >= 2, min_group_placements >= folds and top_inputs >= 1, but were "
                             f"{self.folds}, {self.min_group_placements}, {self.top_inputs}")


@dataclass(frozen=True)
class FlipConfig:
    sample_rows: int = 1500
    low_quantile: float = 0.1
    high_quantile: float = 0.9

    def __post_init__(self):
        if self.sample_rows < 1 or not 0 <= self.low_quantile < self.high_quantile <= 1:
            raise ValueError(f"sample_rows must be >= 1 and 0 <= low_quantile < high_quantile <= 1, but were "
                             f"{self.sample_rows}, {self.low_quantile}, {self.high_quantile}")


@dataclass(frozen=True)
class GovernanceConfig:
    version: str
    proxy: ProxyConfig
    flips: FlipConfig


def load(path: Path = DEFAULT_PATH) -> GovernanceConfig:
    with open(path, encoding="utf-8") as fh:
        raw = yaml.safe_load(fh)
    proxy, flips = ProxyConfig(**raw.get("proxy", {})), FlipConfig(**raw.get("flips", {}))
    return GovernanceConfig(str(raw["version"]), proxy, flips)
