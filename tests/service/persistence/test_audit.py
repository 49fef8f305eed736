import threading
from datetime import datetime

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

import lks.service.persistence.audit
from lks.cli import app
from lks.cli.db import upgrade
from lks.service.persistence.audit import PURGED, AuditLog, Entry
from lks.service.persistence.tables import audit_log, make_service_engine


@pytest.fixture
def log(tmp_path):
    return AuditLog(make_service_engine(f"sqlite:///{tmp_path / 'lks.db'}"))


def test_entries_are_appended_and_listed_by_user_or_placement(log):
    log.record([Entry("u1", "jobcoach", "PL1", "GET x", "1", "shown"),
                Entry("u2", "coordinator", "PL2", "GET x", "1", "not_found")])
    assert list(log.query(user="u1")["placement_id"]) == ["PL1"]
    assert list(log.query(placement_id="PL2")["outcome"]) == ["not_found"]


def test_the_service_offers_no_update_and_purges_only_past_retention(log):
    assert not [name for name in dir(AuditLog) if "update" in name or "delete" in name]
    log.now = lambda: datetime(2025, 1, 1)
    log.record([Entry("u1", "jobcoach", "PL1", "GET x", "1", "shown")])
    log.now = lambda: datetime(2025, 6, 1)
    with pytest.raises(ValueError):
        log.purge(3)
    assert log.purge(6) == 0  # five months old: kept
    log.now = lambda: datetime(2025, 8, 1)
    assert log.purge(6) == 1 and list(log.query()["outcome"]) == [PURGED, PURGED]  # only the two purges' records
    assert lks.service.persistence.audit.RETENTION_MONTHS >= 6


def test_lks_audit_lists_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_HOME", str(tmp_path))
    from lks.service.settings import get_settings

    get_settings.cache_clear()
    try:
        upgrade(get_settings().db_url)  # made as `lks` makes it
        AuditLog(make_service_engine(get_settings().db_url)).record(
            [Entry("coach-x", "jobcoach", "PL77", "GET /api/v1/placements/{placement_id}", "3", "not_found")])
        out = CliRunner().invoke(app, ["audit", "--placement", "PL77", "--csv"])
        assert out.exit_code == 0 and "coach-x" in out.output and "not_found" in out.output
        assert "coach-x" not in CliRunner().invoke(app, ["audit", "--user", "someone", "--csv"]).output
        assert CliRunner().invoke(app, ["audit", "purge", "--older-than-months", "2", "--yes"]).exit_code == 2
        out = CliRunner().invoke(app, ["audit", "purge", "--older-than-months", "6", "--yes"])
        assert out.exit_code == 0 and "recorded" in out.output
        assert CliRunner().invoke(app, ["audit", "verify"]).exit_code == 0
    finally:
        get_settings.cache_clear()


def _five(log: AuditLog) -> AuditLog:
    for i in range(1, 6):
        log.now = lambda i=i: datetime(2025, 1, i, 9, 30, 0, 123456)
        log.record([Entry(f"u{i}", "jobcoach", f"PL{i}", "GET /api/v1/placements/{placement_id}", "3", "shown")])
    return log


def _sql(log: AuditLog, *statements: str) -> None:
    with log.engine.begin() as conn:
        for statement in statements:
            conn.execute(sa.text(statement))


def test_an_untouched_log_verifies_and_names_its_newest_record(log):
    result = _five(log).verify()
    assert result.broken is None and result.records == 5 and result.last_id == 5
    assert result.last_hash == log.hash_of(5) and len(result.last_hash) == 64


def test_each_record_follows_the_hash_of_the_one_before(log):
    records = list(_five(log).records())
    assert records[0]["prev_hash"] == "0" * 64
    assert [r["prev_hash"] for r in records[1:]] == [r["hash"] for r in records[:-1]]
    assert len({r["hash"] for r in records}) == 5


@pytest.mark.parametrize("column, value", [("placement_id", "'PL9'"), ("user", "'someone'"), ("outcome", "'not_found'"),
                                           ("at", "'2025-01-03 09:31:00.123456'"), ("model_version", "NULL")])
def test_an_edited_record_is_named(log, column, value):
    _sql(_five(log), f"UPDATE audit_log SET {column} = {value} WHERE audit_id = 3")  # noqa: S608  the test's own values
    broken = log.verify().broken
    assert broken is not None and broken.audit_id == 3 and "changed" in broken.reason


def test_an_edited_record_with_its_own_hash_recomputed_breaks_the_next_link(log):
    from lks.service.persistence.audit import record_hash

    record = next(r for r in _five(log).records() if r["audit_id"] == 3)
    new_hash = record_hash({**record, "placement_id": "PL9"}, record["prev_hash"])
    _sql(log, f"UPDATE audit_log SET placement_id = 'PL9', hash = '{new_hash}' WHERE audit_id = 3")  # noqa: S608  a hash
    assert log.verify().broken.audit_id == 4


def test_a_deleted_record_is_named_by_the_one_after_it(log):
    _sql(_five(log), "DELETE FROM audit_log WHERE audit_id = 3")
    broken = log.verify().broken
    assert broken is not None and broken.audit_id == 4 and "deleted" in broken.reason


def test_deleting_the_oldest_records_without_a_purge_is_seen(log):
    _sql(_five(log), "DELETE FROM audit_log WHERE audit_id <= 2")
    assert log.verify().broken.audit_id == 3


def test_reordered_records_are_named(log):
    _sql(_five(log), "UPDATE audit_log SET audit_id = -1 WHERE audit_id = 2",
         "UPDATE audit_log SET audit_id = 2 WHERE audit_id = 4",
         "UPDATE audit_log SET audit_id = 4 WHERE audit_id = -1")
    broken = log.verify().broken
    assert broken is not None and broken.audit_id == 2


def test_a_purge_leaves_a_checkpoint_that_keeps_the_chain_verifiable(log):
    _five(log)
    log.now = lambda: datetime(2025, 7, 2, 12, 0)  # records 1 and 2 are more than six months old
    assert log.purge(6, by="admin-anne") == 2
    records = list(log.records())
    assert [r["audit_id"] for r in records] == [3, 4, 5, 6]
    checkpoint = records[-1]
    assert checkpoint["outcome"] == PURGED and checkpoint["user"] == "admin-anne"
    assert checkpoint["detail"]["purged"] == 2 and checkpoint["detail"]["up_to_id"] == 2
    assert checkpoint["detail"]["last_purged_hash"] == records[0]["prev_hash"]
    assert log.verify().broken is None
    log.record([Entry("u6", "jobcoach", "PL6", "GET x", "3", "shown")])
    log.now = lambda: datetime(2026, 2, 1)  # everything old now, the first checkpoint included
    assert log.purge(6) == 5
    assert [r["outcome"] for r in log.records()] == [PURGED] and log.verify().broken is None
    log.now = lambda: datetime(2026, 9, 1)
    assert log.purge(6) == 1 and log.verify().broken is None  # the previous checkpoint goes too
    assert [r["audit_id"] for r in log.records()] == [9]


def test_a_purge_with_nothing_to_purge_is_recorded_and_verifies(log):
    _five(log)
    log.now = lambda: datetime(2025, 2, 1)
    assert log.purge(6) == 0
    assert [r["outcome"] for r in log.records()][-1] == PURGED and log.verify().broken is None


def test_a_changed_checkpoint_is_named(log):
    _five(log)
    log.now = lambda: datetime(2025, 7, 2, 12, 0)
    log.purge(6)
    _sql(log, "UPDATE audit_log SET outcome = 'shown' WHERE audit_id = 6")  # hide that 1-2 were purged
    assert log.verify().broken.audit_id == 3
    _sql(log, "UPDATE audit_log SET outcome = 'purged' WHERE audit_id = 6")
    _sql(log, "UPDATE audit_log SET detail = json_set(detail, '$.up_to_id', 1) WHERE outcome = 'purged'")
    assert log.verify().broken.audit_id == 6


@pytest.mark.parametrize("shared", [False, True], ids=["own engine each", "one log shared"])
def test_concurrent_writers_never_fork_the_chain(tmp_path, shared):
    url = f"sqlite:///{tmp_path / 'lks.db'}"
    make_service_engine(url).dispose()
    errors = []
    one = AuditLog(make_service_engine(url))  # shared: the service's threads (queue on the log's own lock)

    def write(name: str) -> None:
        log = one if shared else AuditLog(make_service_engine(url))  # its own engine: like another process
        try:
            for i in range(40):
                log.record([Entry(name, "jobcoach", f"PL{i}", "GET x", "1", "shown")] * 3)
        except Exception as err:  # noqa: BLE001  reported below
            errors.append(err)

    threads = [threading.Thread(target=write, args=(f"u{t}",)) for t in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    log = AuditLog(make_service_engine(url))
    assert not errors
    result = log.verify()
    assert result.broken is None and result.records == 3 * 40 * 3


def test_lks_audit_verify_names_the_broken_record_and_checks_a_noted_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_HOME", str(tmp_path))
    from lks.service.settings import get_settings

    get_settings.cache_clear()
    try:
        upgrade(get_settings().db_url)  # made as `lks` makes it
        log = _five(AuditLog(make_service_engine(get_settings().db_url)))
        out = CliRunner().invoke(app, ["audit", "verify"])
        assert out.exit_code == 0 and log.hash_of(5) in out.output
        noted = f"5:{log.hash_of(5)[:16]}"
        assert CliRunner().invoke(app, ["audit", "verify", "--expect", noted]).exit_code == 0
        _sql(log, "DELETE FROM audit_log WHERE audit_id = 5")  # the newest record: the chain alone cannot tell
        out = CliRunner().invoke(app, ["audit", "verify", "--expect", noted])
        assert out.exit_code == 1 and "record 5" in out.output
        _sql(log, "UPDATE audit_log SET user = 'x' WHERE audit_id = 2")
        out = CliRunner().invoke(app, ["audit", "verify"])
        assert out.exit_code == 1 and "record 2" in out.output
    finally:
        get_settings.cache_clear()


def test_the_service_engine_commits_with_synchronous_full(tmp_path):
    engine = make_service_engine(f"sqlite:///{tmp_path / 'lks.db'}")
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL (NORMAL is 1)
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert audit_log.c.hash.unique
