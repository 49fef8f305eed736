"""An index on events.placement_id (issue 16: a placement's page reads its timeline without scanning every event).

Revision 0003; written 2026-12-03. Adds `ix_events_placement_id`; no table or row changes.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

INDEX = "ix_events_placement_id"


def upgrade() -> None:
    if INDEX not in {index["name"] for index in sa.inspect(op.get_bind()).get_indexes("events")}:
        op.create_index(op.f(INDEX), "events", ["placement_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f(INDEX), table_name="events")
