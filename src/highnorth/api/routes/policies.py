"""`/policies`: the loaded policy's versions, one version's rules, what changed between two
versions, and validation of a policy sent as files. The versions and their rules are public (as
the decision maps); the diff and validation need their roles. Use cases: `service.policies`."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from ...service.context import Service
from ...service.policies import policy_diff, policy_summary, validate_files, version_document
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS, PUBLIC_VIEW

router = APIRouter(prefix="/policies", tags=["policies"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Reader = Annotated[Principal, Depends(Allowed("policy.read"))]
Public = Annotated[Principal, Depends(Allowed("public"))]  # the policy's versions are a public view


@router.get("", openapi_extra=PUBLIC_VIEW)
def show_policy(service: ServiceDep, _who: Public) -> dict[str, Any]:
    """The loaded policy: id, hash, and its versions with their effective times and hashes."""
    return policy_summary(service.policy)


@router.get("/versions/{version}", openapi_extra=PUBLIC_VIEW)
def show_version(version: str, service: ServiceDep, _who: Public) -> dict[str, Any]:
    """One version with every rule: what it matches, its effect, basis and source."""
    return version_document(service.policy, version)


@router.get("/diff")
def diff_versions(
    service: ServiceDep, _who: Reader, from_: Annotated[str, Query(alias="from")], to: str
) -> dict[str, Any]:
    """The rules added, removed and changed from one version to another (by rule id)."""
    return policy_diff(service.policy, from_, to)


class PolicyFiles(BaseModel):
    model_config = ConfigDict(extra="forbid")

    files: dict[str, str] = Field(
        description="A policy directory as relative path -> file text (policy.yaml, actors.yaml, zones.yaml, rules/*.yaml, ...)",
        max_length=500,
    )


@router.post("/validate")
async def validate(
    body: PolicyFiles, _who: Annotated[Principal, Depends(Allowed("policy.validate"))]
) -> dict[str, Any]:
    """Validate a policy sent as files: every problem with file:line, or the summary of the valid
    policy with its hash. Nothing is kept or put in force."""
    return await run_in_threadpool(validate_files, body.files)
