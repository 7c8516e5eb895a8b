"""The one entry point: activities in, decisions out.

>>> from importlib import resources
>>> import shapely
>>> from highnorth import Activity, Actor, Screener, load_policy
>>> from highnorth.model.time import parse_time
>>> policy = load_policy(resources.files("highnorth") / "data" / "default").policy
>>> call = Activity("uk-kirkenes", "port_call", Actor("GBR"), parse_time("2025-06-10T08:00:00+02:00"),
...                 parse_time("2025-06-12T08:00:00+02:00"), shapely.Point(30.0456, 69.7269),
...                 attributes={"nuclear_powered": False})
>>> decision = Screener(policy).decide(call)
>>> decision.outcome, sorted({r.rule for r in decision.reasons if r.effect == "refer"})
('referred', ['fm2025-east-case-by-case'])
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .geo.exposure import ZoneIndex, exposures
from .geo.projection import Frame
from .model.activity import Activity
from .model.decision import Decision, Exposure
from .model.rule import Policy
from .rules.evaluate import decide, timeline_cuts

__all__ = ["Screener", "screen"]


class Screener:
    """A policy with its zones indexed for the geometry stage; reuse it for many activities."""

    def __init__(self, policy: Policy) -> None:
        self.policy = policy
        self.frame = Frame(*policy.frame)
        self.index = ZoneIndex(list(policy.zones.values()), self.frame)

    def exposures(self, activity: Activity) -> list[Exposure]:
        """The geometry stage for one activity: each exposure whole (cut only by zone validity)."""
        return exposures(activity, self.index)

    def decide(self, activity: Activity, *, at: dt.datetime | None = None) -> Decision:
        """Both stages for one activity. Exposures are cut where the rules that apply can change
        (versions, rule validity, memberships), so each reason has its own exact entry point."""
        cuts = timeline_cuts(self.policy, activity.actor.nation)
        return decide(activity, exposures(activity, self.index, cuts), self.policy, at=at)

    def screen(self, activities: Iterable[Activity], *, at: dt.datetime | None = None) -> list[Decision]:
        """Decisions for every activity, in input order."""
        return [self.decide(a, at=at) for a in activities]


def screen(activities: Iterable[Activity], policy: Policy, *, at: dt.datetime | None = None) -> list[Decision]:
    """Screen activities against a policy: `Screener(policy).screen(activities, at=at)`."""
    return Screener(policy).screen(activities, at=at)
