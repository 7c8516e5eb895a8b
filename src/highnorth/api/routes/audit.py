"""`/audit` and `/audit/verify`: the hash-chained log of every decision and transition. Use cases:
`service.admin` (`audit_entries`, `verify_audit`)."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query

from ...service.admin import audit_entries, verify_audit
from ...service.context import Service
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..models import AuditEntryOut, AuditList, AuditVerifyOut, ChainBreakOut
from ..openapi import ERRORS

router = APIRouter(prefix="/audit", tags=["audit"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Auditor = Annotated[Principal, Depends(Allowed("audit.read"))]


@router.get("", response_model=AuditList)
def list_audit(
    service: ServiceDep,
    _who: Auditor,
    after: Annotated[int, Query(ge=0, le=2**62, description="Entries after this sequence number")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    request: Annotated[
        str | None, Query(pattern=r"^req-[0-9a-f]{16}$", description="Only this request's entries")
    ] = None,
    before: Annotated[int | None, Query(ge=1, le=2**62, description="Entries before this sequence number")] = None,
    order: Annotated[
        Literal["oldest", "newest"], Query(description="`oldest` first (the chain's order) or `newest` first")
    ] = "oldest",
) -> AuditList:
    """Entries, oldest first unless `order=newest`: who did what to which request, when, on which
    input and policy hash. Page with `after` (oldest first) or `before` (newest first)."""
    entries = audit_entries(
        service.store, after=after, before=before, limit=limit, request_id=request, newest_first=order == "newest"
    )
    return AuditList(entries=[AuditEntryOut(**e.__dict__) for e in entries])


@router.get("/verify", response_model=AuditVerifyOut)
def verify(service: ServiceDep, _who: Auditor) -> AuditVerifyOut:
    """Walk the whole chain: `ok` is false and `breaks` says where when an entry was edited or
    deleted. Keep `head_hash` elsewhere to catch a rewritten chain later."""
    v = verify_audit(service.store)
    return AuditVerifyOut(
        ok=v.ok,
        entries=v.entries,
        head_seq=v.head[0] if v.head else None,
        head_hash=v.head[1] if v.head else None,
        breaks=[ChainBreakOut(seq=b.seq, reason=b.reason) for b in v.breaks],
    )
