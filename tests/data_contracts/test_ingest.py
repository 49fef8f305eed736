"""The store: idempotent re-ingest, corrections with history kept, all-or-nothing refusals."""

import pandas as pd
import pytest
import sqlalchemy as sa

from lks.data_contracts import rules
from lks.data_contracts.ingest import ingest
from lks.data_contracts.parse import FileRejected
from lks.data_contracts.store import VERSIONS, batches, current, history, make_engine, rejected_rows
from tests.exports import row, write_export


@pytest.fixture
def engine(tmp_path):
    return make_engine(f"sqlite:///{tmp_path / 'store.db'}")


def table_sizes(engine):
    with engine.connect() as conn:
        sizes = {n: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar() for n, t in VERSIONS.items()}
        sizes["batches"] = conn.execute(sa.select(sa.func.count()).select_from(batches)).scalar()
        sizes["rejected"] = conn.execute(sa.select(sa.func.count()).select_from(rejected_rows)).scalar()
    return sizes


def test_first_ingest_loads_every_valid_row(tmp_path, engine):
    report = ingest(engine, write_export(tmp_path / "w1"))
    assert report.counts["loaded"].to_dict() == dict.fromkeys(VERSIONS, 1)
    assert report.counts["rejected"].sum() == 0


def test_the_same_export_twice_changes_nothing(tmp_path, engine):
    folder = write_export(tmp_path / "w1", events=[row("events"), row("events", event_id="E2", value_text="Q")])
    first = ingest(engine, folder)
    before = table_sizes(engine)
    again = ingest(engine, folder)
    assert again.batch_id is None and again.already_ingested == first.batch_id
    assert table_sizes(engine) == before


def test_the_same_rows_in_a_new_export_are_unchanged(tmp_path, engine):
    ingest(engine, write_export(tmp_path / "w1"))
    rows = [row("events"), row("events", event_id="E2", event_date="2024-04-01", registered_at="2024-04-02T08:00:00")]
    report = ingest(engine, write_export(tmp_path / "w2", events=rows))
    assert report.counts.loc["events", "unchanged"] == 1 and report.counts.loc["events", "loaded"] == 1
    assert report.counts.loc["persons", "unchanged"] == 1 and report.counts.loc["persons", "loaded"] == 0
    assert table_sizes(engine)["events"] == 2


def test_a_correction_becomes_current_and_the_old_version_stays(tmp_path, engine):
    ingest(engine, write_export(tmp_path / "w1"))
    corrected = row("placements", hours_per_week="32", registered_at="2024-05-01T09:00:00")
    report = ingest(engine, write_export(tmp_path / "w2", placements=[corrected]))
    assert report.counts.loc["placements", "corrected"] == 1
    assert current(engine, "placements")["hours_per_week"].tolist() == [32.0]
    assert current(engine, "placements", as_of=pd.Timestamp("2024-04-30").date())["hours_per_week"].tolist() == [24.0]
    assert len(history(engine)["placements"]) == 2


def test_an_older_version_arriving_late_is_history_never_current(tmp_path, engine):
    ingest(engine, write_export(tmp_path / "w1"))
    older = row("placements", hours_per_week="16", registered_at="2024-02-01T09:00:00")
    report = ingest(engine, write_export(tmp_path / "w0", placements=[older]))
    assert report.counts.loc["placements", "history"] == 1
    assert current(engine, "placements")["hours_per_week"].tolist() == [24.0]
    assert current(engine, "placements", as_of=pd.Timestamp("2024-02-02").date())["hours_per_week"].tolist() == [16.0]


def test_same_key_and_time_with_other_content_is_rejected(tmp_path, engine):
    ingest(engine, write_export(tmp_path / "w1"))
    clash = row("placements", hours_per_week="36")
    report = ingest(engine, write_export(tmp_path / "w2", placements=[clash]))
    assert report.rejected_by_rule.values.tolist() == [["placements", rules.CONFLICTING_VERSION, 1]]
    assert current(engine, "placements")["hours_per_week"].tolist() == [24.0]


def test_rejected_rows_are_kept_with_file_line_and_rule(tmp_path, engine):
    report = ingest(engine, write_export(tmp_path / "w1", events=[row("events"), row("events", event_id="E2",
                                                                                          value_text="slecht")]))
    with engine.connect() as conn:
        kept = conn.execute(sa.select(rejected_rows)).mappings().all()
    assert [(r["batch_id"], r["file"], r["line"], r["rule"]) for r in kept] == [
        (report.batch_id, "events.csv", 3, rules.ALLOWED_VALUES)]
    assert kept[0]["raw"]["value_text"] == "slecht"


def test_a_refused_file_changes_nothing(tmp_path, engine):
    ingest(engine, write_export(tmp_path / "w1"))
    before = table_sizes(engine)
    folder = write_export(tmp_path / "w2", events=[row("events", event_id="E2")])
    (folder / "endings.csv").write_bytes(b"placement_id,end_date\nPL1,2024-01-01\n")
    with pytest.raises(FileRejected, match="endings.csv"):
        ingest(engine, folder)
    assert table_sizes(engine) == before


def test_a_failure_midway_leaves_no_half_written_state(tmp_path, engine, monkeypatch):
    import lks.data_contracts.ingest as module

    calls = []

    def failing_insert(conn, table, frame, name, progress):
        calls.append(name)
        if name == "events":
            raise RuntimeError("disk full")
        original(conn, table, frame, name, progress)

    original = module._insert
    monkeypatch.setattr(module, "_insert", failing_insert)
    with pytest.raises(RuntimeError):
        ingest(engine, write_export(tmp_path / "w1"))
    assert "persons" in calls
    assert table_sizes(engine) == dict.fromkeys([*VERSIONS, "batches", "rejected"], 0)


def test_two_concurrent_ingests_of_one_export_store_it_once_and_the_refusal_names_the_batch(tmp_path, engine):
    import threading

    from lks.data_contracts.ingest import IngestInProgress

    folder = write_export(tmp_path / "w1")
    inside, go_on, first = threading.Event(), threading.Event(), {}

    def hold_midway(_table, _n):  # the first ingest waits inside its transaction
        inside.set()
        go_on.wait(10)

    worker = threading.Thread(target=lambda: first.update(report=ingest(engine, folder, progress=hold_midway)))
    worker.start()
    try:
        assert inside.wait(10)
        with pytest.raises(IngestInProgress) as refused:
            ingest(make_engine(f"sqlite:///{tmp_path / 'store.db'}"), folder)  # another process's engine
    finally:
        go_on.set()
        worker.join(10)
    batch = first["report"].batch_id
    assert batch is not None and refused.value.batch_id == batch
    assert f"batch {batch}" in str(refused.value) and refused.value.checksum[:12] in str(refused.value)
    assert table_sizes(engine)["batches"] == 1 and table_sizes(engine)["persons"] == 1
    assert ingest(engine, folder).already_ingested == batch  # once finished: already ingested, nothing changed


def test_the_store_holds_one_batch_per_export(tmp_path, engine):
    folder = write_export(tmp_path / "w1")
    first = ingest(engine, folder)
    with engine.begin() as conn:
        row_ = conn.execute(sa.select(batches).where(batches.c.batch_id == first.batch_id)).mappings().one()
    with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
        conn.execute(sa.insert(batches).values({**row_, "batch_id": None}))


def test_an_interrupted_ingest_is_named_and_can_be_taken_over(tmp_path, engine):
    from datetime import datetime

    from lks.data_contracts.ingest import IngestInProgress
    from lks.data_contracts.store import export_checksum
    from lks.data_contracts.validate import validate_export

    folder = write_export(tmp_path / "w1")
    checksum = export_checksum(validate_export(folder, module_parents(engine)).files)
    with engine.begin() as conn:  # what a crash midway leaves: the export's batch row, unfinished
        conn.execute(sa.insert(batches).values(started_at=datetime(2026, 12, 1, 8), finished_at=None, source="x",
                                               contract_version="1", export_checksum=checksum, files={}, counts={}))
    with pytest.raises(IngestInProgress, match="batch 1 .started 2026-12-01 08:00:00"):
        ingest(engine, folder)
    report = ingest(engine, folder, take_over=True)
    assert report.batch_id is not None and table_sizes(engine)["batches"] == 1


def module_parents(engine):
    from lks.data_contracts.ingest import store_parents

    return store_parents(engine)


def test_a_row_hash_is_its_own_whatever_rows_are_hashed_with_it(tmp_path):
    """A chunked ingest hashes a row with whichever rows share its chunk: the hash must not depend on them. It is
    the hash the store always wrote (the validated frame's astype(str), joined) when some timestamp has a time of
    day: this keeps a store's hashes comparable with a new export's."""
    import hashlib

    from lks.data_contracts.schemas import columns
    from lks.data_contracts.store import row_hashes
    from lks.data_contracts.validate import validate_export

    midnight = row("placements", registered_at="2024-02-03T00:00:00", contract_type="onbepaald", planned_end_date=None)
    rows = validate_export(write_export(tmp_path / "both", placements=[row("placements", placement_id="PL2"),
                                                                        midnight])).tables["placements"]
    alone = validate_export(write_export(tmp_path / "alone", placements=[midnight])).tables["placements"]
    assert row_hashes(rows, "placements").iloc[1] == row_hashes(alone, "placements").iloc[0]
    old = rows[list(columns("placements"))].astype(str).agg("\x1f".join, axis=1)
    assert row_hashes(rows, "placements").tolist() == [hashlib.sha256(s.encode()).hexdigest() for s in old]


def test_an_export_in_chunks_is_stored_as_in_one_and_a_second_export_compares_chunk_by_chunk(
        tmp_path, engine, monkeypatch):
    from lks.data_contracts import parse
    from tests.data_contracts.test_validate import chunked_export

    folder = chunked_export(tmp_path)
    whole_engine = make_engine(f"sqlite:///{tmp_path / 'whole.db'}")
    whole = ingest(whole_engine, folder)
    monkeypatch.setattr(parse, "CHUNK_ROWS", 2)
    chunked = ingest(engine, folder)
    pd.testing.assert_frame_equal(chunked.counts, whole.counts)
    pd.testing.assert_frame_equal(chunked.rejected_by_rule, whole.rejected_by_rule)
    for table in VERSIONS:
        pd.testing.assert_frame_equal(history(engine)[table], history(whole_engine)[table])
    later = write_export(tmp_path / "w2", events=[
        row("events", event_id="E2", value_text="zorgelijk"),
        row("events", event_id="E5"),
        row("events", event_id="E6"),
        row("events", event_id="E3", event_type="employer_signal", value_text="anders"),
        row("events", event_id="E5", registered_at="2024-03-08T08:00:00", value_text="positief"),
    ])
    report = ingest(engine, later)
    assert report.counts.loc["events"].to_dict() == {
        "rows": 5, "loaded": 1, "corrected": 0, "history": 0, "unchanged": 1, "rejected": 3}
    assert report.rejected_by_rule.values.tolist() == [
        ["events", rules.CONFLICTING_VERSION, 1], ["events", rules.DUPLICATE_KEY, 2]]
