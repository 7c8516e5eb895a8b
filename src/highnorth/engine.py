"""The one entry point: activities in, decisions out.

>>> from importlib import resources
>>> import shapely
>>> from highnorth import Activity, Actor, Screener, load_policy
>>> from highnorth.model.time import parse_time
>>> policy = load_policy(resources.files("highnorth") / "data" / "default").policy
>>> call = Activity("uk-kirkenes", "port_call", Actor("GBR"), parse_time("2025-06-10T08:00:00+02:00"),
...                 parse_time("2025-06-12T08:00:00+02:00"), shapely.Point(30.0456, 69.7269),
...                 attributes={"nuclear_powered": False})
>>> decision = Screener(policy).decide(call)
>>> str(decision.outcome), sorted({r.rule for r in decision.reasons if r.effect == "refer"})
('referred', ['fm2025-east-case-by-case'])
"""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import multiprocessing
import os
import threading
import time
from collections.abc import Collection, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cached_property

import numpy as np

from .geo.exposures.index import ZoneIndex
from .geo.exposures.stage import CHUNK_SEGMENTS, exposed, exposed_chunks, exposures, exposures_many
from .geo.kernels import FastKernel
from .geo.zones.projection import Frame
from .model.activity import Activity
from .model.actor import Actor
from .model.decision import Decision, Exposure
from .model.rule import Policy
from .model.zone import Zone
from .rules.deciding.evaluate import decide, timeline_cuts

__all__ = ["FAST_PATH_VERTICES", "PathCosts", "Screener", "screen"]

#: from this many track vertices in one call, a screening is a batch: the heap is frozen for it
#: (`_heap_frozen`) and `workers` > 1 forks for it. Which kernel runs is chosen by `PathCosts`.
FAST_PATH_VERTICES = 20_000


@dataclass
class PathCosts:
    """What each path of `Screener.screen` costs, measured as it runs: seconds per track vertex
    on the simple kernel and on the grid's fast path (both with the decision stage), and the
    seconds it takes to build the grid (with loading the compiled loops) the first time. The
    fast path is taken when it pays: ``grid (unless built) + n × fast < n × simple`` — or, for a
    screener that lives on (a server, a replay worker), once the time it has spent on the simple
    kernel reaches what the grid costs (ski rental: never more than twice the best choice made
    knowing the future).

    The starting values are bench/check_load.py's on the 2-core machine (docs/performance.md):
    2.2 µs and 0.6 µs per vertex, 0.8 s for the grid — so a first call takes the fast path from
    about 500,000 vertices, and once the grid exists from a few hundred. Each screening of at
    least `MIN_SAMPLE` vertices updates the path's figure (a moving average), and building the
    grid sets `grid`: the choice follows the machine. Only speed depends on it: both paths give
    the same decisions (tests/test_kernel.py).

    >>> costs = PathCosts()
    >>> costs.fast_pays(20_780, grid_built=False), costs.fast_pays(20_780, grid_built=True)
    (False, True)
    """

    simple: float = 2.2e-6
    fast: float = 0.6e-6
    grid: float = 0.8
    spent_simple: float = 0.0

    MIN_SAMPLE = 2_000

    def fast_pays(self, vertices: int, *, grid_built: bool) -> bool:
        if grid_built:
            return vertices * self.fast < vertices * self.simple
        return self.spent_simple >= self.grid or self.grid + vertices * self.fast < vertices * self.simple

    def observe(self, fast: bool, vertices: int, seconds: float) -> None:
        if not fast:
            self.spent_simple += seconds
        if vertices >= self.MIN_SAMPLE:
            per_vertex = seconds / vertices
            if fast:
                self.fast = 0.7 * self.fast + 0.3 * per_vertex
            else:
                self.simple = 0.7 * self.simple + 0.3 * per_vertex


#: parts per process with `workers` > 1 (see `_parallel`)
PARTS_PER_WORKER = 4


class Screener:
    """A policy with its zones indexed for the geometry stage; reuse it for many activities."""

    def __init__(
        self, policy: Policy, zones: Sequence[Zone] | None = None, *, fast_path_vertices: int | None = None
    ) -> None:
        """`fast_path_vertices`: from how many track vertices in one call `screen` takes the grid
        fast path; None (the default): when it pays, by the measured `costs` (`PathCosts`). A
        long-running screener (the server) builds the grid once with `warm` and then takes the
        fast path for everything."""
        self.policy = policy
        self.fast_path_vertices = fast_path_vertices
        self.costs = PathCosts()
        self.frame = Frame.of(policy.frame)
        if zones is None:
            # decisions need only the zones some rule names: exposures to the others never fire
            named = {z for v in policy.versions for r in v.rules for z in (*r.zones, *r.also_in)}
            zones = [z for z in policy.zones.values() if z.id in named]
        self.index = ZoneIndex(list(zones), self.frame)
        self.kernel = FastKernel(self.index)  # its grid is built on first use (or by `warm`)
        self._cuts: dict[str, list[dt.datetime]] = {}
        self._indexes: dict[tuple[str, ...], tuple[ZoneIndex, FastKernel]] = {}
        # one screening at a time per screener: GEOS prepared geometries are not safe to use from
        # several threads at once (libgeos/geos#825), and shapely releases the GIL around them
        self._lock = threading.RLock()

    def warm(self, fast_path_vertices: int = 100) -> Screener:
        """Build the zone grid now and take the fast path from `fast_path_vertices` on: once the
        grid exists it is quicker even for one track of a few hundred vertices (2.2 against 2.8 ms
        for 1,000), while tracks of a few vertices stay quicker on the simple kernel. Returns the
        screener."""
        _ = self.kernel.grid
        self.fast_path_vertices = fast_path_vertices
        return self

    @cached_property
    def full_index(self) -> ZoneIndex:
        """Every zone of the policy (for `exposures`, which reports them all)."""
        return ZoneIndex(list(self.policy.zones.values()), self.frame)

    def cuts(self, activity: Activity) -> list[dt.datetime]:
        """Times where what applies to the activity can change (versions, rules, memberships)."""
        nation = activity.actor.nation
        if nation not in self._cuts:
            self._cuts[nation] = timeline_cuts(self.policy, nation)
        return self._cuts[nation]

    def exposures(self, activity: Activity) -> list[Exposure]:
        """The geometry stage for one activity, against every zone of the policy: each exposure
        whole (cut only by zone validity)."""
        with self._lock:
            return exposures(activity, self.full_index)

    def exposures_in(self, activities: Sequence[Activity], zones: Collection[str]) -> list[list[Exposure]]:
        """The geometry stage against the named zones only, for each activity in order (exercise
        duties ask where the parts of a plan are on the host's territory)."""
        key = tuple(sorted(zones))
        if key not in self._indexes:
            index = ZoneIndex([self.policy.zones[z] for z in key if z in self.policy.zones], self.frame)
            self._indexes[key] = (index, FastKernel(index))
        index, kernel = self._indexes[key]
        n = sum(_vertices(a) for a in activities)
        if self.fast_path_vertices is not None:
            fast = n >= self.fast_path_vertices
        else:  # this index's own grid, by the costs measured on the screener's
            fast = self.costs.fast_pays(n, grid_built=kernel.grid_built)
        with self._lock:
            if not fast:
                return [exposures(a, index) for a in activities]
            return exposures_many(list(activities), index, kernel=kernel)

    def decide_as(self, activity: Activity, nations: Sequence[str], *, at: dt.datetime | None = None) -> list[Decision]:
        """The decision for the same activity by each of `nations` (its actor's service and unit
        kept): the geometry stage runs once, cut where what applies changes for any of them."""
        if not nations:
            return []
        cuts = sorted({t for n in nations for t in self.cuts(replace(activity, actor=Actor(n)))})
        with self._lock:
            found = exposed(activity, self.index, cuts)
            return [
                decide(replace(activity, actor=replace(activity.actor, nation=n)), found, self.policy, at=at)
                for n in nations
            ]

    def decide(self, activity: Activity, *, at: dt.datetime | None = None) -> Decision:
        """Both stages for one activity. Exposures are cut where the rules that apply can change,
        so each reason has its own exact entry point."""
        with self._lock:
            return decide(activity, exposed(activity, self.index, self.cuts(activity)), self.policy, at=at)

    def screen(
        self, activities: Iterable[Activity], *, at: dt.datetime | None = None, workers: int = 1
    ) -> list[Decision]:
        """Decisions for every activity, in input order. Large inputs take the fast path; with
        `workers` > 1 they are split across that many processes."""
        acts = list(activities)
        vertices = sum(_vertices(a) for a in acts)
        if workers > 1 and len(acts) > 1 and vertices >= FAST_PATH_VERTICES:  # forking pays only for large inputs
            return _parallel(self, acts, at, workers)
        with self._lock:
            return self._screen(acts, vertices, at)

    def fast_path(self, vertices: int) -> bool:
        """Whether a screening of this many track vertices takes the grid fast path."""
        if self.fast_path_vertices is not None:
            return vertices >= self.fast_path_vertices
        return self.costs.fast_pays(vertices, grid_built=self.kernel.grid_built)

    def _screen(self, acts: list[Activity], vertices: int, at: dt.datetime | None) -> list[Decision]:
        fast = self.fast_path(vertices)
        if fast and not self.kernel.grid_built:
            began = time.perf_counter()
            _ = self.kernel.grid
            self.costs.grid = time.perf_counter() - began
        began = time.perf_counter()
        out = self._screen_on(fast, acts, vertices, at)
        self.costs.observe(fast, vertices, time.perf_counter() - began)
        return out

    def _screen_on(self, fast: bool, acts: list[Activity], vertices: int, at: dt.datetime | None) -> list[Decision]:
        if not fast:
            return [self.decide(a, at=at) for a in acts]
        out: list[Decision] = []
        with _heap_frozen(vertices >= FAST_PATH_VERTICES):
            # a chunk at a time, decided as soon as the geometry stage yields it: the exposures
            # of the whole input are never alive at once
            for chunk in exposed_chunks(acts, self.index, self.kernel, self.cuts, chunk_segments=CHUNK_SEGMENTS):
                out += [decide(a, found, self.policy, at=at) for a, found in chunk]
        return out


@contextmanager
def _heap_frozen(batch: bool) -> Iterator[None]:
    """While a batch (`FAST_PATH_VERTICES` track vertices or more) is screened, the objects that
    existed before it (the policy, its zones and rules, the activities) are out of the cyclic
    collector's way (`gc.freeze`): its full passes, which the batch's decisions trigger as they
    accumulate, then walk only what the batch created (W3: 0.3 s of 2.3 s in the collector, down
    to 0.1 s). They are handed back when the last batch screening in the process ends. Requests
    smaller than a batch leave the collector alone. When someone else froze the heap first (the
    forked workers of `_parallel`, or the application) it stays as they left it."""
    global _FROZEN_BY_US
    if not batch:
        yield
        return
    with _FREEZE_LOCK:
        mine = _FROZEN_BY_US > 0 or not gc.get_freeze_count()
        if mine:
            _FROZEN_BY_US += 1
            if _FROZEN_BY_US == 1:
                gc.freeze()
    try:
        yield
    finally:
        if mine:
            with _FREEZE_LOCK:
                _FROZEN_BY_US -= 1
                if _FROZEN_BY_US == 0:
                    gc.unfreeze()


_FREEZE_LOCK = threading.Lock()
#: batch screenings running in this process that froze the heap (`_heap_frozen`)
_FROZEN_BY_US = 0


def _vertices(activity: Activity) -> int:
    geom = activity.geometry
    return len(geom.coords) if geom.geom_type == "LineString" else 1


# processes: the screener (zones, index, grid) and the activities are inherited by forking, not
# pickled; only index ranges go out and decisions come back
_SHARED: tuple[Screener, Sequence[Activity], dt.datetime | None] | None = None


def _screen_part(part: tuple[int, int]) -> list[Decision]:
    assert _SHARED is not None
    screener, activities, at = _SHARED
    screener._lock = threading.RLock()  # a fresh lock in the child: another thread may hold the parent's
    return screener.screen(activities[part[0] : part[1]], at=at, workers=1)


def _parallel(screener: Screener, acts: list[Activity], at: dt.datetime | None, workers: int) -> list[Decision]:
    """Split `acts` into `PARTS_PER_WORKER` parts per worker of about equal size (by vertices)
    and screen them in forked processes, each taking the next part when it is done; the results
    come back in input order. Small parts keep both cores busy to the end (a part's decisions
    take as long as its exposures, which vertices predict only roughly), and the parent reads
    the decisions of finished parts while the others are still being screened."""
    global _SHARED
    _ = screener.kernel.grid  # build once, before forking
    _SHARED = (screener, acts, at)
    count = min(len(acts), workers * PARTS_PER_WORKER)
    cumulative = np.cumsum([_vertices(a) for a in acts])
    bounds = [0, *np.searchsorted(cumulative, cumulative[-1] * np.arange(1, count) / count).tolist(), len(acts)]
    parts = [(a, b) for a, b in itertools.pairwise(bounds) if b > a]
    context = multiprocessing.get_context("fork" if os.name == "posix" else "spawn")
    # the objects that exist now are shared with the children: frozen, the children's collector
    # never walks them (nor copies the pages their headers are on)
    gc.freeze()
    try:
        with ProcessPoolExecutor(max_workers=min(workers, len(parts)), mp_context=context) as pool:
            results = list(pool.map(_screen_part, parts))
    finally:
        gc.unfreeze()
        _SHARED = None
    return [d for part in results for d in part]


def screen(activities: Iterable[Activity], policy: Policy, *, at: dt.datetime | None = None) -> list[Decision]:
    """Screen activities against a policy: `Screener(policy).screen(activities, at=at)`."""
    return Screener(policy).screen(activities, at=at)
