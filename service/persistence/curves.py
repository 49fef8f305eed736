"""Risk curves stored with a week's list, so a placement's first view reads its curve instead of running
the model: computed in one model call when the week is scored (`service_layer.scoring`)."""

from __future__ import annotations

from typing import Any

import pandas as pd
import sqlalchemy as sa

from lks.data_contracts.timeline import YEAR_WEEKS
from lks.service.persistence.tables import risk_curves, risk_scores


def curve_records(curves: pd.DataFrame, placement_ids: list[str], model_version: str) -> list[dict[str, Any]]:
    """`Champion.curves` output (row, week, cif_uitval, cif_neutral) as one record per placement, over the rest
    of its first year (weeks before YEAR_WEEKS); a placement without such points gets no record."""
    curves = curves[curves["week"] < YEAR_WEEKS]
    points: dict[int, list[dict[str, Any]]] = {}
    for row, week, uitval, neutral in zip(curves["row"].to_numpy(int), curves["week"].to_numpy(int),
                                          curves["cif_uitval"].to_numpy(float), curves["cif_neutral"].to_numpy(float),
                                          strict=True):
        points.setdefault(int(row), []).append(
            {"week": int(week), "cif_uitval": float(uitval), "cif_neutral": float(neutral)})
    return [{"placement_id": pid, "curve": {"model_version": model_version, "points": points[i]}}
            for i, pid in enumerate(placement_ids) if i in points]


def store_curves(conn: sa.Connection, list_id: int, records: list[dict[str, Any]]) -> None:
    if records:
        conn.execute(risk_curves.insert(), [{**r, "list_id": list_id} for r in records])


def stored_features(engine: sa.Engine, list_id: int, placement_id: str) -> dict[str, Any] | None:
    """A scored placement's inputs as scored (None when the list did not score it)."""
    with engine.connect() as conn:
        return conn.execute(sa.select(risk_scores.c.features).where(
            risk_scores.c.list_id == list_id, risk_scores.c.placement_id == placement_id)).scalar()


def stored_inputs(engine: sa.Engine, list_id: int, limit: int) -> list[tuple[str, dict]]:
    """(placement_id, inputs as scored) of a list's scored placements, highest risk first, at most `limit`."""
    with engine.connect() as conn:
        rows = conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.features)
                            .where(risk_scores.c.list_id == list_id).order_by(risk_scores.c.rank).limit(limit)).all()
    return [(r.placement_id, r.features) for r in rows]


def curve_versions(engine: sa.Engine, list_id: int) -> set[str | None]:
    """The model versions of a list's stored curves (empty when none is stored)."""
    version = risk_curves.c.curve["model_version"].as_string()
    with engine.connect() as conn:
        return set(conn.execute(sa.select(version).where(risk_curves.c.list_id == list_id).distinct()).scalars())
