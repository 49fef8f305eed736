"""What the API shows, as plain functions of (engine, identity, ...): the week's risk list, one
placement, the actions recorded. Object-level refusals raise NotFound (the API answers 404), so a
jobcoach cannot tell someone else's placement from one that does not exist.

"The" list of a week is the newest stored list for that as-of date (the newest champion's); the
previous week's list is the newest list of the latest earlier as-of date.

One access rule, on every date: an identity may see a placement (on any list, its history, its
actions) when it may see the placement *now*, by the placement's latest known assignment: team and
jobcoach_id of its newest stored placements row (`assigned_now`). Never by the routing columns a list
copied when it was scored, so a placement moved to another jobcoach or team (a corrected placements
row) disappears for the earlier one on every week at once, `as_of` included. A coordinator without
teams and a jobcoach without a jobcoach_id see nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa

from lks.data_contracts.schemas.codes import INTERVENTION
from lks.data_contracts.store import VERSIONS
from lks.service.auth import COORDINATOR, DATA_SCIENTIST, JOBCOACH, Identity
from lks.service.persistence.tables import (
    actions,
    list_samples,
    risk_curves,
    risk_lists,
    risk_scores,
    unscored_placements,
)

CHANGE_THRESHOLD = 0.01  # a change in risk_52w below one percentage point counts as "same"
MAX_REASON, MAX_NOTE = 1000, 2000  # characters of free text an action may carry


class NotFound(LookupError):
    pass


class InvalidAction(ValueError):
    pass


@dataclass(frozen=True)
class Page:
    risk_list: dict
    previous: dict | None
    total: int
    items: list[dict]
    unscored: list[dict]  # on the week's list without a score (missing inputs): never ranked, counted apart


def find_list(conn, as_of: date | None = None) -> dict | None:
    q = sa.select(risk_lists).order_by(risk_lists.c.as_of.desc(), risk_lists.c.list_id.desc()).limit(1)
    if as_of is not None:
        q = q.where(risk_lists.c.as_of == as_of)
    row = conn.execute(q).mappings().first()
    return dict(row) if row else None


def previous_list(conn, current: dict) -> dict | None:
    row = conn.execute(sa.select(risk_lists).where(risk_lists.c.as_of < current["as_of"])
                       .order_by(risk_lists.c.as_of.desc(), risk_lists.c.list_id.desc()).limit(1)).mappings().first()
    return dict(row) if row else None


def lists(engine: sa.Engine, identity: Identity) -> list[dict]:
    """Every stored list, newest first; `n_placements` counts what `identity` may count (`aggregate_scope`)."""
    with engine.connect() as conn:
        rows = [dict(r) for r in conn.execute(sa.select(risk_lists).order_by(
            risk_lists.c.as_of.desc(), risk_lists.c.list_id.desc())).mappings()]
        if identity.role != DATA_SCIENTIST:
            counts = dict(conn.execute(scope(sa.select(risk_scores.c.list_id, sa.func.count()), identity)
                                       .group_by(risk_scores.c.list_id)).all())
            for row in rows:
                row["n_placements"] = counts.get(row["list_id"], 0)
    return rows


# The aliases the per-request conditions are built on, made once: an alias's column collection costs
# milliseconds to build (the placements table has dozens of columns), and every view builds these conditions.
_ASSIGNMENT, _LATER_ASSIGNMENT = VERSIONS["placements"].alias("assignment"), VERSIONS["placements"].alias("later")
_EVENT, _LATER_EVENT = VERSIONS["events"].alias("event"), VERSIONS["events"].alias("later")
# a score as a page shows it: without the stored inputs (a JSON of ~110 values, read only for a curve or audit)
_SHOWN = [c for c in risk_scores.c if c.name != "features"]


def assigned_now(identity: Identity, placement_id=risk_scores.c.placement_id) -> sa.ColumnElement[bool] | None:
    """A condition on a risk_scores row (or on another `placement_id` column or value): the newest stored
    placements row of its placement (newest registered_at; a tie goes to the row stored last, as
    `latest_versions`) routes it to `identity`. None when the identity may see no placement. Correlated
    per score row, so it walks the placements index of the rows asked for, not the whole history."""
    p, q = _ASSIGNMENT, _LATER_ASSIGNMENT
    theirs: sa.ColumnElement[bool]
    if identity.role == COORDINATOR and identity.teams:
        theirs = p.c.team.in_(identity.teams)
    elif identity.role == JOBCOACH and identity.jobcoach_id:
        theirs = p.c.jobcoach_id == identity.jobcoach_id
    else:
        return None
    return sa.exists().where(p.c.placement_id == placement_id, ~_superseded(p, q, "placement_id"), theirs)


def _superseded(row: sa.FromClause, later: sa.FromClause, key: str) -> sa.Exists:
    """A condition on a stored version `row`: `later` (another alias of its table) holds a newer version of
    the same `key`, registered later or, on a tie, stored later (as `latest_versions` decides)."""
    return sa.exists().where(later.c[key] == row.c[key], sa.or_(
        later.c.registered_at > row.c.registered_at,
        sa.and_(later.c.registered_at == row.c.registered_at, later.c.version_id > row.c.version_id)))


def scope(query, identity: Identity, placement_id=risk_scores.c.placement_id):
    """Restrict a risk_scores query (or one on another `placement_id` column) to the placements the identity
    may see now (see the module's docstring)."""
    condition = assigned_now(identity, placement_id)
    return query.where(sa.false()) if condition is None else query.where(condition)


def change(current: float, previous: float | None) -> str:
    if previous is None:
        return "new"
    if current - previous >= CHANGE_THRESHOLD:
        return "risen"
    if previous - current >= CHANGE_THRESHOLD:
        return "fallen"
    return "same"


def risk_list_page(engine: sa.Engine, identity: Identity, as_of: date | None = None, team: str | None = None,
                   district: str | None = None, page: int = 1, page_size: int | None = 25) -> Page:
    """One page of the week's list the identity may see (`page_size` None: the whole list, for a download)."""
    with engine.connect() as conn:
        current = find_list(conn, as_of)
        if current is None:
            raise NotFound(f"no risk list as of {as_of}" if as_of else "no risk list has been scored yet")
        previous = previous_list(conn, current)
        query = scope(sa.select(*_SHOWN).where(risk_scores.c.list_id == current["list_id"]), identity)
        if team:
            query = query.where(risk_scores.c.team == team)
        if district:
            query = query.where(risk_scores.c.district == district)
        total = conn.execute(sa.select(sa.func.count()).select_from(query.subquery())).scalar_one()
        ranked = query.order_by(risk_scores.c.rank)
        if page_size is not None:
            ranked = ranked.offset((page - 1) * page_size).limit(page_size)
        rows = conn.execute(ranked).mappings().all()
        drawn = set(conn.execute(sa.select(list_samples.c.placement_id)  # the steekproef (issue 13)
                                 .where(list_samples.c.list_id == current["list_id"])).scalars())
        before = {}
        if previous is not None and rows:
            before = dict(conn.execute(sa.select(risk_scores.c.placement_id, risk_scores.c.risk_52w).where(
                risk_scores.c.list_id == previous["list_id"],
                risk_scores.c.placement_id.in_([r["placement_id"] for r in rows]))).all())
        decided = _decisions(conn, current, [r["placement_id"] for r in rows])
        gaps = unscored(conn, identity, current["list_id"], team, district)
    items = [{
        "placement_id": r["placement_id"], "rank": r["rank"], "risk_13w": r["risk_13w"], "risk_52w": r["risk_52w"],
        "team": r["team"], "district": r["district"], "jobcoach_id": r["jobcoach_id"],
        "tenure_weeks": r["tenure_weeks"], "previous_risk_52w": before.get(r["placement_id"]),
        "change": change(r["risk_52w"], before.get(r["placement_id"])),
        "raised_by": [f["label"] for f in r["explanation"]["raises"]],
        "suggestions": [s["label"] for s in r["explanation"]["suggestions"]],
        "sample": r["placement_id"] in drawn,
        "decision": decided.get(r["placement_id"]),
    } for r in rows]
    return Page(current, previous, total, items, gaps)


def _decisions(conn, current: dict, placement_ids: list[str]) -> dict[str, dict]:
    """placement_id -> its newest decision (kind, intervention, at) recorded on this week's list or an
    earlier week's, so looking back a week shows what was known then."""
    if not placement_ids:
        return {}
    weeks = sa.select(risk_lists.c.list_id).where(risk_lists.c.as_of <= current["as_of"])
    rows = conn.execute(sa.select(actions.c.placement_id, actions.c.kind, actions.c.intervention, actions.c.at)
                        .where(actions.c.placement_id.in_(placement_ids),
                               sa.or_(actions.c.list_id.in_(weeks), actions.c.list_id.is_(None)))
                        .order_by(actions.c.at, actions.c.action_id)).mappings().all()
    return {r["placement_id"]: {"kind": r["kind"], "intervention": r["intervention"], "at": r["at"]} for r in rows}


def filter_options(engine: sa.Engine, identity: Identity, as_of: date | None = None) -> dict[str, list[str]]:
    """The teams and districts of the placements on the week's list that the identity may see."""
    out: dict[str, list[str]] = {"teams": [], "districts": []}
    with engine.connect() as conn:
        current = find_list(conn, as_of)
        if current is None:
            return out
        for col, key in (("team", "teams"), ("district", "districts")):
            query = scope(sa.select(risk_scores.c[col]).distinct().where(
                risk_scores.c.list_id == current["list_id"], risk_scores.c[col].is_not(None)), identity)
            out[key] = list(conn.execute(query.order_by(risk_scores.c[col])).scalars())
    return out


def placement(engine: sa.Engine, identity: Identity, placement_id: str, as_of: date | None = None) -> dict:
    """The placement's score on the week's list (with its stored curve, `curve`, None when not stored, and
    without the stored inputs: `curves.stored_features` reads those), its earlier risks and its actions, or NotFound."""
    with engine.connect() as conn:
        current = find_list(conn, as_of)
        if current is None:
            raise NotFound(f"placement {placement_id} not found")
        row = conn.execute(scope(sa.select(*_SHOWN, risk_curves.c.curve).outerjoin(risk_curves, sa.and_(
            risk_curves.c.list_id == risk_scores.c.list_id, risk_curves.c.placement_id == risk_scores.c.placement_id))
            .where(risk_scores.c.list_id == current["list_id"], risk_scores.c.placement_id == placement_id),
            identity)).mappings().first()
        gap = None if row is not None else unscored(conn, identity, current["list_id"], placement_id=placement_id)
        if row is None and not gap:
            raise NotFound(f"placement {placement_id} not found")
        return {"list": current, "score": dict(row) if row is not None else None, "unscored": gap[0] if gap else None,
                "history": _history(conn, placement_id), "actions": _actions(conn, placement_id),
                "events": _events(conn, placement_id)}


def unscored(conn, identity: Identity, list_id: int, team: str | None = None, district: str | None = None,
             placement_id: str | None = None) -> list[dict]:
    """The placements of a list that got no score (missing inputs) and that `identity` may see now, oldest in
    service first (they have no rank)."""
    query = scope(sa.select(unscored_placements).where(unscored_placements.c.list_id == list_id), identity,
                  unscored_placements.c.placement_id)
    for column, value in (("team", team), ("district", district), ("placement_id", placement_id)):
        if value:
            query = query.where(unscored_placements.c[column] == value)
    rows = conn.execute(query.order_by(unscored_placements.c.tenure_weeks.desc(),
                                       unscored_placements.c.placement_id)).mappings().all()
    return [{k: v for k, v in r.items() if k != "list_id"} for r in rows]


def _events(conn, placement_id: str) -> list[dict]:
    """The placement's events as the store knows them now (per event_id its newest stored version), oldest
    first: the timeline's contacts, sick and recovery reports, interventions, wage-value and hours changes."""
    e = _EVENT
    rows = conn.execute(sa.select(e.c.event_id, e.c.event_date, e.c.event_type, e.c.value_num, e.c.value_text)
                        .where(e.c.placement_id == placement_id, ~_superseded(e, _LATER_EVENT, "event_id"))
                        .order_by(e.c.event_date, e.c.event_id)).mappings().all()
    return [dict(r) for r in rows]


def _history(conn, placement_id: str) -> list[dict]:
    """The placement's risk on every stored week (per week the newest list), oldest first."""
    rows = conn.execute(
        sa.select(risk_lists.c.as_of, risk_lists.c.list_id, risk_lists.c.model_version, risk_scores.c.risk_13w,
                  risk_scores.c.risk_52w, risk_scores.c.rank)
        .join(risk_lists, risk_lists.c.list_id == risk_scores.c.list_id)
        .where(risk_scores.c.placement_id == placement_id)
        .order_by(risk_lists.c.as_of, risk_lists.c.list_id)).mappings().all()
    newest = {r["as_of"]: dict(r) for r in rows}
    return [{k: v for k, v in r.items() if k != "list_id"} for r in newest.values()]


def _actions(conn, placement_id: str) -> list[dict]:
    rows = conn.execute(sa.select(actions).where(actions.c.placement_id == placement_id)
                        .order_by(actions.c.at, actions.c.action_id)).mappings().all()
    return [{k: v for k, v in r.items() if k != "list_id"} for r in rows]


def record_action(engine: sa.Engine, identity: Identity, placement_id: str, kind: str,
                  intervention: str | None = None, reason: str | None = None, note: str | None = None,
                  now=datetime.now) -> dict:
    """Record what a person decided about a placement they may see: an intervention or no action + reason."""
    if kind == "intervention" and intervention not in INTERVENTION:
        raise InvalidAction(f"intervention must be one of {INTERVENTION}, but was {intervention!r}")
    if kind == "no_action" and not (reason and reason.strip()):
        raise InvalidAction("no_action needs a reason")
    if kind not in ("intervention", "no_action"):
        raise InvalidAction(f"kind must be 'intervention' or 'no_action', but was {kind!r}")
    if len(reason or "") > MAX_REASON or len(note or "") > MAX_NOTE:
        raise InvalidAction(f"a reason holds at most {MAX_REASON} characters and a note at most {MAX_NOTE}")
    with engine.begin() as conn:
        current = find_list(conn)
        if current is None or (conn.execute(scope(sa.select(risk_scores.c.placement_id).where(
                risk_scores.c.list_id == current["list_id"], risk_scores.c.placement_id == placement_id),
                identity)).first() is None and not unscored(conn, identity, current["list_id"],
                                                            placement_id=placement_id)):
            raise NotFound(f"placement {placement_id} not found")
        values = {"placement_id": placement_id, "recorded_by": identity.name, "at": now(), "kind": kind,
                  "intervention": intervention if kind == "intervention" else None,
                  "reason": reason if kind == "no_action" else None, "note": note, "list_id": current["list_id"]}
        action_id = conn.execute(actions.insert().values(**values).returning(actions.c.action_id)).scalar_one()
    return {"action_id": action_id, **{k: v for k, v in values.items() if k != "list_id"}}


def aggregate_scope(query, identity: Identity):
    """What an aggregate may count: a data scientist the whole list (their role sees no individual
    placement, and small groups are suppressed), a coordinator or jobcoach only the placements they may
    see now (the service layer refuses aggregates to a jobcoach), anyone else nothing."""
    return query if identity.role == DATA_SCIENTIST else scope(query, identity)


def summary(engine: sa.Engine, identity: Identity, as_of: date | None = None, min_group: int = 5) -> dict:
    """Aggregates of a week's list per team and per district over what `identity` may count
    (`aggregate_scope`); groups under `min_group` are suppressed."""
    with engine.connect() as conn:
        current = find_list(conn, as_of)
        if current is None:
            raise NotFound(f"no risk list as of {as_of}" if as_of else "no risk list has been scored yet")
        on_list = risk_scores.c.list_id == current["list_id"]
        total = conn.execute(aggregate_scope(sa.select(sa.func.count()).select_from(risk_scores).where(on_list),
                                             identity)).scalar_one()
        out = {"list": current, "placements": total, "min_group": min_group}
        for col in ("team", "district"):
            query = sa.select(risk_scores.c[col], sa.func.count(), sa.func.avg(risk_scores.c.risk_13w),
                              sa.func.avg(risk_scores.c.risk_52w)).where(on_list)
            rows = conn.execute(aggregate_scope(query, identity).group_by(risk_scores.c[col])
                                .order_by(risk_scores.c[col])).all()
            out[col] = [{"group": g, "placements": n, "mean_risk_13w": r13 if n >= min_group else None,
                         "mean_risk_52w": r52 if n >= min_group else None, "suppressed": n < min_group}
                        for g, n, r13, r52 in rows]
    return out
