"""The audit log's hash chain: each entry's hash covers its content and the previous entry's hash.

Editing an entry changes its hash; deleting one breaks the link of the next (and the gap in the
sequence numbers shows); deleting the newest entries is caught against the recorded head (the
last sequence number and hash, which the store keeps beside the log). Someone able to rewrite the
head and the whole chain after an edit is only caught by a head copied elsewhere: `verify`
prints it so it can be kept outside the database.

>>> e1 = AuditEntry.first(1, "2025-06-01T08:00:00Z", "alice", "submit", "r1", "sha256:a", "sha256:p", {})
>>> e2 = AuditEntry.after(e1, "2025-06-01T09:00:00Z", "bob", "approve", "r1", "sha256:a", "sha256:p", {})
>>> verify_chain([e1, e2], head=(2, e2.hash))
[]
>>> edited = AuditEntry(**{**e1.__dict__, "actor": "mallory"})
>>> [b.reason for b in verify_chain([edited, e2], head=(2, e2.hash))]
['entry 1: its hash does not match its content (edited)']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ..model.hashing import content_hash

__all__ = ["GENESIS", "AuditEntry", "ChainBreak", "entry_hash", "verify_chain"]

GENESIS = "sha256:" + "0" * 64  # the "previous hash" of the first entry


def entry_hash(content: Mapping[str, Any]) -> str:
    """The hash of an entry's content (every field but `hash`), over canonical JSON."""
    return content_hash(dict(content))


@dataclass(frozen=True)
class AuditEntry:
    """One thing that happened: who did what to which request, when, on which input and rules."""

    seq: int
    at: str  # RFC 3339, UTC
    actor: str
    action: str
    request_id: str | None
    input_hash: str | None
    policy_hash: str | None
    detail: Mapping[str, Any] = field(default_factory=dict)
    prev_hash: str = GENESIS
    hash: str = ""

    def content(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("hash")
        data["detail"] = dict(self.detail)
        return data

    @classmethod
    def first(cls, seq: int, *args: Any) -> AuditEntry:
        return cls._sealed(seq, GENESIS, *args)

    @classmethod
    def after(cls, prev: AuditEntry, *args: Any) -> AuditEntry:
        return cls._sealed(prev.seq + 1, prev.hash, *args)

    @classmethod
    def _sealed(cls, seq, prev_hash, at, actor, action, request_id, input_hash, policy_hash, detail) -> AuditEntry:
        draft = cls(seq, at, actor, action, request_id, input_hash, policy_hash, dict(detail), prev_hash)
        return cls(**{**draft.__dict__, "hash": entry_hash(draft.content())})


@dataclass(frozen=True)
class ChainBreak:
    seq: int
    reason: str


def verify_chain(entries: Iterable[AuditEntry], head: tuple[int, str] | None) -> list[ChainBreak]:
    """Every place the chain is broken, in order; [] when it verifies. `entries` in sequence
    order; `head` is the recorded (last seq, last hash), None when nothing was ever recorded."""
    breaks: list[ChainBreak] = []
    prev_seq, prev_hash = 0, GENESIS
    for e in entries:
        if e.seq != prev_seq + 1:
            breaks.append(ChainBreak(e.seq, f"entries {prev_seq + 1} to {e.seq - 1} are missing (deleted)"))
        elif e.prev_hash != prev_hash:
            breaks.append(ChainBreak(e.seq, f"entry {e.seq}: does not link to entry {prev_seq} (changed or replaced)"))
        if entry_hash(e.content()) != e.hash:
            breaks.append(ChainBreak(e.seq, f"entry {e.seq}: its hash does not match its content (edited)"))
        prev_seq, prev_hash = e.seq, e.hash
    if head is None:
        if prev_seq:
            breaks.append(ChainBreak(prev_seq, "the log has entries but no recorded head"))
    elif (prev_seq, prev_hash) != tuple(head):
        breaks.append(
            ChainBreak(
                prev_seq, f"the log ends at entry {prev_seq} but the recorded head is entry {head[0]} (entries deleted)"
            )
        )
    return breaks
