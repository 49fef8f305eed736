import dataclasses

import pandas as pd
import sqlalchemy as sa
from typer.testing import CliRunner

from data_contracts.store import history
from features.cohort import cohort
from service.audit import AuditLog
from service.champion import ChampionHolder, MlflowChampionSource
from service.cli import app
from service.scoring import list_frame, score_week
from service.store import make_service_engine, risk_lists, risk_scores
from tests.service.setup import AS_OF, PREVIOUS


def engine_of(setup):
    return make_service_engine(setup.settings.db_url)


def champion_of(setup):
    return ChampionHolder(MlflowChampionSource(setup.home)).refresh()


def n_lists(engine):
    with engine.connect() as conn:
        return conn.execute(sa.select(sa.func.count()).select_from(risk_lists)).scalar()


def test_the_list_covers_first_year_placements_active_then_ranked_by_risk_52w(setup):
    engine = engine_of(setup)
    with engine.connect() as conn:
        list_id = conn.execute(sa.select(risk_lists.c.list_id).where(risk_lists.c.as_of == AS_OF)).scalar()
    frame = list_frame(engine, list_id)
    active = set(cohort(history(engine, AS_OF), AS_OF))
    assert set(frame["placement_id"]) <= active and len(frame) > 100
    assert list(frame["rank"]) == list(range(1, len(frame) + 1))
    assert frame["risk_52w"].is_monotonic_decreasing
    assert frame["model_version"].eq("1").all() and frame["team"].notna().all()
    with engine.connect() as conn:
        tenure = conn.execute(sa.select(sa.func.max(risk_scores.c.tenure_weeks))).scalar()
    assert tenure <= 51


def test_the_same_week_with_the_same_model_changes_nothing(setup):
    engine = engine_of(setup)
    before = n_lists(engine)
    again = score_week(engine, champion_of(setup), AS_OF)
    assert not again.created and n_lists(engine) == before


def test_a_new_champion_adds_a_list_and_keeps_the_old(setup):
    engine = engine_of(setup)
    champion = champion_of(setup)
    before = n_lists(engine)
    newer = score_week(engine, dataclasses.replace(champion, version="1000"), PREVIOUS)
    assert newer.created and n_lists(engine) == before + 1
    with engine.connect() as conn:
        versions = conn.execute(sa.select(risk_lists.c.model_version).where(risk_lists.c.as_of == PREVIOUS)).scalars()
        assert set(versions) == {"1", "1000"}


def test_a_past_date_uses_only_what_was_known_then(setup):
    engine = engine_of(setup)
    with engine.connect() as conn:
        lists = dict(conn.execute(sa.select(risk_lists.c.as_of, risk_lists.c.input_hash)
                                  .where(risk_lists.c.model_version == "1")).all())
        previous = conn.execute(sa.select(risk_scores.c.placement_id).join(risk_lists).where(
            risk_lists.c.as_of == PREVIOUS, risk_lists.c.model_version == "1")).scalars().all()
    assert lists[PREVIOUS] != lists[AS_OF]
    assert set(previous) <= set(cohort(history(engine, PREVIOUS), PREVIOUS))


def test_lks_score_writes_the_list_and_audits_the_export(setup, tmp_path):
    for suffix in (".csv", ".parquet"):
        out = tmp_path / f"list{suffix}"
        result = CliRunner().invoke(app, ["score", "--as-of", str(AS_OF), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "Already stored" in result.output
        frame = pd.read_csv(out) if suffix == ".csv" else pd.read_parquet(out)
        assert {"placement_id", "as_of", "risk_13w", "risk_52w", "rank", "model_version"} <= set(frame.columns)
        log = AuditLog(engine_of(setup)).query(placement_id=frame["placement_id"].iloc[0])
        assert (log["endpoint"] == f"lks score --out {out.name}").any() and (log["outcome"] == "exported").any()


def test_lks_score_refuses_other_file_types(setup, tmp_path):
    result = CliRunner().invoke(app, ["score", "--as-of", str(AS_OF), "--out", str(tmp_path / "list.xlsx")])
    assert result.exit_code != 0
