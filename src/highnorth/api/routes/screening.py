"""`POST /screen`: stateless screening of Activity GeoJSON, answered with Decision JSON."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...formats.decision_json import decisions_document, dumps
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ACTIVITY_BODY, ERRORS
from ..service import Service, parse_json, query_time

router = APIRouter(tags=["screening"], responses=ERRORS)


@router.post(
    "/screen",
    openapi_extra=ACTIVITY_BODY,
    responses={200: {"description": "Decision JSON", "content": {"application/json": {"schema": {"type": "object"}}}}},
)
async def screen(
    request: Request,
    service: Annotated[Service, Depends(get_service)],
    _who: Annotated[Principal, Depends(Allowed("screen"))],
    at: Annotated[
        str | None, Query(description="Judge by the version in force at this time (RFC 3339, or a date)")
    ] = None,
) -> Response:
    """Screen activities without keeping anything: the same Decision JSON as `highnorth check
    --format json`, byte for byte."""
    body = await request.body()
    text = await run_in_threadpool(_screen, service, body, at)
    return Response(text, media_type="application/json")


def _screen(service: Service, body: bytes, at: str | None) -> str:
    when = query_time(at, "at", service.policy, in_force=True)
    activities, _features, warnings = service.activities(parse_json(body))
    decisions = service.screener.screen(activities, at=when)
    doc: dict[str, Any] = decisions_document(service.policy, decisions, warnings)
    return dumps(doc)
