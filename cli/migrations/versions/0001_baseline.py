"""The schema as the releases before the migrations made it (`metadata.create_all` of the store's and the
service's tables), table for table.

Revision 0001, the first; written 2026-12-03.

A database made by such a release has these tables and no revision: `lks db upgrade` runs this revision on it,
which creates only the tables it lacks (as create_all did: an older release may not have had the newest ones)
and leaves every other table and its rows as they are, then records the revision.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TABLES = ("ingest_batches", "employers", "endings", "events", "persons", "placements", "rejected_rows", "audit_log",
          "monitoring_runs", "page_sessions", "risk_lists", "users", "actions", "list_samples", "risk_curves",
          "risk_scores")


def _create(name: str, *elements: sa.Column | sa.Constraint, indexes: tuple[str, ...] = ()) -> None:
    """Create the table with its one-column indexes (`ix_<table>_<column>`), unless it exists."""
    if sa.inspect(op.get_bind()).has_table(name):
        return
    op.create_table(name, *elements)
    for column in indexes:
        op.create_index(op.f(f"ix_{name}_{column}"), name, [column], unique=False)


def _versions(name: str, key: str, *columns: sa.Column) -> None:
    """A store table: every version of a row of the export's `name`, identified by (key, registered_at)."""
    _create(
        name,
        sa.Column("version_id", sa.Integer(), autoincrement=True, nullable=False),
        *columns,
        sa.Column("registered_at", sa.DateTime(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("source_line", sa.Integer(), nullable=False),
        sa.Column("row_hash", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batches.batch_id"]),
        sa.PrimaryKeyConstraint("version_id"),
        sa.UniqueConstraint(key, "registered_at", name=f"uq_{name}_version"),
        indexes=(key,),
    )


def upgrade() -> None:
    # ---- the store (lks.data_contracts.store) ----
    _create(
        "ingest_batches",
        sa.Column("batch_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("started_at", sa.DateTime(), nullable=False),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("contract_version", sa.String(), nullable=False),
        sa.Column("export_checksum", sa.String(length=64), nullable=False),
        sa.Column("files", sa.JSON(), nullable=False),
        sa.Column("counts", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("batch_id"),
        sa.UniqueConstraint("export_checksum"),
    )
    _versions(
        "employers", "employer_id",
        sa.Column("employer_id", sa.String(), nullable=False),
        sa.Column("sector", sa.String(), nullable=False),
        sa.Column("size_class", sa.String(), nullable=False),
        sa.Column("employer_type", sa.String(), nullable=False),
        sa.Column("own_jobcoach", sa.Boolean(), nullable=False),
        sa.Column("harrie_training_date", sa.Date(), nullable=True),
        sa.Column("social_return", sa.Boolean(), nullable=False),
    )
    _versions(
        "endings", "placement_id",
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("reason_code", sa.String(), nullable=False),
        sa.Column("registration", sa.String(), nullable=False),
    )
    _versions(
        "events", "event_id",
        sa.Column("event_id", sa.String(), nullable=False),
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("event_date", sa.Date(), nullable=False),
        sa.Column("event_type", sa.String(), nullable=False),
        sa.Column("value_num", sa.Float(), nullable=True),
        sa.Column("value_text", sa.String(), nullable=True),
    )
    _versions(
        "persons", "person_id",
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("birth_year", sa.BigInteger(), nullable=False),
        sa.Column("gender", sa.String(), nullable=False),
        sa.Column("migration_background", sa.String(), nullable=False),
        sa.Column("dutch_language_level", sa.String(), nullable=False),
        sa.Column("district", sa.String(), nullable=False),
        sa.Column("education_level", sa.String(), nullable=False),
        sa.Column("target_group_register", sa.Boolean(), nullable=False),
        sa.Column("health_limitation", sa.Boolean(), nullable=False),
        sa.Column("debt_problems", sa.Boolean(), nullable=False),
        sa.Column("childcare_need", sa.Boolean(), nullable=False),
    )
    _versions(
        "placements", "placement_id",
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("person_id", sa.String(), nullable=False),
        sa.Column("employer_id", sa.String(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("lks_start_date", sa.Date(), nullable=False),
        sa.Column("contract_type", sa.String(), nullable=False),
        sa.Column("planned_end_date", sa.Date(), nullable=True),
        sa.Column("hours_per_week", sa.Float(), nullable=False),
        sa.Column("wage_value_pct", sa.Float(), nullable=False),
        sa.Column("subsidy_type", sa.String(), nullable=False),
        sa.Column("springboard", sa.Boolean(), nullable=False),
        sa.Column("trial_placement_before", sa.Boolean(), nullable=False),
        sa.Column("partial_benefit", sa.Boolean(), nullable=False),
        sa.Column("months_on_benefit_before", sa.BigInteger(), nullable=False),
        sa.Column("jobcoach_org", sa.String(), nullable=True),
        sa.Column("jobcoach_hours_per_month", sa.Float(), nullable=False),
        sa.Column("jobcoach_id", sa.String(), nullable=True),
        sa.Column("team", sa.String(), nullable=False),
    )
    _create(
        "rejected_rows",
        sa.Column("rejection_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("table_name", sa.String(), nullable=False),
        sa.Column("file", sa.String(), nullable=False),
        sa.Column("line", sa.Integer(), nullable=False),
        sa.Column("rule", sa.String(), nullable=False),
        sa.Column("message", sa.String(), nullable=False),
        sa.Column("raw", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["batch_id"], ["ingest_batches.batch_id"]),
        sa.PrimaryKeyConstraint("rejection_id"),
        indexes=("batch_id",),
    )

    # ---- the service (lks.service.persistence.tables) ----
    _create(
        "audit_log",
        sa.Column("audit_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("placement_id", sa.String(), nullable=True),
        sa.Column("endpoint", sa.String(), nullable=False),
        sa.Column("model_version", sa.String(), nullable=True),
        sa.Column("outcome", sa.String(), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("audit_id"),
        sa.UniqueConstraint("hash"),
        indexes=("at", "placement_id", "user"),
    )
    _create(
        "monitoring_runs",
        sa.Column("run_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("n_alerts", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("run_id"),
        indexes=("at",),
    )
    _create(
        "page_sessions",
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("user", sa.String(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(), nullable=False),
        sa.Column("expires_at", sa.DateTime(), nullable=False),
        sa.Column("ended_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("session_hash"),
        indexes=("expires_at",),
    )
    _create(
        "risk_lists",
        sa.Column("list_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("model_version", sa.String(), nullable=False),
        sa.Column("input_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("n_placements", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("list_id"),
        sa.UniqueConstraint("as_of", "model_version", "input_hash", name="uq_risk_list"),
        indexes=("as_of",),
    )
    _create(
        "users",
        sa.Column("user_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("role", sa.String(), nullable=False),
        sa.Column("teams", sa.JSON(), nullable=False),
        sa.Column("jobcoach_id", sa.String(), nullable=True),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("name"),
        sa.UniqueConstraint("token_hash"),
    )
    _create(
        "actions",
        sa.Column("action_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("intervention", sa.String(), nullable=True),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("note", sa.String(), nullable=True),
        sa.Column("list_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(["list_id"], ["risk_lists.list_id"]),
        sa.PrimaryKeyConstraint("action_id"),
        indexes=("placement_id",),
    )
    _create(
        "list_samples",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["risk_lists.list_id"]),
        sa.UniqueConstraint("list_id", "placement_id", name="uq_list_sample"),
        indexes=("list_id",),
    )
    _create(
        "risk_curves",
        sa.Column("curve_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("curve", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["risk_lists.list_id"]),
        sa.PrimaryKeyConstraint("curve_id"),
        sa.UniqueConstraint("list_id", "placement_id", name="uq_risk_curve"),
    )
    _create(
        "risk_scores",
        sa.Column("score_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("district", sa.String(), nullable=True),
        sa.Column("jobcoach_id", sa.String(), nullable=True),
        sa.Column("tenure_weeks", sa.Integer(), nullable=False),
        sa.Column("risk_13w", sa.Float(), nullable=False),
        sa.Column("risk_52w", sa.Float(), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=False),
        sa.Column("explanation", sa.JSON(), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["risk_lists.list_id"]),
        sa.PrimaryKeyConstraint("score_id"),
        sa.UniqueConstraint("list_id", "placement_id", name="uq_risk_score"),
        indexes=("list_id", "placement_id"),
    )


def downgrade() -> None:
    for name in reversed(TABLES):  # dependents first; each table's indexes go with it
        op.drop_table(name)
