"""The true reason behind each ending, drawn from what caused it.

Codes come from the versioned mapping (`data_contracts.reasons.load_mapping()`): the weights
below only say which causes make a code likelier. A code in the mapping that has no weight here
gets a small default weight; a weighted code missing from the mapping is never drawn.
"""

from __future__ import annotations

import numpy as np

from lks.data_contracts.reasons import load_mapping


def _uitval_weights(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {
        "mismatch_taken": 0.8 + 2.5 * np.maximum(0, -c["match"]),
        "onvoldoende_begeleiding": 0.4 + 2.0 * (c["jobcoach_hours_per_month"] < 4),
        "gezondheid": 0.3 + 1.5 * c["health_limitation"] + 2.0 * c["recent_sick"],
        "verzuim": 0.2 + 3.0 * c["recent_sick"] + 1.0 * (c["state"] == 2),
        "conflict": 0.4 + 1.0 * (c["state"] == 2),
        "eigen_ontslag": np.full(len(c["match"]), 1.0),
        "proeftijd_niet_doorstaan": 4.0 * (c["week"] < 9),
        "persoonlijke_omstandigheden": 0.3 + 1.2 * c["debt_problems"] + 1.2 * c["childcare_need"],
        "faillissement_werkgever": 0.04 + 0.12 * (c["size_code"] == 0),
        "contract_niet_verlengd": np.zeros(len(c["match"])),
    }


def _neutral_weights(c: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    n = len(c["match"])
    return {
        "regulier_werk_zonder_lks": np.full(n, 4.0),
        "ander_werk": np.full(n, 3.0),
        "verhuizing": np.full(n, 1.0),
        "opleiding": 0.3 + 2.0 * (c["age"] < 27),
        "overlijden": 0.02 + 0.004 * np.maximum(0, c["age"] - 40),
        "pensioen": np.zeros(n),
        "springplank_afgerond": np.zeros(n),
    }


def _pick(rng: np.random.Generator, weights: dict[str, np.ndarray], cls: str, n: int) -> np.ndarray:
    codes = load_mapping().codes_of(cls)
    w = np.stack([weights.get(code, np.full(n, 0.05)) for code in codes], axis=1).astype(float)
    w = np.where(w.sum(axis=1, keepdims=True) > 0, w, 1.0)
    u = rng.random(n)[:, None] * w.sum(axis=1, keepdims=True)
    pick = np.minimum((u > w.cumsum(axis=1)).sum(axis=1), len(codes) - 1)
    return np.asarray(codes, dtype=object)[pick]


def true_reasons(rng: np.random.Generator, c: dict[str, np.ndarray]) -> np.ndarray:
    """Reason code per ending; `c` holds per-ending arrays (class 1 uitval / 2 neutral, cause
    flags). Non-renewal, retirement and a completed springboard year name their own reason."""
    n = len(c["cls"])
    out = np.empty(n, dtype=object)
    u, ne = c["cls"] == 1, c["cls"] == 2
    out[u] = _pick(rng, {k: v[u] for k, v in _uitval_weights(c).items()}, "uitval", int(u.sum()))
    out[ne] = _pick(rng, {k: v[ne] for k, v in _neutral_weights(c).items()}, "neutral",
                    int(ne.sum()))
    codes = set(load_mapping().codes)
    for code, rows in (
        ("contract_niet_verlengd", u & c["nonrenewal"]),
        ("pensioen", ne & c["retired"]),
        ("springplank_afgerond", ne & c["springboard_done"]),
    ):
        if code in codes:
            out[rows] = code
    return out
