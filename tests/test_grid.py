"""The grid's compiled loops against shapely: the edges near segments, and points in zones."""

from __future__ import annotations

import numpy as np
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from highnorth.geo.kernels.compiled.edges import SLACK
from highnorth.geo.kernels.exact import CLEAR_M
from highnorth.geo.kernels.grid import ZoneGrid
from highnorth.geo.tolerance import TOL_M


def _grid(geoms, cell):
    geoms = np.array(geoms, dtype=object)
    edges, owners = [], []
    for z, geom in enumerate(geoms):
        for poly in shapely.get_parts(geom):
            for ring in [poly.exterior, *poly.interiors]:
                xy = shapely.get_coordinates(ring)
                edges.append(np.column_stack([xy[:-1], xy[1:]]))
                owners.append(np.full(len(xy) - 1, z))
    return ZoneGrid(geoms, np.concatenate(edges), np.concatenate(owners), TOL_M, cell=cell)


def _check_near_edges(grid, p, q):
    """The grid reports every edge GEOS finds within TOL_M, and only edges within TOL_M + SLACK."""
    lines = shapely.linestrings(grid.edges.reshape(-1, 2, 2))
    segs = shapely.linestrings(np.stack([p, q], axis=1))
    s, e = grid.near_edges(p, q)
    found = set(zip(s.tolist(), e.tolist(), strict=True))
    assert len(found) == len(s)  # no pair twice
    ts, te = shapely.STRtree(lines).query(segs, predicate="dwithin", distance=TOL_M)
    assert set(zip(ts.tolist(), te.tolist(), strict=True)) <= found
    assert np.all(shapely.distance(segs[s], lines[e]) <= TOL_M + SLACK)


def _check_locate(grid, x, y, zone):
    """Where the grid tells (points clear of their zone's edges), it agrees with the polygon."""
    geoms = grid.geoms[zone]
    clear = shapely.distance(shapely.boundary(grid.geoms)[zone], shapely.points(x, y)) > CLEAR_M
    x, y, zone, geoms = x[clear], y[clear], zone[clear], geoms[clear]
    state = grid.locate(x, y, zone)
    told = state >= 0
    assert np.array_equal(state[told] == 1, shapely.intersects_xy(geoms[told], x[told], y[told]))
    return told


def test_the_default_zones(screener):
    index = screener.index
    grid = ZoneGrid(index.geoms, index.edges, index.edge_zone, TOL_M, cell=4_000.0)
    rng = np.random.default_rng(1)
    x0, y0, x1, y1 = shapely.total_bounds(index.geoms)
    n = 10_000
    p = np.column_stack([rng.uniform(x0, x1, n), rng.uniform(y0, y1, n)])
    q = p + rng.normal(0, 3_000, (n, 2))
    _check_near_edges(grid, p, q)
    # points near edges too: the edges' own midpoints, shifted by a few metres
    e = index.edges[rng.integers(0, len(index.edges), n)]
    mx = np.r_[p[:, 0], (e[:, 0] + e[:, 2]) / 2 + rng.normal(0, 3, n)]
    my = np.r_[p[:, 1], (e[:, 1] + e[:, 3]) / 2 + rng.normal(0, 3, n)]
    zone = rng.integers(0, len(index.geoms), len(mx))
    told = _check_locate(grid, mx, my, zone)
    assert told.mean() > 0.99


def test_a_cell_centre_on_an_edge_is_left_to_the_polygon():
    # cells of 1 km from x0 = y0 = -2 (the extent grown by twice the tolerance): centres at 498, 1498, ...
    square = shapely.box(0, 0, 10_000, 10_000)
    notch = shapely.Polygon([(1498, 498), (5000, 498), (5000, 9000), (1498, 9000)])
    grid = _grid([square, square.difference(notch)], cell=1_000.0)
    assert (grid.centre_state == -1).any()
    x, y = np.meshgrid(np.linspace(-500, 10_500, 150), np.linspace(-500, 10_500, 150))
    x, y = x.ravel(), y.ravel()
    for z in (0, 1):
        told = _check_locate(grid, x, y, np.full(len(x), z))
    assert not told.all()


@st.composite
def lattice_zones(draw, offset):
    """Polygons on a 250 m lattice shifted by `offset` (shared edges, collinear edges, vertices on
    cell lines), and a 1 m square at the origin that fixes the grid's corner."""
    geoms = [shapely.box(0, 0, 1, 1)]
    for _ in range(draw(st.integers(1, 4))):
        x0, y0 = offset + draw(st.integers(0, 48)) * 250.0, offset + draw(st.integers(0, 48)) * 250.0
        w, h = draw(st.integers(1, 32)) * 250.0, draw(st.integers(1, 32)) * 250.0
        shape = draw(st.sampled_from(["box", "notched", "diamond"]))
        if shape == "diamond":  # vertices on lattice lines, edges across them
            r = min(w, h)
            geoms.append(shapely.Polygon([(x0, y0 + r), (x0 + r, y0), (x0 + 2 * r, y0 + r), (x0 + r, y0 + 2 * r)]))
            continue
        box = shapely.box(x0, y0, x0 + w, y0 + h)
        if shape == "notched":
            box = box.difference(shapely.box(x0 + w / 4, y0 + h / 4, x0 + w, y0 + h / 2))
        geoms.append(box)
    return geoms


@settings(max_examples=60, deadline=None)
@given(
    data=st.data(),
    cell=st.sampled_from([500.0, 998.0, 1_000.0, 1_000.0, 2_000.0, 7_000.0]),
    pts=st.lists(st.tuples(st.integers(-4, 84), st.integers(-4, 84)), min_size=2, max_size=40),
)
def test_lattice_zones(data, cell, pts):
    # with cells of 1 km from -2 m, the cell centres lie on the lattice shifted by 498 m: the line
    # from a point to its cell's centre runs through vertices and along edges
    offset = data.draw(st.sampled_from([0.0, 498.0, 498.0]))
    geoms = data.draw(lattice_zones(offset))
    grid = _grid(geoms, cell)
    xy = offset + np.array(pts, dtype=float) * 250.0  # on the lattice, and between its lines
    _check_near_edges(grid, xy[:-1], xy[1:])
    x, y = np.repeat(xy[:, 0], len(geoms)), np.repeat(xy[:, 1], len(geoms))
    _check_locate(grid, x, y, np.tile(np.arange(len(geoms)), len(xy)))
