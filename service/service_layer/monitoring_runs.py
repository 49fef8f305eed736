"""Stored monitoring runs: keep each `lks monitor` result, read the newest, and its headline figures for the
Prometheus gauges and the model page. Light on purpose (no pandas): the API's /metrics reads it."""

from __future__ import annotations

import logging
from datetime import date, datetime

import sqlalchemy as sa

from lks.service.persistence.tables import monitoring_runs

log = logging.getLogger(__name__)


def store_run(engine: sa.Engine, result: dict, now=datetime.now) -> int:
    """Keep a run (its JSON result holds aggregates only); returns its run_id."""
    with engine.begin() as conn:
        return conn.execute(monitoring_runs.insert().values(
            at=now(), as_of=date.fromisoformat(result["as_of"]), n_alerts=len(result["alerts"]), result=result,
        ).returning(monitoring_runs.c.run_id)).scalar_one()


def latest_runs(engine: sa.Engine, limit: int = 12) -> list[dict]:
    """The newest stored runs, newest first: run_id, at, as_of, n_alerts, result."""
    query = sa.select(monitoring_runs).order_by(monitoring_runs.c.run_id.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(query).mappings().all()]


HEADLINE_HORIZON = "13w"


def headline(result: dict) -> dict[str, float | None]:
    """The figures a dashboard follows, a fixed set of names (13w, placements without an intervention)."""
    figures = (((result.get("performance") or {}).get(HEADLINE_HORIZON) or {})
               .get("without_intervention") or {}).get("pooled") or {}
    gaps = [a["recall_gap"] for a in ((result.get("fairness") or {}).get(HEADLINE_HORIZON) or {}).values()]
    found = result.get("drift") or {}
    inputs = list((found.get("inputs") or {}).values())
    return {
        "ece_13w": figures.get("ece"), "brier_13w": figures.get("brier"), "roc_auc_13w": figures.get("roc_auc"),
        "precision_at_k_13w": figures.get("precision_at_k"), "recall_at_k_13w": figures.get("recall_at_k"),
        "recall_gap_max_13w": max(gaps) if gaps else None,
        "psi_risk_52w": (found.get("scores") or {}).get("risk_52w"),
        "psi_input_max": max(inputs) if inputs else None,
        "decision_share": (result.get("decisions") or {}).get("share"),
        "alerts": float(len(result.get("alerts") or [])),
    }


def newest(engine: sa.Engine) -> tuple[date, dict[str, float | None]] | None:
    """The newest run's date and headline figures; None when there is none or the database does not answer
    (the metrics must still render)."""
    try:
        runs = latest_runs(engine, 1)
    except sa.exc.SQLAlchemyError:
        log.warning("monitoring runs could not be read")
        return None
    return (runs[0]["as_of"], headline(runs[0]["result"])) if runs else None


def page_runs(engine: sa.Engine, limit: int = 12) -> list[dict]:
    """The newest runs for the model page, newest first: as_of, at, n_alerts, headline figures and alerts
    (check, subject); empty when there is none or the database does not answer."""
    try:
        runs = latest_runs(engine, limit)
    except sa.exc.SQLAlchemyError:
        log.warning("monitoring runs could not be read")
        return []
    return [{"as_of": r["as_of"], "at": r["at"], "n_alerts": r["n_alerts"], "figures": headline(r["result"]),
             "alerts": [{"check": a.get("check"), "subject": a.get("subject")} for a in r["result"].get("alerts", [])]}
            for r in runs]
