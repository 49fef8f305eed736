"""One placement: its risks, curve, explanation, earlier weeks and actions; recording an action."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query

from lks.service.api.schemas import Action, ActionIn, FollowUp, FollowUpIn, PlacementDetail
from lks.service.deps import CurrentIdentity, ServicesDep
from lks.service.errors import RESPONSES
from lks.service.service_layer import services as views

router = APIRouter(prefix="/placements", tags=["placements"], responses=RESPONSES)
PlacementId = Annotated[str, Path(min_length=1, max_length=64)]
DETAIL = "GET /api/v1/placements/{placement_id}"
ACTION = "POST /api/v1/placements/{placement_id}/actions"
FOLLOW_UP = "POST /api/v1/placements/{placement_id}/follow-up"


# OpenAPI links (for clients and stateful API fuzzing): between a placement and its actions.
_PLACEMENT = {"placement_id": "$response.body#/placement_id"}
DETAIL_LINKS = {"ActionOnThePlacement": {
    "operationId": "record_action_api_v1_placements__placement_id__actions_post", "parameters": _PLACEMENT}}
ACTION_LINKS = {"PlacementOfTheAction": {
    "operationId": "placement_api_v1_placements__placement_id__get", "parameters": _PLACEMENT}}


@router.get("/{placement_id}", response_model=PlacementDetail,
            openapi_extra={"responses": {"200": {"links": DETAIL_LINKS}}})
def placement(placement_id: PlacementId, services: ServicesDep, identity: CurrentIdentity,
              as_of: Annotated[date | None, Query(description="The week; default the newest.")] = None):
    """One placement you may see (404 otherwise): both risks, curve, reasons, earlier weeks, actions."""
    return views.placement_detail(services, identity, DETAIL, placement_id, as_of)


@router.post("/{placement_id}/actions", response_model=Action, status_code=201,
             openapi_extra={"responses": {"201": {"links": ACTION_LINKS}}})
def record_action(placement_id: PlacementId, body: ActionIn, services: ServicesDep, identity: CurrentIdentity):
    """Record what you decided: the intervention started, or no action and the reason."""
    return views.record_action(services, identity, ACTION, placement_id, body.kind, body.intervention, body.reason,
                               body.note)


@router.post("/{placement_id}/follow-up", response_model=FollowUp, status_code=201)
def follow_up(placement_id: PlacementId, body: FollowUpIn, services: ServicesDep, identity: CurrentIdentity):
    """Coordinators: add a placement you may see to this week's follow-up, or dismiss it with a reason."""
    return views.record_follow_up(services, identity, FOLLOW_UP, placement_id, body.kind, body.reason)
