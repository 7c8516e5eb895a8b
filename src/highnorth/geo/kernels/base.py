"""The kernel seam: the data both kernels share, the merge semantics, and the `Kernel` interface.

A kernel turns the segments of many tracks into *intervals*: for each (track, zone), the stretches
of the track (as global parameters: segment index within the track + t) inside the zone, exact to
the tolerance. Two kernels keep the same contract, and the property tests (tests/test_kernel.py)
compare them:

- `ReferenceKernel` (reference.py): candidates from the zones' STRtree, every one computed
  exactly with numpy and GEOS. Simple; the reference.
- `FastKernel` (fast.py): the same intervals from a grid over the zones and compiled loops.

Both compute their candidate (segment, zone) pairs exactly by one algorithm, `exact.exact_pieces`
(the exact crossing of a segment and a zone edge, the tolerance band, vertical limits). Where
the kernels differ inside it (numpy or compiled loops, GEOS or the grid), it asks the kernel: the
abstract methods below are those steps, so the two implementations can be read side by side.
Pieces are joined into intervals by `merge`, whose semantics are written here once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np
import shapely

from ..tolerance import TOL_M, TOL_S

__all__ = [
    "Intervals",
    "Kernel",
    "Pieces",
    "Polyline",
    "PreparedZones",
    "Segments",
    "merge",
    "no_pieces",
    "sorted_unique",
]


class Polyline(Protocol):
    """A track as a kernel sees it: per vertex its frame position, seconds and altitude (None in
    2D). `exposures.track.Track` is one."""

    @property
    def x(self) -> np.ndarray: ...
    @property
    def y(self) -> np.ndarray: ...
    @property
    def seconds(self) -> np.ndarray: ...
    @property
    def z(self) -> np.ndarray | None: ...


class PreparedZones(Protocol):
    """Zones as a kernel needs them, in the frame (`exposures.index.ZoneIndex` is one): prepared
    geometries and their STRtree, every ring edge as x1 y1 x2 y2 with its zone and an STRtree,
    and the vertical limits."""

    @property
    def geoms(self) -> np.ndarray: ...
    @property
    def tree(self) -> shapely.STRtree: ...
    @property
    def edges(self) -> np.ndarray: ...
    @property
    def edge_zone(self) -> np.ndarray: ...
    @property
    def edge_tree(self) -> shapely.STRtree: ...
    @property
    def lower(self) -> np.ndarray: ...
    @property
    def upper(self) -> np.ndarray: ...


@dataclass(frozen=True)
class Segments:
    """The segments of several tracks, concatenated; `track` and `local` say whose and which."""

    p: np.ndarray  # (n, 2) start in the frame
    q: np.ndarray  # (n, 2) end
    s0: np.ndarray  # seconds at the start and end
    s1: np.ndarray
    z0: np.ndarray  # altitude at the start and end; nan for 2D tracks
    z1: np.ndarray
    lo: np.ndarray  # the altitude band of a 2D track (its activity's), else -inf..inf
    hi: np.ndarray
    track: np.ndarray
    local: np.ndarray

    @classmethod
    def of(cls, tracks: Sequence[Polyline], bands: Sequence[tuple[float, float] | None]) -> Segments:
        counts = np.array([max(len(t.x) - 1, 0) for t in tracks], dtype=np.int64)
        n = int(counts.sum())
        track = np.repeat(np.arange(len(tracks)), counts)
        local = np.arange(n) - np.repeat(np.cumsum(counts) - counts, counts)

        # every vertex of every track once; a segment starts at each but the last of its track
        sizes = np.array([len(t.x) for t in tracks], dtype=np.int64)
        last = np.cumsum(sizes) - 1
        starts = np.ones(int(sizes.sum()), dtype=bool)
        starts[last[sizes > 0]] = False
        ends = np.roll(starts, 1)

        def cat(get: Any, shift: int) -> np.ndarray:
            every = np.concatenate([get(t) for t in tracks]) if tracks else np.zeros(0)
            return every[ends] if shift else every[starts]

        nan = np.full
        z0 = cat(lambda t: t.z if t.z is not None else nan(len(t.x), np.nan), 0)
        z1 = cat(lambda t: t.z if t.z is not None else nan(len(t.x), np.nan), 1)
        band = [b if b is not None else (-np.inf, np.inf) for b in bands]
        lo = np.repeat(np.array([b[0] for b in band], dtype=float), counts)
        hi = np.repeat(np.array([b[1] for b in band], dtype=float), counts)
        return cls(
            p=np.column_stack([cat(lambda t: t.x, 0), cat(lambda t: t.y, 0)]).reshape(-1, 2),
            q=np.column_stack([cat(lambda t: t.x, 1), cat(lambda t: t.y, 1)]).reshape(-1, 2),
            s0=cat(lambda t: t.seconds, 0),
            s1=cat(lambda t: t.seconds, 1),
            z0=z0,
            z1=z1,
            lo=lo,
            hi=hi,
            track=track,
            local=local,
        )

    def __len__(self) -> int:
        return len(self.track)

    def geometries(self, rows: np.ndarray) -> np.ndarray:
        """Shapely geometries of some segments; one where the actor stays in place is a point."""
        p, q = self.p[rows], self.q[rows]
        still = np.all(p == q, axis=1)
        out = shapely.linestrings(np.stack([p, q], axis=1)) if len(rows) else np.zeros(0, dtype=object)
        if still.any():
            out[still] = shapely.points(p[still])
        return out


@dataclass(frozen=True)
class Pieces:
    """Parts of tracks inside zones, in global parameters (segment index within its track + t):
    whether the piece's midpoint is in the polygon (`in_poly`), strictly inside (not within the
    band of an edge: `strict`), or outside it by more than chord noise (`approach`), and its
    length (metres) and duration (seconds)."""

    track: np.ndarray
    zone: np.ndarray
    ga: np.ndarray
    gb: np.ndarray
    in_poly: np.ndarray
    strict: np.ndarray
    approach: np.ndarray
    length: np.ndarray
    duration: np.ndarray

    @staticmethod
    def concat(parts: Sequence[Pieces]) -> Pieces:
        return Pieces(*(np.concatenate([getattr(p, f) for p in parts]) for f in Pieces.__dataclass_fields__))


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """Sorted unique values (sorting is faster than numpy's hashing for these int64 keys)."""
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if len(values) else values


def no_pieces() -> Pieces:
    e = np.zeros(0)
    ei = np.zeros(0, dtype=np.int64)
    eb = np.zeros(0, dtype=bool)
    return Pieces(ei, ei, e, e, eb, eb, eb, e, e)


@dataclass(frozen=True)
class Intervals:
    """Merged intervals: track index, zone index, start and end global parameter."""

    track: np.ndarray
    zone: np.ndarray
    ga: np.ndarray
    gb: np.ndarray


def merge(pieces: Pieces) -> Intervals:
    """The merge semantics, for both kernels: join touching pieces per (track, zone) (a gap of
    at most 1e-9 in parameter); trim the approach through the band of an interval that enters
    the polygon (it runs from its first to its last piece that is not the approach); drop grazes
    (never strictly inside, shorter than the band's width and than TOL_S). The fast kernel does
    the same after the same sort in one compiled pass (`compiled.merge`)."""
    n = len(pieces.ga)
    if n == 0:
        empty = np.zeros(0, dtype=np.int64)
        return Intervals(empty, empty, np.zeros(0), np.zeros(0))
    key = pieces.track * (int(pieces.zone.max()) + 1) + pieces.zone
    order = np.lexsort((pieces.ga, key))
    v = {f: getattr(pieces, f)[order] for f in Pieces.__dataclass_fields__}
    new_key = np.r_[True, (v["track"][1:] != v["track"][:-1]) | (v["zone"][1:] != v["zone"][:-1])]
    starts = np.flatnonzero(new_key | np.r_[True, v["ga"][1:] > v["gb"][:-1] + 1e-9])
    ends = np.r_[starts[1:], n] - 1
    strict = np.logical_or.reduceat(v["strict"], starts)
    in_poly = np.logical_or.reduceat(v["in_poly"], starts)
    graze = (
        ~strict & (np.add.reduceat(v["length"], starts) < 2 * TOL_M) & (np.add.reduceat(v["duration"], starts) < TOL_S)
    )
    idx = np.arange(n)
    first = np.where(in_poly, np.minimum.reduceat(np.where(~v["approach"], idx, n), starts), starts)
    last = np.where(in_poly, np.maximum.reduceat(np.where(~v["approach"], idx, -1), starts), ends)
    keep = ~graze
    return Intervals(v["track"][starts][keep], v["zone"][starts][keep], v["ga"][first][keep], v["gb"][last][keep])


class Kernel(ABC):
    """Finds the intervals tracks spend in zones. The contract is `intervals`; the other methods
    are the steps of `exact.exact_pieces` where the two kernels differ. Rows are (segment, edge)
    pairs (`es`, `ee`) or (segment, zone) keys `segment * len(zones.geoms) + zone`."""

    zones: PreparedZones

    @abstractmethod
    def intervals(self, segs: Segments) -> Intervals:
        """Every interval of every track of `segs` inside every zone, merged (`merge`)."""

    @abstractmethod
    def edge_cuts(self, segs: Segments, es: np.ndarray, ee: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(row into es/ee, t) wherever segment es crosses edge ee or enters or leaves its TOL_M
        band (t may lie a little outside 0..1)."""

    @abstractmethod
    def split(
        self, keys: np.ndarray, cuts_key: np.ndarray, cuts_t: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The (segment, zone) `keys` (each with at least one cut) cut at their parameters
        `cuts_t` (of `cuts_key`) into pieces from 0 to 1: (key, a, b), by key and then a."""

    @abstractmethod
    def edge_distance(
        self, keys: np.ndarray, x: np.ndarray, y: np.ndarray, near_key: np.ndarray, ee: np.ndarray
    ) -> np.ndarray:
        """The distance from each point (of a piece of pair `keys`) to the nearest edge listed for
        its pair (`near_key`, `ee`); inf when none is."""

    @abstractmethod
    def in_zones(self, zone: np.ndarray, x: np.ndarray, y: np.ndarray, clear: np.ndarray) -> np.ndarray:
        """Whether each point is in (or on) its zone; `clear` marks points farther than
        `CLEAR_M` from every edge of their zone."""

    @abstractmethod
    def far_pieces(self, segs: Segments, keys: np.ndarray) -> Pieces:
        """Pieces of (segment, zone) pairs with no zone edge within TOL_M of the segment: each is
        wholly inside or outside, and so is a run of such pairs along one track (no crossing
        between them), so one point-in-polygon test per run decides it."""

    @abstractmethod
    def limited_pieces(
        self,
        segs: Segments,
        s: np.ndarray,
        zi: np.ndarray,
        a: np.ndarray,
        b: np.ndarray,
        in_poly: np.ndarray,
        strict: np.ndarray,
        approach: np.ndarray,
    ) -> Pieces:
        """Pieces [a, b] of segments s in zones zi, limited to the zones' vertical bands."""
