"""What a registered model carries beside its bundle, without personal data: the input schema and the
bundle's checksum.

schema.json    the model inputs (tenure_weeks first) with their kind, "number", "integer" or "category",
               and a category's levels: what the service validates a payload against. Built from the
               frame the model was fitted on, it holds none of its rows (no placement ids, no values).
bundle_sha256  the sha256 of the pickled ServingBundle, logged as a run parameter (MLflow never lets a
               parameter change) and set as a tag on the model version: the service checks it before it
               unpickles the bundle (`lks.service.champion.integrity`).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

SCHEMA_ARTIFACT = "schema.json"
BUNDLE_SHA256 = "bundle_sha256"


def input_schema(frame: pd.DataFrame, features: list[str]) -> dict:
    """{"features": [{"name", "kind", "categories"}, ...]} for tenure_weeks and `features`, from dtypes only."""
    specs = []
    for name in ["tenure_weeks", *features]:
        dtype = frame[name].dtype
        if isinstance(dtype, pd.CategoricalDtype):
            specs.append({"name": name, "kind": "category", "categories": [str(c) for c in dtype.categories]})
        elif pd.api.types.is_integer_dtype(dtype):
            specs.append({"name": name, "kind": "integer", "categories": []})
        else:
            specs.append({"name": name, "kind": "number", "categories": []})
    return {"features": specs}


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
