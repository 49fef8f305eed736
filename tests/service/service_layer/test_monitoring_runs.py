from datetime import date, datetime

import sqlalchemy as sa

from lks.service.persistence.tables import make_service_engine
from lks.service.service_layer.monitoring_runs import headline, latest_runs, newest, store_run

RESULT = {
    "as_of": "2024-09-01", "alerts": [{"check": "psi_input"}],
    "performance": {"13w": {"without_intervention": {"pooled": {"ece": 0.02, "precision_at_k": 0.4}}}},
    "fairness": {"13w": {"gender": {"recall_gap": 0.05}, "district": {"recall_gap": 0.12}}},
    "drift": {"status": "ok", "scores": {"risk_52w": 0.01}, "inputs": {"a": 0.3, "b": 0.02}},
    "decisions": {"share": 0.9},
}


def test_runs_are_kept_and_the_newest_comes_first(tmp_path):
    engine = make_service_engine(f"sqlite:///{tmp_path}/lks.db")
    first = store_run(engine, {**RESULT, "as_of": "2024-08-01"}, now=lambda: datetime(2024, 8, 1, 6))
    second = store_run(engine, RESULT, now=lambda: datetime(2024, 9, 1, 6))
    runs = latest_runs(engine)
    assert [r["run_id"] for r in runs] == [second, first]
    assert runs[0]["result"] == RESULT and runs[0]["n_alerts"] == 1 and runs[0]["as_of"] == date(2024, 9, 1)
    assert newest(engine)[0] == date(2024, 9, 1)


def test_the_headline_takes_the_13w_figures_the_largest_gap_and_the_largest_input_drift():
    figures = headline(RESULT)
    assert figures["ece_13w"] == 0.02 and figures["precision_at_k_13w"] == 0.4
    assert figures["recall_gap_max_13w"] == 0.12 and figures["psi_input_max"] == 0.3
    assert figures["decision_share"] == 0.9 and figures["alerts"] == 1.0 and figures["roc_auc_13w"] is None


def test_no_run_or_no_database_gives_none(tmp_path):
    assert newest(make_service_engine(f"sqlite:///{tmp_path}/lks.db")) is None
    assert newest(sa.create_engine(f"sqlite:///{tmp_path}/missing/x.db")) is None
