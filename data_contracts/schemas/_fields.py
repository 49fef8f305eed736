"""One way to declare a contract column: a pandera Field that also carries its role and kind.

`role` is the contract role (key, feature, protected, special, time, routing, label);
`kind` is how the raw text is parsed (str, int, float, bool, date, timestamp).
Later code reads both from the schema, so the contract lives in one place.
"""

from __future__ import annotations

from typing import Any

import pandera.pandas as pa

ROLES = ("key", "feature", "protected", "special", "time", "routing", "label")
KINDS = ("str", "int", "float", "bool", "date", "timestamp")


def column(role: str, kind: str, *, nullable: bool = False, **checks: Any) -> Any:
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, but was {role!r}")
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, but was {kind!r}")
    return pa.Field(nullable=nullable, metadata={"role": role, "kind": kind}, **checks)
