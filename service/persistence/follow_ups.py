"""The week's follow-up: the placements a coordinator follows up this week. By default the first
`capacity` placements of the week's list that she may see (the capacity line on the list); she can add a
placement that is not among them, no reason needed, and dismiss one, a reason required. Records are
append-only (table `follow_ups`); per (week, placement) the newest record counts, so adding a dismissed
placement again puts it back.

Worked example, capacity 3, the week of 2026-11-16, the list she may see ranked PL5, PL2, PL9, PL4, ...:
dismissing PL2 ("al in gesprek met de werkgever") leaves PL5 and PL9 from the list; adding PL4 (below the
line) and PL88 (on no list: past its first year, or no score) gives the follow-up PL5, PL9, PL4, PL88.
Adding PL5 (already in it), dismissing PL4711 (not in it) or adding PL31, whose ending (on or before the
week's date) is registered, is refused (`InvalidFollowUp`): an ended placement has no one left to support.

A week's follow-up belongs to the week (its as_of), not to the model that scored it: a new champion's list
of the same week keeps it. Only the newest week can be changed; earlier weeks are shown as they were left.
Who may add or dismiss is the service layer's business (coordinators); who may see a placement is
`queries.assigned_now`, as everywhere.
"""

from __future__ import annotations

from datetime import date, datetime

import sqlalchemy as sa

from lks.data_contracts.store import VERSIONS
from lks.service.auth import Identity
from lks.service.persistence.queries import MAX_REASON, NotFound, assigned_now, find_list, scope
from lks.service.persistence.tables import follow_ups, risk_scores

ADDED, DISMISSED = "added", "dismissed"


class InvalidFollowUp(ValueError):
    """A change the follow-up refuses; `problem` names it for the pages' Dutch message."""

    def __init__(self, problem: str, message: str):
        super().__init__(message)
        self.problem = problem


def newest(conn, as_of: date) -> dict[str, dict]:
    """placement_id -> its newest follow-up record of the week (kind, reason, recorded_by, at)."""
    rows = conn.execute(sa.select(follow_ups).where(follow_ups.c.as_of == as_of)
                        .order_by(follow_ups.c.at, follow_ups.c.follow_up_id)).mappings().all()
    return {r["placement_id"]: {k: r[k] for k in ("kind", "reason", "recorded_by", "at")} for r in rows}


def above_the_line(conn, identity: Identity, list_id: int, capacity: int) -> list[str]:
    """The first `capacity` placements of the list that `identity` may see, by rank."""
    query = scope(sa.select(risk_scores.c.placement_id).where(risk_scores.c.list_id == list_id), identity)
    return list(conn.execute(query.order_by(risk_scores.c.rank).limit(capacity)).scalars())


def _newest_versions(conn, table: str, columns: list[str], placement_ids: list[str]) -> dict[str, dict]:
    """placement_id -> `columns` of its newest stored row of `table` (latest registration, then the latest
    stored): the store keeps every version, the pages want what is known now."""
    if not placement_ids:
        return {}
    t = VERSIONS[table]
    rows = conn.execute(sa.select(t.c.placement_id, *(t.c[c] for c in columns))
                        .where(t.c.placement_id.in_(placement_ids))
                        .order_by(t.c.registered_at, t.c.version_id)).mappings().all()
    return {r["placement_id"]: {c: r[c] for c in columns} for r in rows}


def week(conn, identity: Identity, current: dict, capacity: int) -> dict:
    """The week's follow-up as `identity` may see it: `members` (placement ids, in order: from the list by
    rank, then added ones by when), `added` and `dismissed` (records with the placement's rank and risk on
    this list, None when it is not on it), and `records` (placement_id -> newest record)."""
    records = newest(conn, current["as_of"])
    visible = set()
    if records:
        visible = set(conn.execute(scope(sa.select(follow_ups.c.placement_id).distinct().where(
            follow_ups.c.as_of == current["as_of"]), identity, follow_ups.c.placement_id)).scalars())
    records = {pid: r for pid, r in records.items() if pid in visible}
    top = above_the_line(conn, identity, current["list_id"], capacity)
    scored = {}
    if records:
        scored = {r["placement_id"]: dict(r) for r in conn.execute(sa.select(
            risk_scores.c.placement_id, risk_scores.c.rank, risk_scores.c.risk_52w, risk_scores.c.team,
            risk_scores.c.jobcoach_id).where(risk_scores.c.list_id == current["list_id"],
                                             risk_scores.c.placement_id.in_(list(records)))).mappings()}
    # team and jobcoach of a placement on no list come from its newest stored placements row
    unlisted = [pid for pid in records if pid not in scored]
    routing = _newest_versions(conn, "placements", ["team", "jobcoach_id"], unlisted)

    def entry(pid: str) -> dict:
        on_list = scored.get(pid)
        where = on_list or routing.get(pid, {})
        return {"placement_id": pid, **records[pid], "rank": on_list["rank"] if on_list else None,
                "risk_52w": on_list["risk_52w"] if on_list else None, "team": where.get("team"),
                "jobcoach_id": where.get("jobcoach_id")}

    added = sorted((entry(pid) for pid, r in records.items() if r["kind"] == ADDED and pid not in top),
                   key=lambda e: e["at"])
    dismissed = sorted((entry(pid) for pid, r in records.items() if r["kind"] == DISMISSED),
                       key=lambda e: (e["rank"] is None, e["rank"] or 0, e["at"]))
    members = [pid for pid in top if records.get(pid, {}).get("kind") != DISMISSED]
    members += [e["placement_id"] for e in added]
    return {"capacity": capacity, "members": members, "added": added, "dismissed": dismissed, "records": records}


def may_see(conn, identity: Identity, placement_id: str) -> bool:
    """Whether the store knows the placement and routes it to `identity` now (on a list or not)."""
    condition = assigned_now(identity, sa.literal(placement_id))
    return condition is not None and conn.execute(sa.select(sa.literal(1)).where(condition)).first() is not None


def ended_by(conn, placement_id: str, as_of: date) -> date | None:
    """The end date of the placement's newest registered ending when it lies on or before `as_of`, else None
    (no ending known, or one planned after the week)."""
    found = _newest_versions(conn, "endings", ["end_date"], [placement_id])
    newest_ending = found.get(placement_id, {}).get("end_date")
    if newest_ending is None:
        return None
    end = newest_ending.date() if isinstance(newest_ending, datetime) else newest_ending
    return end if end <= as_of else None


def record(engine: sa.Engine, identity: Identity, placement_id: str, kind: str, reason: str | None,
           capacity: int, now=datetime.now) -> dict:
    """Add the placement to the newest week's follow-up, or dismiss it from it with a reason."""
    reason = reason.strip() if reason else None
    if kind not in (ADDED, DISMISSED):
        raise InvalidFollowUp("soort", f"kind must be {ADDED!r} or {DISMISSED!r}, but was {kind!r}")
    if kind == DISMISSED and not reason:
        raise InvalidFollowUp("reden", "dismissing a placement from the follow-up needs a reason")
    if len(reason or "") > MAX_REASON:
        raise InvalidFollowUp("lang", f"a reason holds at most {MAX_REASON} characters")
    with engine.begin() as conn:
        current = find_list(conn)
        if current is None or not may_see(conn, identity, placement_id):
            raise NotFound(f"placement {placement_id} not found")
        members = week(conn, identity, current, capacity)["members"]
        if kind == ADDED and placement_id in members:
            raise InvalidFollowUp("al_erin", f"placement {placement_id} is already in this week's follow-up")
        if kind == ADDED and (end := ended_by(conn, placement_id, current["as_of"])) is not None:
            raise InvalidFollowUp("beeindigd", f"placement {placement_id} ended on {end.isoformat()}")
        if kind == DISMISSED and placement_id not in members:
            raise InvalidFollowUp("niet_erin", f"placement {placement_id} is not in this week's follow-up")
        values = {"as_of": current["as_of"], "placement_id": placement_id, "kind": kind,
                  "reason": reason if kind == DISMISSED else None, "recorded_by": identity.name, "at": now()}
        follow_up_id = conn.execute(follow_ups.insert().values(**values)
                                    .returning(follow_ups.c.follow_up_id)).scalar_one()
    return {"follow_up_id": follow_up_id, **values}
