"""The model in use, its input schema and report; scoring a payload that is not in the store."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse

from lks.service.api.schemas import ModelFeatures, ModelInfo, ScoreRequest, ScoreResponse
from lks.service.auth import SCORES_PAYLOADS
from lks.service.deps import ChampionDep, CurrentIdentity, ReaderIdentity
from lks.service.errors import RESPONSES, ApiError
from lks.service.service_layer import services as views

router = APIRouter(tags=["model"], responses={**RESPONSES, 503: {"description": "no champion loaded"}})


@router.get("/model", response_model=ModelInfo)
def model(champion: ChampionDep, _identity: ReaderIdentity):
    """The champion being served: version, training date, backtest metrics, link to its report."""
    return views.model_info(champion)


@router.get("/model/features", response_model=ModelFeatures)
def model_features(champion: ChampionDep, _identity: ReaderIdentity):
    """The model's inputs with their types and allowed values (the schema of POST /score)."""
    return views.model_features(champion)


@router.get("/model/report", response_class=HTMLResponse)
def model_report(champion: ChampionDep, _identity: ReaderIdentity):
    """The champion's training report (HTML)."""
    if champion.report_path is None or not champion.report_path.exists():
        raise ApiError(404, f"model version {champion.version} has no report")
    return HTMLResponse(champion.report_path.read_text(encoding="utf-8"))


@router.post("/score", response_model=ScoreResponse)
def score(body: ScoreRequest, champion: ChampionDep, identity: CurrentIdentity):
    """Score a feature payload that is not in the store (what-if); nothing is stored."""
    if identity.role not in SCORES_PAYLOADS:
        raise ApiError(403, f"the role {identity.role!r} may not score")
    return views.score_payload(champion, body.features)
