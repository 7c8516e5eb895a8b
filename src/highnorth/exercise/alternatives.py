"""What would change a "no" (docs/exercises.md §4): for each referred or denied activity, from the
same exact geometry and versioned rules,

- *time*: the earliest start on or after the planned one at which the same activity, moved whole,
  is cleared (permitted or conditional). Between the times where what applies to the nation can
  change (a version or rule taking effect or ending, a zone's validity, a membership date) the
  rules are constant, so only those times (and, for a late request, the first start its notice
  meets) can clear it: each is screened, and the earliest cleared one is offered;
- *place*: the parts that cause the restriction (the zone, how long and, for a track, how many
  km, for an area how many km² are inside) and, for a track, the cleared portion: the track from
  its start to where it first enters a restricting zone, screened again;
- *actor*: the participating nations that would be cleared doing the same activity as planned.

Nothing is offered that was not screened: every time and portion is re-screened (one batch call
of the engine for the plan) and kept only when cleared, with the obligations it would carry.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import shapely

from ..engine import Screener
from ..geo.zones.projection import geodesic_length_m
from ..model.activity import Activity
from ..model.alternative import ActorAlternative, Alternatives, PlaceAlternative, Restriction, TimeAlternative
from ..model.decision import Decision, Reason
from ..model.outcome import Effect, Outcome
from ..model.time import format_time

__all__ = ["CLEARED", "MAX_TIMES", "alternatives", "cleared_portion", "shifted"]

CLEARED = (Outcome.PERMITTED, Outcome.CONDITIONAL)
#: at most this many candidate start times are screened per activity (the earliest ones)
MAX_TIMES = 12


def shifted(activity: Activity, start: dt.datetime) -> Activity:
    """The same activity moved whole in time to start at `start` (its submission time kept)."""
    delta = start - activity.start
    times = tuple(t + delta for t in activity.times) if activity.times else None
    return replace(activity, start=start, end=activity.end + delta, times=times)


def _restricting(decision: Decision) -> list[Reason]:
    return [r for r in decision.reasons if r.effect >= Effect.REFER]


def cleared_portion(activity: Activity, decision: Decision) -> tuple[Activity, Reason] | None:
    """For a track: the track from its start to where it first enters a restricting zone, and the
    reason it would stop for; None when the activity is not a track, a restriction is not a place
    (a reason about the activity as a whole) or the track starts inside it."""
    if activity.geometry.geom_type != "LineString":
        return None
    restricting = _restricting(decision)
    if not restricting or any(r.zone is None or r.part is None or r.part.kind != "track" for r in restricting):
        return None
    first = min(restricting, key=lambda r: (r.enter, r.part.start if r.part else 0.0))
    param = first.part.start if first.part else None
    if param is None or param <= 0 or first.enter <= activity.start or first.where is None:
        return None
    coords = list(activity.geometry.coords)
    k = math.floor(param)
    frac = param - k
    head = coords[: k + 1]
    if frac > 1e-9 and k + 1 < len(coords):
        stop = list(first.where)
        if activity.geometry.has_z:
            stop.append(coords[k][2] + frac * (coords[k + 1][2] - coords[k][2]))
        head.append(tuple(stop))
    if len(head) < 2:
        return None
    times = None
    if activity.times:
        times = (*activity.times[: k + 1], first.enter) if len(head) == k + 2 else activity.times[: k + 1]
        if any(b <= a for a, b in itertools.pairwise(times)):
            return None
    portion = replace(
        activity, id=f"{activity.id}#portion", end=first.enter, geometry=shapely.LineString(head), times=times
    )
    return portion, first


def _candidates(activity: Activity, decision: Decision, screener: Screener) -> list[tuple[dt.datetime, str]]:
    """The start times that could clear the activity, earliest first, each with what changes."""
    policy = screener.policy
    out: dict[dt.datetime, str] = {}
    for t in screener.cuts(activity):
        if t > activity.start:
            out.setdefault(t, _what_changes(screener, activity.actor.nation, t))
    for zone in policy.zones.values():
        if zone.validity is not None:
            for t in (zone.validity.start, zone.validity.end):
                if t > activity.start:
                    out.setdefault(t, f"zone `{zone.id}` {'takes effect' if t == zone.validity.start else 'ends'}")
    if activity.submitted is not None and any(r.rule.endswith(":notice") for r in decision.reasons):
        days = max((o.obligation.notice_days or 0 for o in decision.obligations), default=0)
        t = activity.submitted + dt.timedelta(days=days)
        if t > activity.start:
            out.setdefault(t, f"{days} days after submission ({format_time(activity.submitted)}): the notice is met")
    return sorted(out.items())[:MAX_TIMES]


def _what_changes(screener: Screener, nation: str, t: dt.datetime) -> str:
    policy = screener.policy
    said = [f"version {v.version} takes effect" for v in policy.versions if v.effective == t]
    actor = policy.actors.get(nation)
    for m in actor.memberships if actor else ():
        if m.period.start == t:
            said.append(f"{nation} becomes a member of {m.org}")
        if m.period.end == t:
            said.append(f"{nation}'s membership of {m.org} ends")
    for v in policy.versions:
        for r in v.rules:
            if r.validity is not None and t in (r.validity.start, r.validity.end):
                said.append(f"rule `{r.id}` {'comes into force' if t == r.validity.start else 'ends'}")
    return "; ".join(dict.fromkeys(said)) or "the rules that apply change"


def _restrictions(activity: Activity, decision: Decision, screener: Screener) -> tuple[Restriction, ...]:
    out = []
    for r in _restricting(decision):
        length = area = None
        if r.part is not None and r.part.kind == "track" and r.where and r.exit_where:
            length = _length_km(activity, r)
        elif r.part is not None and r.part.kind == "area" and r.part.share is not None:
            area = round(screener.frame.area_km2(activity.geometry) * r.part.share / 100, 1)
        out.append(Restriction(r.rule, r.effect, r.zone, r.enter, r.exit, length, area))
    return tuple(out)


def _length_km(activity: Activity, reason: Reason) -> float:
    """The geodesic length of the stretch of track a reason is about, in km (to 0.1)."""
    assert reason.part is not None and reason.where is not None and reason.exit_where is not None
    coords = np.asarray(activity.geometry.coords)[:, :2]
    first, last = math.ceil(reason.part.start or 0.0), math.floor(reason.part.end or 0.0)
    pts = np.vstack([reason.where, coords[first : last + 1], reason.exit_where])
    return round(float(geodesic_length_m(pts[:, 0], pts[:, 1]).sum()) / 1000, 1)


def alternatives(
    activities: Sequence[Activity],
    decisions: Sequence[Decision],
    screener: Screener,
    *,
    nations: Sequence[str] = (),
    at: dt.datetime | None = None,
) -> dict[str, Alternatives]:
    """Alternatives for every referred or denied activity, keyed by activity id. The moved and
    cut activities of the whole input are screened in one call; `nations` are tried as actors."""
    targets = [(a, d) for a, d in zip(activities, decisions, strict=True) if d.outcome not in CLEARED]
    batch: list[Activity] = []
    owners: list[tuple[int, str, object]] = []
    for i, (a, d) in enumerate(targets):
        for t, because in _candidates(a, d, screener):
            batch.append(shifted(a, t))
            owners.append((i, "time", because))
        portion = cleared_portion(a, d)
        if portion is not None:
            batch.append(portion[0])
            owners.append((i, "place", portion[1]))
    screened = screener.screen(batch, at=at) if batch else []
    times: dict[int, TimeAlternative] = {}
    places: dict[int, tuple[Activity, Reason, Decision]] = {}
    for moved, (i, what, meta), found in zip(batch, owners, screened, strict=True):
        if found.outcome not in CLEARED:
            continue
        if what == "time" and i not in times:  # candidates come earliest first
            times[i] = TimeAlternative(moved.start, moved.end, found.outcome, found.obligations, str(meta))
        elif what == "place":
            assert isinstance(meta, Reason)
            places[i] = (moved, meta, found)
    out: dict[str, Alternatives] = {}
    for i, (a, d) in enumerate(targets):
        place = PlaceAlternative(_restrictions(a, d, screener))
        if i in places:
            cut, reason, found = places[i]
            coords = np.asarray(cut.geometry.coords)[:, :2]
            place = replace(
                place,
                stop=reason.where,
                stop_time=reason.enter,
                stop_parameter=reason.part.start if reason.part else None,
                length_km=round(float(geodesic_length_m(coords[:, 0], coords[:, 1]).sum()) / 1000, 1),
                outcome=found.outcome,
                obligations=found.obligations,
            )
        others = [n for n in dict.fromkeys(nations) if n != a.actor.nation]
        actors = tuple(
            ActorAlternative(n, x.outcome, x.obligations)
            for n, x in zip(others, screener.decide_as(a, others, at=at), strict=True)
            if x.outcome in CLEARED
        )
        out[a.id] = Alternatives(a.id, d.outcome, times.get(i), place, actors, tuple(others))
    return out
