"""`/events`: the event feed with a cursor; `/webhooks`: signed deliveries of it to other systems.
Use cases: `service.webhooks` (which documents the signature)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, ConfigDict, Field

from ...service import webhooks as use
from ...service.context import Service
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS

router = APIRouter(tags=["events"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Manager = Annotated[Principal, Depends(Allowed("webhooks.manage"))]


@router.get("/events")
def events(
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("events.read"))],
    after: Annotated[int, Query(ge=0, le=2**62, description="The cursor: the `next` of the previous page.")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """Events after the cursor, oldest first (release proposed, approved, published; requests
    re-judged and flagged); a requester sees only its own nation's requests' events."""
    return use.events(service, who, after=after, limit=limit)


class WebhookIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    url: str = Field(description="Where to POST each event (http or https).", max_length=2000)
    nation: str | None = Field(None, pattern="^[A-Z]{3}$", description="Only this nation's events.")
    secret: str | None = Field(
        None, min_length=16, max_length=200, description="The HMAC key; made for you when left out (shown once)."
    )


@router.post("/webhooks", status_code=201)
def add_webhook(body: WebhookIn, service: ServiceDep, who: Manager) -> dict[str, Any]:
    """Register a webhook: every later event (of its nation, if it has one) is delivered to it,
    signed; the secret is in this answer only."""
    return use.add_webhook(service, who, body.url, body.nation, body.secret)


@router.get("/webhooks")
def list_webhooks(service: ServiceDep, _who: Manager) -> dict[str, Any]:
    """The webhooks (never their secrets)."""
    return {"webhooks": use.webhooks(service)}


@router.get("/webhooks/{webhook_id}/deliveries")
def deliveries(
    webhook_id: Annotated[int, Path(ge=1, le=2**62, description="The webhook's id")],
    service: ServiceDep,
    _who: Manager,
    failed: Annotated[bool, Query(description="Only the deliveries that failed and wait for a retry.")] = False,
) -> dict[str, Any]:
    """A webhook's deliveries, newest first: attempts, last status and error, next attempt."""
    return {"deliveries": use.deliveries(service, webhook_id, failed_only=failed)}
