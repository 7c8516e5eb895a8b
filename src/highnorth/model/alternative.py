"""What would change a "no": for a referred or denied activity, the nearest alternatives the same
exact geometry and versioned rules allow (docs/exercises.md §4). Each alternative was screened
before it is offered, and carries the outcome and obligations that screening gave."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from .decision import DueObligation
from .outcome import Effect, Outcome

__all__ = ["ActorAlternative", "Alternatives", "PlaceAlternative", "Restriction", "TimeAlternative"]


@dataclass(frozen=True, slots=True)
class TimeAlternative:
    """The earliest start on or after the planned one at which the same activity, moved whole in
    time, is cleared; `because` names what changes at that time."""

    start: dt.datetime
    end: dt.datetime
    outcome: Outcome
    obligations: tuple[DueObligation, ...]
    because: str


@dataclass(frozen=True, slots=True)
class Restriction:
    """One part of the activity that causes the restriction: the rule, its effect and zone, when
    the activity is inside it, and how much of it (km of track, km² of area; None when it does
    not apply)."""

    rule: str
    effect: Effect
    zone: str | None
    enter: dt.datetime
    exit: dt.datetime
    length_km: float | None = None
    area_km2: float | None = None

    @property
    def duration(self) -> dt.timedelta:
        return self.exit - self.enter


@dataclass(frozen=True, slots=True)
class PlaceAlternative:
    """Where the restriction comes from and, for a track, the cleared portion: the track from its
    start to where it would have to stop (`stop`, at `stop_time`, `length_km` long), with the
    outcome and obligations that portion gets. `outcome` is None when no portion is cleared."""

    restrictions: tuple[Restriction, ...]
    stop: tuple[float, float] | None = None
    stop_time: dt.datetime | None = None
    stop_parameter: float | None = None
    length_km: float | None = None
    outcome: Outcome | None = None
    obligations: tuple[DueObligation, ...] = ()


@dataclass(frozen=True, slots=True)
class ActorAlternative:
    """A participating nation that could do the same activity as planned, and on what terms."""

    nation: str
    outcome: Outcome
    obligations: tuple[DueObligation, ...]


@dataclass(frozen=True, slots=True)
class Alternatives:
    """The alternatives for one referred or denied activity. `time` is None when no version or
    membership date clears it; `actors` lists only the nations that would be cleared."""

    activity: str
    outcome: Outcome
    time: TimeAlternative | None
    place: PlaceAlternative
    actors: tuple[ActorAlternative, ...]
    nations_tried: tuple[str, ...] = ()
