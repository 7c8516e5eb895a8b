"""Exposures and decisions: what the geometry stage finds and what the decision stage says."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from .outcome import Effect, Outcome
from .rule import Basis, Obligation

__all__ = ["Decision", "DueObligation", "Exposure", "Reason"]


@dataclass(frozen=True, slots=True)
class Exposure:
    """The activity is inside `zone` from `enter` to `exit`, between altitudes `lower`/`upper`
    (metres AMSL), entering at `where` (lon, lat) and leaving at `exit_where`.

    `part` says which part of the geometry: ``"track 12.40-15.00"`` (segment parameters),
    ``"area 37%"`` (share of the area inside), ``"point"``.
    """

    zone: str
    enter: dt.datetime
    exit: dt.datetime
    where: tuple[float, float]
    exit_where: tuple[float, float]
    lower: float
    upper: float
    part: str = ""


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a decision came out as it did: one rule that fired on one exposure."""

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
