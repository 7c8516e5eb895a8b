"""Rules, policy versions and policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from .actor import ActorRegistry
from .errors import InputError
from .frame import Frame
from .outcome import Effect
from .time import Interval
from .zone import Basis, Zone

__all__ = [
    "Condition",
    "Effect",
    "Obligation",
    "Policy",
    "PolicyVersion",
    "Rule",
    "Selector",
    "version_in_force",
]

Operator = Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"]


@dataclass(frozen=True, slots=True)
class Selector:
    """An actor selector: a term (`host`, `foreign`, `allied`, `partner`, `any`), a nation list,
    or a combination (`not`, `any_of`, `all_of`)."""

    op: Literal["term", "nations", "not", "any_of", "all_of"]
    term: str = ""
    nations: frozenset[str] = frozenset()
    parts: tuple[Selector, ...] = ()

    def describe(self) -> str:
        match self.op:
            case "term":
                return self.term
            case "nations":
                return "nation in [" + ", ".join(sorted(self.nations)) + "]"
            case "not":
                return f"not ({self.parts[0].describe()})"
            case "any_of":
                return " or ".join(p.describe() for p in self.parts)
            case "all_of":
                return " and ".join(f"({p.describe()})" for p in self.parts)
        return self.op


@dataclass(frozen=True, slots=True)
class Condition:
    """A test on one activity attribute. `default` stands in when the attribute is missing; with
    no default a missing attribute makes the rule unevaluable, and it fails closed to `refer`."""

    attr: str
    op: Operator
    value: Any
    default: Any = None
    has_default: bool = False

    def describe(self) -> str:
        return f"{self.attr} {self.op} {self.value!r}"


@dataclass(frozen=True, slots=True)
class Obligation:
    """What a conditional permit obliges: clearance, notice, licence, notification.

    It falls due `notice_days` before the activity starts or, with `due_on` ``(month, day,
    years_before)``, on a calendar date: that day of the year `years_before` years before the
    year the activity starts in, at midnight in the policy's time zone (the OSCE annual calendar
    is exchanged by 15 November of the year before). With both, the earlier date."""

    type: str
    authority: str = ""
    notice_days: int | None = None
    text: str = ""
    due_on: tuple[int, int, int] | None = None

    def key(self) -> tuple[str, str, int, str, tuple[int, int, int]]:
        return (self.type, self.authority, self.notice_days or 0, self.text, self.due_on or (0, 0, 0))

    def due(self, start: dt.datetime, timezone: str) -> dt.datetime | None:
        """When the obligation falls due for an activity starting at `start` (None: no date).

        >>> import datetime as dt
        >>> start = dt.datetime(2024, 3, 4, 7, tzinfo=dt.UTC)
        >>> Obligation("osce_annual_calendar", due_on=(11, 15, 1)).due(start, "Europe/Oslo").isoformat()
        '2023-11-14T23:00:00+00:00'
        >>> Obligation("n", notice_days=42).due(start, "Europe/Oslo").isoformat()
        '2024-01-22T07:00:00+00:00'
        """
        dates = []
        if self.notice_days is not None:
            dates.append(start - dt.timedelta(days=self.notice_days))
        if self.due_on is not None:
            from zoneinfo import ZoneInfo

            month, day, years_before = self.due_on
            local_year = start.astimezone(ZoneInfo(timezone)).year
            year = local_year - years_before
            day = min(day, 28) if month == 2 and not (year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)) else day
            on = dt.datetime(year, month, day, tzinfo=ZoneInfo(timezone))
            dates.append(on.astimezone(dt.UTC))
        return min(dates) if dates else None


@dataclass(frozen=True, slots=True)
class Rule:
    """A rule: what it matches and its effect, with basis and source."""

    id: str
    title: str
    effect: Effect
    kinds: frozenset[str] | None = None
    actor: Selector | None = None
    zones: tuple[str, ...] = ()
    also_in: tuple[str, ...] = ()  # the activity must also be exposed to each of these zones
    conditions: tuple[Condition, ...] = ()
    validity: Interval | None = None
    obligations: tuple[Obligation, ...] = ()
    authority: str = ""
    basis: Basis = "assumption"
    source: str = ""
    note: str = ""
    origin: str = ""  # file:line the rule was read from

    def in_force(self, at: dt.datetime) -> bool:
        return self.validity is None or self.validity.contains(at)


@dataclass(frozen=True)
class PolicyVersion:
    """An immutable version of a policy: the rules in force from `effective` until superseded."""

    version: str
    effective: dt.datetime
    rules: tuple[Rule, ...]
    title: str = ""
    note: str = ""

    @cached_property
    def _by_zone_kind(self) -> dict[tuple[str | None, str], tuple[Rule, ...]]:
        from .activity import KINDS

        index: dict[tuple[str | None, str], list[Rule]] = {}
        for rule in self.rules:
            for zone in rule.zones or (None,):
                for kind in rule.kinds if rule.kinds is not None else KINDS:
                    index.setdefault((zone, kind), []).append(rule)
        return {key: tuple(rules) for key, rules in index.items()}

    def rules_for(self, zone: str | None, kind: str) -> tuple[Rule, ...]:
        """The rules that name `zone` (None: the rules without zones) and apply to `kind`, in
        policy order."""
        return self._by_zone_kind.get((zone, kind), ())


@dataclass(frozen=True, slots=True)
class Policy:
    """A named, versioned set of rules with a jurisdiction, zones, actors and a default effect."""

    id: str
    title: str
    jurisdiction: str
    timezone: str
    default_effect: Effect
    alliance: str
    partner_orgs: tuple[str, ...]
    versions: tuple[PolicyVersion, ...]
    zones: Mapping[str, Zone]
    actors: ActorRegistry
    parameters: Mapping[str, Any] = field(default_factory=dict)
    hashes: Mapping[str, str] = field(default_factory=dict)  # version -> content hash; "*": the whole policy
    root: str = ""
    frame: Frame = field(default_factory=lambda: Frame(0.0, 0.0))  # the working frame (the loader's projects)
    extent: tuple[float, float, float, float] = (-180.0, -90.0, 180.0, 90.0)

    @property
    def hash(self) -> str:
        """The content hash of the whole policy (every version): `sha256:...`."""
        return self.hashes.get("*", "")

    def version_hash(self, version: str) -> str:
        """The content hash of one version."""
        return self.hashes.get(version, "")

    def version_at(self, at: dt.datetime) -> PolicyVersion | None:
        """The version in force at `at`, or None before the first one."""
        current = None
        for version in self.versions:
            if version.effective <= at:
                current = version
        return current

    def version(self, name: str) -> PolicyVersion:
        for version in self.versions:
            if version.version == name:
                return version
        raise KeyError(name)

    def version_interval(self, version: PolicyVersion) -> Interval:
        from .time import FAR_FUTURE

        later = [v.effective for v in self.versions if v.effective > version.effective]
        return Interval(version.effective, min(later, default=FAR_FUTURE))


def version_in_force(policy: Policy, when: dt.datetime, option: str) -> None:
    """Bad input when no version of the policy is in force at `when`."""
    if policy.version_at(when) is None:
        first = min((v.effective for v in policy.versions), default=None)
        since = f"; its first version takes effect at {first.isoformat()}" if first else ""
        raise InputError(f"{option}: no version of policy `{policy.id}` is in force at {when.isoformat()}{since}")
