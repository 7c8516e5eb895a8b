"""The one module that owns projections and geodesy (pyproj). Shapely is planar; everything that
measures distances, areas or buffers goes through here.

The geometry model (docs/semantics.md):

- Input coordinates are WGS84 lon/lat. The edge between two consecutive vertices, of a track or
  of a zone, is the geodesic between them.
- Work happens in a *frame*: a Lambert azimuthal equal-area projection centred on the data.
  Before projecting, every edge longer than `MAX_EDGE_M` is densified along its geodesic, so that
  straight lines in the frame stay within 1 m of the geodesic (measured: at most 0.27 m for 10 km
  edges 1,500 km from the centre; tests/test_projection.py re-measures it).
- Areas are exact in the frame (equal-area). Buffers and circles are built in an azimuthal
  equidistant projection centred on each piece (tiles of at most `BUFFER_TILE_DEG`), so radii are
  geodesic distances.
"""

from __future__ import annotations

import math
from functools import cached_property, lru_cache

import numpy as np
import shapely
from pyproj import Geod, Transformer
from shapely.geometry.base import BaseGeometry

from ...model.frame import Frame as FrameValue

__all__ = [
    "GEOD",
    "MAX_EDGE_M",
    "Frame",
    "densify_lines",
    "densify_lonlat",
    "densify_lonlat_where",
    "geodesic_buffer",
    "geodesic_circle",
    "geodesic_length_m",
]

GEOD = Geod(ellps="WGS84")
MAX_EDGE_M = 10_000.0
BUFFER_TILE_DEG = 2.0
NM = 1852.0


def densify_lonlat(
    lon: np.ndarray, lat: np.ndarray, max_m: float = MAX_EDGE_M
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Insert points along each geodesic edge so that no edge is longer than `max_m`.

    Returns the new lon and lat arrays and, for each new vertex, its parameter on the input line
    (vertex i of the input has parameter i; a point a third of the way along edge i has i + 1/3).

    >>> lon, lat, p = densify_lonlat(np.array([20.0, 20.0]), np.array([69.0, 69.3]))
    >>> len(lon), float(p[1])
    (5, 0.25)
    """
    out_lon, out_lat, vertex, frac = densify_lonlat_where(lon, lat, None, max_m)
    return out_lon, out_lat, vertex + frac


def densify_lonlat_where(
    lon: np.ndarray, lat: np.ndarray, edges: np.ndarray | None, max_m: float = MAX_EDGE_M
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """`densify_lonlat`, but only the edges where `edges` (a mask, one per edge) is true are
    densified; several lines can go through one call, joined by edges that are left alone.

    Returns lon, lat, and the parameter split into the input vertex each new vertex follows
    (integers) and the fraction of the edge (so a caller can shift the vertex without rounding).
    """
    lon = np.asarray(lon, dtype=float)
    lat = np.asarray(lat, dtype=float)
    unchanged = (lon.copy(), lat.copy(), np.arange(len(lon)), np.zeros(len(lon)))
    if len(lon) < 2:
        return unchanged
    # a cheap upper bound first: most tracks (ADS-B, AIS) have short edges and need no geodesic
    long = _chord_upper_bound_m(lon, lat) > max_m / 1.01
    if edges is not None:
        long &= edges
    if not long.any():
        return unchanged
    which = np.flatnonzero(long)
    az = np.zeros(len(lon) - 1)
    dist = np.zeros(len(lon) - 1)
    a, _, d = GEOD.inv(lon[which], lat[which], lon[which + 1], lat[which + 1])
    az[which], dist[which] = a, d
    pieces = np.maximum(1, np.ceil(dist / max_m)).astype(int)
    if (pieces == 1).all():
        return unchanged
    seg = np.repeat(np.arange(len(pieces)), pieces)
    starts = np.concatenate([[0], np.cumsum(pieces)[:-1]])
    k = np.arange(pieces.sum()) - np.repeat(starts, pieces)
    frac = k / np.repeat(pieces, pieces)
    out_lon = np.empty(len(seg) + 1)
    out_lat = np.empty(len(seg) + 1)
    mid = k > 0
    out_lon[:-1] = lon[seg]
    out_lat[:-1] = lat[seg]
    if mid.any():
        flon, flat, _ = GEOD.fwd(lon[seg[mid]], lat[seg[mid]], az[seg[mid]], dist[seg[mid]] * frac[mid])
        out_lon[:-1][mid] = flon
        out_lat[:-1][mid] = flat
    out_lon[-1], out_lat[-1] = lon[-1], lat[-1]
    return out_lon, out_lat, np.concatenate([seg, [len(lon) - 1]]), np.concatenate([frac, [0.0]])


def densify_lines(
    lines: list[np.ndarray], max_m: float = MAX_EDGE_M
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], list[np.ndarray]]:
    """Densify many lon/lat lines ((n, 2+) arrays) in one geodesic call: the concatenated lon
    and lat, each line's slice of them, and each line's own parameters (computed as
    `densify_lonlat` computes them, exactly)."""
    sizes = np.array([len(line) for line in lines])
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    lon = np.concatenate([line[:, 0] for line in lines])
    lat = np.concatenate([line[:, 1] for line in lines])
    within = np.ones(max(len(lon) - 1, 0), dtype=bool)
    within[first[1:] - 1] = False  # the joins between lines are not edges
    lon, lat, vertex, frac = densify_lonlat_where(lon, lat, within, max_m)
    at = np.searchsorted(vertex, first)
    ends = np.r_[at[1:], len(vertex)]
    slices = [(int(a), int(b)) for a, b in zip(at, ends, strict=True)]
    params = [(vertex[a:b] - first[k]) + frac[a:b] for k, (a, b) in enumerate(slices)]
    return lon, lat, slices, params


def _chord_upper_bound_m(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """An upper bound of the geodesic length of each edge: the great-circle distance on a sphere
    of the WGS84 equatorial radius, times 1.007. The ellipsoid's radii of curvature never exceed
    the equatorial radius by more than 0.34 % (at the poles), so for short edges this bounds the
    geodesic from above with room to spare."""
    lam, phi = np.radians(lon), np.radians(lat)
    cos_phi = np.cos(phi)
    h = np.sin((phi[1:] - phi[:-1]) / 2) ** 2 + cos_phi[1:] * cos_phi[:-1] * np.sin((lam[1:] - lam[:-1]) / 2) ** 2
    return 2 * 6_378_137.0 * np.arcsin(np.sqrt(np.clip(h, 0, 1))) * 1.007


def geodesic_length_m(lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    """The geodesic length in metres of each edge of a line."""
    if len(lon) < 2:
        return np.zeros(0)
    _, _, dist = GEOD.inv(lon[:-1], lat[:-1], lon[1:], lat[1:])
    return np.atleast_1d(np.asarray(dist, dtype=float))


def _densify_geometry(geom: BaseGeometry, max_m: float) -> BaseGeometry:
    """The same geometry with every edge densified along its geodesic."""
    if geom.is_empty:
        return geom
    if geom.geom_type in ("Point", "MultiPoint"):
        return geom

    def ring(coords: np.ndarray) -> np.ndarray:
        lon, lat, _ = densify_lonlat(coords[:, 0], coords[:, 1], max_m)
        return np.column_stack([lon, lat])

    match geom.geom_type:
        case "LineString" | "LinearRing":
            return type(geom)(ring(np.asarray(geom.coords)[:, :2]))
        case "Polygon":
            return shapely.Polygon(
                ring(np.asarray(geom.exterior.coords)),
                [ring(np.asarray(i.coords)) for i in geom.interiors],
            )
        case _:
            parts = [_densify_geometry(g, max_m) for g in geom.geoms]
            return type(geom)(parts) if geom.geom_type != "GeometryCollection" else shapely.GeometryCollection(parts)


class Frame(FrameValue):
    """A Lambert azimuthal equal-area frame centred at (`lon0`, `lat0`), in metres: the pure
    `model.frame.Frame` with its projection. The pyproj transformers are built once per centre
    and shared (`_pipelines`).

    >>> f = Frame(20.0, 69.0)
    >>> x, y = f.fwd(np.array([20.0]), np.array([69.0]))
    >>> float(x[0]), float(y[0])
    (0.0, 0.0)
    """

    @classmethod
    def of(cls, value: FrameValue) -> Frame:
        """The frame for a policy's frame value: the value itself when it carries the projection
        already (the loader's), else one built for its centre."""
        return value if isinstance(value, Frame) else cls(value.lon0, value.lat0)

    @cached_property
    def _forward(self) -> Transformer:
        return _pipelines(f"+proj=laea +lat_0={self.lat0} +lon_0={self.lon0} +ellps=WGS84")[0]

    @cached_property
    def _inverse(self) -> Transformer:
        return _pipelines(f"+proj=laea +lat_0={self.lat0} +lon_0={self.lon0} +ellps=WGS84")[1]

    @classmethod
    def around(cls, geom: BaseGeometry) -> Frame:
        """A frame centred on the bounding box of a lon/lat geometry."""
        minx, miny, maxx, maxy = geom.bounds
        return cls(round((minx + maxx) / 2, 2), round((miny + maxy) / 2, 2))

    def fwd(self, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, y = self._forward.transform(np.asarray(lon, float), np.asarray(lat, float))
        return np.asarray(x), np.asarray(y)

    def inv(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        lon, lat = self._inverse.transform(np.asarray(x, float), np.asarray(y, float))
        return np.asarray(lon), np.asarray(lat)

    def to_frame(self, geom: BaseGeometry, *, densify: bool = True) -> BaseGeometry:
        """A lon/lat geometry in the frame, its geodesic edges densified first."""
        if densify:
            geom = _densify_geometry(geom, MAX_EDGE_M)

        def fn(coords: np.ndarray) -> np.ndarray:
            x, y = self.fwd(coords[:, 0], coords[:, 1])
            return np.column_stack([x, y])

        return shapely.transform(geom, fn)

    def polygons_to_frame(self, geoms: list[BaseGeometry]) -> list[BaseGeometry]:
        """`to_frame` for many (Multi)Polygons with one geodesic and one projection call (the
        same coordinates as one by one)."""
        rings: list[np.ndarray] = []
        shapes: list[list[int]] = []  # per geometry, the ring count of each polygon part
        for geom in geoms:
            counts = []
            for poly in shapely.get_parts(geom):
                rings.append(np.asarray(poly.exterior.coords)[:, :2])
                rings.extend(np.asarray(r.coords)[:, :2] for r in poly.interiors)
                counts.append(1 + len(poly.interiors))
            shapes.append(counts)
        if not rings:
            return list(geoms)
        lon, lat, slices, _ = densify_lines(rings)
        x, y = self.fwd(lon, lat)
        out_rings = [np.column_stack([x[a:b], y[a:b]]) for a, b in slices]
        out, k = [], 0
        for geom, counts in zip(geoms, shapes, strict=True):
            polys = []
            for count in counts:
                polys.append(shapely.Polygon(out_rings[k], out_rings[k + 1 : k + count]))
                k += count
            out.append(polys[0] if geom.geom_type == "Polygon" else shapely.MultiPolygon(polys))
        return out

    def to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        def fn(coords: np.ndarray) -> np.ndarray:
            lon, lat = self.inv(coords[:, 0], coords[:, 1])
            return np.column_stack([lon, lat])

        return shapely.transform(geom, fn)

    def area_km2(self, geom_lonlat: BaseGeometry) -> float:
        """The area of a lon/lat geometry in km² (exact in the equal-area frame)."""
        return self.to_frame(geom_lonlat).area / 1e6


@lru_cache(maxsize=4096)
def _pipelines(projection: str) -> tuple[Transformer, Transformer]:
    """Forward (lon/lat degrees to metres) and inverse transformers for a PROJ projection.

    Built as PROJ pipelines, which skips the CRS database lookup (about 200 times faster to
    create than `Transformer.from_crs`, and the same numbers).
    """
    unit = "+proj=unitconvert +xy_in=deg +xy_out=rad"
    fwd = Transformer.from_pipeline(f"+proj=pipeline +step {unit} +step {projection}")
    inv = Transformer.from_pipeline(
        f"+proj=pipeline +step +inv {projection} +step +proj=unitconvert +xy_in=rad +xy_out=deg"
    )
    return fwd, inv


def _aeqd(lon: float, lat: float) -> tuple[Transformer, Transformer]:
    return _pipelines(f"+proj=aeqd +lat_0={lat} +lon_0={lon} +ellps=WGS84")


def _through(transformer: Transformer, geom: BaseGeometry) -> BaseGeometry:
    def fn(coords: np.ndarray) -> np.ndarray:
        a, b = transformer.transform(coords[:, 0], coords[:, 1])
        return np.column_stack([a, b])

    return shapely.transform(geom, fn)


def geodesic_circle(lon: float, lat: float, radius_m: float, quad_segs: int = 64) -> BaseGeometry:
    """A circle of geodesic radius `radius_m` around (lon, lat), as a lon/lat polygon.

    >>> c = geodesic_circle(19.0, 69.8, 500.0)
    >>> round(Frame(19.0, 69.8).area_km2(c), 3)  # pi * 0.5**2 = 0.785
    0.785
    """
    _fwd, inv = _aeqd(lon, lat)
    centre = shapely.Point(0, 0)
    return _through(inv, centre.buffer(radius_m, quad_segs=quad_segs))


def geodesic_buffer(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """`geom` (lon/lat) grown by `metres` of geodesic distance (shrunk when negative).

    The geometry is cut into tiles of at most `BUFFER_TILE_DEG`; each tile is buffered in an
    azimuthal equidistant projection centred on it (distance-true from its centre), and the
    pieces are unioned. Points within the tile are less than about 150 km from its centre, where
    the projection's scale error stays under 0.03 %. Arcs have enough segments that a chord strays
    less than 0.5 m from the true arc.
    """
    if geom.is_empty or metres == 0:
        return geom
    minx, miny, maxx, maxy = geom.bounds
    # enough segments per quarter circle that a chord strays < 0.5 m from the arc
    quad_segs = max(8, math.ceil(math.sqrt(abs(metres) * math.pi**2 / 32 / 0.5)))
    pieces = []
    xs = np.arange(math.floor(minx), maxx + BUFFER_TILE_DEG, BUFFER_TILE_DEG)
    ys = np.arange(math.floor(miny), maxy + BUFFER_TILE_DEG / 2, BUFFER_TILE_DEG / 2)
    for x0 in xs:
        for y0 in ys:
            tile = shapely.box(x0, y0, x0 + BUFFER_TILE_DEG, y0 + BUFFER_TILE_DEG / 2)
            part = geom.intersection(tile) if metres > 0 else geom
            if part.is_empty:
                continue
            clon, clat = x0 + BUFFER_TILE_DEG / 2, y0 + BUFFER_TILE_DEG / 4
            fwd, inv = _aeqd(clon, clat)
            local = _through(fwd, _densify_geometry(part, MAX_EDGE_M / 5))
            grown = _through(inv, local.buffer(metres, quad_segs=quad_segs))
            if metres < 0:
                grown = grown.intersection(tile)
            pieces.append(grown)
    if not pieces:
        return shapely.Polygon()
    return shapely.union_all(pieces)
