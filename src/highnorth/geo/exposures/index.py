"""Zones prepared for the geometry stage: projected into the frame, indexed, edges as arrays (what
the kernels need: `kernels.base.PreparedZones`; the fast kernel builds its grid from it)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from ...model.zone import Zone
from ..zones.projection import Frame

__all__ = ["ZoneIndex"]


@dataclass
class ZoneIndex:
    """Zones prepared for the geometry stage: projected, indexed, with their edges as arrays."""

    zones: Sequence[Zone]
    frame: Frame
    geoms: np.ndarray = field(init=False)
    tree: shapely.STRtree = field(init=False)
    edges: np.ndarray = field(init=False)  # (n, 4): x1 y1 x2 y2
    edge_zone: np.ndarray = field(init=False)
    edge_tree: shapely.STRtree = field(init=False)
    lower: np.ndarray = field(init=False)
    upper: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.geoms = np.array([self.frame.to_frame(z.geometry) for z in self.zones], dtype=object)
        shapely.prepare(self.geoms)
        self.tree = shapely.STRtree(self.geoms)
        edges, owners = [], []
        for i, geom in enumerate(self.geoms):
            for ring in _rings(geom):
                xy = shapely.get_coordinates(ring)
                if len(xy) >= 2:
                    edges.append(np.column_stack([xy[:-1], xy[1:]]))
                    owners.append(np.full(len(xy) - 1, i))
        self.edges = np.concatenate(edges) if edges else np.zeros((0, 4))
        self.edge_zone = np.concatenate(owners) if owners else np.zeros(0, dtype=int)
        self.edge_tree = shapely.STRtree(shapely.linestrings(self.edges.reshape(-1, 2, 2)) if len(self.edges) else [])
        self.lower = np.array([z.band[0] for z in self.zones])
        self.upper = np.array([z.band[1] for z in self.zones])


def _rings(geom: BaseGeometry) -> list[BaseGeometry]:
    out = []
    for poly in shapely.get_parts(geom):
        if poly.geom_type != "Polygon":
            continue
        out.append(poly.exterior)
        out.extend(poly.interiors)
    return out
