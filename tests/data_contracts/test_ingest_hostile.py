"""Ingest under hostile exports (property-based): the hand-made good versions of `tests/exports.py`,
corrupted at random (encodings, truncated files and lines, swapped or repeated columns, huge and tiny
values, duplicate keys, corrections out of order, the same export twice, older after newer).

Properties: ingest never crashes (only `FileRejected`, for a file that cannot be read, and then nothing
changes); every rejection names its file, line and rule, and exactly the bad lines are rejected; no bad
row is stored; every good version delivered is stored exactly once; and the store after the sequence
equals the store after the same versions arriving cleanly, oldest first.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from unittest import mock

import pandas as pd
import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lks.data_contracts import parse, rules
from lks.data_contracts.ingest import ingest
from lks.data_contracts.parse import FileRejected
from lks.data_contracts.schemas import PRIMARY_KEYS, TABLES
from lks.data_contracts.store import current, make_engine, read_versions, rejected_rows
from tests.data_contracts import hostile
from tests.exports import write_export

FAST = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def stored_versions(engine) -> dict[str, set[tuple[str, str]]]:
    out = {}
    for table in TABLES:
        frame = read_versions(engine, table)
        stamps = frame["registered_at"].dt.strftime("%Y-%m-%dT%H:%M:%S")
        out[table] = set(zip(frame[PRIMARY_KEYS[table]], stamps, strict=True))
        assert len(out[table]) == len(frame), f"{table}: a version is stored twice"
    return out


def version_ids(versions: dict[str, list[dict[str, str]]]) -> dict[str, set[tuple[str, str]]]:
    return {t: {(v[PRIMARY_KEYS[t]], v["registered_at"]) for v in vs} for t, vs in versions.items()}


def rejections(engine, batch_id: int) -> list[dict]:
    with engine.connect() as conn:
        query = sa.select(rejected_rows).where(rejected_rows.c.batch_id == batch_id)
        return [dict(r) for r in conn.execute(query).mappings()]


def ingest_sequence(root: Path, engine, sequence: list[hostile.Export]) -> dict[str, list[dict[str, str]]]:
    """Ingest each export, checking it against the oracle; the good versions the store must hold."""
    stored: dict[str, list[dict[str, str]]] = {t: [] for t in TABLES}
    accepted: set[tuple[bytes, ...]] = set()
    folders: list[tuple[Path, dict]] = []
    for i, item in enumerate(sequence):
        if item.repeat_of is not None:
            folder, rendered = folders[item.repeat_of]
        else:
            folder = root / f"export{i}"
            rendered = hostile.write(folder, item)
        folders.append((folder, rendered))
        before = stored_versions(engine)
        fatal = [t for t in TABLES if hostile.is_fatal(item.files[t], rendered[t][0])]
        fingerprint = tuple(rendered[t][0] for t in TABLES)
        if fatal:
            with pytest.raises(FileRejected) as refused:
                ingest(engine, folder)
            assert refused.value.file == f"{fatal[0]}.csv" and refused.value.rule in rules.FILE_RULES
            assert stored_versions(engine) == before
            continue
        report = ingest(engine, folder)
        if fingerprint in accepted:
            assert report.batch_id is None and stored_versions(engine) == before
            continue
        accepted.add(fingerprint)
        keys = {t: {v[PRIMARY_KEYS[t]] for v in vs} for t, vs in stored.items()}
        new, expected_rejected = hostile.delivered(rendered, keys)
        kept = rejections(engine, report.batch_id)
        assert {(r["file"], r["line"]) for r in kept} == expected_rejected
        assert len(kept) == len(expected_rejected) == report.counts["rejected"].sum()
        assert all(r["rule"] in rules.ROW_RULES and r["message"] for r in kept)
        for table, versions in new.items():
            stored[table].extend(v for v in versions if v not in stored[table])
        assert stored_versions(engine) == version_ids(stored)
    return stored


def clean_store(root: Path, versions: dict[str, list[dict[str, str]]]):
    """The same versions arriving cleanly: oldest version of every key first, one export per round."""
    engine = make_engine(f"sqlite:///{root / 'clean.db'}")
    ordered = {t: sorted(vs, key=lambda v: v["registered_at"]) for t, vs in versions.items()}
    rounds = max((_rank(vs, t) for t, vs in ordered.items()), default=0)
    for r in range(rounds):
        tables = {t: [v for v in vs if _round_of(v, vs, t) == r] for t, vs in ordered.items()}
        ingest(engine, write_export(root / f"clean{r}", **tables))
    return engine


def _round_of(version: dict[str, str], versions: list[dict[str, str]], table: str) -> int:
    key = PRIMARY_KEYS[table]
    same = [v for v in versions if v[key] == version[key]]
    return same.index(version)


def _rank(versions: list[dict[str, str]], table: str) -> int:
    return max((_round_of(v, versions, table) + 1 for v in versions), default=0)


def comparable(frame: pd.DataFrame, table: str) -> pd.DataFrame:
    return frame.drop(columns="batch_id", errors="ignore").sort_values(
        [PRIMARY_KEYS[table], "registered_at"]).reset_index(drop=True)


@FAST
@given(item=hostile.export())
def test_one_hostile_export_is_stored_or_refused_never_crashes(item):
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/store.db")
        stored = ingest_sequence(Path(tmp), engine, [item])
        for table in TABLES:
            assert len(current(engine, table)) == len({v[PRIMARY_KEYS[table]] for v in stored[table]})


@FAST
@given(item=hostile.export())
def test_one_hostile_export_streamed_in_chunks_of_two_rows_keeps_every_property(item):
    """As above with every file read two rows at a time (a national export streams through in chunks): a key
    repeated in another chunk, a line number after a chunk boundary, a refusal found deep in a file."""
    with mock.patch.object(parse, "CHUNK_ROWS", 2), tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/store.db")
        stored = ingest_sequence(Path(tmp), engine, [item])
        for table in TABLES:
            assert len(current(engine, table)) == len({v[PRIMARY_KEYS[table]] for v in stored[table]})


@pytest.mark.slow
@SLOW
@given(sequence=hostile.export_sequence())
def test_any_sequence_of_hostile_exports_ends_as_the_same_rows_arriving_cleanly(sequence):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        engine = make_engine(f"sqlite:///{root / 'store.db'}")
        stored = ingest_sequence(root, engine, sequence)
        clean = clean_store(root, stored)
        for table in TABLES:
            pd.testing.assert_frame_equal(
                comparable(read_versions(engine, table), table), comparable(read_versions(clean, table), table))
            pd.testing.assert_frame_equal(current(engine, table).drop(columns="batch_id"),
                                          current(clean, table).drop(columns="batch_id"))


@pytest.mark.slow
@FAST
@given(version=st.sampled_from([(t, v) for t, vs in hostile.GOOD_VERSIONS.items() for v in vs]), data=st.data())
def test_every_corruption_of_a_good_version_is_rejected(version, data):
    """The generator's own promise: a corrupted line breaks a rule whatever else the export holds."""
    table, good = version
    line = data.draw(hostile.corrupted_line(table, good))
    files = {t: hostile.TableFile(t, [hostile.good_line(t, v) for v in _first_versions(vs, t)])
             for t, vs in hostile.GOOD_VERSIONS.items()}
    files[table] = hostile.TableFile(table, [line])
    with tempfile.TemporaryDirectory() as tmp:
        engine = make_engine(f"sqlite:///{tmp}/store.db")
        ingest_sequence(Path(tmp), engine, [hostile.Export(files)])
        assert read_versions(engine, table).empty


def _first_versions(versions: list[dict[str, str]], table: str) -> list[dict[str, str]]:
    return [v for v in versions if _round_of(v, versions, table) == 0]
