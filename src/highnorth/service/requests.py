"""Requests as use cases: file activities, list and read them, and move them through the workflow
(approve, reject, allocate (`reserve`), publish, activate, release, expire, complete, cancel,
rescreen). The role a call needs is checked by the
face's one permission check (`workflow.access.may`); the nation checks are made here, each an
`Access` with its reason: a requester files only for its own nation (403 otherwise) and sees only
its own nation's requests (others are "not found", never "forbidden")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..model.errors import ForbiddenError, NotFoundError
from ..store import RequestRecord
from ..workflow.access import Access, Principal, bound_nation, may_file, may_see
from ..workflow.states import ALIASES
from .airspace import effects_of
from .context import Service
from .inputs import parse_json
from .queries import parse_when
from .reservations import conflicts_with, volume

__all__ = ["Moved", "get_request", "list_requests", "move", "require", "submit"]


def require(access: Access, request_id: str | None = None) -> None:
    """Raise for a denial: a hidden one as the 404 of a request that does not exist."""
    if access.allowed:
        return
    if access.hidden:
        raise NotFoundError(f"no request `{request_id}`")
    raise ForbiddenError(access.reason)


def submit(service: Service, who: Principal, body: bytes) -> list[RequestRecord]:
    """File the activities of an Activity GeoJSON body: each screened now and stored in the state
    its decision leads to, all or nothing."""
    activities, features, _warnings = service.activities(parse_json(body))
    require(may_file(who, (a.actor.nation for a in activities)))
    return service.store.submit(who.name, service.new_requests(activities, features))


def list_requests(
    service: Service,
    who: Principal,
    *,
    nation: str | None = None,
    state: str | None = None,
    outcome: str | None = None,
    start: str | None = None,
    end: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[RequestRecord]:
    """Requests, newest first, of the nations the caller sees (a requester asking for another
    nation gets none)."""
    own = bound_nation(who)
    if own is not None:
        if nation is not None and not may_see(who, nation).allowed:
            return []
        nation = own
    return service.store.list(
        nation=nation,
        state=state,
        outcome=outcome,
        start=parse_when(start, "start", service.policy),
        end=parse_when(end, "end", service.policy),
        limit=limit,
        offset=offset,
    )


def get_request(service: Service, who: Principal, request_id: str) -> RequestRecord:
    """One request, if the caller may see it (else the same 404 as for none)."""
    record = service.store.get(request_id)
    require(may_see(who, record.nation), record.id)
    return record


@dataclass(frozen=True)
class Moved:
    """A request after an action; for `reserve`, the reservations it conflicts with."""

    record: RequestRecord
    conflicts: list[dict[str, Any]] | None = field(default=None)


def move(
    service: Service, who: Principal, request_id: str, action: str, *, expected_version: int | None, note: str = ""
) -> Moved:
    """Apply a workflow action to a request the caller sees. A re-screen is decided on the version
    that was read; a reservation whose footprint cannot be built is refused before anything is
    written."""
    action = ALIASES.get(action, action)  # `reserve` is recorded as `allocate`
    record = get_request(service, who, request_id)
    rescreened = None
    if action == "rescreen":
        activities, features, _ = service.activities({"type": "FeatureCollection", "features": [record.feature]})
        rescreened = service.new_requests(activities, features)[0]
        expected_version = record.version if expected_version is None else expected_version
    allocating = action == "allocate"
    if allocating:
        volume(service, record)
    effects = effects_of(service, record, action, who)
    updated = service.store.act(
        request_id,
        action,
        who.name,
        expected_version=expected_version,
        rescreened=rescreened,
        note=note,
        effects=effects,
    )
    return Moved(updated, conflicts_with(service, updated) if allocating else None)
