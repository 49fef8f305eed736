"""The store, scoring and the API on a real PostgreSQL (a throwaway cluster, tests/servers.py): a small
hand-made export is ingested (twice: nothing changes), scored, and one list is served over HTTP."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
import sqlalchemy as sa

from lks.data_contracts.ingest import ingest
from lks.data_contracts.store import make_engine
from lks.service.champion.types import Champion
from lks.service.persistence.tables import make_service_engine
from lks.service.persistence.tokens import TokenStore
from lks.service.service_layer.scoring import score_week
from lks.service.settings import Settings
from tests import servers
from tests.exports import row, write_export
from tests.service.fakes import FixedSource

AS_OF = date(2024, 3, 11)
HOURS = {"PL1": "24", "PL2": "32", "PL3": "12"}


class ByHours:
    """Risks that follow hours_per_week, so the ranking is known by hand."""

    def predict(self, frame: pd.DataFrame, params: dict) -> pd.DataFrame:
        risk = frame["hours_per_week"].astype(float) / 100
        out = pd.DataFrame({"risk_13w": risk / 2, "risk_52w": risk, "raw_52w": risk, "base_value": 0.0},
                           index=frame.index)
        return pd.concat([out, frame.astype(float).add_prefix("contrib__") * 0], axis=1)


@pytest.fixture(scope="module")
def database_url():
    with servers.postgres() as url:
        yield url


@pytest.fixture(scope="module")
def export(tmp_path_factory):
    placements = [row("placements", placement_id=pid, hours_per_week=hours) for pid, hours in HOURS.items()]
    return write_export(tmp_path_factory.mktemp("pg") / "export", placements=placements)


def test_ingest_twice_scores_and_serves_on_postgresql(database_url, export, tmp_path):
    engine = make_engine(database_url)
    assert engine.dialect.name == "postgresql"
    first = ingest(engine, export)
    again = ingest(engine, export)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM placements")).scalar_one() == 3
        assert conn.execute(sa.text("SELECT count(*) FROM ingest_batches")).scalar_one() >= 1
    assert first is not None and again is not None

    champion = Champion("1", ByHours(), ("hours_per_week",), (), {"model": "by-hours"})
    service_engine = make_service_engine(database_url)
    scored = score_week(service_engine, champion, AS_OF)
    assert scored.created and scored.n_placements == 3
    assert not score_week(service_engine, champion, AS_OF).created  # the same week again: nothing new

    from fastapi.testclient import TestClient

    from lks.service.app import create_app

    settings = Settings(home=tmp_path, database_url=database_url, model_refresh_seconds=3600)
    app = create_app(settings, source=FixedSource(champion))
    token = TokenStore(app.state.services.engine).add("coord-pg", "coordinator", ["team_zuid"])
    with TestClient(app) as client:
        assert client.get("/ready").json()["database"] is True
        page = client.get("/api/v1/risk-lists/current", headers={"Authorization": f"Bearer {token}"})
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [item["placement_id"] for item in items] == ["PL2", "PL1", "PL3"]  # most hours: highest risk
    assert not (tmp_path / "lks.db").exists()  # everything went to PostgreSQL
