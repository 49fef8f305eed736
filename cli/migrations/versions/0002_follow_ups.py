"""The week's follow-up and the placements that got no score (issue 14's pages).

Revision 0002; written 2026-12-03. Adds `follow_ups` (a coordinator adding a placement to the week's
follow-up or dismissing one, append-only) and `unscored_placements` (per list, the placements scored
"geen voorspelling" and which required inputs they lacked). Nothing else changes, so no row moves.

The last release before the migrations (main at 884f91d) already made both tables with `create_all`; on
its database 0001 records itself and this revision finds them there, so each table is created only when
it is missing.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def _missing(name: str) -> bool:
    return not sa.inspect(op.get_bind()).has_table(name)


def upgrade() -> None:
    if _missing("follow_ups"):
        _follow_ups()
    if _missing("unscored_placements"):
        _unscored_placements()


def _follow_ups() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("follow_up_id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("as_of", sa.Date(), nullable=False),
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("kind", sa.String(), nullable=False),
        sa.Column("reason", sa.String(), nullable=True),
        sa.Column("recorded_by", sa.String(), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("follow_up_id"),
    )
    op.create_index(op.f("ix_follow_ups_as_of"), "follow_ups", ["as_of"], unique=False)
    op.create_index(op.f("ix_follow_ups_placement_id"), "follow_ups", ["placement_id"], unique=False)


def _unscored_placements() -> None:
    op.create_table(
        "unscored_placements",
        sa.Column("list_id", sa.Integer(), nullable=False),
        sa.Column("placement_id", sa.String(), nullable=False),
        sa.Column("team", sa.String(), nullable=True),
        sa.Column("district", sa.String(), nullable=True),
        sa.Column("jobcoach_id", sa.String(), nullable=True),
        sa.Column("tenure_weeks", sa.Integer(), nullable=False),
        sa.Column("missing", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["list_id"], ["risk_lists.list_id"]),
        sa.UniqueConstraint("list_id", "placement_id", name="uq_unscored_placement"),
    )
    op.create_index(op.f("ix_unscored_placements_list_id"), "unscored_placements", ["list_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_unscored_placements_list_id"), table_name="unscored_placements")
    op.drop_table("unscored_placements")
    op.drop_index(op.f("ix_follow_ups_placement_id"), table_name="follow_ups")
    op.drop_index(op.f("ix_follow_ups_as_of"), table_name="follow_ups")
    op.drop_table("follow_ups")
