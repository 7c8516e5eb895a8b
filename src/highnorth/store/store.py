"""The store: users and tokens, requests with their decisions, and the audit log, behind one class.

Every change and its audit entry are written in one transaction, committed before the caller
acknowledges anything (DESIGN.md §7). Appends to the audit chain are serialised by locking its
head row (PostgreSQL) or by SQLite's single writer.
"""

from __future__ import annotations

import builtins
import datetime as dt
import hashlib
import re
import secrets
import threading
import uuid
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..model.errors import AuthError, ConflictError, InputError, NotFoundError, did_you_mean
from ..model.time import format_time
from ..workflow.access import ROLES, Principal
from ..workflow.audit import GENESIS, AuditEntry, ChainBreak, entry_hash, verify_chain
from ..workflow.states import HOLDING, after_screening, transition
from . import tables as t
from .airspace import Effects, NotamRecord, VolumeRecord, read_notams, read_volumes
from .db import connect, upgrade, write_transaction
from .feed import Feed
from .releases import Releases

__all__ = ["NewRequest", "RequestRecord", "ReservedRequest", "Store", "Verification", "hash_token"]

TOKEN_PREFIX = "hn_"
REQUEST_ID = re.compile(r"req-[0-9a-f]{16}")  # what `submit` issues; anything else is not a request


def hash_token(token: str) -> str:
    """Tokens are 256 random bits, so a plain SHA-256 is a safe stored form (no salt or stretching
    needed: there is nothing to guess)."""
    return "sha256:" + hashlib.sha256(token.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class NewRequest:
    """A screened activity to be filed: the input feature, its hash and its decision."""

    activity_id: str
    nation: str
    kind: str
    start: dt.datetime
    end: dt.datetime
    feature: Mapping[str, Any]
    input_hash: str
    decision: Mapping[str, Any]
    outcome: str
    policy_hash: str


@dataclass(frozen=True)
class RequestRecord:
    id: str
    activity_id: str
    nation: str
    kind: str
    state: str
    outcome: str
    start: dt.datetime
    end: dt.datetime
    feature: Mapping[str, Any]
    input_hash: str
    decision: Mapping[str, Any]
    policy_hash: str
    version: int
    created_by: str
    created_at: dt.datetime
    updated_at: dt.datetime


@dataclass(frozen=True)
class ReservedRequest:
    """A reserved request without its activity and decision (what listing reservations needs
    when the volume is already known)."""

    id: str
    version: int
    activity_id: str
    nation: str
    kind: str
    input_hash: str  # of the submitted activity, which never changes: what a volume depends on


@dataclass(frozen=True)
class Verification:
    entries: int
    head: tuple[int, str] | None
    breaks: list[ChainBreak]

    @property
    def ok(self) -> bool:
        return not self.breaks


class Store:
    """One database. `url` is a SQLAlchemy URL; the schema is migrated to the newest on open."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = connect(url)
        upgrade(self.engine)
        # SQLite has one writer: queue this process's writers here rather than in busy retries
        self._writer = threading.Lock() if self.engine.dialect.name == "sqlite" else nullcontext()
        self.releases = Releases(self)  # policy releases, their re-judging jobs and flags
        self.feed = Feed(self)  # events, webhooks and deliveries

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def _write(self) -> Iterator[sa.Connection]:
        with self._writer, write_transaction(self.engine) as conn:
            yield conn

    # users and tokens -------------------------------------------------------------------------

    def add_user(self, name: str, role: str, nation: str | None = None) -> None:
        if role not in ROLES:
            raise InputError(
                f"role: unknown role `{role}`{did_you_mean(role, ROLES)}; expected one of {', '.join(ROLES)}"
            )
        if (role == "requester") != (nation is not None):
            raise InputError("nation: a requester acts for one nation (give --nation); other roles have none")
        if not name or len(name) > 100:
            raise InputError("name: expected 1 to 100 characters")
        with self._write() as conn:
            if conn.execute(sa.select(t.users.c.id).where(t.users.c.name == name)).first():
                raise ConflictError(f"user `{name}` exists")
            conn.execute(t.users.insert().values(name=name, role=role, nation=nation, created_at=_now()))
            self._append(conn, "cli", "user.add", None, None, None, {"user": name, "role": role, "nation": nation})

    def create_token(self, name: str, label: str = "") -> str:
        """A new API token for the user; only its hash is kept, so it is shown once."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        with self._write() as conn:
            user = conn.execute(sa.select(t.users.c.id).where(t.users.c.name == name)).first()
            if user is None:
                raise NotFoundError(f"no user `{name}`{did_you_mean(name, self.user_names(conn))}")
            conn.execute(
                t.tokens.insert().values(user_id=user.id, token_hash=hash_token(token), label=label, created_at=_now())
            )
            self._append(conn, "cli", "token.create", None, None, None, {"user": name, "label": label})
        return token

    def tokens(self, user: str | None = None) -> list[dict[str, Any]]:
        """Every token (never its value): id, user, label, created and revoked times."""
        query = (
            sa.select(t.tokens.c.id, t.users.c.name, t.tokens.c.label, t.tokens.c.created_at, t.tokens.c.revoked_at)
            .join(t.users, t.tokens.c.user_id == t.users.c.id)
            .order_by(t.tokens.c.id)
        )
        if user is not None:
            query = query.where(t.users.c.name == user)
        with self.engine.connect() as conn:
            return [row._asdict() | {"user": row.name} for row in conn.execute(query)]

    def revoke_tokens(self, *, token_id: int | None = None, user: str | None = None) -> int:
        """Revoke one token by id, or every token of a user; how many were revoked."""
        if (token_id is None) == (user is None):
            raise InputError("give a token id or a user, not both")
        with self._write() as conn:
            query = sa.select(t.tokens.c.id).where(t.tokens.c.revoked_at.is_(None))
            if token_id is not None:
                query = query.where(t.tokens.c.id == token_id)
            else:
                query = query.join(t.users, t.tokens.c.user_id == t.users.c.id).where(t.users.c.name == user)
            ids = [r.id for r in conn.execute(query)]
            if not ids:
                what = f"token {token_id}" if token_id is not None else f"user `{user}`"
                raise NotFoundError(f"no unrevoked token for {what}")
            conn.execute(t.tokens.update().where(t.tokens.c.id.in_(ids)).values(revoked_at=_now()))
            self._append(conn, "cli", "token.revoke", None, None, None, {"tokens": ids, "user": user})
        return len(ids)

    def users(self) -> list[tuple[str, str, str | None]]:
        """(name, role, nation) of every user, by name."""
        query = sa.select(t.users.c.name, t.users.c.role, t.users.c.nation).order_by(t.users.c.name)
        with self.engine.connect() as conn:
            return [(r.name, r.role, r.nation) for r in conn.execute(query)]

    def user_names(self, conn: sa.Connection | None = None) -> list[str]:
        with nullcontext(conn) if conn is not None else self.engine.connect() as c:
            return [r.name for r in c.execute(sa.select(t.users.c.name).order_by(t.users.c.name))]

    def principal(self, token: str) -> Principal:
        """The user a token belongs to; AuthError for an unknown or revoked token."""
        query = (
            sa.select(t.users.c.name, t.users.c.role, t.users.c.nation)
            .join(t.tokens, t.tokens.c.user_id == t.users.c.id)
            .where(t.tokens.c.token_hash == hash_token(token), t.tokens.c.revoked_at.is_(None))
        )
        with self.engine.connect() as conn:
            row = conn.execute(query).first()
        if row is None:
            raise AuthError("the API token is unknown or revoked")
        return Principal(row.name, row.role, row.nation)

    # requests ---------------------------------------------------------------------------------

    def submit(self, actor: str, items: Sequence[NewRequest]) -> list[RequestRecord]:
        """File screened activities as requests, in one transaction, each in the state its
        decision leads to; every one gets an audit entry."""
        with self._write() as conn:
            ids = self._insert_requests(conn, actor, items)
        return [self.get(rid) for rid in ids]

    def _insert_requests(self, conn: sa.Connection, actor: str, items: Sequence[NewRequest]) -> list[str]:
        now = _now()
        ids = []
        for item in items:
            rid = "req-" + uuid.uuid4().hex[:16]
            state = after_screening(item.outcome)  # type: ignore[arg-type]
            conn.execute(
                t.requests.insert().values(
                    id=rid,
                    activity_id=item.activity_id,
                    nation=item.nation,
                    kind=item.kind,
                    state=state,
                    outcome=item.outcome,
                    start=item.start,
                    end=item.end,
                    feature=dict(item.feature),
                    input_hash=item.input_hash,
                    decision=dict(item.decision),
                    policy_hash=item.policy_hash,
                    version=1,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                )
            )
            detail = {"activity": item.activity_id, "outcome": item.outcome, "state": state}
            self._append(conn, actor, "submit", rid, item.input_hash, item.policy_hash, detail)
            ids.append(rid)
        return ids

    # exercises --------------------------------------------------------------------------------

    def submit_exercise(
        self,
        actor: str,
        exercise_id: str,
        name: str,
        plan: Mapping[str, Any],
        input_hash: str,
        policy_hash: str,
        items: Sequence[NewRequest],
    ) -> list[RequestRecord]:
        """File an exercise plan: its activities as requests and the plan itself, in one
        transaction with their audit entries. An id already filed is a conflict."""
        with self._write() as conn:
            if conn.execute(sa.select(t.exercises.c.id).where(t.exercises.c.id == exercise_id)).first():
                raise ConflictError(f"exercise `{exercise_id}` is already filed; give the plan a new `exercise.id`")
            ids = self._insert_requests(conn, actor, items)
            conn.execute(
                t.exercises.insert().values(
                    id=exercise_id,
                    name=name,
                    plan=dict(plan),
                    input_hash=input_hash,
                    request_ids=ids,
                    created_by=actor,
                    created_at=_now(),
                )
            )
            detail = {"exercise": exercise_id, "requests": ids}
            self._append(conn, actor, "submit_exercise", None, input_hash, policy_hash, detail)
        return [self.get(rid) for rid in ids]

    def exercise_plan(self, exercise_id: str) -> Mapping[str, Any]:
        """The plan of a filed exercise, as it was sent."""
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.exercises.c.plan).where(t.exercises.c.id == exercise_id)).first()
        if row is None:
            raise NotFoundError(f"no exercise `{exercise_id}`")
        return dict(row.plan)

    def get(self, request_id: str) -> RequestRecord:
        if not REQUEST_ID.fullmatch(request_id):
            raise NotFoundError(f"no request `{request_id}`")
        with self.engine.connect() as conn:
            row = conn.execute(sa.select(t.requests).where(t.requests.c.id == request_id)).first()
        if row is None:
            raise NotFoundError(f"no request `{request_id}`")
        return RequestRecord(**row._asdict())

    def list(
        self,
        *,
        nation: str | None = None,
        state: str | None = None,
        outcome: str | None = None,
        start: dt.datetime | None = None,
        end: dt.datetime | None = None,
        limit: int = 100,
        offset: int = 0,
    ) -> list[RequestRecord]:
        """Requests, newest first; the time window keeps requests whose window overlaps it."""
        query = sa.select(t.requests)
        for column, value in (
            (t.requests.c.nation, nation),
            (t.requests.c.state, state),
            (t.requests.c.outcome, outcome),
        ):
            if value is not None:
                query = query.where(column == value)
        if start is not None:
            query = query.where(t.requests.c.end > start)
        if end is not None:
            query = query.where(t.requests.c.start < end)
        query = query.order_by(t.requests.c.created_at.desc(), t.requests.c.id).limit(limit).offset(offset)
        with self.engine.connect() as conn:
            return [RequestRecord(**row._asdict()) for row in conn.execute(query)]

    def reserved(self, states: Sequence[str] = HOLDING) -> builtins.list[ReservedRequest]:
        """Every request holding airspace (allocated, published, activated), newest first, in
        one query (no activity or decision read)."""
        r = t.requests.c
        query = (
            sa.select(r.id, r.version, r.activity_id, r.nation, r.kind, r.input_hash)
            .where(r.state.in_(list(states)))
            .order_by(r.created_at.desc(), r.id)
        )
        with self.engine.connect() as conn:
            return [ReservedRequest(*row) for row in conn.execute(query)]

    def features(self, request_ids: Sequence[str]) -> dict[str, Mapping[str, Any]]:
        """The submitted activity (GeoJSON Feature) of each request, by id; unknown ids are left out."""
        if not request_ids:
            return {}
        query = sa.select(t.requests.c.id, t.requests.c.feature).where(t.requests.c.id.in_(list(request_ids)))
        with self.engine.connect() as conn:
            return {row.id: row.feature for row in conn.execute(query)}

    def act(
        self,
        request_id: str,
        action: str,
        actor: str,
        *,
        expected_version: int | None = None,
        rescreened: NewRequest | None = None,
        note: str = "",
        effects: Effects | None = None,
    ) -> RequestRecord:
        """Apply a workflow action. A stale `expected_version` or an action the state does not
        allow is a ConflictError (409); a re-screen stores the new decision and policy hash;
        `effects` (volumes, NOTAMs) are written in the same transaction. `action` "volumes"
        replaces the volumes and keeps the state."""
        if not REQUEST_ID.fullmatch(request_id):
            raise NotFoundError(f"no request `{request_id}`")
        with self._write() as conn:
            row = conn.execute(
                sa.select(t.requests.c.state, t.requests.c.version, t.requests.c.input_hash)
                .where(t.requests.c.id == request_id)
                .with_for_update()
            ).first()
            if row is None:
                raise NotFoundError(f"no request `{request_id}`")
            if expected_version is not None and row.version != expected_version:
                raise ConflictError(
                    f"request `{request_id}` is at version {row.version}, not {expected_version}: it changed since "
                    "you read it; read it again and retry"
                )
            if action == "volumes":
                new_state = row.state
            else:
                new_state = transition(row.state, action, rescreened.outcome if rescreened else None)  # type: ignore[arg-type]
            now = _now()
            values: dict[str, Any] = {"state": new_state, "version": row.version + 1, "updated_at": now}
            detail: dict[str, Any] = {"from": row.state, "to": new_state, **({"note": note} if note else {})}
            policy_hash = None
            if rescreened is not None:
                values |= {"decision": dict(rescreened.decision), "outcome": rescreened.outcome}
                values["policy_hash"] = policy_hash = rescreened.policy_hash
                detail["outcome"] = rescreened.outcome
            done = conn.execute(
                t.requests.update()
                .where(t.requests.c.id == request_id, t.requests.c.version == row.version)
                .values(**values)
            )
            if done.rowcount != 1:
                raise ConflictError(f"request `{request_id}` changed while it was being updated; retry")
            if effects is not None:
                try:
                    effects.apply(conn, request_id, actor, now)
                except ValueError as exc:
                    raise ConflictError(f"request `{request_id}`: {exc}") from None
                detail |= effects.detail
            self._append(conn, actor, action, request_id, row.input_hash, policy_hash, detail)
            # a person acted on the request: a flag from a re-judging is seen to
            conn.execute(
                t.request_flags.update()
                .where(t.request_flags.c.request_id == request_id, t.request_flags.c.cleared_at.is_(None))
                .values(cleared_at=_now(), cleared_by=actor)
            )
        return self.get(request_id)

    # airspace --------------------------------------------------------------------------------

    def volumes(self, request_ids: Sequence[str] | None = None, **filters: Any) -> builtins.list[VolumeRecord]:
        """Stored volumes (`airspace.read_volumes`: by request, states, window, nation, live only)."""
        return read_volumes(self.engine, request_ids, **filters)

    def notams(self, **filters: Any) -> builtins.list[NotamRecord]:
        """NOTAMs issued (`airspace.read_notams`: by request, nation, id)."""
        return read_notams(self.engine, **filters)

    # audit ------------------------------------------------------------------------------------

    def _append(
        self,
        conn: sa.Connection,
        actor: str,
        action: str,
        request_id: str | None,
        input_hash: str | None,
        policy_hash: str | None,
        detail: Mapping[str, Any],
    ) -> AuditEntry:
        head = conn.execute(sa.select(t.audit_head).where(t.audit_head.c.id == 1).with_for_update()).first()
        seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
        draft = AuditEntry(
            seq + 1, format_time(_now()), actor, action, request_id, input_hash, policy_hash, dict(detail), prev
        )
        entry = AuditEntry(**{**draft.__dict__, "hash": entry_hash(draft.content())})
        conn.execute(t.audit.insert().values(**entry.content(), hash=entry.hash))
        if head is None:
            conn.execute(t.audit_head.insert().values(id=1, seq=entry.seq, hash=entry.hash))
        else:
            conn.execute(t.audit_head.update().where(t.audit_head.c.id == 1).values(seq=entry.seq, hash=entry.hash))
        return entry

    def audit(
        self,
        *,
        after: int = 0,
        before: int | None = None,
        limit: int = 100,
        request_id: str | None = None,
        newest_first: bool = False,
    ) -> Sequence[AuditEntry]:
        """Entries with `after` < seq < `before`, oldest or newest first, at most `limit`."""
        query = sa.select(t.audit).where(t.audit.c.seq > after)
        if before is not None:
            query = query.where(t.audit.c.seq < before)
        if request_id is not None:
            query = query.where(t.audit.c.request_id == request_id)
        order = t.audit.c.seq.desc() if newest_first else t.audit.c.seq
        with self.engine.connect() as conn:
            rows = conn.execute(query.order_by(order).limit(limit))
            return [AuditEntry(**row._asdict()) for row in rows]

    def verify(self) -> Verification:
        """Walk the whole chain and compare it with the recorded head."""
        with self.engine.connect() as conn:
            head_row = conn.execute(sa.select(t.audit_head.c.seq, t.audit_head.c.hash)).first()
            entries = [AuditEntry(**row._asdict()) for row in conn.execute(sa.select(t.audit).order_by(t.audit.c.seq))]
        head = (head_row.seq, head_row.hash) if head_row else None
        return Verification(len(entries), head, verify_chain(entries, head))
