"""Response bodies of the API (pydantic), so the OpenAPI document says what each answer holds."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "AuditEntryOut",
    "AuditList",
    "AuditVerifyOut",
    "ChainBreakOut",
    "ErrorOut",
    "Health",
    "ProblemOut",
    "RequestList",
    "RequestOut",
    "TransitionIn",
]


class ProblemOut(BaseModel):
    item: str
    field: str
    message: str


class ErrorBody(BaseModel):
    status: int
    code: str
    message: str
    problems: list[ProblemOut] | None = None


class ErrorOut(BaseModel):
    """The one error shape of the API."""

    error: ErrorBody


class Health(BaseModel):
    status: str
    version: str
    policy: str
    policy_hash: str
    release: str | None = Field(None, description="the policy release in use; null: the configured policy folder")
    reload_error: str | None = Field(None, description="why the published release could not be loaded here")
    process: int = Field(0, description="the server process that answered")
    policy_load_seconds: float = Field(0.0, description="how long this process took to load the policy in use")
    database: str


class RequestOut(BaseModel):
    id: str
    activity_id: str
    nation: str
    kind: str
    state: str
    outcome: str
    start: dt.datetime
    end: dt.datetime
    version: int = Field(description="Increases with every change; send it back as If-Match.")
    policy_hash: str = Field(description="The policy the decision was made under.")
    input_hash: str
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime
    decision: dict[str, Any] = Field(description="Decision JSON for this activity, with its policy block.")
    feature: dict[str, Any] | None = Field(None, description="The activity as submitted (on single reads).")
    conflicts: list[dict[str, Any]] | None = Field(None, description="On reserve: the reservations it conflicts with.")


class RequestList(BaseModel):
    requests: list[RequestOut]
    count: int


class TransitionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str = Field("", max_length=2000, description="Why; kept in the audit log.")


class AuditEntryOut(BaseModel):
    seq: int
    at: str
    actor: str
    action: str
    request_id: str | None
    input_hash: str | None
    policy_hash: str | None
    detail: dict[str, Any]
    prev_hash: str
    hash: str


class AuditList(BaseModel):
    entries: list[AuditEntryOut]


class ChainBreakOut(BaseModel):
    seq: int
    reason: str


class AuditVerifyOut(BaseModel):
    ok: bool
    entries: int
    head_seq: int | None
    head_hash: str | None
    breaks: list[ChainBreakOut]


class MeOut(BaseModel):
    """The user a token belongs to, and what their role may do."""

    name: str
    role: str
    nation: str | None = Field(None, description="The nation a requester files for; null for other roles.")
    permissions: list[str] = Field(description="The permissions the role holds, e.g. `request.approve`.")
