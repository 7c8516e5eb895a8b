"""The decision stage: truth table, fail-closed evaluation, version splits, and its properties."""

from __future__ import annotations

import dataclasses
import datetime as dt
import itertools

import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from highnorth.engine import Screener
from highnorth.geo.exposures.stage import cut_exposures
from highnorth.model import Activity, Actor, Rule
from highnorth.model.outcome import Effect, Outcome
from highnorth.model.rule import Condition
from highnorth.rules.deciding.evaluate import combine, decide, timeline_cuts
from highnorth.rules.selectors import parse_selector

UTC = dt.UTC
EFFECTS = ("permit", "condition", "refer", "deny")  # the documented order, least severe first
OUTCOMES = ("permitted", "conditional", "referred", "denied")


def test_truth_table_is_the_documented_order():
    for a, b in itertools.product(EFFECTS, repeat=2):
        assert combine(Effect(a), Effect(b)) == max(a, b, key=EFFECTS.index)
        assert combine(Effect(a), Effect(b)) == combine(Effect(b), Effect(a))
    for a, b, c in itertools.product(map(Effect, EFFECTS), repeat=3):
        assert combine(combine(a, b), c) == combine(a, combine(b, c))


def test_effects_and_outcomes_order_by_severity_and_map_one_to_one():
    assert [str(e) for e in sorted(map(Effect, reversed(EFFECTS)))] == list(EFFECTS)
    assert [str(o) for o in sorted(map(Outcome, reversed(OUTCOMES)))] == list(OUTCOMES)
    assert [Effect(e).outcome for e in EFFECTS] == list(OUTCOMES)
    assert [Outcome(o).effect for o in OUTCOMES] == list(EFFECTS)
    assert Effect.DENY > "refer" and Outcome.REFERRED < "denied"  # text compares by severity too
    assert Outcome.most_severe([]) == "permitted" and Outcome.most_severe(["referred", "conditional"]) == "referred"
    assert {Effect.DENY: 1}["deny"] == 1  # equal to its text, hashed as it


def activity(coords, start="2025-06-01T10:00:00Z", end="2025-06-01T11:00:00Z", nation="USA", kind="flight", **attrs):
    from highnorth.model.time import parse_time

    geom = shapely.LineString(coords) if len(coords) > 1 else shapely.Point(coords[0])
    return Activity("a", kind, Actor(nation), parse_time(start), parse_time(end), geom, attributes=attrs)


@pytest.fixture(scope="module")
def grid(grid_policy):
    return Screener(grid_policy)


def test_condition_with_obligation_and_due_date(grid):
    d = grid.decide(activity([(0, 0.5), (0.5, 0.5)], nation="USA"))  # outside every zone
    assert d.outcome == "permitted" and d.reasons[0].rule == "default"
    d = grid.decide(activity([(0, 0), (4, 0)], nation="NOR"))  # host: box-foreign does not apply
    assert d.outcome == "permitted"
    d = grid.decide(activity([(0, 0), (2.5, 0)], nation="RUS"))  # foreign, not allied: condition only
    assert d.outcome == "conditional"
    (ob,) = d.obligations
    assert ob.obligation.type == "clearance" and ob.due == dt.datetime(2025, 5, 25, 10, tzinfo=UTC)


def test_deny_wins_and_each_reason_has_zone_times_and_place(grid):
    d = grid.decide(activity([(0, 0), (2.5, 0)], nation="USA"))
    assert d.outcome == "denied"
    deny = next(r for r in d.reasons if r.effect == "deny")
    assert deny.rule == "high-deny" and deny.zone == "high"
    assert deny.where == pytest.approx((1.0, 0.0), abs=1e-5)
    assert deny.enter < deny.exit


def test_missing_attribute_fails_closed_to_refer_and_says_why(grid):
    d = grid.decide(activity([(3.5, 0)], nation="RUS", kind="land_exercise"))
    assert d.outcome == "referred"
    (r,) = [r for r in d.reasons if r.rule == "east-refer"]
    assert "attribute `troops` is missing" in r.detail and "fails closed" in r.detail
    d = grid.decide(activity([(3.5, 0)], nation="RUS", kind="land_exercise", troops=50))
    assert d.outcome == "permitted"
    d = grid.decide(activity([(3.5, 0)], nation="RUS", kind="land_exercise", troops="many"))
    assert d.outcome == "referred" and "the rule compares it with a number" in d.reasons[0].detail
    # null, text for a boolean and NaN all fail closed too
    for bad in (None, "true", float("nan")):
        d = grid.decide(activity([(3.5, 0)], nation="RUS", kind="land_exercise", troops=bad))
        assert d.outcome == "referred", bad


def test_membership_is_judged_at_the_time_of_each_piece(grid):
    # Finland joins NATO on 2023-04-04: high-deny (allied only) applies from then on
    before = grid.decide(
        activity([(0, 0), (2.5, 0)], nation="FIN", start="2023-04-03T10:00:00Z", end="2023-04-03T11:00:00Z")
    )
    after = grid.decide(
        activity([(0, 0), (2.5, 0)], nation="FIN", start="2023-04-05T10:00:00Z", end="2023-04-05T11:00:00Z")
    )
    assert (before.outcome, after.outcome) == ("conditional", "denied")


def test_exposure_spanning_a_version_boundary_is_split_there(tmp_path):
    from highnorth.rules.loading.loader import load_policy

    from conftest import write_policy

    rules2 = """
    rules:
      - {id: box-refer, title: v2 refers the box, effect: refer, zones: [box], basis: assumption, source: test}
    """
    policy = load_policy(write_policy(tmp_path / "p", rules2=rules2)).policy
    # hovering in the box across 2025-01-01T00:00Z, when version 2 takes over
    act = activity([(1.5, 0), (1.5, 0)], start="2024-12-31T23:00:00Z", end="2025-01-01T01:00:00Z", nation="RUS")
    d = Screener(policy).decide(act)
    by_rule = {r.rule: r for r in d.reasons}
    assert by_rule["box-foreign"].version == "1" and by_rule["box-foreign"].exit == dt.datetime(2025, 1, 1, tzinfo=UTC)
    assert by_rule["box-refer"].version == "2" and by_rule["box-refer"].enter == dt.datetime(2025, 1, 1, tzinfo=UTC)
    assert d.outcome == "referred" and d.versions == ("1", "2")
    # judged --at a time: one version for the whole activity
    d_at = Screener(policy).decide(act, at=dt.datetime(2020, 6, 1, tzinfo=UTC))
    assert d_at.versions == ("1",) and d_at.outcome == "conditional"


def test_late_submission_is_referred(grid):
    act = dataclasses.replace(
        activity([(0, 0), (2.5, 0)], nation="RUS"), submitted=dt.datetime(2025, 5, 30, tzinfo=UTC)
    )
    d = grid.decide(act)
    assert d.outcome == "referred"
    assert any(r.rule == "box-foreign:notice" and "due 2025-05-25" in r.detail for r in d.reasons)


def test_decisions_are_deterministic(grid):
    act = activity([(0, 0), (2.5, 0.3), (4, -0.2)], nation="USA", troops=500)
    assert grid.decide(act) == grid.decide(act)


# properties --------------------------------------------------------------------------------

outcome_rank = {"permitted": 0, "conditional": 1, "referred": 2, "denied": 3}
coords = st.lists(
    st.tuples(st.floats(-1, 4.5).map(lambda v: round(v, 2)), st.floats(-1.5, 1.5).map(lambda v: round(v, 2))),
    min_size=2,
    max_size=4,
)
nations = st.sampled_from(["USA", "NOR", "RUS", "FIN"])
troops = st.one_of(st.none(), st.integers(0, 300))


def _found(act, screener, policy):
    """What the geometry stage gives the decision stage: the screener's exposures, cut at the
    activity's timeline cuts under `policy`."""
    return cut_exposures(act, screener.exposures(act), timeline_cuts(policy, act.actor.nation))


def with_rule(policy, rule: Rule):
    versions = tuple(dataclasses.replace(v, rules=(*v.rules, rule)) for v in policy.versions)
    return dataclasses.replace(policy, versions=versions)


def _act(pts, nation, troops_):
    attrs = {} if troops_ is None else {"troops": troops_}
    return activity(pts, nation=nation, **attrs)


@settings(max_examples=40, deadline=None)
@given(pts=coords, nation=nations, troops_=troops, kind=st.sampled_from(["land_exercise", "port_call"]))
def test_adding_a_rule_that_never_matches_changes_no_decision(grid, pts, nation, troops_, kind):
    act = _act(pts, nation, troops_)
    before = grid.decide(act)
    never = Rule(id="never", title="never matches", effect="deny", kinds=frozenset({kind}))  # kind differs
    d = decide(act, _found(act, grid, with_rule(grid.policy, never)), with_rule(grid.policy, never))
    assert d == before


@settings(max_examples=40, deadline=None)
@given(
    pts=coords,
    nation=nations,
    troops_=troops,
    zone=st.sampled_from([(), ("box",), ("east",), ("high",)]),
    actor=st.sampled_from([None, "foreign", "allied", {"nations": ["RUS"]}]),
    cond=st.booleans(),
)
def test_adding_a_deny_never_makes_an_outcome_more_permissive(grid, pts, nation, troops_, zone, actor, cond):
    act = _act(pts, nation, troops_)
    before = grid.decide(act)
    conditions = (Condition("troops", "ge", 100),) if cond else ()
    deny = Rule(
        id="extra-deny",
        title="extra deny",
        effect="deny",
        zones=zone,
        actor=parse_selector(actor) if actor else None,
        conditions=conditions,
    )
    after = decide(act, _found(act, grid, with_rule(grid.policy, deny)), with_rule(grid.policy, deny))
    assert outcome_rank[after.outcome] >= outcome_rank[before.outcome]


def test_a_denied_activity_lists_no_obligations_but_keeps_the_conditional_reasons(grid):
    d = grid.decide(activity([(0, 0), (2.5, 0)], nation="USA"))
    assert d.outcome == "denied" and d.obligations == ()
    assert any(r.rule == "box-foreign" and r.effect == "condition" for r in d.reasons)


def test_also_in_needs_an_exposure_to_the_other_zone(grid):
    rule = Rule(id="east-from-box", title="t", effect="deny", zones=("east",), also_in=("box",))
    policy = with_rule(grid.policy, rule)
    only_east = activity([(3.5, 0), (4.0, 0)], nation="USA")
    from_box = activity([(1.5, 0), (4.0, 0)], nation="USA")
    assert "east-from-box" not in {r.rule for r in decide(only_east, _found(only_east, grid, policy), policy).reasons}
    assert decide(from_box, _found(from_box, grid, policy), policy).outcome == "denied"
    # decision maps pass the context in
    ctx = decide(only_east, _found(only_east, grid, policy), policy, context_zones=frozenset({"box"}))
    assert ctx.outcome == "denied"


def test_effects_and_outcomes_do_not_compare_with_what_they_are_not():
    for a, b in ((Effect.DENY, Outcome.DENIED), (Effect.PERMIT, 3)):
        with pytest.raises(TypeError):
            _ = a < b  # type: ignore[operator]
    assert (Outcome.DENIED < "x") == ("denied" < "x")  # other text compares as text
