"""Decision maps as a use case: what a nation's activity of a kind may do where at a time, and
where that changed between two times. The query is validated once (`queries`), in the names of
the face that asked; the server keeps the last maps of its policy (`Service.map_cache`), since one
map takes from a tenth of a second to a few seconds."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..formats.decision_map_geojson import diff_geojson, map_geojson
from ..model.activity import ActivityKind
from ..model.rule import Policy
from ..rules.deciding.decision_map import Change, DecisionMap, decision_map, diff_maps
from .config import default_policy_dir
from .lru import LRU
from .queries import Fields, check_kind, check_nation, parse_attributes, require_when

__all__ = [
    "MapDiff",
    "MapQuery",
    "TimeField",
    "basemap_file",
    "decision_map_at",
    "diff_between",
    "map_at",
    "map_diff",
    "map_document",
    "map_query",
]


@dataclass(frozen=True)
class MapQuery:
    """A checked question: a known nation, an activity kind, the hypothetical attributes."""

    actor: str
    kind: ActivityKind
    attributes: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.actor, self.kind, json.dumps(self.attributes, sort_keys=True))


@dataclass(frozen=True)
class TimeField:
    """A time as the caller wrote it, and the name of its field (`--at`, `at`, `--from`)."""

    value: str
    name: str


@dataclass(frozen=True)
class MapDiff:
    """Two maps of one question and where the outcome changed between them."""

    before: DecisionMap
    after: DecisionMap
    changes: list[Change]

    def geojson(self) -> dict[str, Any]:
        return diff_geojson(self.before, self.after, self.changes)


def map_query(policy: Policy, fields: Fields, *, actor: str, kind: str, attributes: Any = None) -> MapQuery:
    """The query checked in this order: kind, nation, attributes (each an InputError naming the
    field as the face calls it)."""
    checked_kind = check_kind(kind, fields)
    check_nation(actor, policy, fields)
    return MapQuery(actor, checked_kind, parse_attributes(attributes, fields))


def decision_map_at(policy: Policy, query: MapQuery, at: TimeField, cache: LRU | None = None) -> DecisionMap:
    """The decision map at a time when some version of the policy is in force."""

    def make() -> DecisionMap:
        when = require_when(at.value, at.name, policy, in_force=True)
        return decision_map(policy, actor=query.actor, kind=query.kind, at=when, attributes=query.attributes)

    return make() if cache is None else cache.get_or_make((*query.key, at.value, at.name), make)


def map_diff(policy: Policy, query: MapQuery, before: TimeField, after: TimeField, cache: LRU | None = None) -> MapDiff:
    """Where the outcome changed from `before` to `after` (outside the maps: the default effect).
    Both times are checked before either map is built."""
    for when in (before, after):
        require_when(when.value, when.name, policy, in_force=True)
    a, b = decision_map_at(policy, query, before, cache), decision_map_at(policy, query, after, cache)
    return MapDiff(a, b, diff_maps(a, b, policy.default_effect.outcome))


def map_document(m: DecisionMap) -> dict[str, Any]:
    """A decision map as GeoJSON (one Feature per outcome)."""
    return map_geojson(m)


def map_at(
    policy: Policy,
    fields: Fields,
    *,
    actor: str,
    kind: str,
    at: TimeField,
    attributes: Any = None,
    cache: LRU | None = None,
) -> DecisionMap:
    """The use case `highnorth map` and `GET /decision-maps` call: the query checked (kind, nation,
    attributes, then the time and the version in force), then the map."""
    query = map_query(policy, fields, actor=actor, kind=kind, attributes=attributes)
    return decision_map_at(policy, query, at, cache)


def diff_between(
    policy: Policy,
    fields: Fields,
    *,
    actor: str,
    kind: str,
    before: TimeField,
    after: TimeField,
    attributes: Any = None,
    cache: LRU | None = None,
) -> MapDiff:
    """The use case `highnorth diff` and `GET /decision-maps/diff` call (checked as `map_at`)."""
    query = map_query(policy, fields, actor=actor, kind=kind, attributes=attributes)
    return map_diff(policy, query, before, after, cache)


def basemap_file() -> Path:
    """The land under every map: the countries of the packaged dataset (Natural Earth 1:10m,
    `data/default/geometry/SOURCES.md`), whatever policy the server runs."""
    return default_policy_dir() / "geometry" / "countries.geojson"
