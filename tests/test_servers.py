import pytest

from tests import servers


def test_a_missing_server_skips_outside_make_test_and_fails_inside(monkeypatch):
    monkeypatch.delenv("LKS_TEST_SERVERS", raising=False)
    with pytest.raises(pytest.skip.Exception, match="make test"):
        servers.missing("PostgreSQL")
    monkeypatch.setenv("LKS_TEST_SERVERS", "required")
    with pytest.raises(pytest.fail.Exception, match="PostgreSQL"):
        servers.missing("PostgreSQL")


def test_postgres_is_skipped_with_its_reason_when_not_installed(monkeypatch):
    monkeypatch.delenv("LKS_TEST_SERVERS", raising=False)
    monkeypatch.setattr(servers, "postgres_bin", lambda: None)
    with pytest.raises(pytest.skip.Exception, match="postgresql"), servers.postgres():
        pass
