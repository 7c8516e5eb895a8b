"""Baselines measured in the same run as the kernel: the naive shapely loop, and movingpandas'
`clip` per zone (a bench extra: `pip install -e '.[bench]'`; skipped when not installed)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence

import numpy as np
import shapely

from highnorth.geo.exposures.index import ZoneIndex
from highnorth.geo.kernels import Segments


def naive_rate(segs: Segments, index: ZoneIndex, limit: int = 3_000) -> tuple[float, int]:
    """Segments per second of the naive way: loop over segments, prefilter with an STRtree,
    compute shapely intersections, locate the pieces on the segment, check altitudes."""
    n = min(limit, len(segs))
    found = 0
    t = time.perf_counter()
    for i in range(n):
        seg = (
            shapely.LineString([segs.p[i], segs.q[i]])
            if not np.array_equal(segs.p[i], segs.q[i])
            else shapely.Point(segs.p[i])
        )
        for z in index.tree.query(seg):
            inter = shapely.intersection(seg, index.geoms[z])
            if inter.is_empty:
                continue
            for part in shapely.get_parts(inter):
                coords = shapely.get_coordinates(part)
                length = max(seg.length, 1e-12)
                ts = [seg.project(shapely.Point(c)) / length for c in coords[[0, -1]]]
                z0, z1 = segs.z0[i], segs.z1[i]
                if np.isnan(z0) or any(index.lower[z] <= z0 + (z1 - z0) * t <= index.upper[z] for t in ts):
                    found += 1
    return n / (time.perf_counter() - t), found


def movingpandas_rate(activities: Sequence, index: ZoneIndex, limit_segments: int = 3_000) -> float | None:
    """Segments per second of movingpandas `TrajectoryCollection.clip` per zone (None when
    movingpandas is not installed)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import geopandas as gpd
            import movingpandas as mpd
            import pandas as pd
    except ImportError:
        return None
    frames, total = [], 0
    for a in activities:
        coords = np.asarray(a.geometry.coords)
        x, y = index.frame.fwd(coords[:, 0], coords[:, 1])
        frames.append(
            pd.DataFrame({"x": x, "y": y, "t": pd.to_datetime([t.replace(tzinfo=None) for t in a.times]), "id": a.id})
        )
        total += len(coords) - 1
        if total >= limit_segments:
            break
    df = pd.concat(frames)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(df.x, df.y), crs=None).set_index("t")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        collection = mpd.TrajectoryCollection(gdf, "id")
        bounds = shapely.box(*gdf.total_bounds)
        t = time.perf_counter()
        for z in index.tree.query(bounds):
            collection.clip(index.geoms[z])
        return total / (time.perf_counter() - t)
