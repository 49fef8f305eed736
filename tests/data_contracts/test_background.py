"""The export checked in a forked child while the parent writes: the same chunks as checked in the parent,
and nothing left behind whichever side fails."""

from __future__ import annotations

import multiprocessing
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from lks.data_contracts import background, parse, rules
from lks.data_contracts import ingest as ingest_module
from lks.data_contracts.background import CheckingFailed, checked_chunks
from lks.data_contracts.ingest import ingest
from lks.data_contracts.parse import FileRejected
from lks.data_contracts.store import VERSIONS, history, make_engine, rejected_rows
from lks.data_contracts.validate import ExportCheck, Parents, scan_export
from tests.data_contracts.test_validate import chunked_export
from tests.exports import row, write_export


@pytest.fixture
def export(tmp_path, monkeypatch):
    """Chunks of two rows: several chunks per file, with rejections within and across them."""
    monkeypatch.setattr(parse, "CHUNK_ROWS", 2)
    return chunked_export(tmp_path)


def checking() -> list:
    """The live checking processes (other children, such as joblib's workers of another test, left out)."""
    return [p for p in multiprocessing.active_children() if p.name == "lks-ingest-check"]


def test_the_child_sends_the_chunks_checking_here_gives(export):
    files = scan_export(export)
    here = list(checked_chunks(files, Parents(), background=False))
    there = list(checked_chunks(files, Parents()))
    assert [t for t, _ in there] == [t for t, _ in here] and len(here) > len(files)
    for (_, a), (_, b) in zip(there, here, strict=True):
        assert a.rows == b.rows
        pd.testing.assert_frame_equal(a.valid, b.valid)
        pd.testing.assert_frame_equal(a.rejected, b.rejected)
    assert not checking()


def test_an_ingest_checked_in_the_child_stores_what_one_checked_here_stores(export, tmp_path, monkeypatch):
    later = write_export(tmp_path / "w2", events=[row("events", event_id="E2", value_text="zorgelijk"),
                                                  row("events", event_id="E7"), row("events", event_id="E7")])
    stores = {}
    for name, in_child in (("child", True), ("here", False)):
        monkeypatch.setattr(ingest_module, "BACKGROUND_CHECKS", in_child)
        engine = make_engine(f"sqlite:///{tmp_path / f'{name}.db'}")
        reports = [ingest(engine, export), ingest(engine, later)]
        with engine.connect() as conn:
            kept = pd.read_sql(rejected_rows.select(), conn).drop(columns=["rejection_id", "batch_id"])
        stores[name] = (reports, history(engine), kept)
    (child_reports, child_history, child_kept), (here_reports, here_history, here_kept) = (stores["child"],
                                                                                          stores["here"])
    for a, b in zip(child_reports, here_reports, strict=True):
        pd.testing.assert_frame_equal(a.counts, b.counts)
        pd.testing.assert_frame_equal(a.rejected_by_rule, b.rejected_by_rule)
    for table in VERSIONS:
        pd.testing.assert_frame_equal(child_history[table], here_history[table])
    pd.testing.assert_frame_equal(child_kept, here_kept)
    assert len(child_kept) > 0


def test_a_file_the_child_refuses_is_raised_here_with_its_file_rule_and_message(export, monkeypatch):
    def refuse(self, file):
        raise FileRejected(file.path.name, rules.UNREADABLE, "CSV syntax error on line 9")
        yield  # a generator, as the real one

    monkeypatch.setattr(ExportCheck, "table", refuse)  # inherited by the forked child
    with pytest.raises(FileRejected) as refused:
        list(checked_chunks(scan_export(export), Parents()))
    assert (refused.value.file, refused.value.rule, refused.value.message) == (
        "persons.csv", rules.UNREADABLE, "CSV syntax error on line 9")  # the first file checked
    assert not checking()


@pytest.mark.parametrize("how", ["killed", "raises"])
def test_a_child_that_dies_or_fails_stops_the_ingest_with_a_clear_error_and_stores_nothing(
        export, tmp_path, monkeypatch, how):
    original = ExportCheck.table

    def failing(self, file):
        if file.table == "events":  # after the parents were sent
            if how == "killed":
                os.kill(os.getpid(), signal.SIGKILL)
            raise MemoryError("no room for the chunk")
        yield from original(self, file)

    monkeypatch.setattr(ExportCheck, "table", failing)
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    with pytest.raises(CheckingFailed, match="exit code -9" if how == "killed" else "MemoryError"):
        ingest(engine, export)
    assert all(len(frame) == 0 for frame in history(engine).values())
    assert not checking()


def test_a_parent_that_stops_reading_kills_and_reaps_the_child(export):
    chunks = checked_chunks(scan_export(export), Parents())
    next(chunks)
    assert len(checking()) == 1
    chunks.close()  # what an ingest failing while it writes does (contextlib.closing in _load)
    assert not checking()


def test_a_killed_parent_leaves_no_checking_process_behind(tmp_path):
    folder = write_export(tmp_path / "w", events=[row("events", event_id=f"E{i}") for i in range(2000)])
    script = textwrap.dedent(f"""
        import sys, time
        from lks.data_contracts import parse
        from lks.data_contracts.background import checked_chunks
        from lks.data_contracts.validate import Parents, scan_export
        import multiprocessing
        parse.CHUNK_ROWS = 10  # many chunks: the child is still sending when the parent dies
        chunks = checked_chunks(scan_export(parse.Path({str(folder)!r})), Parents())
        next(chunks)
        print(next(p.pid for p in multiprocessing.active_children() if p.name == "lks-ingest-check"), flush=True)
        time.sleep(600)
    """)
    parent = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)  # noqa: S603  this interpreter, no shell
    child = int(parent.stdout.readline())
    parent.kill()
    parent.wait()
    deadline = time.monotonic() + 30
    while _alive(child) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not _alive(child)


def _alive(pid: int) -> bool:
    """Running (not gone, and not a zombie waiting for a reaper)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().split(")")[-1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def test_without_fork_the_export_is_checked_here(export, monkeypatch):
    monkeypatch.setattr(background.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    files = scan_export(export)
    assert len(list(checked_chunks(files, Parents()))) == len(list(checked_chunks(files, Parents(), False)))
    assert not checking()
