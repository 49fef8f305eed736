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


@pytest.fixture
def fresh_database(database_url, request):
    """A database of its own in the module's cluster, for a test that needs an empty store."""
    import psycopg

    name = f"lks_{request.node.name[:40].lower()}"
    url = sa.make_url(database_url)
    with psycopg.connect(host=url.query["host"], port=int(url.query["port"]), user=url.username,
                         dbname="postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def test_copy_stores_what_sqlite_stores_versions_outcomes_and_rejections(fresh_database, tmp_path, monkeypatch):
    """Ingest writes with COPY on PostgreSQL, a chunk at a time (two rows here): the same typed versions (nulls,
    a value over two lines with a comma, booleans, dates), outcomes and kept rejections as on SQLite."""
    from lks.data_contracts import parse
    from lks.data_contracts.store import history, rejected_rows

    monkeypatch.setattr(parse, "CHUNK_ROWS", 2)
    first = write_export(tmp_path / "w1", placements=[row("placements", placement_id=p) for p in HOURS], events=[
        row("events"),
        row("events", event_id="E2", event_type="employer_signal", value_text='twee\nregels, met "komma"'),
        row("events", event_id="E3", value_text="slecht"),
        row("events", event_id="E4", event_type="wage_value_assessment", value_num="55.5", value_text=None),
    ])
    second = write_export(tmp_path / "w2", placements=[
        row("placements", hours_per_week="32", registered_at="2024-05-01T09:00:00"),  # a correction
        row("placements", placement_id="PL2", hours_per_week="16", registered_at="2024-02-01T09:00:00"),  # history
        row("placements", placement_id="PL3", hours_per_week="36"),  # conflicts with the stored version
    ])
    stores = {"postgresql": make_engine(fresh_database), "sqlite": make_engine(f"sqlite:///{tmp_path / 's.db'}")}
    reports = {name: [ingest(engine, first), ingest(engine, second)] for name, engine in stores.items()}
    for pg, lite in zip(reports["postgresql"], reports["sqlite"], strict=True):
        pd.testing.assert_frame_equal(pg.counts, lite.counts)
        pd.testing.assert_frame_equal(pg.rejected_by_rule, lite.rejected_by_rule)
    assert reports["postgresql"][1].counts.loc["placements", ["corrected", "history", "rejected"]].tolist() == [1, 1, 1]
    kept = {}
    for name, engine in stores.items():
        with engine.connect() as conn:
            kept[name] = conn.execute(sa.select(rejected_rows.c.file, rejected_rows.c.line, rejected_rows.c.rule,
                                                rejected_rows.c.raw).order_by(rejected_rows.c.rejection_id)).all()
        assert engine.dialect.name == name
    assert kept["postgresql"] == kept["sqlite"] and len(kept["sqlite"]) == 2
    pg_history, lite_history = history(stores["postgresql"]), history(stores["sqlite"])
    for table, frame in lite_history.items():
        pd.testing.assert_frame_equal(pg_history[table], frame)
    assert pg_history["events"]["value_text"].tolist()[1] == 'twee\nregels, met "komma"'


def test_a_failure_during_copy_leaves_nothing_and_a_rerun_completes(fresh_database, tmp_path, monkeypatch):
    """The disk fills up while COPY writes the events: one transaction, so nothing of the export stays, the
    error is SQLAlchemy's OperationalError (what `lks ingest` reports), and the rerun stores it all."""
    from lks.data_contracts import parse
    from lks.data_contracts.store import VERSIONS, batches

    monkeypatch.setattr(parse, "CHUNK_ROWS", 2)
    engine = make_engine(fresh_database)
    folder = write_export(tmp_path / "w1", events=[row("events", event_id=f"E{i}") for i in range(5)])
    with engine.begin() as conn:  # the disk fills up at the first event written
        conn.execute(sa.text("CREATE FUNCTION disk_full() RETURNS trigger LANGUAGE plpgsql AS "
                             "$$ BEGIN RAISE EXCEPTION 'could not extend file' USING ERRCODE = 'disk_full'; END $$"))
        conn.execute(sa.text("CREATE TRIGGER fills_up BEFORE INSERT ON events FOR EACH ROW "
                             "EXECUTE FUNCTION disk_full()"))
    with pytest.raises(sa.exc.OperationalError, match="could not extend file"):
        ingest(engine, folder)

    def sizes() -> dict[str, int]:
        with engine.connect() as conn:
            return {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                    for t in [*VERSIONS.values(), batches]}

    assert set(sizes().values()) == {0}
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TRIGGER fills_up ON events"))
    assert ingest(engine, folder).counts.loc["events", "loaded"] == 5
    assert sizes()["events"] == 5 and sizes()["ingest_batches"] == 1
