"""The database's migrations (Alembic): `env.py` and one script per revision under `versions/`.

Why under `cli/`: one database holds the store's tables (`lks.data_contracts.store.metadata`) and the service's
(`lks.service.persistence.tables.metadata`), and the environment compares both with the database. Only the command
line, the composition root, may import every layer (`.importlinter`); a home inside `data_contracts` could not see
the service's tables, and one inside `service` would make the service own the store's schema. So the scripts live
here, `lks db upgrade` (`lks.cli.db`) runs them, and every command that opens the database, `lks serve` included,
first checks its revision there.

A revision never imports the tables' current definitions: it states its own, so that it still means the same
after the tables change. Write the next one with `make migration MESSAGE="..."` (autogenerate against a database
at the head revision), read it, and keep `tests/cli/test_db.py` green: it fails while the tables and the
migrations disagree.
"""
