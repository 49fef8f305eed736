"""Ingest under faults: a process killed with SIGKILL at random points, and the disk filling up midway.

Both must leave the store exactly as it was (or, for a kill after the commit, exactly as a finished
ingest leaves it), and a rerun must complete the export.
"""

from __future__ import annotations

import errno
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import sqlalchemy as sa

from lks.cli.db import upgrade
from lks.data_contracts.ingest import ingest
from lks.data_contracts.store import VERSIONS, batches, make_engine, rejected_rows
from tests.exports import row, write_export

LKS = Path(sys.executable).parent / "lks"


def snapshot(url: str) -> dict:
    """Everything the store holds, comparable: per table the row hashes, the batches' checksums, rejections."""
    engine = make_engine(url)
    with engine.connect() as conn:
        out = {n: sorted(conn.execute(sa.select(t.c.row_hash)).scalars()) for n, t in VERSIONS.items()}
        # a kill inside the transaction leaves the export's batch row unfinished and empty, by design: it names the
        # interrupted ingest (IngestInProgress) until `--take-over` frees it; only finished batches are stored state
        finished = sa.select(batches.c.export_checksum).where(batches.c.finished_at.is_not(None))
        out["batches"] = sorted(conn.execute(finished).scalars())
        out["rejected"] = conn.execute(sa.select(sa.func.count()).select_from(rejected_rows)).scalar()
    engine.dispose()
    return out


def big_export(folder: Path, n: int) -> Path:
    """n persons, employers and placements (two events each) on top of the base export's keys."""
    ids = range(2, n + 2)
    return write_export(
        folder,
        persons=[row("persons"), *(row("persons", person_id=f"P{i}") for i in ids)],
        employers=[row("employers"), *(row("employers", employer_id=f"W{i}") for i in ids)],
        placements=[row("placements", hours_per_week="32", registered_at="2024-05-01T09:00:00"),
                    *(row("placements", placement_id=f"PL{i}", person_id=f"P{i}", employer_id=f"W{i}")
                      for i in ids)],
        events=[e for i in ids for e in (row("events", event_id=f"E{i}a", placement_id=f"PL{i}"),
                                         row("events", event_id=f"E{i}b", placement_id=f"PL{i}",
                                             value_text="slecht"))],  # one rejected row per placement
    )


@pytest.fixture(scope="module")
def stores(tmp_path_factory):
    """The base store (one small export) and the store after the big export arrived cleanly."""
    root = tmp_path_factory.mktemp("kill")
    base = root / "base.db"
    upgrade(f"sqlite:///{base}")  # made as `lks db upgrade` makes it: `lks ingest` refuses a store without a revision
    ingest(make_engine(f"sqlite:///{base}"), write_export(root / "w1"))
    folder = big_export(root / "w2", 2000)
    done = root / "done.db"
    shutil.copy(base, done)
    ingest(make_engine(f"sqlite:///{done}"), folder)
    return root, base, folder, snapshot(f"sqlite:///{base}"), snapshot(f"sqlite:///{done}")


def run_ingest(db: Path, folder: Path) -> subprocess.Popen:
    env = {**os.environ, "LKS_DATABASE_URL": f"sqlite:///{db}", "LKS_HOME": str(db.parent)}
    return subprocess.Popen([str(LKS), "ingest", str(folder)], env=env, stdout=subprocess.DEVNULL,  # noqa: S603  the script's own fixed command, no outside input
                            stderr=subprocess.DEVNULL)


@pytest.mark.slow
def test_an_ingest_killed_at_random_points_leaves_the_store_as_before_and_a_rerun_completes_it(stores):
    root, base, folder, before, after = stores
    db = root / "timing.db"
    shutil.copy(base, db)
    started = time.monotonic()
    assert run_ingest(db, folder).wait(timeout=300) == 0
    full = time.monotonic() - started
    assert snapshot(f"sqlite:///{db}") == after

    rng = random.Random(16)  # noqa: S311  a seeded draw for a test or benchmark, not a secret
    delays = [rng.uniform(0.1, 1.0) * full for _ in range(3)] + [None]  # None: kill while the journal is open
    killed_mid_write = 0
    for i, delay in enumerate(delays):
        db = root / f"killed{i}.db"
        shutil.copy(base, db)
        process = run_ingest(db, folder)
        if delay is None:
            journal = Path(f"{db}-journal")
            while not journal.exists() and process.poll() is None:
                time.sleep(0.002)
            killed_mid_write += process.poll() is None
        else:
            time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
        left = snapshot(f"sqlite:///{db}")
        assert left in (before, after), f"kill {i} after {delay} s left a partial store"
        assert delay is not None or left == before, "killed while writing, yet something was stored"
        ingest(make_engine(f"sqlite:///{db}"), folder, take_over=True)  # the rerun, as `lks ingest --take-over`
        assert snapshot(f"sqlite:///{db}") == after
    assert killed_mid_write == 1, "the ingest finished before it could be killed while writing"


@pytest.mark.parametrize("fault", [
    sqlite3.OperationalError("database or disk is full"),
    OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)),
], ids=["sqlite-full", "enospc"])
def test_a_full_disk_midway_loses_nothing_already_stored_and_says_why(tmp_path, fault):
    engine = make_engine(f"sqlite:///{tmp_path / 'store.db'}")
    ingest(engine, write_export(tmp_path / "w1"))
    before = snapshot(str(engine.url))
    inserts = []

    def disk_fills_up(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO events"):  # persons .. placements are written by now
            inserts.append(statement)
            raise fault

    sa.event.listen(engine, "before_cursor_execute", disk_fills_up)
    folder = big_export(tmp_path / "w2", 50)
    with pytest.raises((sa.exc.OperationalError, OSError)) as failed:
        ingest(engine, folder)
    assert inserts and str(fault) in str(failed.value)
    assert snapshot(str(engine.url)) == before
    sa.event.remove(engine, "before_cursor_execute", disk_fills_up)  # room again: the rerun completes it
    report = ingest(engine, folder)
    assert report.batch_id is not None and report.counts.loc["persons", "loaded"] == 50
