"""The loaded service every server-side use case runs against: the settings, the policy and its
warmed screener, and the store; `load_service` builds it at start-up (the slow part of starting).

The caches that belong to one service live here too: decision maps (keyed by the policy they were
made under) and reservation volumes (keyed by request id and input hash), so a second service (a
test's, another database's) never sees them.
"""

from __future__ import annotations

import copy
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine import Screener
from ..formats.decision_json import decision_json, policy_json
from ..formats.notam import Notam
from ..model.activity import Activity
from ..model.decision import Decision
from ..model.errors import HighnorthError
from ..model.rule import Policy
from ..rules.loading.loader import load_policy
from ..store import NewRequest, Store
from .archive import load_release_policy
from .config import Settings
from .inputs import activities_within_limits, input_hash
from .lru import LRU

__all__ = ["Running", "Service", "load_service"]

log = logging.getLogger("highnorth.api")


@dataclass(frozen=True, eq=False)
class Running:
    """What decides, as one immutable bundle: a policy, its warmed screener, the decision maps
    made under it, and the release it came from (None: the configured policy folder). A process
    replaces its bundle with one assignment, so a request that took it once is judged wholly by
    one policy."""

    policy: Policy
    screener: Screener
    release_id: str | None = None
    maps: LRU = field(default_factory=lambda: LRU(64))
    loaded_at: float = field(default_factory=time.time)
    load_seconds: float = 0.0

    @property
    def hash(self) -> str:
        return self.policy.hash


class Service:
    """What the server has loaded: settings, the store, and the `Running` bundle that decides.

    The bundle is replaced whole (`install`) when a policy release is published; a request takes
    it once (`pinned`, the API's dependency) and uses only it. `policy` and `screener` are the
    current bundle's; assigning `policy` (a test does) installs a new bundle with its own
    screener, so the two never disagree.
    """

    def __init__(
        self,
        settings: Settings,
        policy: Policy,
        screener: Screener,
        store: Store,
        *,
        release_id: str | None = None,
        volumes: LRU | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.volumes = volumes if volumes is not None else LRU(4096)
        #: releases this process validated or loaded, ready to publish or compare (the last 4)
        self.prepared = LRU(4)
        self._running = Running(policy, screener, release_id)
        self._root: Service = self
        #: why the newest published release could not be loaded here (None: it was, or none is)
        self.reload_error: str | None = None
        self.reload_failed_release: str | None = None
        self._notams: dict[str, Any] = {"feed": [], "screener": None}

    @property
    def running(self) -> Running:
        return self._running

    @property
    def policy(self) -> Policy:
        return self._running.policy

    @policy.setter
    def policy(self, value: Policy) -> None:
        self.install(Running(value, Screener(value)))

    @property
    def screener(self) -> Screener:
        return self._running.screener

    @property
    def root(self) -> Service:
        """The process's service (a pinned view's origin)."""
        return self._root

    def install(self, running: Running) -> None:
        """Make `running` the bundle of this process (one assignment: requests already under
        way keep the bundle they took)."""
        root = self._root
        root._running = running
        root.reload_error = None
        root.reload_failed_release = None
        self._running = running

    def pinned(self) -> Service:
        """This service with the current bundle fixed, for one request (or one job): a later
        `install` does not change what it decides with."""
        view = copy.copy(self)
        view._running = self._root._running
        return view

    # The NOTAM feed loaded into the server (`service.notams.load_feed`), kept by the process's
    # service so that every request's pinned view sees it; the screener with the feed's areas is
    # kept for the policy it was made with (a published release makes a new one when asked).
    @property
    def notam_feed(self) -> list[Notam]:
        return self._root._notams["feed"]

    @notam_feed.setter
    def notam_feed(self, feed: list[Notam]) -> None:
        self._root._notams["feed"] = feed

    @property
    def notam_screener(self) -> Screener | None:
        made = self._root._notams["screener"]
        return made[1] if made is not None and made[0] is self.policy else None

    @notam_screener.setter
    def notam_screener(self, screener: Screener | None) -> None:
        self._root._notams["screener"] = None if screener is None else (self.policy, screener)

    def map_cache(self) -> LRU:
        """The decision maps made under the current policy (the last 64)."""
        return self._running.maps

    def activities(self, doc: Any) -> tuple[list[Activity], list[Mapping[str, Any]], list[str]]:
        """Activities of an Activity GeoJSON document within this server's limits, with their
        features and the reader's warnings (`inputs.activities_within_limits`)."""
        return activities_within_limits(doc, self.policy, self.settings)

    def screen(self, activities: Sequence[Activity]) -> list[Decision]:
        return self.screener.screen(activities)

    def new_requests(self, activities: Sequence[Activity], features: Sequence[Mapping[str, Any]]) -> list[NewRequest]:
        """The activities screened now, as requests to file: input, input hash, decision, policy hash."""
        running = self._running  # taken once: the decisions and the hash they carry are one policy's
        decisions = running.screener.screen(activities)
        return [
            NewRequest(
                activity_id=a.id,
                nation=a.actor.nation,
                kind=a.kind,
                start=a.start,
                end=a.end,
                feature=f,
                input_hash=input_hash(f),
                decision={**decision_json(d), "policy": policy_json(running.policy, [d])},
                outcome=d.outcome,
                policy_hash=running.policy.hash,
            )
            for a, f, d in zip(activities, features, decisions, strict=True)
        ]


def load_service(settings: Settings, on_warning: Callable[[str], None] | None = None) -> Service:
    """Open (and migrate) the store, then load the policy: the newest published policy release in
    the database when there is one (it wins over the configured folder, so every process and
    every restart runs the same rules), else the configured folder; index its zones."""
    store = Store(settings.database_url)
    started = time.perf_counter()
    published = store.releases.current()
    error = None
    if published is not None:
        try:
            policy, warnings = load_release_policy(store.releases.archive(published.id), settings)
            for warning in warnings:
                (on_warning or _log_warning)(warning)
            screener = Screener(policy).warm()
            service = Service(settings, policy, screener, store, release_id=published.id)
            service.install(Running(policy, screener, published.id, load_seconds=time.perf_counter() - started))
            return service
        except HighnorthError as exc:  # the folder then, and say so on /health
            error = f"release `{published.id}` could not be loaded: {exc}"
            log.error("%s; running the configured policy folder instead", error)
    result = load_policy(settings.policy_dir, cache_dir=settings.cache_dir)
    for warning in result.warnings:
        (on_warning or _log_warning)(warning)
    screener = Screener(result.policy).warm()  # the zone grid once, then the fast kernel for all
    service = Service(settings, result.policy, screener, store)
    service.install(Running(result.policy, screener, None, load_seconds=time.perf_counter() - started))
    if error is not None:
        service.reload_error = error
        service.reload_failed_release = published.id if published else None
    return service


def _log_warning(message: str) -> None:
    log.warning("%s", message)
