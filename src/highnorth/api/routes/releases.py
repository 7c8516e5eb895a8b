"""`/policies/releases`: propose a policy release (a `.tar.gz` or `.zip` of a policy folder),
read releases, see the impact of one, approve, reject and publish it; `/policies/flags`: the
approvals a published release no longer supports. Use cases: `service.releases`,
`service.impact`. Roles: docs/policy-releases.md."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from ...model.errors import InputError
from ...service import releases as use
from ...service.archive import ARCHIVE_TYPES
from ...service.context import Service
from ...workflow.access import Principal, bound_nation
from ..deps import Allowed, get_service
from ..models import TransitionIn
from ..openapi import ERRORS

router = APIRouter(prefix="/policies", tags=["policy releases"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Reader = Annotated[Principal, Depends(Allowed("policy.releases.read"))]
NoteBody = Annotated[TransitionIn | None, Body()]

ARCHIVE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "A policy folder (policy.yaml, actors, zones, rules, optionally scenarios/) packed as .tar.gz or .zip.",
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}} for t in ("application/gzip", "application/zip")
        },
    }
}


@router.post("/releases", status_code=201, openapi_extra=ARCHIVE_BODY)
async def propose(
    request: Request,
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("policy.propose"))],
    note: Annotated[str, Query(max_length=2000, description="What the release changes and why.")] = "",
) -> dict[str, Any]:
    """Propose a policy release: unpacked safely, validated (schema, references, zones that build,
    the golden scenarios it ships) and stored with its content hash. Nothing runs differently
    until it is approved and published."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in ARCHIVE_TYPES:
        raise InputError(f"Content-Type: expected application/gzip or application/zip, got `{kind or 'none'}`")
    body = await request.body()
    return await run_in_threadpool(use.propose, service, who, body, note)


@router.get("/releases")
def list_releases(service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """Every release, newest first, with its state and who moved it."""
    return {"releases": use.releases(service), "running": service.running.release_id}


@router.get("/releases/{release_id}")
def show_release(release_id: str, service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """One release, and its re-judging jobs."""
    jobs = [job.__dict__ for job in service.store.releases.jobs(release_id)]
    return {**use.release_json(service.store.releases.get(release_id)), "rejudge_jobs": jobs}


@router.get("/releases/{release_id}/impact")
def release_impact(
    release_id: str,
    service: ServiceDep,
    _who: Reader,
    actor: Annotated[str | None, Query(description="Area diff: the nation (ISO alpha-3).")] = None,
    kind: Annotated[str | None, Query(description="Area diff: the activity kind.")] = None,
    at: Annotated[str | None, Query(description="Area diff: the time both maps are drawn for.")] = None,
) -> dict[str, Any]:
    """What publishing the release would change against the running policy: rules and zones
    added, removed and changed; with actor, kind and at the area where the outcome changes (km²
    per before→after); and the stored requests whose outcome or obligations would change."""
    return use.impact(service, release_id, actor=actor, kind=kind, at=at)


@router.post("/releases/{release_id}/approve")
def approve(
    release_id: str,
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("policy.approve"))],
    body: NoteBody = None,
) -> dict[str, Any]:
    """Approve a proposed release (not by its proposer, under the two-person rule)."""
    return use.approve(service, who, release_id, body.note if body else "")


@router.post("/releases/{release_id}/reject")
def reject(
    release_id: str,
    service: ServiceDep,
    who: Annotated[Principal, Depends(Allowed("policy.approve"))],
    body: NoteBody = None,
) -> dict[str, Any]:
    """Reject a proposed or approved release."""
    return use.reject(service, who, release_id, body.note if body else "")


@router.post("/releases/{release_id}/publish")
def publish(
    release_id: str, service: ServiceDep, who: Annotated[Principal, Depends(Allowed("policy.publish"))]
) -> dict[str, Any]:
    """Publish an approved release: the running policy of this process at once and of every
    other within about a second; its rules take effect at its versions' effective dates. The
    stored requests it touches are re-judged in the background (`rejudge_job`)."""
    return use.publish(service, who, release_id)


@router.get("/flags")
def flags(service: ServiceDep, who: Annotated[Principal, Depends(Allowed("request.read"))]) -> dict[str, Any]:
    """Approvals a published release no longer supports, waiting for an approver (a requester
    sees its own nation's)."""
    own = bound_nation(who)
    found = [f for f in service.store.releases.flags() if own is None or f["nation"] == own]
    return {"flags": found}
