"""The database's schema revision, on SQLite and on a real PostgreSQL (a throwaway cluster, tests/servers.py):
the migrations make exactly the tables the code defines, an empty database is created at the head revision,
one behind is refused by the commands and the service with a message naming `lks db upgrade`, and `lks db
upgrade` brings a database made by the release before the migrations (tests/cli/previous_release/) to the head
revision with every row still there."""

from __future__ import annotations

import itertools
import sqlite3
import threading
from datetime import date, datetime
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
import uvicorn
from alembic import command as alembic_command
from typer.testing import CliRunner

from lks.cli import app, db
from lks.data_contracts.store import make_engine
from lks.service.persistence.audit import AuditLog
from lks.service.persistence.tables import metadata as service_metadata
from lks.service.settings import get_settings
from tests import servers

PREVIOUS = Path(__file__).with_name("previous_release")
NAMES = (f"db{i}" for i in itertools.count())


@pytest.fixture(scope="module")
def postgres_cluster():
    with servers.postgres() as url:
        yield url


def new_postgres_database(cluster_url: str) -> str:
    url = sa.make_url(cluster_url)
    name = next(NAMES)
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'lks.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_cluster"))


@pytest.fixture
def lks(monkeypatch, tmp_path):
    """Runs an `lks` command against a database URL, as the environment would name it."""
    def run(url: str, *args: str):
        monkeypatch.setenv("LKS_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("LKS_DATABASE_URL", url)
        get_settings.cache_clear()
        try:
            return CliRunner().invoke(app, list(args))
        finally:
            get_settings.cache_clear()

    return run


def previous_release(url: str) -> None:
    """Load the database as the release before the migrations made it: its DDL, then its rows."""
    dialect = sa.make_url(url).get_backend_name()
    script = (PREVIOUS / f"schema.{dialect}.sql").read_text() + (PREVIOUS / "rows.sql").read_text()
    if dialect == "sqlite":
        with sqlite3.connect(sa.make_url(url).database) as conn:
            conn.executescript(script)
        return
    parts = sa.make_url(url)
    with psycopg.connect(host=parts.query["host"], port=int(parts.query["port"]), user=parts.username,
                         dbname=parts.database, autocommit=True) as conn:
        conn.execute(script.encode())


def row_counts(url: str) -> dict[str, int]:
    """Rows per table of the database's own tables (a previous release had fewer)."""
    engine = make_engine(url, create_tables=False)
    with engine.connect() as conn:
        names = sorted(db.TABLES & set(sa.inspect(conn).get_table_names()))
        counts = {name: conn.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
                  for name in names}
    engine.dispose()
    return counts


def revision(url: str) -> db.Revision:
    engine = make_engine(url, create_tables=False)
    with engine.connect() as conn:
        found = db.revision_of(conn)
    engine.dispose()
    return found


def test_the_migrations_make_exactly_the_tables_the_code_defines(empty_url):
    before, after = db.upgrade(empty_url)
    assert (before.current, before.has_tables) == (None, False)
    assert after.current == db.head() == "0004"
    assert db.differences(empty_url) == []  # a table changed without a migration fails here


def test_a_change_the_migrations_do_not_make_is_found(empty_url):
    db.upgrade(empty_url)
    engine = make_engine(empty_url, create_tables=False)
    with engine.begin() as conn:
        conn.execute(sa.text("ALTER TABLE users ADD COLUMN nickname VARCHAR"))
        conn.execute(sa.text("DROP INDEX ix_audit_log_user"))
    engine.dispose()
    found = "\n".join(db.differences(empty_url))
    assert "nickname" in found and "ix_audit_log_user" in found


def test_a_command_creates_an_empty_database_at_the_head_revision(empty_url, lks):
    result = lks(empty_url, "status")
    assert result.exit_code == 0, result.output
    assert revision(empty_url).current == db.head() and db.differences(empty_url) == []


def test_lks_db_upgrade_brings_the_previous_releases_database_to_head_with_every_row(empty_url, lks):
    previous_release(empty_url)
    counts = row_counts(empty_url)
    assert all(counts.values()), counts  # a row in every table
    assert revision(empty_url) == db.Revision(None, db.head(), True)

    result = lks(empty_url, "db", "upgrade")

    assert result.exit_code == 0, result.output
    assert "no revision (made before the migrations) -> revision 0004" in result.output
    assert revision(empty_url).current == db.head()
    after = row_counts(empty_url)
    assert {name: after[name] for name in counts} == counts and after["follow_ups"] == 0
    assert db.differences(empty_url) == []
    engine = make_engine(empty_url, create_tables=False)
    verified = AuditLog(engine).verify()
    assert (verified.records, verified.broken) == (1, None)  # the audit log's hash chain is intact
    engine.dispose()
    status = lks(empty_url, "status")
    assert status.exit_code == 0 and "Rejected rows kept: 1" in status.output
    added = lks(empty_url, "users", "add", "coach-2", "--role", "jobcoach", "--jobcoach-id", "JC2")
    assert added.exit_code == 0, added.output  # new rows get new keys (PostgreSQL's sequences still fit)
    again = lks(empty_url, "db", "upgrade")
    assert again.exit_code == 0 and "already" in again.output


def test_the_commands_and_the_service_refuse_a_database_behind_and_name_lks_db_upgrade(empty_url, lks, monkeypatch):
    previous_release(empty_url)
    counts = row_counts(empty_url)
    served = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: served.append(args))
    for command in (["status"], ["users", "list"], ["audit", "verify"], ["serve"], ["serve", "--workers", "2"]):
        result = lks(empty_url, *command)
        assert result.exit_code == 4, (command, result.output)
        message = " ".join(result.output.split())
        assert "no schema revision" in message and "Run `lks db upgrade`" in message, message
    assert served == []  # the service never started
    assert row_counts(empty_url) == counts and revision(empty_url).current is None  # and nothing was changed
    current = lks(empty_url, "db", "current")
    assert current.exit_code == 4 and "revision (none); this release: 0004" in current.output


def test_a_database_at_an_older_revision_is_refused_with_both_revisions_then_upgraded(empty_url, lks):
    engine = make_engine(empty_url, create_tables=False)
    with engine.begin() as conn:
        alembic_command.upgrade(db.alembic_config(conn), "0001")  # as the release with the first revision left it
    engine.dispose()
    with pytest.raises(db.SchemaNotReady, match=r"is at schema revision 0001; this release of lks needs "
                                               r"revision 0004\. Run `lks db upgrade`"):
        db.ready(empty_url)
    result = lks(empty_url, "db", "upgrade")
    assert result.exit_code == 0 and "0001 -> revision 0004" in result.output, result.output
    assert db.differences(empty_url) == []


def test_a_database_made_by_create_all_of_the_last_release_without_migrations_is_brought_to_head(empty_url, lks):
    # main at 884f91d made follow_ups and unscored_placements with create_all, before any revision existed
    previous_release(empty_url)
    engine = make_engine(empty_url, create_tables=False)
    service_metadata.create_all(engine)
    with engine.begin() as conn:
        conn.execute(service_metadata.tables["follow_ups"].insert().values(
            as_of=date(2026, 11, 30), placement_id="P1", kind="added", recorded_by="coordinator",
            at=datetime(2026, 11, 30, 9, 0)))
    engine.dispose()
    counts = row_counts(empty_url)
    result = lks(empty_url, "db", "upgrade")
    assert result.exit_code == 0, result.output
    assert revision(empty_url).current == db.head() and db.differences(empty_url) == []
    assert row_counts(empty_url) == counts and counts["follow_ups"] == 1


def test_a_database_a_newer_release_migrated_is_refused_and_left_alone(empty_url, lks):
    db.upgrade(empty_url)
    engine = make_engine(empty_url, create_tables=False)
    with engine.begin() as conn:
        conn.execute(sa.text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    with pytest.raises(db.SchemaNotReady, match="a newer release has migrated it"):
        db.ready(empty_url)
    result = lks(empty_url, "db", "upgrade")
    assert result.exit_code == 4 and "newer release" in result.output
    assert revision(empty_url).current == "9999"


def test_processes_that_find_the_same_empty_database_create_it_once(postgres_cluster):
    url = new_postgres_database(postgres_cluster)
    failures = []

    def start():
        try:
            db.ready(url)
        except Exception as exc:  # noqa: BLE001  any failure of either is the finding
            failures.append(exc)

    threads = [threading.Thread(target=start) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and revision(url).current == db.head() and db.differences(url) == []
