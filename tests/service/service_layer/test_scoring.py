import dataclasses

import pandas as pd
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from lks.cli import app
from lks.data_contracts.store import history
from lks.data_contracts.timeline import latest_versions
from lks.features.cohort import cohort
from lks.service.champion.dpia import DpiaRefused
from lks.service.champion.holder import ChampionHolder
from lks.service.champion.mlflow_source import MlflowChampionSource
from lks.service.champion.types import Champion
from lks.service.persistence.audit import AuditLog
from lks.service.persistence.tables import make_service_engine, risk_lists, risk_scores
from lks.service.service_layer.scoring import jsonable_records, jsonable_row, list_frame, score_week
from tests.service import fakes
from tests.service.fakes import REFERENCE, FixedSource
from tests.service.real_champion import AS_OF, PREVIOUS, new_home

pytestmark = pytest.mark.slow  # the real champion (real_champion.py): full-scale simulation, ingest, fitted models


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


def test_lks_score_writes_no_file_when_its_audit_record_fails(setup, tmp_path, monkeypatch):
    def unavailable(self, entries):
        raise sa.exc.OperationalError("INSERT INTO audit_log", {}, Exception("database is locked"))

    monkeypatch.setattr(AuditLog, "record", unavailable)
    out = tmp_path / "list.csv"
    result = CliRunner().invoke(app, ["score", "--as-of", str(AS_OF), "--out", str(out)])
    assert result.exit_code != 0 and not out.exists() and list(tmp_path.iterdir()) == []


def test_lks_score_refuses_other_file_types(setup, tmp_path):
    result = CliRunner().invoke(app, ["score", "--as-of", str(AS_OF), "--out", str(tmp_path / "list.xlsx")])
    assert result.exit_code != 0


class Recording:
    """A predictor that keeps every frame it is given: the real one's risks, or flat made-up ones."""

    def __init__(self, inner=None):
        self.inner, self.seen = inner, []

    def predict(self, frame: pd.DataFrame, params: dict) -> pd.DataFrame:
        self.seen.append(frame.copy())
        if self.inner is not None:
            return self.inner.predict(frame, params=params)
        flat = pd.DataFrame({"risk_13w": 0.1, "risk_52w": 0.2, "raw_52w": -1.0, "base_value": -1.0},
                            index=frame.index)
        return pd.concat([flat, pd.DataFrame(0.0, index=frame.index, columns=frame.columns).add_prefix("contrib__")],
                         axis=1)


def fresh_engine(setup, tmp_path):
    """A copy of the ingested store without any list: nothing the other tests read changes."""
    return make_service_engine(f"sqlite:///{new_home(setup.base, tmp_path) / 'lks.db'}")


def test_a_dpia_champion_is_not_scored_without_its_reference_and_nothing_is_stored(setup):
    engine = engine_of(setup)
    champion = champion_of(setup)
    trained_under = dataclasses.replace(champion, version="2000", info={**champion.info, "dpia_reference": REFERENCE})
    before = n_lists(engine)
    for deployment in (None, "DPIA-2025-001"):
        with pytest.raises(DpiaRefused, match=REFERENCE):
            score_week(engine, trained_under, AS_OF, dpia_reference=deployment)
    assert n_lists(engine) == before


def test_a_model_without_special_inputs_never_receives_them_even_where_a_reference_is_named(setup, tmp_path):
    champion = champion_of(setup)
    recording = Recording(champion.predictor)
    result = score_week(fresh_engine(setup, tmp_path), dataclasses.replace(champion, predictor=recording), AS_OF,
                        dpia_reference=REFERENCE)
    assert result.created and recording.seen
    assert all(list(frame.columns) == ["tenure_weeks", *champion.features] for frame in recording.seen)
    assert all("health_limitation" not in frame.columns for frame in recording.seen)


def test_a_dpia_model_gets_the_health_flag_of_each_placements_person_under_its_reference(setup, tmp_path):
    champion = champion_of(setup)
    recording = Recording()
    trained_under = Champion("2001", recording, (*champion.features, "health_limitation"), champion.schema,
                             {"dpia_reference": REFERENCE})
    engine = fresh_engine(setup, tmp_path)
    result = score_week(engine, trained_under, AS_OF, dpia_reference=REFERENCE)
    assert recording.seen[0].columns[-1] == "health_limitation"
    with engine.connect() as conn:
        stored = conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.features)
                              .where(risk_scores.c.list_id == result.list_id)).all()
    hist = history(engine, AS_OF)
    person = latest_versions(hist["placements"], "placements").set_index("placement_id")["person_id"]
    health = latest_versions(hist["persons"], "persons").set_index("person_id")["health_limitation"]
    got = {pid: features["health_limitation"] for pid, features in stored}
    expected = {pid: float(health[person[pid]]) for pid in got}
    assert got == expected and set(got.values()) == {0.0, 1.0}


def test_lks_score_refuses_a_dpia_champion_the_deployment_does_not_name(setup, monkeypatch):
    from lks.cli import score as score_cli

    real_bootstrap = score_cli.bootstrap
    monkeypatch.setattr(score_cli, "bootstrap",
                        lambda settings: real_bootstrap(settings, source=FixedSource(fakes.champion("6"))))
    before = n_lists(engine_of(setup))
    result = CliRunner().invoke(app, ["score", "--as-of", str(AS_OF)])
    assert result.exit_code == 1 and "Not scored." in result.output and "'DPIA-2026-014'" in result.output
    assert n_lists(engine_of(setup)) == before


def test_the_week_is_stored_with_every_placements_curve_as_a_view_would_compute_it(setup):
    from lks.service.persistence.curves import stored_features
    from lks.service.persistence.tables import risk_curves
    from lks.service.service_layer.services import _curve

    engine, champion = engine_of(setup), champion_of(setup)
    with engine.connect() as conn:
        list_id = conn.execute(sa.select(risk_lists.c.list_id).where(risk_lists.c.as_of == AS_OF)).scalar()
        scores = conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.features)
                              .where(risk_scores.c.list_id == list_id).order_by(risk_scores.c.rank)).all()
        n_curves = conn.execute(sa.select(sa.func.count()).select_from(risk_curves)
                                .where(risk_curves.c.list_id == list_id)).scalar()
    assert n_curves == len(scores) > 0
    for pid, features in scores[:3] + scores[-3:]:
        with engine.connect() as conn:
            stored = conn.execute(sa.select(risk_curves.c.curve).where(
                risk_curves.c.list_id == list_id, risk_curves.c.placement_id == pid)).scalar()
        assert stored_features(engine, list_id, pid) == features
        computed = _curve(champion, features)
        assert stored["model_version"] == computed["model_version"] == "1"
        assert [p["week"] for p in stored["points"]] == [p["week"] for p in computed["points"]]
        for name in ("cif_uitval", "cif_neutral"):
            assert [p[name] for p in stored["points"]] == pytest.approx([p[name] for p in computed["points"]])


def test_a_new_list_gets_its_steekproef_below_the_cut_drawn_from_its_date(setup):
    from lks.service.service_layer import sampling

    engine = engine_of(setup)
    with engine.connect() as conn:
        stored = conn.execute(sa.select(risk_lists).where(risk_lists.c.as_of == AS_OF)).mappings().first()
        ranks = dict(conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.rank)
                                  .where(risk_scores.c.list_id == stored["list_id"])).all())
    drawn = sampling.sampled(engine, stored["list_id"])
    assert len(drawn) == sampling.SAMPLE_SIZE and all(ranks[pid] > sampling.LIST_K for pid in drawn)
    assert drawn == sampling.draw(ranks, AS_OF)


def test_jsonable_records_equal_jsonable_row_of_every_record_whatever_the_dtype():
    frame = pd.DataFrame({
        "f": [0.5, float("nan"), 2.0], "i": pd.Series([1, 2, 3], dtype="int64"), "b": [True, False, True],
        "f32": pd.Series([1.5, float("nan"), 0.0], dtype="float32"), "o": ["x", None, 3],
        "c": pd.Categorical(["a", None, "b"]), "n": pd.array([1, None, 3], dtype="Int64"),
        "d": pd.to_datetime(["2026-01-05", None, "2026-11-22"]),
    })
    expected = [jsonable_row(r) for r in frame.astype(object).to_dict("records")]
    got = jsonable_records(frame)
    assert got == expected
    assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in expected]
    assert got[1]["f"] is None and got[1]["f32"] is None and got[1]["n"] is None
