"""Exposures and decisions: what the geometry stage finds and what the decision stage says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

from .outcome import Effect, Outcome
from .rule import Basis, Obligation
from .time import Interval

__all__ = ["Decision", "DueObligation", "Exposed", "Exposure", "Part", "Reason"]


class Part(NamedTuple):
    """Which part of an activity's geometry an exposure is on: a `track` from input parameter
    `start` to `end` (vertex index plus the fraction of the next segment), the share of an
    `area` inside the zone (`share`, percent; None for an area of no size), or the `point`.
    Numbers as computed; `str` formats them for people.

    >>> str(Part("track", 1.25, 3.0)), str(Part("area", share=37.04)), str(Part("point"))
    ('track 1.250-3.000', 'area 37.0%', 'point')
    """

    kind: str
    start: float | None = None
    end: float | None = None
    share: float | None = None

    def __str__(self) -> str:
        if self.kind == "track":
            return f"track {self.start:.3f}-{self.end:.3f}"
        if self.kind == "area" and self.share is not None:
            return f"area {self.share:.1f}%"
        return self.kind

    def joined(self, later: Part) -> Part:
        """This part and a later one, as one (merged reasons): a track from this start to the
        later end; otherwise this part."""
        if self.kind == later.kind == "track" and self.end is not None and later.end is not None:
            return self._replace(end=max(self.end, later.end))
        return self


@dataclass(frozen=True, slots=True)
class Exposure:
    """The activity is inside `zone` from `enter` to `exit`, between altitudes `lower`/`upper`
    (metres AMSL; infinite when unbounded), entering at `where` (lon, lat) and leaving at
    `exit_where`, on `part` of its geometry."""

    zone: str
    enter: dt.datetime
    exit: dt.datetime
    where: tuple[float, float]
    exit_where: tuple[float, float]
    lower: float
    upper: float
    part: Part | None = None


@dataclass(frozen=True, slots=True)
class Exposed:
    """What the geometry stage hands the decision stage for one activity (DESIGN.md §3.1): its
    `exposures` and the pieces of its whole time `window`, both already cut at the activity's
    timeline cuts (§3.2: within a piece, the version, rules and memberships that apply are
    constant), and the `start` point (lon, lat) where reasons about the activity as a whole
    point. The decision stage reads no other coordinates."""

    exposures: tuple[Exposure, ...]
    window: tuple[Interval, ...]
    start: tuple[float, float]


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a decision came out as it did: one rule that fired on one exposure.

    The exposure's exit place, altitude band (metres AMSL, infinite when unbounded) and `part`
    of the geometry are carried along; they are None for a reason about the activity as a whole
    (no zone). A reason merged from consecutive ones exits where the last one exits, spans the
    union of their bands and the parts from the first to the last.
    """

    rule: str
    effect: Effect
    title: str
    zone: str | None
    enter: dt.datetime
    exit: dt.datetime
    where: tuple[float, float] | None
    basis: Basis
    source: str
    version: str
    detail: str = ""
    exit_where: tuple[float, float] | None = None
    lower: float | None = None
    upper: float | None = None
    part: Part | None = None


@dataclass(frozen=True, slots=True)
class DueObligation:
    """An obligation the activity incurs, the rules that impose it, and when it falls due."""

    obligation: Obligation
    rules: tuple[str, ...]
    due: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class Decision:
    """The outcome for one activity with its obligations and reasons."""

    activity: str
    outcome: Outcome
    obligations: tuple[DueObligation, ...] = ()
    reasons: tuple[Reason, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)
    versions: tuple[str, ...] = ()
