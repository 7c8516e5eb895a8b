"""The small geometry algebra zones are derived with, evaluated in a frame at load time.

Expressions (YAML or JSON)::

    zone-id                                   another zone
    {union: [e, ...]}  {intersection: [e, ...]}  {difference: [e, e, ...]}  (first minus the rest)
    {buffer: {of: e, metres: 500}}            also `km:` or `nm:`; negative shrinks
    {east_of: 24.0}  {west_of: 24.0}          half-planes bounded by a meridian
    {north_of: 70.0} {south_of: 70.0}         half-planes bounded by a parallel
    {circle: {center: [lon, lat], radius_m: 500}}   also `radius_km:` or `radius_nm:`
    {polygon: [[lon, lat], ...]}              a ring given inline
    {geometry: {type: Polygon, ...}}          an inline GeoJSON geometry

Half-planes are limited to the policy's extent (a lon/lat box) and drawn with a vertex every
0.05°, so the meridian or parallel is followed to well under 1 m.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from .projection import NM, Frame, geodesic_buffer, geodesic_circle
from .repair import as_area

__all__ = ["OPERATORS", "AlgebraError", "evaluate", "half_plane", "references"]

STEP_DEG = 0.05
OPERATORS = (
    "union",
    "intersection",
    "difference",
    "buffer",
    "east_of",
    "west_of",
    "north_of",
    "south_of",
    "circle",
    "polygon",
    "geometry",
)


class AlgebraError(ValueError):
    """An expression is malformed; the message names the operator and what was expected."""


def _line(a: tuple[float, float], b: tuple[float, float]) -> np.ndarray:
    steps = max(2, int(np.ceil(max(abs(b[0] - a[0]), abs(b[1] - a[1])) / STEP_DEG)) + 1)
    return np.column_stack([np.linspace(a[0], b[0], steps), np.linspace(a[1], b[1], steps)])


def half_plane(side: str, value: float, extent: tuple[float, float, float, float]) -> BaseGeometry:
    """The part of `extent` (lon/lat box) east/west of a meridian or north/south of a parallel,
    as a densely drawn lon/lat polygon (empty when it misses the extent).

    >>> hp = half_plane("east_of", 24.0, (20.0, 68.0, 32.0, 72.0))
    >>> hp.bounds
    (24.0, 68.0, 32.0, 72.0)
    """
    w, s, e, n = extent
    match side:
        case "east_of":
            box = (max(w, value), s, e, n)
        case "west_of":
            box = (w, s, min(e, value), n)
        case "north_of":
            box = (w, max(s, value), e, n)
        case "south_of":
            box = (w, s, e, min(n, value))
        case _:
            raise AlgebraError(f"unknown half-plane `{side}`")
    x0, y0, x1, y1 = box
    if x1 <= x0 or y1 <= y0:
        return shapely.Polygon()
    corners = [(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)]
    ring = np.concatenate([_line(a, b)[:-1] for a, b in itertools.pairwise(corners)])
    return shapely.Polygon(ring)


def references(expr: Any) -> set[str]:
    """The zone ids an expression refers to."""
    if isinstance(expr, str):
        return {expr}
    if isinstance(expr, Mapping):
        out: set[str] = set()
        for op, arg in expr.items():
            if op in ("union", "intersection", "difference") and isinstance(arg, list):
                for item in arg:
                    out |= references(item)
            elif op == "buffer" and isinstance(arg, Mapping):
                out |= references(arg.get("of"))
        return out
    return set()


def _number(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise AlgebraError(f"{what}: expected a number, got `{value}`")
    return float(value)


def evaluate(
    expr: Any,
    frame: Frame,
    extent: tuple[float, float, float, float],
    resolve: Callable[[str], BaseGeometry],
) -> BaseGeometry:
    """Evaluate an expression to a polygonal geometry in `frame` coordinates.

    `resolve(zone_id)` returns another zone's geometry in the frame; it raises for unknown ids.
    """
    if isinstance(expr, str):
        return resolve(expr)
    if not isinstance(expr, Mapping) or len(expr) != 1:
        raise AlgebraError(
            "expected a zone id or a mapping with one operator (" + ", ".join(OPERATORS) + f"), got `{expr}`"
        )
    ((op, arg),) = expr.items()

    def sub(items: Any, least: int) -> list[BaseGeometry]:
        if not isinstance(items, list) or len(items) < least:
            raise AlgebraError(f"`{op}`: expected a list of at least {least} expressions, got `{items}`")
        return [evaluate(item, frame, extent, resolve) for item in items]

    match op:
        case "union":
            return shapely.union_all(sub(arg, 1))
        case "intersection":
            parts = sub(arg, 2)
            out = parts[0]
            for part in parts[1:]:
                out = shapely.intersection(out, part)
            return as_area(out)
        case "difference":
            parts = sub(arg, 2)
            return as_area(shapely.difference(parts[0], shapely.union_all(parts[1:])))
        case "buffer":
            if not isinstance(arg, Mapping) or "of" not in arg:
                raise AlgebraError(f"`buffer`: expected `{{of: expression, metres: number}}`, got `{arg}`")
            metres = _distance(arg, ("metres", "km", "nm"), "buffer")
            inner = evaluate(arg["of"], frame, extent, resolve)
            return frame.to_frame(geodesic_buffer(frame.to_lonlat(inner), metres), densify=False)
        case "east_of" | "west_of" | "north_of" | "south_of":
            value = _number(arg, f"`{op}`")
            return frame.to_frame(half_plane(op, value, extent), densify=False)
        case "circle":
            if not isinstance(arg, Mapping) or "center" not in arg:
                raise AlgebraError(f"`circle`: expected `{{center: [lon, lat], radius_m: number}}`, got `{arg}`")
            centre = arg["center"]
            if not (isinstance(centre, list) and len(centre) == 2):
                raise AlgebraError(f"`circle`: `center` expected [lon, lat], got `{centre}`")
            radius = _distance(arg, ("radius_m", "radius_km", "radius_nm"), "circle")
            lon, lat = _number(centre[0], "`circle` lon"), _number(centre[1], "`circle` lat")
            if radius <= 0:
                raise AlgebraError(f"`circle`: radius must be positive, got `{radius:g}` m")
            return frame.to_frame(geodesic_circle(lon, lat, radius), densify=False)
        case "polygon":
            try:
                poly = shapely.Polygon(arg)
            except (TypeError, ValueError) as exc:
                raise AlgebraError(f"`polygon`: expected a list of [lon, lat] pairs: {exc}") from None
            return frame.to_frame(poly)
        case "geometry":
            try:
                geom = shape(arg)
            except Exception as exc:  # shapely raises several types for malformed GeoJSON
                raise AlgebraError(f"`geometry`: not a GeoJSON geometry: {exc}") from None
            return frame.to_frame(geom)
    raise AlgebraError(f"unknown operator `{op}`; expected one of " + ", ".join(OPERATORS))


def _distance(arg: Mapping, keys: tuple[str, str, str], op: str) -> float:
    given = [k for k in keys if k in arg]
    if len(given) != 1:
        raise AlgebraError(f"`{op}`: expected exactly one of " + ", ".join(f"`{k}`" for k in keys))
    value = _number(arg[given[0]], f"`{op}`.{given[0]}")
    factor = {0: 1.0, 1: 1000.0, 2: NM}[keys.index(given[0])]
    return value * factor
