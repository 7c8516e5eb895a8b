"""Decision maps and diffs: "what may this actor do, where, on this date?"

The region is partitioned into cells inside which the set of zones is constant (the arrangement
of every zone a candidate rule names). Each cell is decided by the same decision stage as any
activity: a hypothetical activity of the kind, by the actor, at the time, exposed to exactly the
zones that contain the cell. Cells are then merged by outcome. Outside every zone named by a rule
the policy's default effect applies; the map covers only the region of the named zones. The
hypothetical activity is taken to come from within the jurisdiction, so `also_in` conditions
(such as "crossing from Norway") hold.

With an altitude band (metres AMSL) the hypothetical activity flies in that band, as an area or
point activity with an `altitude` does: only zones whose vertical band overlaps it
(`bands_overlap`, the rule of docs/semantics.md §2) take part, and each exposure carries the
overlap. Without one it is exposed to every vertical slice (SFC–UNL).

A diff overlays the maps of two times and reports the area (km², equal-area frame) of every
change of outcome.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ...geo.exposures.stage import cut_exposures
from ...geo.exposures.track import bands_overlap
from ...geo.zones.projection import Frame
from ...geo.zones.repair import as_area
from ...model.activity import Activity, ActivityKind
from ...model.actor import Actor
from ...model.decision import Exposure
from ...model.outcome import Outcome
from ...model.rule import Policy
from ..selectors import matches
from .evaluate import decide, timeline_cuts

__all__ = ["OUTCOMES", "DecisionMap", "MapCell", "decision_map", "diff_maps"]

OUTCOMES = tuple(Outcome)
MIN_CELL_M2 = 1.0


@dataclass(frozen=True)
class MapCell:
    """A region with one outcome, the rules that decided it, in frame coordinates."""

    outcome: str
    rules: tuple[str, ...]
    zones: tuple[str, ...]
    geometry: BaseGeometry  # frame coordinates


@dataclass(frozen=True)
class DecisionMap:
    actor: str
    kind: str
    at: dt.datetime
    version: str
    frame: Frame
    cells: tuple[MapCell, ...]
    altitude: tuple[float, float] | None = None  # the band in metres AMSL; None: SFC–UNL

    def by_outcome(self) -> dict[str, BaseGeometry]:
        """Cells merged by outcome (frame coordinates)."""
        groups: dict[str, list[BaseGeometry]] = defaultdict(list)
        for cell in self.cells:
            groups[cell.outcome].append(cell.geometry)
        return {o: shapely.union_all(g) for o, g in groups.items()}

    def area_km2(self) -> dict[str, float]:
        return {o: g.area / 1e6 for o, g in self.by_outcome().items()}


def _candidate_zones(
    policy: Policy, actor: str, kind: str, at: dt.datetime, altitude: tuple[float, float] | None = None
) -> list[str]:
    version = policy.version_at(at)
    if version is None:
        return []
    names: set[str] = set()
    for rule in version.rules:
        if not rule.in_force(at) or (rule.kinds is not None and kind not in rule.kinds):
            continue
        if not matches(rule.actor, actor, policy, at):
            continue
        names.update(rule.zones)
    found = sorted(n for n in names if n in policy.zones and policy.zones[n].in_force_at(at))
    if altitude is None:
        return found
    return [n for n in found if _in_band(altitude, policy.zones[n].band)]


def _in_band(altitude: tuple[float, float], band: tuple[float, float]) -> bool:
    return bool(bands_overlap(altitude, np.array([band[0]]), np.array([band[1]]))[0])


def _arrangement(geoms: Mapping[str, BaseGeometry]) -> list[tuple[frozenset[str], BaseGeometry]]:
    """Split the union of `geoms` into cells each covered by a constant set of zones."""
    cells: list[tuple[frozenset[str], BaseGeometry]] = []
    for name, geom in geoms.items():
        next_cells = []
        rest = geom
        for ids, cell in cells:
            inside = as_area(shapely.intersection(cell, geom))
            outside = as_area(shapely.difference(cell, geom))
            if inside.area > MIN_CELL_M2:
                next_cells.append((ids | {name}, inside))
            if outside.area > MIN_CELL_M2:
                next_cells.append((ids, outside))
            rest = as_area(shapely.difference(rest, cell))
        if rest.area > MIN_CELL_M2:
            next_cells.append((frozenset({name}), rest))
        cells = next_cells
    return cells


def decision_map(
    policy: Policy,
    *,
    actor: str,
    kind: ActivityKind,
    at: dt.datetime,
    attributes: Mapping[str, Any] | None = None,
    altitude: tuple[float, float] | None = None,
    frame: Frame | None = None,
) -> DecisionMap:
    """The region partitioned by outcome for `kind` by `actor` at `at`, in the altitude band
    `altitude` (metres AMSL, lower ≤ upper) or at every altitude."""
    if altitude is not None and not altitude[0] <= altitude[1]:
        raise ValueError(f"altitude band {altitude}: the lower limit is above the upper")
    frame = frame or Frame.of(policy.frame)
    names = _candidate_zones(policy, actor, kind, at, altitude)
    geoms = {n: frame.to_frame(policy.zones[n].geometry, densify=False) for n in names}
    version = policy.version_at(at)
    # the hypothetical activity comes from within the jurisdiction: `also_in` conditions hold
    context = frozenset(z for rule in (version.rules if version else ()) for z in rule.also_in)
    cuts = timeline_cuts(policy, actor)
    cells = []
    for ids, geom in _arrangement(geoms):
        rp = geom.representative_point()
        lon, lat = frame.inv(np.array([rp.x]), np.array([rp.y]))
        where = (float(lon[0]), float(lat[0]))
        probe = Activity(
            id="probe",
            kind=kind,
            actor=Actor(actor),
            start=at,
            end=at + dt.timedelta(seconds=1),
            geometry=shapely.Point(where),
            attributes=dict(attributes or {}),
            altitude=altitude,
        )
        lo, hi = altitude if altitude is not None else (-np.inf, np.inf)
        exposures = [
            Exposure(
                zone=z,
                enter=at,
                exit=probe.end,
                where=where,
                exit_where=where,
                lower=max(lo, policy.zones[z].band[0]),
                upper=min(hi, policy.zones[z].band[1]),
            )
            for z in sorted(ids)
        ]
        found = cut_exposures(probe, exposures, cuts)
        decision = decide(probe, found, policy, context_zones=context)
        rules = tuple(sorted({r.rule for r in decision.reasons}))
        cells.append(MapCell(decision.outcome, rules, tuple(sorted(ids)), geom))
    return DecisionMap(actor, kind, at, version.version if version else "", frame, tuple(cells), altitude)


@dataclass(frozen=True)
class Change:
    before: str
    after: str
    geometry: BaseGeometry  # frame coordinates

    @property
    def area_km2(self) -> float:
        return self.geometry.area / 1e6


def diff_maps(before: DecisionMap, after: DecisionMap, default: Outcome = Outcome.PERMITTED) -> list[Change]:
    """Where the outcome differs between two maps, by (before, after) pair, largest first.

    Outside a map's region its outcome is the policy's default.
    """
    a, b = before.by_outcome(), after.by_outcome()
    region_a = shapely.union_all(list(a.values())) if a else shapely.Polygon()
    region_b = shapely.union_all(list(b.values())) if b else shapely.Polygon()
    a = {**a, default: shapely.union(a.get(default, shapely.Polygon()), shapely.difference(region_b, region_a))}
    b = {**b, default: shapely.union(b.get(default, shapely.Polygon()), shapely.difference(region_a, region_b))}
    changes = []
    for oa, ga in a.items():
        for ob, gb in b.items():
            if oa == ob:
                continue
            part = as_area(shapely.intersection(ga, gb))
            if part.area > MIN_CELL_M2 * 1e3:
                changes.append(Change(oa, ob, part))
    return sorted(changes, key=lambda c: (-c.area_km2, str(c.before), str(c.after)))
