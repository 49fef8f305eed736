"""The week's risk list (coordinators and jobcoaches), the lists stored and their aggregates."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Response

from lks.service.api.schemas import ListSummary, RiskListInfo, RiskListPage
from lks.service.deps import CurrentIdentity, ServicesDep
from lks.service.errors import RESPONSES
from lks.service.service_layer import downloads
from lks.service.service_layer import services as views

router = APIRouter(prefix="/risk-lists", tags=["risk lists"], responses=RESPONSES)
LIST = "GET /api/v1/risk-lists/current"
EXPORT = "GET /api/v1/risk-lists/current/export"


# OpenAPI links (for clients and stateful API fuzzing): from a list page to its placements.
_FIRST_ITEM = "$response.body#/items/0/placement_id"
LIST_LINKS = {
    "PlacementOnTheList": {"operationId": "placement_api_v1_placements__placement_id__get",
                           "parameters": {"placement_id": _FIRST_ITEM, "as_of": "$response.body#/as_of"}},
    "ActionOnTheList": {"operationId": "record_action_api_v1_placements__placement_id__actions_post",
                        "parameters": {"placement_id": _FIRST_ITEM}},
}


@router.get("/current", response_model=RiskListPage, openapi_extra={"responses": {"200": {"links": LIST_LINKS}}})
def current_list(services: ServicesDep, identity: CurrentIdentity,
                 as_of: Annotated[date | None, Query(description="The week (as-of date); default the newest.")] = None,
                 team: Annotated[str | None, Query(max_length=100)] = None,
                 district: Annotated[str | None, Query(max_length=100)] = None,
                 page: Annotated[int, Query(ge=1, le=100_000)] = 1,
                 page_size: Annotated[int, Query(ge=1, le=100)] = 25):
    """The week's risk list, ranked by risk_52w, only placements you may see, with the change since last week."""
    return views.risk_list(services, identity, LIST, as_of, team, district, page, page_size)


@router.get("/current/export", response_class=Response, responses={200: {"content": {
    downloads.CONTENT_TYPES["csv"]: {}, downloads.CONTENT_TYPES["xlsx"]: {}}, "description": "the download"}})
def export_list(services: ServicesDep, identity: CurrentIdentity,
                export_format: Annotated[Literal["csv", "xlsx"], Query(alias="format")] = "xlsx",
                as_of: Annotated[date | None, Query(description="The week (as-of date); default the newest.")] = None,
                team: Annotated[str | None, Query(max_length=100)] = None,
                district: Annotated[str | None, Query(max_length=100)] = None):
    """The whole of the week's list with these filters as CSV or Excel, with Dutch headers; every placement in
    it is recorded in the audit log as exported."""
    found = downloads.export_list(services, identity, EXPORT, as_of, team, district)
    content, media_type, name = downloads.build(found, export_format, team, district)
    return Response(content, media_type=media_type, headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})


@router.get("", response_model=list[RiskListInfo])
def stored_lists(services: ServicesDep, identity: CurrentIdentity):
    """Every stored list: week, model version, input hash, size."""
    return views.list_index(services, identity)


@router.get("/summary", response_model=ListSummary)
def list_summary(services: ServicesDep, identity: CurrentIdentity,
                 as_of: Annotated[date | None, Query(description="The week; default the newest.")] = None):
    """Aggregates of a week's list per team and district (small groups suppressed)."""
    return views.summary(services, identity, as_of)
