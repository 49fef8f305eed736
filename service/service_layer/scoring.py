"""A week's risk list: every placement active on the as-of date in its first 52 weeks, scored by the
champion from what was known on that date only, ranked by risk_52w, explained, and stored.

Worked example: scoring as of 2026-11-16 reads `history(engine, 2026-11-16)` (everything registered
by the end of that day), builds the features of the placements active then, keeps tenure 0..51,
and stores one risk_lists row keyed by (as_of, model_version, input_hash). Scoring that week again
with the same champion and the same known facts finds that row and changes nothing; a new champion
(or facts registered late with an earlier registered_at) gives a new key, so a new list is added
and the old one is kept.

A placement that lacks an input the model needs (`missing_inputs`: the person's or the employer's
registration, say) gets no score: it is stored apart with what it misses ("geen voorspelling").

A champion that reads special-category columns is scored only under the DPIA reference it was
trained under (`service.dpia.check`, before anything is read); the special columns are read only
when the model's own inputs include them, so a model trained without a reference never gets them.
"""

from __future__ import annotations

import hashlib
import logging
import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa

from lks.data_contracts.store import history
from lks.data_contracts.timeline import YEAR_WEEKS, latest_versions
from lks.features.build import build_features
from lks.models.bundle import contributions_of
from lks.service.champion import dpia
from lks.service.champion.types import Champion
from lks.service.explanations import explain
from lks.service.persistence.curves import curve_records, store_curves
from lks.service.persistence.tables import risk_lists, risk_scores, unscored_placements
from lks.service.service_layer import missing_inputs, sampling

log = logging.getLogger(__name__)
ROUTING = ["team", "district", "jobcoach_id"]


@dataclass(frozen=True)
class ScoredList:
    list_id: int
    as_of: date
    model_version: str
    input_hash: str
    created: bool          # False when this list was already stored
    n_placements: int
    n_unscored: int = 0    # placements without a prediction (missing inputs), stored apart


def model_inputs(features: pd.DataFrame, champion: Champion) -> pd.DataFrame:
    return features[["tenure_weeks", *champion.features]]


def input_hash(as_of: date, inputs: pd.DataFrame, ids: pd.Series) -> str:
    """A hash of what the model sees: the as-of date, the placement ids and every input value."""
    digest = hashlib.sha256(f"{as_of}|{','.join(inputs.columns)}".encode())
    digest.update(pd.util.hash_pandas_object(ids.reset_index(drop=True), index=False).to_numpy().tobytes())
    digest.update(pd.util.hash_pandas_object(inputs.reset_index(drop=True), index=False).to_numpy().tobytes())
    return digest.hexdigest()


def routing(hist: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """team, jobcoach_id (placement) and district (person) per placement_id, as known then."""
    placements = latest_versions(hist["placements"], "placements")[["placement_id", "person_id", "team", "jobcoach_id"]]
    persons = latest_versions(hist["persons"], "persons")[["person_id", "district"]]
    return placements.merge(persons, on="person_id", how="left").drop(columns="person_id").set_index("placement_id")


def _jsonable(v):
    if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA:
        return None
    if hasattr(v, "item"):
        return v.item()
    return v if isinstance(v, (int, float, str, bool)) else str(v)


def jsonable_row(row: dict) -> dict:
    return {k: _jsonable(v) for k, v in row.items()}


def jsonable_records(frame: pd.DataFrame) -> list[dict]:
    """`jsonable_row` of every row of `frame` as `frame.astype(object).to_dict("records")` gives them, built
    column by column (a week's inputs are ~110 columns of hundreds of rows: per-cell work adds up). A float
    or integer numpy column converts in one `tolist` (NaN becomes None); any other column value by value."""
    names = list(frame.columns)
    columns = [_jsonable_column(frame[name]) for name in names]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)] if names else \
        [{} for _ in range(len(frame))]


def _jsonable_column(column: pd.Series) -> list:
    if isinstance(column.dtype, np.dtype) and column.dtype.kind in "fiub":
        values = column.to_numpy()
        if values.dtype.kind == "f":
            return [None if v != v else v for v in values.tolist()]  # v != v: NaN
        return values.tolist()
    return [_jsonable(v) for v in column.astype(object).tolist()]


def find_list(conn, as_of: date, version: str, digest: str):
    return conn.execute(sa.select(risk_lists).where(
        risk_lists.c.as_of == as_of, risk_lists.c.model_version == version,
        risk_lists.c.input_hash == digest)).mappings().first()


def score_week(engine: sa.Engine, champion: Champion, as_of: date, now=datetime.now, *,
               dpia_reference: str | None = None, list_k: int = sampling.LIST_K,
               sample_size: int = sampling.SAMPLE_SIZE) -> ScoredList:
    """Score the week with `champion`; `dpia_reference` is the deployment's (LKS_DPIA_REFERENCE).
    Raises `dpia.DpiaRefused`, storing nothing, when it does not cover the champion. A new list gets its
    random sample of `sample_size` placements ranked below `list_k` (`sampling`), stored with it."""
    dpia.check(champion, dpia_reference)
    hist = history(engine, as_of)
    features = build_features(hist, as_of, dpia_reference=dpia_reference if champion.special_features else None)
    features = features[features["tenure_weeks"].between(0, YEAR_WEEKS - 1)].reset_index(drop=True)
    inputs = model_inputs(features, champion)
    digest = input_hash(as_of, inputs, features["placement_id"])
    with engine.connect() as conn:
        existing = find_list(conn, as_of, champion.version, digest)
    if existing is not None:
        log.info("list %s (as of %s, model %s) already stored", existing["list_id"], as_of, champion.version)
        with engine.connect() as conn:
            n_unscored = conn.execute(sa.select(sa.func.count()).select_from(unscored_placements).where(
                unscored_placements.c.list_id == existing["list_id"])).scalar_one()
        return ScoredList(existing["list_id"], as_of, champion.version, digest, False, existing["n_placements"],
                          n_unscored)
    gaps = missing_inputs.missing_per_row(inputs)  # required inputs a placement lacks: no score, no rank
    complete = pd.Series([not gap for gap in gaps], index=features.index)
    rows = scored_rows(hist, features[complete].reset_index(drop=True), inputs[complete], champion)
    unscored = unscored_rows(hist, features, gaps)
    curves = curve_rows(inputs[complete], features.loc[complete, "placement_id"].tolist(), champion)
    with engine.begin() as conn:
        list_id = conn.execute(risk_lists.insert().values(
            as_of=as_of, model_version=champion.version, input_hash=digest, created_at=now(),
            n_placements=len(rows)).returning(risk_lists.c.list_id)).scalar_one()
        if rows:
            conn.execute(risk_scores.insert(), [{**r, "list_id": list_id} for r in rows])
        if unscored:
            conn.execute(unscored_placements.insert(), [{**r, "list_id": list_id} for r in unscored])
        store_curves(conn, list_id, curves)
        sample = sampling.draw({r["placement_id"]: r["rank"] for r in rows}, as_of, list_k, sample_size)
        sampling.store(conn, list_id, as_of, sample)  # the steekproef (issue 13)
    log.info("stored list %s: %d placements as of %s, model %s; %d without a prediction (missing inputs)",
             list_id, len(rows), as_of, champion.version, len(unscored))
    return ScoredList(list_id, as_of, champion.version, digest, True, len(rows), len(unscored))


def curve_rows(inputs: pd.DataFrame, placement_ids: list[str], champion: Champion) -> list[dict]:
    """Every placement's risk curve, in one model call, to store with the list (a first view then runs no
    model). The curve is an extra: if it fails, the list is stored without curves and they are computed
    on request."""
    if not len(inputs):
        return []
    try:
        curves = champion.curves(inputs.reset_index(drop=True))
        return curve_records(curves, placement_ids, champion.version)
    except Exception:
        log.exception("risk curves failed with model version %s; stored without curves", champion.version)
        return []


def unscored_rows(hist, features: pd.DataFrame, gaps: list[list[dict]]) -> list[dict]:
    """The placements that lack a required input (`missing_inputs`), with their routing and what they miss."""
    lacking = [i for i, gap in enumerate(gaps) if gap]
    if not lacking:
        return []
    route = routing(hist).reindex(features["placement_id"]).astype(object)
    route = route.where(route.notna(), None)  # a missing persons row: no district
    return [{"placement_id": features["placement_id"].iloc[i], "team": route["team"].iloc[i],
             "district": route["district"].iloc[i], "jobcoach_id": route["jobcoach_id"].iloc[i],
             "tenure_weeks": int(features["tenure_weeks"].iloc[i]), "missing": gaps[i]} for i in lacking]


def scored_rows(hist, features: pd.DataFrame, inputs: pd.DataFrame, champion: Champion) -> list[dict]:
    if not len(features):
        return []
    risks = champion.risks(inputs.reset_index(drop=True))
    explanations = explain(inputs, contributions_of(risks), risks["base_value"], risks["raw_52w"])
    route = routing(hist).reindex(features["placement_id"])
    order = risks["risk_52w"].to_numpy().argsort(kind="stable")[::-1]
    rank = pd.Series(range(1, len(order) + 1), index=order).sort_index().to_numpy()
    records = jsonable_records(inputs)
    # plain lists first: indexing pandas per placement and column took a tenth of a week's scoring
    team, district, coach = (route[c].tolist() for c in ("team", "district", "jobcoach_id"))
    tenure = features["tenure_weeks"].astype(int).tolist()
    risk_13w, risk_52w = (risks[c].astype(float).tolist() for c in ("risk_13w", "risk_52w"))
    return [{
        "placement_id": pid, "team": team[i], "district": district[i], "jobcoach_id": coach[i],
        "tenure_weeks": tenure[i], "risk_13w": risk_13w[i], "risk_52w": risk_52w[i],
        "rank": int(rank[i]), "explanation": explanations[i], "features": records[i],
    } for i, pid in enumerate(features["placement_id"])]


def list_frame(engine: sa.Engine, list_id: int) -> pd.DataFrame:
    """A stored list as a frame with the export columns (placement_id, as_of, risks, rank, model_version)."""
    query = (sa.select(risk_scores.c.placement_id, risk_lists.c.as_of, risk_scores.c.risk_13w,
                       risk_scores.c.risk_52w, risk_scores.c.rank, risk_lists.c.model_version,
                       risk_scores.c.team, risk_scores.c.district, risk_scores.c.jobcoach_id)
             .join(risk_lists, risk_lists.c.list_id == risk_scores.c.list_id)
             .where(risk_scores.c.list_id == list_id).order_by(risk_scores.c.rank))
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["placement_id", "as_of", "risk_13w", "risk_52w", "rank", "model_version",
                                     *ROUTING])
