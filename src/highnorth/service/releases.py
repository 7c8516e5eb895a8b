"""Policy releases as use cases (docs/policy-releases.md): propose an uploaded policy folder
(validated: safe unpacking, schema, references, zones that build, its golden scenarios), approve
or reject it (two-person rule), publish it (it becomes the running policy of this process at
once, of every other process within about a second, and the stored requests it touches are
queued for re-judging), and load a release as a `Running` bundle.

The roles a step needs are checked by the face's permission check (`policy.propose`,
`policy.approve`, `policy.publish`); the two-person rule is the store's (`store.releases`).
"""

from __future__ import annotations

import time
from typing import Any

from ..engine import Screener
from ..model.errors import ForbiddenError, InputError, NotFoundError, PolicyDataError, Problem, did_you_mean
from ..model.time import FAR_FUTURE, format_time
from ..store.releases import ReleaseRecord
from ..workflow.access import Principal, may
from .archive import archive_hash, load_release_policy, validate_release
from .context import Running, Service
from .impact import affected, area_diff, changed_from, rule_diff
from .policies import policy_summary

__all__ = ["acting_as", "approve", "impact", "load_release", "propose", "publish", "reject", "release_json", "releases"]


def release_json(record: ReleaseRecord) -> dict[str, Any]:
    """A release as the API and the CLI show it (never its archive bytes)."""

    def when(value: Any) -> str | None:
        return format_time(value) if value is not None else None

    return {
        "id": record.id,
        "policy": record.policy_id,
        "policy_hash": record.policy_hash,
        "archive_hash": record.archive_hash,
        "state": record.state,
        "note": record.note,
        "proposed_by": record.proposed_by,
        "proposed_at": when(record.proposed_at),
        "approved_by": record.approved_by,
        "approved_at": when(record.approved_at),
        "rejected_by": record.rejected_by,
        "rejected_at": when(record.rejected_at),
        "published_by": record.published_by,
        "published_at": when(record.published_at),
        "superseded_at": when(record.superseded_at),
        "summary": dict(record.summary),
    }


def propose(service: Service, who: Principal, archive: bytes, note: str = "") -> dict[str, Any]:
    """Validate an archive of a policy folder and store it as a proposed release. Any problem
    refuses it (PolicyDataError, naming the file and line); nothing runs differently."""
    if not archive:
        raise PolicyDataError([Problem("archive", "", "the body is empty; expected a .tar.gz or .zip")])
    started = time.perf_counter()
    policy, screener, warnings, scenarios = validate_release(archive, service.settings)
    failed = [s for s in scenarios if not s.passed]
    if failed:
        raise PolicyDataError([Problem(f"scenarios/{s.name}/expected.yaml", "", "; ".join(s.failures)) for s in failed])
    summary = {
        **policy_summary(policy),
        "warnings": warnings,
        "scenarios": {"run": len(scenarios), "passed": len(scenarios)},
    }
    record = service.store.releases.propose(
        who.name,
        policy_id=policy.id,
        policy_hash=policy.hash,
        note=note,
        summary=summary,
        archive=archive,
        archive_hash=archive_hash(archive),
    )
    seconds = time.perf_counter() - started
    service.root.prepared.get_or_make(record.id, lambda: Running(policy, screener, record.id, load_seconds=seconds))
    return release_json(record)


def releases(service: Service) -> list[dict[str, Any]]:
    return [release_json(r) for r in service.store.releases.list()]


def approve(service: Service, who: Principal, release_id: str, note: str = "") -> dict[str, Any]:
    record = service.store.releases.approve(
        release_id, who.name, two_person=service.settings.policy_two_person, note=note
    )
    return release_json(record)


def reject(service: Service, who: Principal, release_id: str, note: str = "") -> dict[str, Any]:
    return release_json(service.store.releases.reject(release_id, who.name, note))


def load_release(service: Service, release_id: str) -> Running:
    """A release as a bundle ready to decide: the running one, one this process prepared, or
    unpacked and loaded now (zones from the cache when their content was derived before)."""
    if service.running.release_id == release_id:
        return service.running
    if service.root.running.release_id == release_id:
        return service.root.running

    def make() -> Running:
        started = time.perf_counter()
        policy, _warnings = load_release_policy(service.store.releases.archive(release_id), service.settings)
        screener = Screener(policy).warm()
        return Running(policy, screener, release_id, load_seconds=time.perf_counter() - started)

    return service.root.prepared.get_or_make(release_id, make)


def publish(service: Service, who: Principal, release_id: str) -> dict[str, Any]:
    """Publish an approved release: it decides in this process from now on (and in every other
    within about a second); its versions' rules take effect at their own `effective` dates. The
    requests it touches are queued for re-judging (the job's id is in the answer)."""
    release = service.store.releases.get(release_id)
    new = load_release(service, release_id)  # before anything is written: a release that cannot load is not published
    old = service.root.running
    start = changed_from(old.policy, new.policy)
    diff = rule_diff(old.policy, new.policy)
    counts = {k: {kk: len(vv) for kk, vv in v.items()} for k, v in diff.items()}
    record, job_id = service.store.releases.publish(
        release.id, who.name, from_hash=old.hash, changed_from=start, changes=counts
    )
    service.install(new)
    return {**release_json(record), "rejudge_job": job_id, "changed_from": format_time(start) if start else None}


def acting_as(service: Service, name: str, permission: str) -> Principal:
    """The user `name` of the database as a principal, if their role holds `permission` (the
    CLI's `--as`: the same check the API makes on a token)."""
    found = {n: (r, nation) for n, r, nation in service.store.users()}
    if name not in found:
        raise NotFoundError(f"--as: no user `{name}`{did_you_mean(name, found)}")
    role, nation = found[name]
    who = Principal(name, role, nation)
    access = may(who, permission)
    if not access.allowed:
        raise ForbiddenError(f"--as `{name}`: {access.reason}")
    return who


def impact(
    service: Service, release_id: str, *, actor: str | None, kind: str | None, at: str | None, attributes: Any = None
) -> dict[str, Any]:
    """The impact of publishing a release now, against the running policy."""
    current = service.running
    proposed = load_release(service, release_id)
    start = changed_from(current.policy, proposed.policy)
    doc: dict[str, Any] = {
        "release": release_id,
        "running": {"policy": current.policy.id, "hash": current.hash, "release": current.release_id},
        "proposed": {"policy": proposed.policy.id, "hash": proposed.hash},
        "changed_from": format_time(start) if start and start < FAR_FUTURE else None,
        "diff": rule_diff(current.policy, proposed.policy),
        "requests": affected(service, proposed, start),
    }
    if actor is not None or kind is not None:
        if actor is None or kind is None or at is None:
            raise InputError("actor, kind, at: the area diff needs all three")
        doc["area"] = area_diff(current.policy, proposed.policy, actor=actor, kind=kind, at=at, attributes=attributes)
    return doc
