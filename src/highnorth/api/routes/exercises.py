"""`/exercises`: screen a whole exercise plan, file its activities as requests, read its report.
Use cases: `service.exercises` (`report_body`, `submit_plan`, `get_report`); the report as JSON
(`formats.exercise_report`) or, for `Accept: text/html`, the same script-free HTML page as
`highnorth exercise report --format html` (`service.exercise_html`), under a policy that allows
no script at all."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from ...exercise.report import ExerciseReport
from ...formats.decision_json import dumps
from ...formats.exercise_report import report_json, report_json_text
from ...service import exercises as use
from ...service.context import Service
from ...service.exercise_html import REPORT_CSP, report_html
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS

router = APIRouter(prefix="/exercises", tags=["exercises"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
AtQuery = Annotated[str | None, Query(description="Judge by the rules in force at this time (RFC 3339, or a date)")]

PLAN_BODY = {
    "requestBody": {
        "required": True,
        "description": "An exercise plan: Activity GeoJSON with an `exercise` header (docs/exercises.md)",
        "content": {"application/json": {"schema": {"type": "object"}}},
    }
}
REPORT: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "The exercise report: JSON, or the HTML page (no script) for `Accept: text/html`",
        "content": {"application/json": {"schema": {"type": "object"}}, "text/html": {"schema": {"type": "string"}}},
    }
}


def _wants_html(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and "application/json" not in accept


async def _answer(request: Request, report: ExerciseReport, status_code: int = 200) -> Response:
    if _wants_html(request):
        page = await run_in_threadpool(report_html, report)
        headers = {"Content-Security-Policy": REPORT_CSP, "X-Content-Type-Options": "nosniff", "Vary": "Accept"}
        return Response(page, status_code=status_code, media_type="text/html; charset=utf-8", headers=headers)
    return Response(report_json_text(report), status_code=status_code, media_type="application/json")


@router.post("/report", openapi_extra=PLAN_BODY, responses=REPORT)
async def report(
    request: Request,
    service: ServiceDep,
    _who: Annotated[Principal, Depends(Allowed("screen"))],
    at: AtQuery = None,
    compare_at: Annotated[
        str | None, Query(description="Also judge the plan by the rules in force at this time; say what differs")
    ] = None,
) -> Response:
    """The report of a plan, nothing kept: every activity's decision (one batch screening), the
    exercise-level Vienna Document duties, the deadlines and what would change each referred or
    denied activity."""
    body = await request.body()
    return await _answer(request, await run_in_threadpool(use.report_body, service, body, at, compare_at))


@router.post("", status_code=201, openapi_extra=PLAN_BODY)
async def submit(
    request: Request, service: ServiceDep, who: Annotated[Principal, Depends(Allowed("request.submit"))]
) -> Response:
    """File a plan: each activity becomes a request in the state its decision leads to (all or
    nothing; a requester files only for its own nation), and the report is answered with the
    request ids under `requests`."""
    body = await request.body()
    filed = await run_in_threadpool(use.submit_plan, service, who, body)
    doc = report_json(filed.report)
    doc["requests"] = [{"activity": r.activity_id, "id": r.id, "state": r.state} for r in filed.requests]
    return Response(dumps(doc), status_code=201, media_type="application/json")


@router.get("/{exercise_id}/report", responses=REPORT)
async def filed_report(
    exercise_id: str,
    request: Request,
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("request.read"))],
    at: AtQuery = None,
) -> Response:
    """The report of a filed plan under the policy the server runs now (JSON, or HTML for
    `Accept: text/html`). A requester sees it only when every activity is its own nation's."""
    return await _answer(request, await run_in_threadpool(use.get_report, service, who, exercise_id, at))
