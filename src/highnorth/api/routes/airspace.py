"""Airspace: a request's volumes (read, and edit by an airspace manager), its NOTAMs, the daily
airspace use plan, conflicts with the standing airspace, and NOTAM feeds (read, load). Use cases:
`service.airspace`, `service.plan`, `service.notams`."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request, Response
from fastapi.responses import PlainTextResponse
from starlette.concurrency import run_in_threadpool

from ...formats.notam import parse_notams
from ...service import airspace, notams, plan
from ...service.context import Service
from ...service.inputs import parse_json
from ...service.requests import get_request
from ...workflow.access import Principal
from ..deps import Allowed, get_service, if_match_version
from ..openapi import ERRORS, GEOJSON, PUBLIC_VIEW, GeoJSONResponse

router = APIRouter(tags=["airspace"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Staff = Annotated[Principal, Depends(Allowed("request.read"))]
TEXT: dict[int | str, dict[str, Any]] = {200: {"content": {"application/json": {}, "text/csv": {}, "text/plain": {}}}}


@router.get("/requests/{request_id}/volumes", responses=GEOJSON, response_class=GeoJSONResponse)
def request_volumes(request_id: str, service: ServiceDep, who: Staff) -> dict[str, Any]:
    """A request's volumes: the ones stored (allocated or edited), else the defaults from its activity."""
    record = get_request(service, who, request_id)
    features = [airspace.volume_feature(v, record) for v in airspace.request_volumes(service, record)]
    return {"type": "FeatureCollection", "features": features}


@router.put("/requests/{request_id}/volumes", responses=GEOJSON, response_class=GeoJSONResponse)
async def edit_volumes(
    request_id: str,
    request: Request,
    response: Response,
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("volumes.edit"))],
    if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3"; stale answers 409')] = None,
) -> dict[str, Any]:
    """Replace a screened, approved or allocated request's volumes: `{"volumes": [{shape, lower,
    upper, windows | schedule}, ...]}` (docs/airspace.md). Every volume is checked; an error names
    the volume and the field, and nothing is written."""
    body = parse_json(await request.body())

    def run() -> dict[str, Any]:
        record = get_request(service, who, request_id)
        updated = airspace.set_volumes(service, who, record, body, if_match_version(if_match))
        response.headers["ETag"] = f'"{updated.version}"'
        features = [airspace.volume_feature(v, updated) for v in airspace.request_volumes(service, updated)]
        return {"type": "FeatureCollection", "features": features}

    return await run_in_threadpool(run)


@router.get("/requests/{request_id}/notams")
def request_notams(request_id: str, service: ServiceDep, who: Staff) -> dict[str, Any]:
    """The NOTAMs issued for a request: one per volume when it was published, and their cancellations."""
    return notams.issued_notams(service, who, request_id)


@router.get("/airspace/plan", responses=TEXT, openapi_extra=PUBLIC_VIEW)
def daily_plan(
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("public"))],
    day: Annotated[str | None, Query(description="The UTC day, YYYY-MM-DD (default today)")] = None,
    format: Annotated[Literal["json", "csv", "table"], Query(description="json, csv or a printable table")] = "json",
) -> Any:
    """The daily airspace use plan: every volume allocated for the day with its times, band and
    user, the day's updates marked. Airspace managers and approvers see every allocation, a
    requester its own nation's, anyone else the published plan."""
    doc = plan.daily_plan(service, who, day)
    if format == "json":
        return doc
    media = "text/csv" if format == "csv" else "text/plain"
    return PlainTextResponse(plan.render_plan(doc, format), media_type=f"{media}; charset=utf-8")


@router.get("/airspace/conflicts", responses=GEOJSON, response_class=GeoJSONResponse)
def airspace_conflicts(
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("reservations.read"))],
    standing: Annotated[bool, Query(description="Also against the standing airspace and active NOTAM areas")] = True,
) -> dict[str, Any]:
    """Every conflict among the held volumes, and with the standing airspace (restricted, danger
    and prohibited zones of the policy, and the areas active by the loaded NOTAMs)."""
    return airspace.conflicts_document(service, who, standing=standing)


@router.post("/notams/parse", openapi_extra={"requestBody": {"content": {"text/plain": {}}, "required": True}})
async def parse_feed(request: Request, _who: Staff) -> dict[str, Any]:
    """Read a NOTAM feed (ICAO text, many NOTAMs): each NOTAM's fields and area, and the
    quarantine of what could not be read, with the reason and the line. Nothing is kept."""
    text = notams.decode_notams(await request.body())
    return await run_in_threadpool(lambda: notams.read_document(parse_notams(text)))


@router.post("/notams/feed", openapi_extra={"requestBody": {"content": {"text/plain": {}}, "required": True}})
async def load_feed(
    request: Request, service: ServiceDep, _who: Annotated[Principal, Depends(Allowed("volumes.edit"))]
) -> dict[str, Any]:
    """Load a NOTAM feed as the areas active by NOTAM that conflicts are checked against (kept in
    this server's memory until the next load or a restart)."""
    body = await request.body()
    return await run_in_threadpool(notams.load_feed, service, body)
