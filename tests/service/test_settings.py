import pytest
import sqlalchemy as sa
from pydantic import ValidationError

from lks.service.settings import Settings


def test_no_dpia_reference_by_default(monkeypatch):
    monkeypatch.delenv("LKS_DPIA_REFERENCE", raising=False)
    assert Settings().dpia_reference is None


@pytest.mark.parametrize(("value", "expected"), [("", None), ("DPIA-2026-014", "DPIA-2026-014"),
                                                 ("  DPIA-2026-014\n", "DPIA-2026-014")])
def test_the_dpia_reference_comes_from_the_environment_stripped_and_empty_is_off(monkeypatch, value, expected):
    monkeypatch.setenv("LKS_DPIA_REFERENCE", value)
    assert Settings().dpia_reference == expected


def test_a_blank_dpia_reference_is_refused(monkeypatch):
    monkeypatch.setenv("LKS_DPIA_REFERENCE", "   ")
    with pytest.raises(ValidationError, match="DPIA reference"):
        Settings()


def test_page_sessions_last_a_working_day_and_end_after_half_an_hour_idle_by_default(monkeypatch):
    monkeypatch.delenv("LKS_SESSION_HOURS", raising=False)
    monkeypatch.delenv("LKS_SESSION_IDLE_MINUTES", raising=False)
    assert (Settings().session_hours, Settings().session_idle_minutes) == (8, 30)
    monkeypatch.setenv("LKS_SESSION_HOURS", "10")
    monkeypatch.setenv("LKS_SESSION_IDLE_MINUTES", "15")
    assert (Settings().session_hours, Settings().session_idle_minutes) == (10, 15)


@pytest.mark.parametrize(("name", "value"), [("LKS_SESSION_HOURS", "0"), ("LKS_SESSION_IDLE_MINUTES", "-5"),
                                             ("LKS_SESSION_IDLE_MINUTES", "inf"), ("LKS_SESSION_HOURS", "25"),
                                             ("LKS_SESSION_IDLE_MINUTES", "481")])
def test_session_times_must_be_positive_and_bounded(monkeypatch, name, value):
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError, match=name.removeprefix("LKS_").lower()):
        Settings()


def test_the_database_password_comes_from_a_file_and_the_url_names_none(monkeypatch, tmp_path):
    secret = tmp_path / "lks_db_password"
    secret.write_text("s3cr@t/:pw\n")  # characters a URL must quote, and the newline an editor leaves
    monkeypatch.setenv("LKS_DATABASE_URL", "postgresql+psycopg://lks@postgres:5432/lks")
    monkeypatch.setenv("LKS_DATABASE_PASSWORD_FILE", str(secret))
    url = sa.make_url(Settings().db_url)
    assert (url.username, url.password, url.host, url.database) == ("lks", "s3cr@t/:pw", "postgres", "lks")


def test_the_log_format_is_text_or_json(monkeypatch):
    monkeypatch.delenv("LKS_LOG_FORMAT", raising=False)
    assert Settings().log_format == "text"
    monkeypatch.setenv("LKS_LOG_FORMAT", "json")
    assert Settings().log_format == "json"
    monkeypatch.setenv("LKS_LOG_FORMAT", "xml")
    with pytest.raises(ValidationError, match="log_format"):
        Settings()


def test_request_threads_are_unset_by_default_empty_is_unset_and_zero_is_refused(monkeypatch):
    monkeypatch.delenv("LKS_REQUEST_THREADS", raising=False)
    assert Settings().request_threads is None
    monkeypatch.setenv("LKS_REQUEST_THREADS", "")
    assert Settings().request_threads is None
    monkeypatch.setenv("LKS_REQUEST_THREADS", "2")
    assert Settings().request_threads == 2
    monkeypatch.setenv("LKS_REQUEST_THREADS", "0")
    with pytest.raises(ValidationError):
        Settings()
