"""`/requests`: file activities, list and read them, and move them through the workflow. Use
cases: `service.requests` (`submit`, `list_requests`, `get_request`, `move`)."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ...service import requests as use
from ...service.context import Service
from ...store import RequestRecord
from ...workflow.access import Principal
from ...workflow.states import STATES
from ..deps import Allowed, get_service, if_match_version
from ..models import RequestList, RequestOut, TransitionIn
from ..openapi import ACTIVITY_BODY, ERRORS

router = APIRouter(prefix="/requests", tags=["requests"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]


def request_out(record: RequestRecord, *, full: bool = False, **extra: Any) -> RequestOut:
    data = {k: v for k, v in record.__dict__.items() if k != "feature"}
    return RequestOut(**data, feature=dict(record.feature) if full else None, **extra)


def _listed(records: list[RequestRecord]) -> RequestList:
    return RequestList(requests=[request_out(r) for r in records], count=len(records))


def _etag(record: RequestRecord) -> str:
    return f'"{record.version}"'


@router.post("", status_code=201, response_model=RequestList, openapi_extra=ACTIVITY_BODY)
async def submit(
    request: Request, service: ServiceDep, who: Annotated[Principal, Depends(Allowed("request.submit"))]
) -> RequestList:
    """File activities (Activity GeoJSON): each is screened at once and becomes a request in the
    state its decision leads to (screened, referred or rejected). All or nothing."""
    body = await request.body()
    return _listed(await run_in_threadpool(use.submit, service, who, body))


@router.get("", response_model=RequestList)
def list_requests(
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("request.read"))],
    nation: Annotated[str | None, Query(pattern="^[A-Z]{3}$", description="ISO 3166-1 alpha-3")] = None,
    state: Annotated[Literal[STATES] | None, Query()] = None,  # type: ignore[valid-type]
    outcome: Annotated[Literal["permitted", "conditional", "referred", "denied"] | None, Query()] = None,
    start: Annotated[str | None, Query(description="Requests whose window ends after this RFC 3339 time")] = None,
    end: Annotated[str | None, Query(description="Requests whose window starts before this RFC 3339 time")] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> RequestList:
    """Requests, newest first; a requester sees its own nation's only."""
    records = use.list_requests(
        service, who, nation=nation, state=state, outcome=outcome, start=start, end=end, limit=limit, offset=offset
    )
    return _listed(records)


@router.get("/{request_id}", response_model=RequestOut)
def get_request(
    request_id: str,
    response: Response,
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("request.read"))],
) -> RequestOut:
    """One request with its activity and decision; the ETag is its version."""
    record = use.get_request(service, who, request_id)
    response.headers["ETag"] = _etag(record)
    return request_out(record, full=True)


def _transition(action: str, summary: str) -> Any:
    def handler(
        request_id: str,
        response: Response,
        service: ServiceDep,
        who: Annotated[Principal, Depends(Allowed(f"request.{action}"))],
        body: Annotated[TransitionIn | None, Body()] = None,
        if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3"; stale answers 409')] = None,
    ) -> RequestOut:
        moved = use.move(
            service,
            who,
            request_id,
            action,
            expected_version=if_match_version(if_match),
            note=body.note if body else "",
        )
        response.headers["ETag"] = _etag(moved.record)
        extra = {"conflicts": moved.conflicts} if moved.conflicts is not None else {}
        return request_out(moved.record, full=True, **extra)

    handler.__doc__ = summary
    handler.__name__ = action
    return handler


for _action, _summary in (
    ("approve", "Approve a referred request (approver)."),
    ("reject", "Reject a referred or screened request (approver)."),
    (
        "allocate",
        "Allocate airspace to a cleared or approved request: its volumes (the defaults from its activity unless an "
        "airspace manager edited them) are booked; the answer lists their conflicts (airspace manager).",
    ),
    ("reserve", "The old name of allocate, kept for clients written before it (airspace manager)."),
    ("publish", "Publish an allocated request: a NOTAM is issued for each of its volumes (airspace manager)."),
    ("activate", "Mark a published request's airspace as in use (airspace manager)."),
    ("release", "Give an allocated, published or active request's airspace back; its NOTAMs are cancelled."),
    ("expire", "Mark an allocated, published or active request whose windows are over as expired."),
    ("complete", "Mark a cleared, approved, allocated or active request as carried out."),
    ("cancel", "Withdraw a request that is not yet finished (a published one's NOTAMs are cancelled)."),
    ("rescreen", "Screen the request again under the current policy and keep the new decision and policy hash."),
):
    router.add_api_route(
        f"/{{request_id}}/{_action}", _transition(_action, _summary), methods=["POST"], response_model=RequestOut
    )
