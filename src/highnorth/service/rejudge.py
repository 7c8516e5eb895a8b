"""Re-judging after a release is published: the open and approved requests (and those only the
rules rejected) whose activity window reaches into the changed period are screened again under the release, a batch at a time, each
batch one transaction that also moves the job's cursor, so a job stopped anywhere (a crash, a
restart) goes on from its cursor; the job is held with a lease, so another process takes over a
crashed one's job when the lease runs out.

Only a change is written: a request whose outcome and obligations stay the same keeps its
decision. A change is an audit entry `rejudge` (both policy hashes, outcome and obligations
before and after, the rules that fired) and an event `request.rejudged`. What the state does:

| state            | new outcome                         | state after  | flagged for the approver |
|------------------|-------------------------------------|--------------|--------------------------|
| screened         | permitted / conditional             | screened     | no                       |
| screened         | referred                            | referred     | no (in the approver's queue) |
| screened         | denied                              | rejected     | no                       |
| referred         | permitted / conditional             | screened     | no                       |
| referred         | referred                            | referred     | no                       |
| referred         | denied                              | rejected     | no                       |
| approved/reserved| no more severe than before          | unchanged    | no                       |
| approved/reserved| more severe than before             | unchanged    | yes: `request.flagged`   |
| rejected by the rules (outcome denied) | permitted / conditional | screened | no          |
| rejected by the rules (outcome denied) | referred            | referred     | no                       |

An approval is never withdrawn by the machine: a person decided it, a person reconsiders it. A
request that only the rules rejected (`rejected` with the outcome `denied`) is judged again too,
since a rule change is exactly what can open it (the 2025 amendment did); a person's rejection
is never undone.
"""

from __future__ import annotations

import os
import socket
import threading
from collections.abc import Callable
from typing import Any

from ..model.outcome import Outcome
from ..store import RequestRecord
from ..store.releases import Job, Rejudged
from ..workflow.states import HOLDING, after_screening, rejected_by_rules, transition
from .context import Service
from .impact import judge_again
from .releases import load_release

__all__ = ["owner_name", "run_job", "run_one_batch"]

#: how long a process holds a job without renewing it (each batch renews it)
LEASE_S = 60.0


def owner_name() -> str:
    """Who holds a job: host, process and thread."""
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


def _rejudged(record: RequestRecord, decision: dict[str, Any], change: dict[str, Any]) -> Rejudged | None:
    before, after = change["before"], change["after"]
    if (before["outcome"], before["obligations"]) == (after["outcome"], after["obligations"]):
        return None
    new = Outcome(after["outcome"])
    flag = None
    if record.state in ("approved", *HOLDING):  # approved or holding airspace: never withdrawn, flagged
        state = record.state
        if new.severity > Outcome(before["outcome"]).severity:
            flag = (
                f"the rules of the published release now give `{new}` (was `{before['outcome']}`); "
                "the approval stands until an approver reconsiders it"
            )
    elif rejected_by_rules(record.state, record.outcome):
        state = after_screening(new)  # the old rules refused it; the new ones decide afresh
    else:
        state = transition(record.state, "rescreen", new)
    return Rejudged(record, str(new), decision, state, change, flag)


def run_one_batch(service: Service, job: Job, owner: str) -> Job:
    """Judge the next batch of the job again and store it; the job, updated."""
    running = load_release(service, job.release_id)
    batch = [RequestRecord(**row) for row in service.store.releases.batch(job, service.settings.rejudge_batch)]
    judged = judge_again(service, running, batch)
    results = [r for r in (_rejudged(rec, *j) for rec, j in zip(batch, judged, strict=True)) if r is not None]
    cursor = batch[-1].id if batch else job.cursor
    done = len(batch) < service.settings.rejudge_batch
    return service.store.releases.record_batch(job, owner, LEASE_S, results, cursor, seen=len(batch), done=done)


def run_job(
    service: Service,
    job_id: int | None = None,
    *,
    owner: str | None = None,
    progress: Callable[[Job], None] | None = None,
    stop: threading.Event | None = None,
) -> Job | None:
    """Claim a job (this one, or any unfinished one nobody holds) and run it to the end, or until
    `stop` is set; None when there was none to claim."""
    owner = owner or owner_name()
    job = service.store.releases.claim(owner, LEASE_S, job_id)
    if job is None:
        return None
    while job.state != "done" and not (stop and stop.is_set()):
        job = run_one_batch(service, job, owner)
        if progress is not None:
            progress(job)
    return job
