from datetime import datetime

import pytest
from typer.testing import CliRunner

import lks.service.persistence.audit
from lks.cli import app
from lks.service.persistence.audit import AuditLog, Entry
from lks.service.persistence.tables import make_service_engine


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
    assert log.purge(6) == 1 and log.query().empty
    assert lks.service.persistence.audit.RETENTION_MONTHS >= 6


def test_lks_audit_lists_entries(tmp_path, monkeypatch):
    monkeypatch.setenv("LKS_HOME", str(tmp_path))
    from lks.service.settings import get_settings

    get_settings.cache_clear()
    try:
        AuditLog(make_service_engine(get_settings().db_url)).record(
            [Entry("coach-x", "jobcoach", "PL77", "GET /api/v1/placements/{placement_id}", "3", "not_found")])
        out = CliRunner().invoke(app, ["audit", "--placement", "PL77", "--csv"])
        assert out.exit_code == 0 and "coach-x" in out.output and "not_found" in out.output
        assert "coach-x" not in CliRunner().invoke(app, ["audit", "--user", "someone", "--csv"]).output
        assert CliRunner().invoke(app, ["audit", "purge", "--older-than-months", "2", "--yes"]).exit_code == 2
    finally:
        get_settings.cache_clear()
