"""`/policies`: the loaded policy's versions, one version's rules, what changed between two
versions, and validation of a policy sent as files."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from ...model.errors import InputError, NotFoundError, PolicyDataError, did_you_mean
from ...model.rule import Policy, Rule
from ...model.time import format_time
from ...rules.loading.loader import load_policy
from ...workflow.access import Principal
from ..deps import Allowed, get_service
from ..openapi import ERRORS
from ..service import Service

_FILE_NAME = re.compile(r"[A-Za-z0-9._/-]{1,200}")
router = APIRouter(prefix="/policies", tags=["policies"], responses=ERRORS)
ServiceDep = Annotated[Service, Depends(get_service)]
Reader = Annotated[Principal, Depends(Allowed("policy.read"))]


def _rule(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "effect": rule.effect,
        "kinds": sorted(rule.kinds) if rule.kinds else None,
        "actor": rule.actor.describe() if rule.actor else None,
        "zones": list(rule.zones),
        "also_in": list(rule.also_in),
        "conditions": [c.describe() for c in rule.conditions],
        "obligations": [o.type for o in rule.obligations],
        "valid_from": format_time(rule.validity.start) if rule.validity else None,
        "valid_to": format_time(rule.validity.end) if rule.validity else None,
        "authority": rule.authority,
        "basis": rule.basis,
        "source": rule.source,
    }


def _summary(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "title": policy.title,
        "jurisdiction": policy.jurisdiction,
        "default_effect": policy.default_effect,
        "hash": policy.hash,
        "zones": len(policy.zones),
        "nations": len(policy.actors.nations),
        "versions": [
            {
                "version": v.version,
                "title": v.title,
                "effective": format_time(v.effective),
                "rules": len(v.rules),
                "hash": policy.version_hash(v.version),
            }
            for v in policy.versions
        ],
    }


@router.get("")
def show_policy(service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """The loaded policy: id, hash, and its versions with their effective times and hashes."""
    return _summary(service.policy)


def _version(policy: Policy, name: str):
    names = [v.version for v in policy.versions]
    if name not in names:
        raise NotFoundError(f"no version `{name}` of policy `{policy.id}`{did_you_mean(name, names)}")
    return policy.version(name)


@router.get("/versions/{version}")
def show_version(version: str, service: ServiceDep, _who: Reader) -> dict[str, Any]:
    """One version with every rule: what it matches, its effect, basis and source."""
    v = _version(service.policy, version)
    return {
        "version": v.version,
        "effective": format_time(v.effective),
        "hash": service.policy.version_hash(v.version),
        "rules": [_rule(r) for r in v.rules],
    }


@router.get("/diff")
def diff_versions(
    service: ServiceDep, _who: Reader, from_: Annotated[str, Query(alias="from")], to: str
) -> dict[str, Any]:
    """The rules added, removed and changed from one version to another (by rule id)."""
    a, b = _version(service.policy, from_), _version(service.policy, to)
    before, after = {r.id: _rule(r) for r in a.rules}, {r.id: _rule(r) for r in b.rules}
    return {
        "from": a.version,
        "to": b.version,
        "added": [after[k] for k in sorted(after.keys() - before.keys())],
        "removed": [before[k] for k in sorted(before.keys() - after.keys())],
        "changed": [
            {
                "id": k,
                "fields": {
                    f: {"from": before[k][f], "to": after[k][f]} for f in after[k] if before[k][f] != after[k][f]
                },
            }
            for k in sorted(before.keys() & after.keys())
            if before[k] != after[k]
        ],
    }


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
    return await run_in_threadpool(_validate, body.files)


def _validate(files: dict[str, str]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="highnorth-validate-") as tmp:
        root = Path(tmp)

        def local(text: str) -> str:  # paths as the caller named them, not where they were put
            return text.replace(str(root) + "/", "").replace(root.name + "/", "").replace(root.name, "the policy")

        names = set(files)
        for name, text in files.items():
            rel = PurePosixPath(name)
            if not _FILE_NAME.fullmatch(name) or rel.is_absolute() or ".." in rel.parts or not rel.parts:
                raise InputError(
                    f"files: `{name!r}` must be a relative path inside the policy directory (letters, digits, `.`, `_`, `-`, `/`)"
                )
            clash = next((n for n in names if n.startswith(name.rstrip("/") + "/")), None)
            if clash:
                raise InputError(f"files: `{name}` is a file and also the folder of `{clash}`")
            try:
                data = text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(f"files: `{name}`: not encodable as UTF-8 (character {exc.start})") from None
            path = root.joinpath(*rel.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            result = load_policy(root, cache_dir=None, confine=True)
        except PolicyDataError as exc:
            return {
                "valid": False,
                "problems": [
                    {"item": local(p.item), "field": p.field, "message": local(p.message)} for p in exc.problems
                ],
            }
    return {"valid": True, "policy": _summary(result.policy), "warnings": [local(w) for w in result.warnings]}
