"""The service layer behind the API: each function takes the wired services and the identity asking,
does the work (pandas and the model live here, not in routes) and writes the audit log."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from datetime import date

from lks.features.catalog import special_columns
from lks.service.auth import COORDINATOR, SEES_AGGREGATES, SEES_PLACEMENTS, Identity
from lks.service.bootstrap import Services
from lks.service.champion import feature_schema
from lks.service.champion.types import DOCUMENTS, Champion
from lks.service.explanations import explain, with_risk_points
from lks.service.persistence import follow_ups
from lks.service.persistence import queries as placements
from lks.service.persistence.audit import NOT_FOUND, RECORDED, SHOWN, Entry
from lks.service.persistence.curves import curve_records, curve_versions, stored_features, stored_inputs
from lks.service.service_layer import missing_inputs

log = logging.getLogger(__name__)
FORBIDDEN = "forbidden"
NO_SPECIAL_DATA = "Gebruikt geen bijzondere persoonsgegevens."
SPECIAL_COLUMNS_NL = {"persons.health_limitation": "gezondheidsbeperking"}


class Forbidden(PermissionError):
    pass


def _require(identity: Identity, roles: tuple[str, ...], what: str) -> None:
    if identity.role not in roles:
        raise Forbidden(f"the role {identity.role!r} may not see {what}")


def _served_version(services: Services) -> str | None:
    current = services.champion.current
    return current.version if current else None


def risk_band(risk: float, raised: float, high: float) -> str:
    """The first-year risk's band: laag, verhoogd or hoog, by the deployment's cut points
    (LKS_RISK_BAND_RAISED and LKS_RISK_BAND_HIGH)."""
    if risk >= high:
        return "hoog"
    return "verhoogd" if risk >= raised else "laag"


def risk_list(services: Services, identity: Identity, endpoint: str, as_of: date | None, team: str | None,
              district: str | None, page: int, page_size: int | None, outcome: str = SHOWN) -> dict:
    """One page of the week's list (`page_size` None: all of it), each placement shown recorded in the
    audit log with `outcome` (a download records `exported`)."""
    _require(identity, SEES_PLACEMENTS, "individual placements")
    found = placements.risk_list_page(services.engine, identity, as_of, team, district, page, page_size)
    version = found.risk_list["model_version"]
    settings = services.settings
    with services.engine.connect() as conn:
        week = follow_ups.week(conn, identity, found.risk_list, settings.weekly_capacity)
    members, records = set(week["members"]), week["records"]
    shown = {item["placement_id"] for item in found.items} | {u["placement_id"] for u in found.unscored}
    if outcome == SHOWN:  # a download holds the list and its placements without a prediction, and records those
        shown |= {e["placement_id"] for e in week["added"] + week["dismissed"]}
    services.audit.record(Entry(identity.name, identity.role, pid, endpoint, version, outcome) for pid in sorted(shown))
    items = [{**item, "band": risk_band(item["risk_52w"], settings.risk_band_raised, settings.risk_band_high),
              "in_follow_up": item["placement_id"] in members, "follow_up": records.get(item["placement_id"])}
             for item in found.items]
    unscored = [{**gap, "reason": missing_inputs.reason(gap["missing"])} for gap in found.unscored]
    return {"as_of": found.risk_list["as_of"], "model_version": version, "list_id": found.risk_list["list_id"],
            "previous_as_of": found.previous["as_of"] if found.previous else None,
            "page": page, "page_size": page_size, "total": found.total, "items": items,
            "unscored": unscored, "unscored_total": len(unscored),
            "capacity": settings.weekly_capacity,
            "follow_up": {"total": len(week["members"]), "added": week["added"], "dismissed": week["dismissed"],
                          "editable": as_of is None or found.risk_list["list_id"] == _newest_list_id(services)},
            "bands": {"raised": settings.risk_band_raised, "high": settings.risk_band_high}}


def _newest_list_id(services: Services) -> int | None:
    with services.engine.connect() as conn:
        newest = placements.find_list(conn)
    return newest["list_id"] if newest else None


def record_follow_up(services: Services, identity: Identity, endpoint: str, placement_id: str, kind: str,
                     reason: str | None) -> dict:
    """Add a placement to the newest week's follow-up, or dismiss it with a reason: coordinators only,
    audited as recorded (or not_found)."""
    _require(identity, (COORDINATOR,), "the week's follow-up")
    version = _served_version(services)
    try:
        done = follow_ups.record(services.engine, identity, placement_id, kind, reason,
                                 services.settings.weekly_capacity)
    except placements.NotFound:
        services.audit.record([Entry(identity.name, identity.role, placement_id, endpoint, version, NOT_FOUND)])
        raise
    services.audit.record([Entry(identity.name, identity.role, placement_id, endpoint, version, RECORDED)])
    return done


def weeks(services: Services, identity: Identity) -> list[date]:
    """The weeks (as-of dates) with a stored list, newest first, for the choice of an earlier week."""
    _require(identity, SEES_PLACEMENTS, "individual placements")
    return sorted({r["as_of"] for r in placements.lists(services.engine, identity)}, reverse=True)


def list_filters(services: Services, identity: Identity, as_of: date | None = None) -> dict:
    """What the list may be filtered on: the teams and districts of the placements the identity may see."""
    _require(identity, SEES_PLACEMENTS, "individual placements")
    return placements.filter_options(services.engine, identity, as_of)


def placement_detail(services: Services, identity: Identity, endpoint: str, placement_id: str,
                     as_of: date | None = None) -> dict:
    def audit(outcome: str, version: str | None) -> None:
        services.audit.record([Entry(identity.name, identity.role, placement_id, endpoint, version, outcome)])

    if identity.role not in SEES_PLACEMENTS:
        audit(FORBIDDEN, _served_version(services))
        _require(identity, SEES_PLACEMENTS, "individual placements")
    try:
        found = placements.placement(services.engine, identity, placement_id, as_of)
    except placements.NotFound:
        audit(NOT_FOUND, _served_version(services))
        raise
    score, risk_list = found["score"], found["list"]
    audit(SHOWN, risk_list["model_version"])
    with services.engine.connect() as conn:
        week = follow_ups.week(conn, identity, risk_list, services.settings.weekly_capacity)
    follow_up = {"in_follow_up": placement_id in week["members"], "record": week["records"].get(placement_id),
                 "editable": identity.role == COORDINATOR and (as_of is None  # the newest list was read
                                                               or risk_list["list_id"] == _newest_list_id(services))}
    if score is None:  # on the week's list without a score: what it misses, and nothing made up
        gap = found["unscored"]
        return {"placement_id": placement_id, "as_of": risk_list["as_of"], "model_version": risk_list["model_version"],
                "team": gap["team"], "district": gap["district"], "jobcoach_id": gap["jobcoach_id"],
                "tenure_weeks": gap["tenure_weeks"], "risk_13w": None, "risk_52w": None, "rank": None,
                "explanation": None, "curve": None, "band": None, "history": found["history"],
                "actions": found["actions"], "events": found["events"], "follow_up": follow_up,
                "no_prediction": {"missing": gap["missing"], "reason": missing_inputs.reason(gap["missing"])}}
    detail = {"placement_id": placement_id, "as_of": risk_list["as_of"], "model_version": risk_list["model_version"],
            "team": score["team"], "district": score["district"], "jobcoach_id": score["jobcoach_id"],
            "tenure_weeks": score["tenure_weeks"], "risk_13w": score["risk_13w"], "risk_52w": score["risk_52w"],
            "rank": score["rank"], "explanation": with_risk_points(score["explanation"]),
            "curve": _view_curve(services, risk_list["list_id"], placement_id, score["curve"]),
            "history": found["history"], "actions": found["actions"]}
    # one risk, told once: the curve ends at the stated first-year risk (told_once); the band and timeline
    return {**detail, "curve": told_once(detail["curve"], score["risk_52w"]),
            "band": risk_band(score["risk_52w"], services.settings.risk_band_raised, services.settings.risk_band_high),
            "events": found["events"], "follow_up": follow_up, "no_prediction": None}


def told_once(curve: dict | None, risk_52w: float) -> dict | None:
    """The curve rescaled so that it ends at the first-year risk the page states: the curve comes from
    the survival member, the stated risk from the blend, and a page tells one risk. The uitval line is
    multiplied by risk_52w / its last value (its shape over the weeks kept); the other ending is capped
    so the two never add up to more than 1. `scale` says by how much, for the page to say so."""
    if curve is None or not curve["points"]:
        return curve
    end = curve["points"][-1]["cif_uitval"]
    if end <= 0:
        return curve
    scale = risk_52w / end
    points = []
    for point in curve["points"]:
        uitval = min(point["cif_uitval"] * scale, 1.0)
        points.append({**point, "cif_uitval": uitval, "cif_neutral": min(point["cif_neutral"], 1.0 - uitval)})
    return {**curve, "points": points, "scale": scale, "survival_end": end}


def _view_curve(services: Services, list_id: int, placement_id: str, stored: dict | None) -> dict | None:
    """The curve of the model served now: the one stored when the week was scored if that model scored it
    (no model runs on a view), else computed on request and cached (a list scored before a new champion)."""
    champion = services.champion.current
    if champion is not None and stored is not None and stored["model_version"] == champion.version:
        return stored
    return _stored_curve(champion, list_id, placement_id, lambda: stored_features(services.engine, list_id,
                                                                                  placement_id) or {})


_CURVES: OrderedDict[tuple, dict | None] = OrderedDict()  # (model version, list, placement) -> curve
_CURVES_MAX = 4096
_curves_lock = threading.Lock()


def _stored_curve(champion: Champion | None, list_id: int, placement_id: str,
                  features: Callable[[], dict]) -> dict | None:
    """A stored score's curve, cached: it depends only on the model version and the stored inputs (read
    only when the cache lacks it)."""
    if champion is None:
        return None
    key = (champion.version, list_id, placement_id)
    with _curves_lock:
        if key in _CURVES:
            _CURVES.move_to_end(key)
            return _CURVES[key]
    curve = _curve(champion, features())
    _remember({key: curve})
    return curve


def _remember(curves: dict[tuple, dict | None]) -> None:
    """Put curves in the cache as the newest entries, dropping the oldest beyond _CURVES_MAX."""
    with _curves_lock:
        for key, curve in curves.items():
            _CURVES[key] = curve
            _CURVES.move_to_end(key)
        while len(_CURVES) > _CURVES_MAX:
            _CURVES.popitem(last=False)


def warm_curves(services: Services, champion: Champion) -> int:
    """Prepare the curves a champion about to be served will show on the newest list, when that list's stored
    curves are another model's (a list scored before a new champion): all in one model call, into the cache
    a view reads, so no view computes one. Called by the holder before it swaps the champion in (and at
    start). Returns how many curves were prepared; a failure is logged and leaves views to compute them."""
    try:
        with services.engine.connect() as conn:
            newest = placements.find_list(conn)
        if newest is None or curve_versions(services.engine, newest["list_id"]) == {champion.version}:
            return 0
        list_id = newest["list_id"]
        names = [spec.name for spec in champion.schema]
        usable = [(pid, features) for pid, features in stored_inputs(services.engine, list_id, _CURVES_MAX)
                  if all(name in features for name in names)]
        if not usable:
            return 0
        curves = champion.curves(feature_schema.frame(champion.schema, [features for _, features in usable]))
        records = curve_records(curves, [pid for pid, _ in usable], champion.version)
        by_id = {r["placement_id"]: r["curve"] for r in records}
        # no points: a model without a curve of its own (the page shows none)
        _remember({(champion.version, list_id, pid): by_id.get(pid) for pid, _ in usable})
        log.info("prepared %d risk curves of list %s for model version %s", len(usable), list_id, champion.version)
        return len(usable)
    except Exception as exc:  # the curve is an extra: views compute it on request instead
        log.warning("preparing risk curves failed with model version %s: %s", champion.version, type(exc).__name__)
        return 0


def _curve(champion: Champion | None, features: dict) -> dict | None:
    """The risk curve over the rest of the first year, from the model being served now."""
    if champion is None or any(spec.name not in features for spec in champion.schema):
        return None
    try:
        curves = champion.curves(feature_schema.frame(champion.schema, [features]))
    except Exception as exc:  # the curve is an extra: the scored risks stand without it
        # the type only: a message can quote the inputs (personal data)
        log.warning("risk curve failed with model version %s: %s", champion.version, type(exc).__name__)
        return None
    records = curve_records(curves, ["the placement"], champion.version)
    # no record: a model without a curve of its own (a baseline champion), the page shows none
    return records[0]["curve"] if records else None


def record_action(services: Services, identity: Identity, endpoint: str, placement_id: str, kind: str,
                  intervention: str | None, reason: str | None, note: str | None) -> dict:
    _require(identity, SEES_PLACEMENTS, "individual placements")
    try:
        action = placements.record_action(services.engine, identity, placement_id, kind, intervention, reason, note)
    except placements.NotFound:
        services.audit.record([Entry(identity.name, identity.role, placement_id, endpoint,
                                     _served_version(services), NOT_FOUND)])
        raise
    services.audit.record([Entry(identity.name, identity.role, placement_id, endpoint,
                                 _served_version(services), RECORDED)])
    return action


def summary(services: Services, identity: Identity, as_of: date | None) -> dict:
    _require(identity, SEES_AGGREGATES, "aggregates")
    found = placements.summary(services.engine, identity, as_of)
    lst = found["list"]
    return {"as_of": lst["as_of"], "model_version": lst["model_version"], "placements": found["placements"],
            "min_group": found["min_group"], "by_team": found["team"], "by_district": found["district"]}


def list_index(services: Services, identity: Identity) -> list[dict]:
    _require(identity, (*SEES_AGGREGATES, *SEES_PLACEMENTS), "risk lists")
    return [{"list_id": r["list_id"], "as_of": r["as_of"], "model_version": r["model_version"],
             "input_hash": r["input_hash"], "created_at": r["created_at"], "placements": r["n_placements"]}
            for r in placements.lists(services.engine, identity)]


def score_payload(champion: Champion, features: dict) -> dict:
    """Risks, explanation and curve for a feature payload that is not in the store (nothing is stored)."""
    feature_schema.validate(champion.schema, features)
    frame = feature_schema.frame(champion.schema, [features])
    from lks.models.bundle import contributions_of

    risks = champion.risks(frame)
    explanation = with_risk_points(explain(frame, contributions_of(risks), risks["base_value"], risks["raw_52w"])[0])
    return {"model_version": champion.version, "risk_13w": float(risks["risk_13w"].iloc[0]),
            "risk_52w": float(risks["risk_52w"].iloc[0]), "explanation": explanation,
            "curve": _curve(champion, features)}


def model_info(champion: Champion) -> dict:
    backtest = champion.info.get("backtest", {})
    return {"name": "lks-uitval", "version": champion.version, "model": champion.info.get("model"),
            "trained_on_data_as_of": champion.info.get("train_as_of"),
            "unknown_reasons": champion.info.get("unknown_reasons"), "n_features": len(champion.features),
            "special_data": special_data(champion),
            "registered_at": champion.info.get("registered_at"), "run_id": champion.info.get("run_id"),
            "in_use_since": champion.info.get("promoted_at"),
            "in_use_since_source": champion.info.get("promoted_at_source"),
            "precision_by_week": champion.info.get("precision_by_week") or {},
            "backtest": {"metrics": backtest.get("champion"), "baselines": backtest.get("baselines"),
                         "oracle": backtest.get("oracle"), "test_dates": backtest.get("test_dates"),
                         "fairness_gaps": backtest.get("fairness_gaps"),
                         "champion_rule": backtest.get("champion_rule"),
                         "validation_dates": backtest.get("validation_dates"),
                         "onbekend": backtest.get("onbekend"), "structured_era": backtest.get("structured_era")},
            "report_url": "/api/v1/model/report", "features_url": "/api/v1/model/features",
            "documents": [{"title": DOCUMENTS[name], "url": f"/modelkaart/documenten/{name}"}
                          for name in DOCUMENTS if name in champion.documents]}


def special_data(champion: Champion) -> dict:
    """What the model card and GET /model say about special-category data: from the model's own inputs
    and metadata, never from the deployment's settings."""
    columns = special_columns(champion.features)
    statement = NO_SPECIAL_DATA
    if columns:
        names = ", ".join(SPECIAL_COLUMNS_NL.get(c, c) for c in columns)
        statement = (f"Gebruikt bijzondere persoonsgegevens ({names}) op grond van DPIA-referentie "
                     f"{champion.dpia_reference}.")
    return {"dpia_reference": champion.dpia_reference, "features": list(champion.special_features),
            "columns": columns, "statement": statement}


def model_features(champion: Champion) -> dict:
    return {"model_version": champion.version, "features": feature_schema.describe(champion.schema)}
