"""Actors and dated memberships, and the selectors rules use to match them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from .time import Interval

__all__ = ["Actor", "ActorRegistry", "Membership", "Nation"]


@dataclass(frozen=True, slots=True)
class Membership:
    """Membership of an organisation (`NATO`, `EU`, `NORDEFCO`, ...) over a half-open interval."""

    org: str
    period: Interval
    source: str = ""


@dataclass(frozen=True, slots=True)
class Nation:
    """A nation by ISO 3166-1 alpha-3 code, with its dated memberships."""

    code: str
    name: str
    memberships: tuple[Membership, ...] = ()

    def member_of(self, org: str, at: dt.datetime) -> bool:
        return any(m.org == org and m.period.contains(at) for m in self.memberships)

    def membership_changes(self) -> list[dt.datetime]:
        """Every time at which one of this nation's memberships starts or ends."""
        return sorted({t for m in self.memberships for t in (m.period.start, m.period.end)})


@dataclass(frozen=True, slots=True)
class Actor:
    """Who acts: a nation, and optionally the service and unit."""

    nation: str
    service: str | None = None
    unit: str | None = None

    def label(self) -> str:
        return "/".join(p for p in (self.nation, self.service, self.unit) if p)


@dataclass(frozen=True, slots=True)
class ActorRegistry:
    """The nations a policy knows, by code."""

    nations: Mapping[str, Nation] = field(default_factory=dict)

    def __contains__(self, code: object) -> bool:
        return code in self.nations

    def get(self, code: str) -> Nation | None:
        return self.nations.get(code)

    def member_of(self, code: str, org: str, at: dt.datetime) -> bool:
        nation = self.nations.get(code)
        return nation is not None and nation.member_of(org, at)
