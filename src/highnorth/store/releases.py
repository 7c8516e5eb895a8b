"""Policy releases in the store: their lifecycle, the re-judging jobs that follow publishing, and
the flags on approvals the new rules no longer support.

::

    propose ──► proposed ──approve──► approved ──publish──► published ──(a later one)──► superseded
                    └──────reject───────┴──reject──► rejected

Every step is one transaction with its audit entry (`policy_propose`, `policy_approve`,
`policy_reject`, `policy_publish`) and its event. The two-person rule (the approver is not the
proposer) is checked here, below every face.
"""

from __future__ import annotations

import builtins
import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from ..model.errors import ConflictError, ForbiddenError, NotFoundError
from ..workflow.states import OPEN_STATES
from . import tables as t

__all__ = ["Job", "Rejudged", "ReleaseRecord", "Releases"]

#: release states, and the actions that lead from each
_NEXT = {"approve": ("proposed",), "reject": ("proposed", "approved"), "publish": ("approved",)}


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class ReleaseRecord:
    """A release without its archive bytes (`Releases.archive` reads those)."""

    id: str
    policy_id: str
    policy_hash: str
    state: str
    note: str
    summary: Mapping[str, Any]
    archive_hash: str
    proposed_by: str
    proposed_at: dt.datetime
    approved_by: str | None
    approved_at: dt.datetime | None
    rejected_by: str | None
    rejected_at: dt.datetime | None
    published_by: str | None
    published_at: dt.datetime | None
    superseded_at: dt.datetime | None


@dataclass(frozen=True)
class Job:
    id: int
    release_id: str
    from_hash: str
    to_hash: str
    changed_from: dt.datetime | None
    state: str
    cursor: str
    processed: int
    changed: int
    flagged: int
    lease_owner: str | None
    lease_until: dt.datetime | None
    error: str | None
    created_at: dt.datetime
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class Rejudged:
    """One request judged again: what to store when its outcome or obligations changed."""

    record: Any  # the RequestRecord as read
    outcome: str
    decision: Mapping[str, Any]
    state: str
    detail: Mapping[str, Any]  # outcome and obligations before/after, the reasons
    flag: str | None = None  # why an approval is no longer supported
    changed: bool = field(default=True)


_COLUMNS = [c for c in t.policy_releases.c if c.name != "archive"]


class Releases:
    """The releases of one store."""

    def __init__(self, store: Any) -> None:  # the Store this belongs to (its writer and audit chain)
        self.store = store

    def _row(self, conn: sa.Connection, release_id: str, lock: bool = False) -> ReleaseRecord:
        query = sa.select(*_COLUMNS).where(t.policy_releases.c.id == release_id)
        row = conn.execute(query.with_for_update() if lock else query).first()
        if row is None:
            raise NotFoundError(f"no policy release `{release_id}`")
        return ReleaseRecord(**row._asdict())

    def get(self, release_id: str) -> ReleaseRecord:
        with self.store.engine.connect() as conn:
            return self._row(conn, release_id)

    def list(self, limit: int = 100) -> list[ReleaseRecord]:
        query = sa.select(*_COLUMNS).order_by(t.policy_releases.c.proposed_at.desc()).limit(limit)
        with self.store.engine.connect() as conn:
            return [ReleaseRecord(**r._asdict()) for r in conn.execute(query)]

    def archive(self, release_id: str) -> bytes:
        with self.store.engine.connect() as conn:
            data = conn.execute(
                sa.select(t.policy_releases.c.archive).where(t.policy_releases.c.id == release_id)
            ).scalar()
        if data is None:
            raise NotFoundError(f"no policy release `{release_id}`")
        return bytes(data)

    def current(self) -> ReleaseRecord | None:
        """The published release (the newest, should two ever be), or None."""
        r = t.policy_releases.c
        query = sa.select(*_COLUMNS).where(r.state == "published").order_by(r.published_at.desc()).limit(1)
        with self.store.engine.connect() as conn:
            row = conn.execute(query).first()
        return ReleaseRecord(**row._asdict()) if row else None

    def current_id(self) -> str | None:
        """The published release's id only: the cheap question every process asks each second."""
        r = t.policy_releases.c
        query = sa.select(r.id).where(r.state == "published").order_by(r.published_at.desc()).limit(1)
        with self.store.engine.connect() as conn:
            return conn.execute(query).scalar()

    # the lifecycle ----------------------------------------------------------------------------

    def propose(
        self,
        actor: str,
        *,
        policy_id: str,
        policy_hash: str,
        note: str,
        summary: Mapping[str, Any],
        archive: bytes,
        archive_hash: str,
    ) -> ReleaseRecord:
        release_id = "rel-" + uuid.uuid4().hex[:16]
        with self.store._write() as conn:
            conn.execute(
                t.policy_releases.insert().values(
                    id=release_id,
                    policy_id=policy_id,
                    policy_hash=policy_hash,
                    state="proposed",
                    note=note,
                    summary=dict(summary),
                    archive=archive,
                    archive_hash=archive_hash,
                    proposed_by=actor,
                    proposed_at=_now(),
                )
            )
            detail = {"release": release_id, "policy": policy_id, "archive_hash": archive_hash, "note": note}
            self.store._append(conn, actor, "policy_propose", None, None, policy_hash, detail)
            self.store.feed.emit(conn, "release.proposed", detail | {"policy_hash": policy_hash}, release_id=release_id)
        return self.get(release_id)

    def _step(self, conn: sa.Connection, release_id: str, action: str) -> ReleaseRecord:
        record = self._row(conn, release_id, lock=True)
        if record.state not in _NEXT[action]:
            froms = " or ".join(f"`{s}`" for s in _NEXT[action])
            raise ConflictError(
                f"cannot {action} release `{release_id}`: it is `{record.state}`; {action} applies to {froms} releases"
            )
        return record

    def approve(self, release_id: str, actor: str, *, two_person: bool, note: str = "") -> ReleaseRecord:
        with self.store._write() as conn:
            record = self._step(conn, release_id, "approve")
            if two_person and record.proposed_by == actor:
                raise ForbiddenError(
                    f"`{actor}` proposed release `{release_id}`; another admin or a policy owner must approve it (two-person rule)"
                )
            conn.execute(
                t.policy_releases.update()
                .where(t.policy_releases.c.id == release_id)
                .values(state="approved", approved_by=actor, approved_at=_now())
            )
            detail = {"release": release_id, "proposed_by": record.proposed_by, **({"note": note} if note else {})}
            self.store._append(conn, actor, "policy_approve", None, None, record.policy_hash, detail)
            self.store.feed.emit(conn, "release.approved", detail, release_id=release_id)
        return self.get(release_id)

    def reject(self, release_id: str, actor: str, note: str = "") -> ReleaseRecord:
        with self.store._write() as conn:
            record = self._step(conn, release_id, "reject")
            conn.execute(
                t.policy_releases.update()
                .where(t.policy_releases.c.id == release_id)
                .values(state="rejected", rejected_by=actor, rejected_at=_now())
            )
            detail = {"release": release_id, "from": record.state, **({"note": note} if note else {})}
            self.store._append(conn, actor, "policy_reject", None, None, record.policy_hash, detail)
            self.store.feed.emit(conn, "release.rejected", detail, release_id=release_id)
        return self.get(release_id)

    def publish(
        self,
        release_id: str,
        actor: str,
        *,
        from_hash: str,
        changed_from: dt.datetime | None,
        changes: Mapping[str, Any],
    ) -> tuple[ReleaseRecord, int]:
        """Publish: the previous published release is superseded, and a re-judging job for the
        requests in the changed period is queued, all in one transaction. Returns the job id."""
        now = _now()
        r = t.policy_releases.c
        with self.store._write() as conn:
            record = self._step(conn, release_id, "publish")
            previous = [row.id for row in conn.execute(sa.select(r.id).where(r.state == "published"))]
            if previous:
                conn.execute(
                    t.policy_releases.update().where(r.id.in_(previous)).values(state="superseded", superseded_at=now)
                )
            conn.execute(
                t.policy_releases.update()
                .where(r.id == release_id)
                .values(state="published", published_by=actor, published_at=now)
            )
            job_id = conn.execute(
                t.rejudge_jobs.insert().values(
                    release_id=release_id,
                    from_hash=from_hash,
                    to_hash=record.policy_hash,
                    changed_from=changed_from,
                    state="pending",
                    cursor="",
                    processed=0,
                    changed=0,
                    flagged=0,
                    created_at=now,
                )
            ).inserted_primary_key[0]
            detail = {
                "release": release_id,
                "from_policy_hash": from_hash,
                "superseded": previous,
                "changed_from": changed_from.isoformat() if changed_from else None,
                "rejudge_job": job_id,
                "changes": dict(changes),
            }
            self.store._append(conn, actor, "policy_publish", None, None, record.policy_hash, detail)
            self.store.feed.emit(
                conn, "release.published", detail | {"policy_hash": record.policy_hash}, release_id=release_id
            )
        return self.get(release_id), int(job_id)

    # re-judging -------------------------------------------------------------------------------

    def job(self, job_id: int) -> Job:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(t.rejudge_jobs).where(t.rejudge_jobs.c.id == job_id)).first()
        if row is None:
            raise NotFoundError(f"no re-judging job {job_id}")
        return Job(**row._asdict())

    def jobs(self, release_id: str | None = None) -> builtins.list[Job]:
        query = sa.select(t.rejudge_jobs).order_by(t.rejudge_jobs.c.id)
        if release_id is not None:
            query = query.where(t.rejudge_jobs.c.release_id == release_id)
        with self.store.engine.connect() as conn:
            return [Job(**r._asdict()) for r in conn.execute(query)]

    def claim(self, owner: str, lease_s: float, job_id: int | None = None) -> Job | None:
        """An unfinished job nobody holds (or whose holder's lease ran out), now held by `owner`."""
        now = _now()
        j = t.rejudge_jobs.c
        with self.store.engine.connect() as conn:  # a read first: idle servers take no write lock
            if conn.execute(sa.select(j.id).where(j.state != "done").limit(1)).first() is None:
                return None
        with self.store._write() as conn:
            query = (
                sa.select(j.id)
                .where(j.state != "done")
                .where(j.lease_until.is_(None) | (j.lease_until < now) | (j.lease_owner == owner))
            )
            if job_id is not None:
                query = query.where(j.id == job_id)
            found = conn.execute(query.order_by(j.id).limit(1).with_for_update(skip_locked=True)).scalar()
            if found is None:
                return None
            taken = conn.execute(
                t.rejudge_jobs.update()
                .where(j.id == found)
                .where(j.lease_until.is_(None) | (j.lease_until < now) | (j.lease_owner == owner))
                .values(state="running", lease_owner=owner, lease_until=now + dt.timedelta(seconds=lease_s))
            )
            if taken.rowcount != 1:  # another process took it first
                return None
        return self.job(int(found))

    def batch(self, job: Job, limit: int) -> builtins.list[dict[str, Any]]:
        """The next requests of a job, in id order after the cursor: open or approved ones and
        those the rules alone rejected, reaching into the changed period."""
        q = t.requests.c
        # open or approved, or rejected by the rules alone (outcome denied: no person decided it)
        rejudged = q.state.in_(OPEN_STATES) | ((q.state == "rejected") & (q.outcome == "denied"))
        query = sa.select(t.requests).where(q.id > job.cursor, rejudged)
        if job.changed_from is not None:
            query = query.where(q.end > job.changed_from)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query.order_by(q.id).limit(limit))
            return [r._asdict() for r in rows]  # RequestRecord's fields

    def record_batch(
        self, job: Job, owner: str, lease_s: float, results: Sequence[Rejudged], cursor: str, *, seen: int, done: bool
    ) -> Job:
        """Store one batch's changes with their audit entries, events and flags, and move the
        job's cursor, in one transaction. A request changed by someone since it was read is left
        (a person's action wins; it carries the new policy from then on anyway)."""
        now = _now()
        changed = flagged = 0
        j, q = t.rejudge_jobs.c, t.requests.c
        with self.store._write() as conn:
            held = conn.execute(sa.select(j.lease_owner).where(j.id == job.id).with_for_update()).scalar()
            if held != owner:
                raise ConflictError(f"re-judging job {job.id} is held by `{held}` now")
            for item in results:
                rec = item.record
                done_row = conn.execute(
                    t.requests.update()
                    .where(q.id == rec.id, q.version == rec.version)
                    .values(
                        decision=dict(item.decision),
                        outcome=item.outcome,
                        policy_hash=job.to_hash,
                        state=item.state,
                        version=rec.version + 1,
                        updated_at=now,
                    )
                )
                if done_row.rowcount != 1:
                    continue
                changed += 1
                detail = {
                    **item.detail,
                    "from_policy_hash": rec.policy_hash,
                    "to_policy_hash": job.to_hash,
                    "release": job.release_id,
                    "from": rec.state,
                    "to": item.state,
                    **({"flagged": item.flag} if item.flag else {}),
                }
                self.store._append(conn, "highnorth", "rejudge", rec.id, rec.input_hash, job.to_hash, detail)
                self.store.feed.emit(
                    conn, "request.rejudged", detail, nation=rec.nation, request_id=rec.id, release_id=job.release_id
                )
                if item.flag:
                    flagged += 1
                    conn.execute(
                        t.request_flags.insert().values(
                            request_id=rec.id,
                            release_id=job.release_id,
                            reason=item.flag,
                            detail=detail,
                            created_at=now,
                        )
                    )
                    self.store.feed.emit(
                        conn,
                        "request.flagged",
                        {"reason": item.flag, "state": rec.state, "release": job.release_id},
                        nation=rec.nation,
                        request_id=rec.id,
                        release_id=job.release_id,
                    )
            values: dict[str, Any] = {
                "cursor": cursor,
                "processed": job.processed + seen,
                "changed": job.changed + changed,
                "flagged": job.flagged + flagged,
                "lease_until": now + dt.timedelta(seconds=lease_s),
            }
            conn.execute(t.rejudge_jobs.update().where(j.id == job.id).values(**values))
            if done:
                conn.execute(
                    t.rejudge_jobs.update()
                    .where(j.id == job.id)
                    .values(state="done", finished_at=now, lease_owner=None, lease_until=None)
                )
                final = self._job_row(conn, job.id)
                detail = {"release": job.release_id, "job": job.id, "changed": final.changed, "flagged": final.flagged}
                self.store._append(conn, "highnorth", "rejudge_done", None, None, job.to_hash, detail)
                self.store.feed.emit(conn, "release.rejudged", detail, release_id=job.release_id)
        return self.job(job.id)

    def _job_row(self, conn: sa.Connection, job_id: int) -> Job:
        row = conn.execute(sa.select(t.rejudge_jobs).where(t.rejudge_jobs.c.id == job_id)).first()
        assert row is not None
        return Job(**row._asdict())

    # flags ------------------------------------------------------------------------------------

    def flags(self, *, request_id: str | None = None, open_only: bool = True) -> builtins.list[dict[str, Any]]:
        f = t.request_flags.c
        query = sa.select(t.request_flags, t.requests.c.nation).join(t.requests, t.requests.c.id == f.request_id)
        if request_id is not None:
            query = query.where(f.request_id == request_id)
        if open_only:
            query = query.where(f.cleared_at.is_(None))
        with self.store.engine.connect() as conn:
            return [r._asdict() for r in conn.execute(query.order_by(f.id))]
