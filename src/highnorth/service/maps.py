"""Decision maps as a use case: what a nation's activity of a kind may do where at a time, and
where that changed between two times. The query is validated once (`queries`), in the names of
the face that asked; the server keeps the last maps of its policy (`Service.map_cache`), since one
map takes from a tenth of a second to a few seconds."""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..formats.decision_map_geojson import diff_geojson, map_geojson
from ..model.activity import ActivityKind
from ..model.errors import InputError
from ..model.rule import Policy
from ..model.time import format_time
from ..rules.deciding.decision_map import Change, DecisionMap, decision_map, diff_maps
from ..rules.deciding.evaluate import timeline_cuts
from .config import default_policy_dir
from .lru import LRU
from .queries import Fields, check_altitude, check_kind, check_nation, parse_attributes, require_when

__all__ = [
    "MapDiff",
    "MapQuery",
    "TimeField",
    "basemap_file",
    "decision_map_at",
    "map_diff",
    "map_document",
    "map_periods",
    "map_query",
    "period_start",
]

DISPLAY_TOLERANCE_M = 250.0
"""`simplify=display`: the outcome areas simplified together (`shapely.coverage_simplify`, which
keeps the boundaries they share) to 250 m in the map's frame. A screen pixel at zoom 7 and 70°N
is about 420 m, so up to zoom 7 the simplified map draws as the exact one; the areas (`area_km2`)
and every property stay the exact map's."""
SIMPLIFY = ("display",)


@dataclass(frozen=True)
class MapQuery:
    """A checked question: a known nation, an activity kind, the hypothetical attributes and
    altitude band (metres AMSL; None: every altitude)."""

    actor: str
    kind: ActivityKind
    attributes: dict[str, Any]
    altitude: tuple[float, float] | None = None

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.actor, self.kind, json.dumps(self.attributes, sort_keys=True), repr(self.altitude))


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


def map_query(
    policy: Policy,
    fields: Fields,
    *,
    actor: str,
    kind: str,
    attributes: Any = None,
    lower_m: float | None = None,
    upper_m: float | None = None,
) -> MapQuery:
    """The query checked in this order: kind, nation, attributes, altitude band (each an
    InputError naming the field as the face calls it)."""
    checked_kind = check_kind(kind, fields)
    check_nation(actor, policy, fields)
    attrs = parse_attributes(attributes, fields)
    return MapQuery(actor, checked_kind, attrs, check_altitude(lower_m, upper_m, fields))


def map_periods(policy: Policy, actor: str) -> list[dt.datetime]:
    """The times at which a decision map of `actor` can change, in order: the timeline cuts
    (version starts, rule validity bounds, membership changes) and the zones' validity bounds.
    Between two of them every map of the nation is the same map but for the time it echoes."""
    cuts = set(timeline_cuts(policy, actor))
    for zone in policy.zones.values():
        if zone.validity is not None:
            cuts |= {zone.validity.start, zone.validity.end}
    return sorted(cuts)


def period_start(policy: Policy, actor: str, when: dt.datetime) -> dt.datetime | None:
    """The start of the period that holds `when` (the last change at or before it), or None
    before the first."""
    cuts = map_periods(policy, actor)
    i = bisect.bisect_right(cuts, when)
    return cuts[i - 1] if i else None


def decision_map_at(policy: Policy, query: MapQuery, at: TimeField, cache: LRU | None = None) -> DecisionMap:
    """The use case `highnorth map` and `GET /decision-maps` call with a checked `map_query`: the
    decision map at a time when some version of the policy is in force. With a cache, one
    map per period (`map_periods`): made at the period's start, it answers every time within
    the period with that time."""
    when = require_when(at.value, at.name, policy, in_force=True)
    if cache is None:
        return _make(policy, query, when)
    start = period_start(policy, query.actor, when) or when  # a version is in force: its start is a cut

    def make() -> DecisionMap:
        return _make(policy, query, start)

    found = cache.get_or_make((*query.key, "period", start), make)
    return found if found.at == when else dataclasses.replace(found, at=when)


def _make(policy: Policy, query: MapQuery, at: dt.datetime) -> DecisionMap:
    return decision_map(
        policy, actor=query.actor, kind=query.kind, at=at, attributes=query.attributes, altitude=query.altitude
    )


def map_diff(policy: Policy, query: MapQuery, before: TimeField, after: TimeField, cache: LRU | None = None) -> MapDiff:
    """The use case `highnorth diff` and `GET /decision-maps/diff` call with a checked `map_query`:
    where the outcome changed from `before` to `after` (outside the maps: the default effect).
    Both times are checked before either map is built."""
    for when in (before, after):
        require_when(when.value, when.name, policy, in_force=True)
    a, b = decision_map_at(policy, query, before, cache), decision_map_at(policy, query, after, cache)
    return MapDiff(a, b, diff_maps(a, b, policy.default_effect.outcome))


def map_document(m: DecisionMap, simplify: str | None = None, cache: LRU | None = None) -> dict[str, Any]:
    """A decision map as GeoJSON (one Feature per outcome); exact, or with `simplify="display"`
    its areas simplified together to `DISPLAY_TOLERANCE_M` (made once per period with a cache)."""
    if simplify is None:
        return map_geojson(m)
    if simplify not in SIMPLIFY:
        raise InputError(f"simplify: unknown `{simplify}` (known: {', '.join(SIMPLIFY)})")
    if cache is None:
        return map_geojson(m, tolerance_m=DISPLAY_TOLERANCE_M)
    key = ("display", m.actor, m.kind, m.version, repr(m.altitude), id(m.cells))
    doc = cache.get_or_make(key, lambda: (m.cells, map_geojson(m, tolerance_m=DISPLAY_TOLERANCE_M)))[1]
    at = format_time(m.at)
    return {
        **doc,
        "features": [{**f, "properties": {**f["properties"], "at": at}} for f in doc["features"]],
    }


def basemap_file() -> Path:
    """The land under every map: the countries of the packaged dataset (Natural Earth 1:10m,
    `data/default/geometry/SOURCES.md`), whatever policy the server runs."""
    return default_policy_dir() / "geometry" / "countries.geojson"
