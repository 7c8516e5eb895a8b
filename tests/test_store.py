"""The store on SQLite and PostgreSQL: requests, transitions with optimistic concurrency, the
audit chain against tampering, and migrations that match the tables."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from highnorth.model.errors import AuthError, ConflictError, InputError, NotFoundError
from highnorth.store import NewRequest, Store
from highnorth.store import tables as t
from highnorth.workflow.states import TransitionError

UTC = dt.UTC


def new_request(activity_id: str, outcome: str = "referred", nation: str = "USA", day: int = 10) -> NewRequest:
    return NewRequest(
        activity_id=activity_id,
        nation=nation,
        kind="port_call",
        start=dt.datetime(2025, 6, day, 8, tzinfo=UTC),
        end=dt.datetime(2025, 6, day + 1, 8, tzinfo=UTC),
        feature={"type": "Feature", "id": activity_id, "geometry": None, "properties": {}},
        input_hash="sha256:" + "1" * 64,
        decision={"activity": activity_id, "outcome": outcome},
        outcome=outcome,
        policy_hash="sha256:" + "2" * 64,
    )


@pytest.fixture
def store(database_url):
    s = Store(database_url)
    yield s
    s.close()


def test_migrations_create_exactly_the_tables(store):
    with store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), t.metadata)
    assert diff == []
    Store(store.url).close()  # opening again is idempotent


def test_submit_puts_each_request_in_the_state_its_decision_leads_to(store):
    records = store.submit(
        "ann", [new_request("a", "referred"), new_request("b", "permitted"), new_request("c", "denied")]
    )
    assert [(r.activity_id, r.state, r.version) for r in records] == [
        ("a", "referred", 1),
        ("b", "screened", 1),
        ("c", "rejected", 1),
    ]
    assert records[0].start.tzinfo is not None and records[0].start == dt.datetime(2025, 6, 10, 8, tzinfo=UTC)
    assert store.get(records[0].id).decision == {"activity": "a", "outcome": "referred"}


def test_list_filters_by_nation_state_outcome_and_window(store):
    store.submit(
        "ann", [new_request("a", day=1), new_request("b", "permitted", day=10), new_request("c", nation="GBR", day=20)]
    )
    assert {r.activity_id for r in store.list(nation="USA")} == {"a", "b"}
    assert {r.activity_id for r in store.list(state="screened")} == {"b"}
    assert {r.activity_id for r in store.list(outcome="referred")} == {"a", "c"}
    window = {"start": dt.datetime(2025, 6, 9, tzinfo=UTC), "end": dt.datetime(2025, 6, 15, tzinfo=UTC)}
    assert {r.activity_id for r in store.list(**window)} == {"b"}
    # half-open: a request ending exactly at the window's start is outside it
    assert store.list(start=dt.datetime(2025, 6, 2, 8, tzinfo=UTC), end=dt.datetime(2025, 6, 3, tzinfo=UTC)) == []
    assert len(store.list(limit=2)) == 2


def test_transitions_follow_the_state_machine_and_bump_the_version(store):
    (rec,) = store.submit("ann", [new_request("a")])
    with pytest.raises(TransitionError, match="cannot allocate a request that is `referred`"):
        store.act(rec.id, "reserve", "mo")
    approved = store.act(rec.id, "approve", "bo", expected_version=1, note="checked with FOH")
    assert (approved.state, approved.version) == ("approved", 2)
    with pytest.raises(ConflictError, match="at version 2, not 1"):
        store.act(rec.id, "reserve", "mo", expected_version=1)
    assert store.act(rec.id, "reserve", "mo", expected_version=2).state == "allocated"  # reserve: allocate's old name
    with pytest.raises(NotFoundError):
        store.act("req-missing", "approve", "bo")


def test_rescreen_keeps_the_new_decision_and_policy_hash(store):
    (rec,) = store.submit("ann", [new_request("a", "permitted")])
    newer = NewRequest(**{**new_request("a", "referred").__dict__, "policy_hash": "sha256:" + "3" * 64})
    after = store.act(rec.id, "rescreen", "ann", rescreened=newer)
    assert (after.state, after.outcome, after.policy_hash) == ("referred", "referred", "sha256:" + "3" * 64)
    entry = store.audit(request_id=rec.id)[-1]
    assert (entry.action, entry.policy_hash, entry.detail["outcome"]) == ("rescreen", "sha256:" + "3" * 64, "referred")


def test_two_approvers_at_once_exactly_one_wins(store):
    records = store.submit("ann", [new_request(f"r{i}") for i in range(5)])
    for rec in records:
        barrier = threading.Barrier(2)
        results: list[str] = []

        def approve(who: str, rid: str = rec.id, b: threading.Barrier = barrier, out: list[str] = results) -> None:
            b.wait()
            try:
                store.act(rid, "approve", who, expected_version=1)
                out.append("won")
            except ConflictError:
                out.append("409")

        threads = [threading.Thread(target=approve, args=(w,)) for w in ("bo", "kari")]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert sorted(results) == ["409", "won"]
        assert store.get(rec.id).version == 2
    assert store.verify().ok


def test_users_and_tokens(store):
    store.add_user("ann", "requester", "USA")
    token = store.create_token("ann", "laptop")
    assert store.principal(token).nation == "USA"
    with store.engine.connect() as conn:
        stored = conn.execute(sa.select(t.tokens.c.token_hash)).scalar_one()
    assert token not in stored and stored.startswith("sha256:")
    with pytest.raises(AuthError):
        store.principal(token + "x")
    with pytest.raises(ConflictError, match="exists"):
        store.add_user("ann", "approver")
    with pytest.raises(InputError, match="did you mean `approver`"):
        store.add_user("bo", "aprover")
    with pytest.raises(NotFoundError, match="did you mean `ann`"):
        store.create_token("anne")


def _tamper(store: Store, statement: str) -> None:
    with store.engine.begin() as conn:
        conn.exec_driver_sql(statement)


@pytest.mark.parametrize(
    ("statement", "reason"),
    [
        ("UPDATE audit SET actor = 'mallory' WHERE seq = 2", "entry 2: its hash does not match its content (edited)"),
        ("DELETE FROM audit WHERE seq = 2", "entries 2 to 2 are missing (deleted)"),
        ("DELETE FROM audit WHERE seq = 4", "the log ends at entry 3 but the recorded head is entry 4"),
        ('UPDATE audit SET detail = \'{"outcome": "permitted"}\' WHERE seq = 1', "entry 1: its hash does not match"),
    ],
)
def test_audit_verify_detects_edits_and_deletions(store, statement, reason):
    (rec,) = store.submit("ann", [new_request("a")])
    store.act(rec.id, "approve", "bo")
    store.act(rec.id, "reserve", "mo")
    store.act(rec.id, "complete", "mo")
    assert store.verify().ok and store.verify().entries == 4
    _tamper(store, statement)
    result = store.verify()
    assert not result.ok
    assert any(reason in b.reason for b in result.breaks), result.breaks
