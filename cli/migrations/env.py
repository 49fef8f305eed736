"""Alembic's environment: run by `lks.cli.db.upgrade` on a connection it opened (`config.attributes`), never
from an alembic.ini (there is none, and so no logging set-up of Alembic's own)."""

from __future__ import annotations

from alembic import context

from lks.data_contracts.store import metadata as store_metadata
from lks.service.persistence.tables import metadata as service_metadata

TARGET = [store_metadata, service_metadata]


def run_migrations_online() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, target_metadata=TARGET, compare_type=True,
                      # SQLite alters a table by copying it: a later revision's op.batch_alter_table does that
                      render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
