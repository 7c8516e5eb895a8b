"""The workflow: the state machine against a model written here from DESIGN.md §2 and docs/api.md
(hypothesis drives the real store on SQLite through random actions), reservations' conflicts,
and the audit chain."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import hypothesis.strategies as st
import pytest
import shapely
from hypothesis import settings
from hypothesis.stateful import Bundle, RuleBasedStateMachine, consumes, invariant, rule

from highnorth.geo.zones.projection import Frame
from highnorth.model.errors import ConflictError
from highnorth.store import NewRequest, Store, sqlite_url
from highnorth.workflow import Limit, Volume, conflicts, transition
from highnorth.workflow.states import TransitionError
from test_store import new_request

UTC = dt.UTC
OPEN = ("screened", "referred", "approved", "allocated")  # where rescreen applies
HOLDING = ("allocated", "published", "activated")  # airspace held
MODEL = {
    **{(s, "cancel"): "cancelled" for s in (*OPEN, "published")},
    ("referred", "approve"): "approved",
    ("referred", "reject"): "rejected",
    ("screened", "reject"): "rejected",
    ("screened", "allocate"): "allocated",
    ("approved", "allocate"): "allocated",
    ("screened", "reserve"): "allocated",  # the old name
    ("approved", "reserve"): "allocated",
    ("allocated", "publish"): "published",
    ("published", "activate"): "activated",
    **{(s, "release"): "released" for s in HOLDING},
    **{(s, "expire"): "expired" for s in HOLDING},
    ("screened", "complete"): "completed",
    ("approved", "complete"): "completed",
    ("allocated", "complete"): "completed",
    ("activated", "complete"): "completed",
}
ACTIONS = ["approve", "reject", "allocate", "reserve", "publish", "activate", "release", "expire", "complete", "cancel"]
FIRST = {"permitted": "screened", "conditional": "screened", "referred": "referred", "denied": "rejected"}


def model_rescreen(state: str, outcome: str) -> str | None:
    """None: rescreen does not apply in this state."""
    if state not in OPEN:
        return None
    if outcome == "denied":
        return "rejected"
    if state in ("screened", "referred"):
        return FIRST[outcome]
    return state  # an approval or allocation stands


class Workflow(RuleBasedStateMachine):
    requests = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        self.dir = tempfile.mkdtemp(prefix="highnorth-wf-")
        self.store = Store(sqlite_url(Path(self.dir) / "wf.db"))
        self.model: dict[str, tuple[str, int]] = {}  # id -> (state, version)
        self.entries = 0

    def teardown(self) -> None:
        self.store.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    @rule(target=requests, outcome=st.sampled_from(sorted(FIRST)))
    def submit(self, outcome: str) -> str:
        (rec,) = self.store.submit("ann", [new_request(f"a{len(self.model)}", outcome)])
        self.model[rec.id] = (FIRST[outcome], 1)
        self.entries += 1
        assert rec.state == FIRST[outcome]
        return rec.id

    @rule(
        rid=requests,
        action=st.sampled_from(ACTIONS),
        stale=st.booleans(),
    )
    def act(self, rid: str, action: str, stale: bool) -> None:
        state, version = self.model[rid]
        expected = MODEL.get((state, action))
        if stale:
            with pytest.raises(ConflictError):
                self.store.act(rid, action, "bo", expected_version=version - 1)
            return
        if expected is None:
            with pytest.raises(TransitionError):
                self.store.act(rid, action, "bo", expected_version=version)
            return
        rec = self.store.act(rid, action, "bo", expected_version=version)
        assert (rec.state, rec.version) == (expected, version + 1)
        self.model[rid] = (expected, version + 1)
        self.entries += 1

    @rule(rid=requests, outcome=st.sampled_from(sorted(FIRST)))
    def rescreen(self, rid: str, outcome: str) -> None:
        state, version = self.model[rid]
        expected = model_rescreen(state, outcome)
        fresh = NewRequest(**{**new_request("x", outcome).__dict__})
        if expected is None:
            with pytest.raises(TransitionError):
                self.store.act(rid, "rescreen", "bo", rescreened=fresh)
            return
        rec = self.store.act(rid, "rescreen", "bo", rescreened=fresh)
        assert (rec.state, rec.outcome) == (expected, outcome)
        self.model[rid] = (expected, version + 1)
        self.entries += 1

    @rule(rid=consumes(requests))
    def forget(self, rid: str) -> None:
        """Stop acting on a request (the store keeps it)."""

    @invariant()
    def store_matches_model(self) -> None:
        for rid, (state, version) in self.model.items():
            rec = self.store.get(rid)
            assert (rec.state, rec.version) == (state, version)
        check = self.store.verify()
        assert check.ok and check.entries == self.entries


TestWorkflow = Workflow.TestCase
TestWorkflow.settings = settings(max_examples=25, stateful_step_count=15, deadline=None)


def test_transition_table_is_the_model():
    states = (
        "screened", "referred", "approved", "rejected", "allocated", "published", "activated", "released", "expired",
        "completed", "cancelled",
    )  # fmt: skip
    for state in states:
        for action in ACTIONS:
            if (state, action) in MODEL:
                assert transition(state, action) == MODEL[(state, action)]
            else:
                with pytest.raises(TransitionError):
                    transition(state, action)
        for outcome in FIRST:
            if model_rescreen(state, outcome) is None:
                with pytest.raises(TransitionError):
                    transition(state, "rescreen", outcome)  # type: ignore[arg-type]
            else:
                assert transition(state, "rescreen", outcome) == model_rescreen(state, outcome)  # type: ignore[arg-type]


def _vol(
    name: str, box: tuple[float, float, float, float], band: tuple[float, float], hours: tuple[int, int]
) -> Volume:
    start, end = (dt.datetime(2025, 6, 1, tzinfo=UTC) + dt.timedelta(hours=h) for h in hours)
    x0, y0, x1, y1 = box
    shape = {"type": "polygon", "coordinates": [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]}
    lower = Limit("SFC") if band[0] == -float("inf") else Limit("AMSL", band[0])
    upper = Limit("UNL") if band[1] == float("inf") else Limit("AMSL", band[1])
    return Volume(name, shape, lower, upper, ((start, end),))


def test_conflicts_need_overlap_in_area_altitude_and_time():
    frame = Frame(20.5, 69.5)
    base = _vol("a", (20, 69, 21, 70), (0, 3000), (0, 4))
    cases = {
        "overlaps": (_vol("b", (20.5, 69.5, 22, 71), (1000, 5000), (2, 6)), True),
        "touches only": (_vol("b", (21, 69, 22, 70), (0, 3000), (0, 4)), False),
        "above": (_vol("b", (20, 69, 21, 70), (3000, 5000), (0, 4)), False),
        "after": (_vol("b", (20, 69, 21, 70), (0, 3000), (4, 8)), False),
        "unlimited band": (_vol("b", (20, 69, 21, 70), (-float("inf"), float("inf")), (3, 5)), True),
    }
    for name, (other, expected) in cases.items():
        found = conflicts([base, other], frame)
        assert bool(found) == expected, name
    (c,) = conflicts([base, cases["overlaps"][0]], frame)
    assert (c.lower_m, c.upper_m) == (1000, 3000)
    assert (c.start.hour, c.end.hour) == (2, 4)
    # the edges are geodesics (they bow poleward of the parallels by < 0.002 degrees here)
    assert c.overlap.hausdorff_distance(shapely.box(20.5, 69.5, 21, 70)) < 0.002
