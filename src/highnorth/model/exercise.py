"""Exercise plans: many activities under one command, with the participants and phases that the
exercise-level duties and the plan's report read (docs/exercises.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .activity import Activity
from .time import Interval
from .zone import Basis

__all__ = ["CONTRIBUTIONS", "ExercisePlan", "Participant", "Phase"]

#: what a participant may declare it contributes (whole-exercise figures, as published)
CONTRIBUTIONS = ("troops", "battle_tanks", "acv", "artillery", "vessels", "aircraft", "sorties")


@dataclass(frozen=True, slots=True)
class Participant:
    """A participating nation and what it is declared to contribute, with where that comes from."""

    nation: str
    contributions: Mapping[str, int] = field(default_factory=dict)
    note: str = ""
    basis: Basis = "assumption"
    source: str = ""


@dataclass(frozen=True, slots=True)
class Phase:
    """A named part of the plan: its activities and, optionally, the dates they lie within."""

    id: str
    name: str
    activities: tuple[str, ...]
    start: dt.datetime | None = None
    end: dt.datetime | None = None


@dataclass(frozen=True)
class ExercisePlan:
    """An exercise: its header (name, lead nation, command, dates, participants, phases) and its
    activities, in the order of the file."""

    id: str
    name: str
    lead_nation: str
    command: str
    start: dt.datetime
    end: dt.datetime
    participants: tuple[Participant, ...]
    phases: tuple[Phase, ...]
    activities: tuple[Activity, ...]
    note: str = ""
    source: str = ""

    @property
    def window(self) -> Interval:
        return Interval(self.start, self.end)

    @property
    def nations(self) -> tuple[str, ...]:
        """The participating nations, in the order of the header."""
        return tuple(p.nation for p in self.participants)

    def phase_of(self, activity_id: str) -> Phase | None:
        """The phase an activity belongs to, if any."""
        for phase in self.phases:
            if activity_id in phase.activities:
                return phase
        return None
