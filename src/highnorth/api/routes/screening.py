"""`POST /screen`: stateless screening of Activity GeoJSON, answered with Decision JSON."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...service.context import Service
from ...service.screening import screen_body
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ACTIVITY_BODY, ERRORS

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
    alternatives: Annotated[
        bool, Query(description="Add what would change each referred or denied decision (docs/exercises.md §4)")
    ] = False,
    notams: Annotated[
        bool, Query(description="Also refer activities crossing an area active by the loaded NOTAM feed")
    ] = False,
) -> Response:
    """Screen activities without keeping anything: the same Decision JSON as `highnorth check
    --format json`, byte for byte (with `--alternatives` when `alternatives=true`; with
    `notams=true`, as `highnorth check --notams`)."""
    body = await request.body()
    text = await run_in_threadpool(lambda: screen_body(service, body, at, alternatives, notams=notams))
    return Response(text, media_type="application/json")
