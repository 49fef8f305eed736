"""The service's own tables, in their own MetaData, in the same database as the data store.

risk_lists     one row per (as_of, model_version, input_hash): a week's list, never overwritten
risk_scores    one row per placement on a list: both risks, rank, routing columns, explanation
risk_curves    per placement on a list, its risk curve over the rest of the first year, computed when scored
actions        what a person decided about a placement (an intervention started, or no action + reason)
users          who may use the API; tokens are stored only as sha256 hashes
page_sessions  the pages' logins: a session id stored only as its sha256 hash, the user's name, its times
audit_log      every time an individual placement was shown (or asked for), and page logins; append-only,
               each record hash-chained to the one before it (service.persistence.audit)
monitoring_runs  every `lks monitor` run: its date, when it ran, its alerts and its whole JSON result
                 (aggregates only, no placement or person; service.service_layer.monitoring)
list_samples   per list, the placements drawn at random below its cut ("steekproef"), with the seed
follow_ups     a coordinator's changes to a week's follow-up (the list down to its capacity line): a placement
               added (no reason needed) or dismissed (a reason required); append-only, the newest per
               (week, placement) counts
unscored_placements  per list, the placements that got no score ("geen voorspelling") and which inputs
                     they missed (service.service_layer.scoring.missing_inputs)

Routing columns (team, district, jobcoach_id) are copied from the stored placement/person rows to
route and filter; they are never model inputs.
"""

from __future__ import annotations

import sqlalchemy as sa

from lks.data_contracts.store import make_engine

metadata = sa.MetaData()

risk_lists = sa.Table(
    "risk_lists", metadata,
    sa.Column("list_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("as_of", sa.Date, nullable=False, index=True),
    sa.Column("model_version", sa.String, nullable=False),
    sa.Column("input_hash", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("n_placements", sa.Integer, nullable=False),
    sa.UniqueConstraint("as_of", "model_version", "input_hash", name="uq_risk_list"),
)

risk_scores = sa.Table(
    "risk_scores", metadata,
    sa.Column("score_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("list_id", sa.Integer, sa.ForeignKey("risk_lists.list_id"), nullable=False, index=True),
    sa.Column("placement_id", sa.String, nullable=False, index=True),
    sa.Column("team", sa.String, nullable=True),
    sa.Column("district", sa.String, nullable=True),
    sa.Column("jobcoach_id", sa.String, nullable=True),
    sa.Column("tenure_weeks", sa.Integer, nullable=False),
    sa.Column("risk_13w", sa.Float, nullable=False),
    sa.Column("risk_52w", sa.Float, nullable=False),
    sa.Column("rank", sa.Integer, nullable=False),
    sa.Column("explanation", sa.JSON, nullable=False),
    sa.Column("features", sa.JSON, nullable=False),  # the model inputs as scored: for the risk curve and audits
    sa.UniqueConstraint("list_id", "placement_id", name="uq_risk_score"),
    # a list page and the week's follow-up walk a list in rank order and stop after the page: without it,
    # every row of the list (with its explanation) went through a sort first (issue 16)
    sa.Index("ix_risk_scores_list_rank", "list_id", "rank"),
)

# A table of its own (not a column of risk_scores) so that a database made before it gains it by create_all;
# a list scored before it has no curves, and those are computed on request as before.
risk_curves = sa.Table(
    "risk_curves", metadata,
    sa.Column("curve_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("list_id", sa.Integer, sa.ForeignKey("risk_lists.list_id"), nullable=False),
    sa.Column("placement_id", sa.String, nullable=False),
    sa.Column("curve", sa.JSON, nullable=False),  # {"model_version", "points": [{week, cif_uitval, cif_neutral}]}
    sa.UniqueConstraint("list_id", "placement_id", name="uq_risk_curve"),
)

actions = sa.Table(
    "actions", metadata,
    sa.Column("action_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("placement_id", sa.String, nullable=False, index=True),
    sa.Column("recorded_by", sa.String, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("kind", sa.String, nullable=False),          # "intervention" or "no_action"
    sa.Column("intervention", sa.String, nullable=True),   # one of the contract's interventions
    sa.Column("reason", sa.String, nullable=True),         # why no action was taken
    sa.Column("note", sa.String, nullable=True),
    sa.Column("list_id", sa.Integer, sa.ForeignKey("risk_lists.list_id"), nullable=True),
)

users = sa.Table(
    "users", metadata,
    sa.Column("user_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String, nullable=False, unique=True),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("teams", sa.JSON, nullable=False),
    sa.Column("jobcoach_id", sa.String, nullable=True),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
)

page_sessions = sa.Table(  # service.sessions; times in UTC (the idle timeout must not jump with DST)
    "page_sessions", metadata,
    sa.Column("session_hash", sa.String(64), primary_key=True),
    sa.Column("user", sa.String, nullable=False),  # the name only: the role is asked for anew
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False, index=True),
    sa.Column("ended_at", sa.DateTime, nullable=True),  # logout, or the token revoked
)

audit_log = sa.Table(
    "audit_log", metadata,
    sa.Column("audit_id", sa.Integer, primary_key=True, autoincrement=False),  # 1, 2, ...: set by the appender
    sa.Column("at", sa.DateTime, nullable=False, index=True),
    sa.Column("user", sa.String, nullable=False, index=True),
    sa.Column("role", sa.String, nullable=False),
    sa.Column("placement_id", sa.String, nullable=True, index=True),
    sa.Column("endpoint", sa.String, nullable=False),
    sa.Column("model_version", sa.String, nullable=True),
    # shown, not_found, forbidden, exported, recorded; for page sessions (no placement): logged_in, logged_out,
    # session_expired, session_ended; purged (a purge's checkpoint)
    sa.Column("outcome", sa.String, nullable=False),
    sa.Column("detail", sa.JSON, nullable=True),  # a purge checkpoint: purged, up_to_id, last_purged_hash, ...
    sa.Column("prev_hash", sa.String(64), nullable=False),  # the hash of the record before (GENESIS for the first)
    sa.Column("hash", sa.String(64), nullable=False, unique=True),  # sha256(prev_hash + canonical record)
)

# ---- monitoring (issue 13) ----
monitoring_runs = sa.Table(
    "monitoring_runs", metadata,
    sa.Column("run_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False, index=True),     # when it ran
    sa.Column("as_of", sa.Date, nullable=False),                  # what was known then
    sa.Column("n_alerts", sa.Integer, nullable=False),
    sa.Column("result", sa.JSON, nullable=False),
)
list_samples = sa.Table(  # the weekly random sample below the list's cut (service.service_layer.sampling)
    "list_samples", metadata,
    sa.Column("list_id", sa.Integer, sa.ForeignKey("risk_lists.list_id"), nullable=False, index=True),
    sa.Column("placement_id", sa.String, nullable=False),
    sa.Column("seed", sa.Integer, nullable=False),
    sa.UniqueConstraint("list_id", "placement_id", name="uq_list_sample"),
)
# ---- end monitoring ----

# ---- follow-up and "geen voorspelling" (issue 14): new tables only, nothing else changed ----
follow_ups = sa.Table(
    "follow_ups", metadata,
    sa.Column("follow_up_id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("as_of", sa.Date, nullable=False, index=True),  # the week (a list's as_of), whatever model scored it
    sa.Column("placement_id", sa.String, nullable=False, index=True),
    sa.Column("kind", sa.String, nullable=False),             # "added" or "dismissed"
    sa.Column("reason", sa.String, nullable=True),            # required when dismissed
    sa.Column("recorded_by", sa.String, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
)
unscored_placements = sa.Table(
    "unscored_placements", metadata,
    sa.Column("list_id", sa.Integer, sa.ForeignKey("risk_lists.list_id"), nullable=False, index=True),
    sa.Column("placement_id", sa.String, nullable=False),
    sa.Column("team", sa.String, nullable=True),
    sa.Column("district", sa.String, nullable=True),
    sa.Column("jobcoach_id", sa.String, nullable=True),
    sa.Column("tenure_weeks", sa.Integer, nullable=False),
    sa.Column("missing", sa.JSON, nullable=False),  # [{"input", "source"}]: the required inputs it lacks
    sa.UniqueConstraint("list_id", "placement_id", name="uq_unscored_placement"),
)
# ---- end issue 14 ----


def make_service_engine(url: str) -> sa.Engine:
    """The engine of the data store with the service's tables created alongside.

    On SQLite (the embedded default) the service's connections use write-ahead logging (readers never
    wait for the audit log's writes) with synchronous=FULL: every commit waits until the WAL is fsynced.
    With NORMAL a commit returns before the fsync, so a power loss or OS crash can drop transactions
    that were already acknowledged, among them an audit record of a placement that was shown: the
    audit log must hold whatever the service showed. FULL costs one fsync per commit (milliseconds).
    PostgreSQL, the production store, keeps its default synchronous_commit=on for the same reason."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection, _record):
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")  # an acknowledged commit survives a crash
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.close()

        engine.dispose()  # connections opened before the listener existed
    metadata.create_all(engine)
    return engine
