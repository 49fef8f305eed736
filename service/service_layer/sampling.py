"""The weekly random sample of unlisted placements ("steekproef").

The coordinator works the top k of a list; what happens below the cut would go unseen, and a list that is
only checked on its own picks confirms itself. Each new list therefore gets `size` placements drawn at
random from those ranked below k, followed like the listed ones and marked as a sample. Monitoring uses
them to estimate how much uitval the list misses; they are never counted in precision at k (they are
below the cut by construction).

The draw is reproducible: the seed is the list's as-of date (its ordinal), and the candidates are taken
in placement-id order, so the same list gives the same sample. Worked example: a list of 2024-01-15 with
100 placements, k = 25, size 5: five of the 75 placements ranked 26..100, seed 738900.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import sqlalchemy as sa

from lks.service.persistence.tables import list_samples

SAMPLE_SIZE = 5
LIST_K = 25
SAMPLED = "sampled"  # the audit outcome of a placement drawn into a sample


def seed_of(as_of: date) -> int:
    return as_of.toordinal()


def draw(ranks: dict[str, int], as_of: date, k: int = LIST_K, size: int = SAMPLE_SIZE) -> list[str]:
    """`size` placement ids drawn at random from those with rank > k (all of them when fewer), sorted."""
    if size < 0 or k < 0:
        raise ValueError(f"k and size must be >= 0, but were {k!r} and {size!r}")
    below = sorted(pid for pid, rank in ranks.items() if rank > k)
    rng = np.random.default_rng(seed_of(as_of))
    return sorted(str(p) for p in rng.choice(below, size=min(size, len(below)), replace=False))


def store(conn, list_id: int, as_of: date, placement_ids: list[str]) -> None:
    if placement_ids:
        conn.execute(list_samples.insert(), [{"list_id": list_id, "placement_id": pid, "seed": seed_of(as_of)}
                                             for pid in placement_ids])


def sampled(engine: sa.Engine, list_id: int) -> list[str]:
    with engine.connect() as conn:
        return sorted(conn.execute(sa.select(list_samples.c.placement_id)
                                   .where(list_samples.c.list_id == list_id)).scalars())
