"""`/requests`: file activities, list and read them, and move them through the workflow."""

import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Depends, Header, Query, Request, Response
from starlette.concurrency import run_in_threadpool

from ...model.errors import ForbiddenError, InputError
from ...store import RequestRecord
from ...workflow.access import Principal
from ...workflow.states import STATES
from ..deps import Allowed, get_service, visible
from ..models import RequestList, RequestOut, TransitionIn
from ..openapi import ACTIVITY_BODY, ERRORS
from ..service import Service, parse_json, query_time
from .reservations import conflicts_with, volume

router = APIRouter(prefix="/requests", tags=["requests"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]


def request_out(record: RequestRecord, *, full: bool = False, **extra: Any) -> RequestOut:
    data = {k: v for k, v in record.__dict__.items() if k != "feature"}
    return RequestOut(**data, feature=dict(record.feature) if full else None, **extra)


def _etag(record: RequestRecord) -> str:
    return f'"{record.version}"'


_ETAG = re.compile(r'(?:W/)?"([0-9]{1,18})"|([0-9]{1,18})')


def _if_match(value: str | None) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`); None when absent or `*`."""
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.fullmatch(value.strip())
    if match is None:
        raise InputError(f'If-Match: expected the version from the ETag, like `"3"`, got `{value}`')
    return int(match.group(1) or match.group(2))


@router.post("", status_code=201, response_model=RequestList, openapi_extra=ACTIVITY_BODY)
async def submit(
    request: Request, service: ServiceDep, who: Annotated[Principal, Depends(Allowed("request.submit"))]
) -> RequestList:
    """File activities (Activity GeoJSON): each is screened at once and becomes a request in the
    state its decision leads to (screened, referred or rejected). All or nothing."""
    body = await request.body()
    return await run_in_threadpool(_submit, service, who, body)


def _submit(service: Service, who: Principal, body: bytes) -> RequestList:
    activities, features, _warnings = service.activities(parse_json(body))
    if who.role == "requester":
        others = sorted({a.actor.nation for a in activities} - {who.nation})
        if others:
            raise ForbiddenError(
                f"a requester for `{who.nation}` cannot file for {', '.join(f'`{n}`' for n in others)}"
            )
    records = service.store.submit(who.name, service.new_requests(activities, features))
    return RequestList(requests=[request_out(r) for r in records], count=len(records))


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
    if who.role == "requester":
        if nation is not None and nation != who.nation:
            return RequestList(requests=[], count=0)
        nation = who.nation
    records = service.store.list(
        nation=nation,
        state=state,
        outcome=outcome,
        start=query_time(start, "start", service.policy),
        end=query_time(end, "end", service.policy),
        limit=limit,
        offset=offset,
    )
    return RequestList(requests=[request_out(r) for r in records], count=len(records))


@router.get("/{request_id}", response_model=RequestOut)
def get_request(
    request_id: str,
    response: Response,
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("request.read"))],
) -> RequestOut:
    """One request with its activity and decision; the ETag is its version."""
    record = visible(who, service.store.get(request_id))
    response.headers["ETag"] = _etag(record)
    return request_out(record, full=True)


def _transition(action: str, summary: str):
    def handler(
        request_id: str,
        response: Response,
        service: ServiceDep,
        who: Annotated[Principal, Depends(Allowed(f"request.{action}"))],
        body: Annotated[TransitionIn | None, Body()] = None,
        if_match: Annotated[str | None, Header(description='The ETag you read, e.g. "3"; stale answers 409')] = None,
    ) -> RequestOut:
        expected = _if_match(if_match)
        record = visible(who, service.store.get(request_id))
        rescreened = None
        if action == "rescreen":
            activities, features, _ = service.activities({"type": "FeatureCollection", "features": [record.feature]})
            rescreened = service.new_requests(activities, features)[0]
            expected = record.version if expected is None else expected  # decided on what was read
        if action == "reserve":
            volume(record)  # a footprint that cannot be built is refused before anything is written
        note = body.note if body else ""
        updated = service.store.act(
            request_id, action, who.name, expected_version=expected, rescreened=rescreened, note=note
        )
        response.headers["ETag"] = _etag(updated)
        extra = {"conflicts": conflicts_with(service, updated)} if action == "reserve" else {}
        return request_out(updated, full=True, **extra)

    handler.__doc__ = summary
    handler.__name__ = action
    return handler


for _action, _summary in (
    ("approve", "Approve a referred request (approver)."),
    ("reject", "Reject a referred or screened request (approver)."),
    (
        "reserve",
        "Book a cleared or approved request as a reservation; the answer lists its conflicts (airspace manager).",
    ),
    ("complete", "Mark a cleared, approved or reserved request as carried out."),
    ("cancel", "Withdraw a request that is not yet finished."),
    ("rescreen", "Screen the request again under the current policy and keep the new decision and policy hash."),
):
    router.add_api_route(
        f"/{{request_id}}/{_action}", _transition(_action, _summary), methods=["POST"], response_model=RequestOut
    )
