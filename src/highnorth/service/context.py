"""The loaded service every server-side use case runs against: the settings, the policy and its
warmed screener, and the store; `load_service` builds it at start-up (the slow part of starting).

The caches that belong to one service live here too: decision maps (keyed by the policy they were
made under) and reservation volumes (keyed by request id and input hash), so a second service (a
test's, another database's) never sees them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..engine import Screener
from ..formats.decision_json import decision_json, policy_json
from ..formats.notam import Notam
from ..model.activity import Activity
from ..model.decision import Decision
from ..model.rule import Policy
from ..rules.loading.loader import load_policy
from ..store import NewRequest, Store
from .config import Settings
from .inputs import activities_within_limits, input_hash
from .lru import LRU

__all__ = ["Service", "load_service"]

log = logging.getLogger("highnorth.api")


@dataclass(eq=False)  # hashed by identity
class Service:
    """What the server has loaded. `policy` may be replaced (a test does); the decision-map cache
    follows it."""

    settings: Settings
    policy: Policy
    screener: Screener
    store: Store
    volumes: LRU = field(default_factory=lambda: LRU(4096))
    notam_feed: list[Notam] = field(default_factory=list)  # areas active by NOTAM (loaded, in memory)
    notam_screener: Screener | None = None  # the policy with the feed's areas (service.notams.load_feed)
    _maps: tuple[Policy, LRU] | None = field(default=None, repr=False)

    def map_cache(self) -> LRU:
        """The decision maps made under the current policy (the last 64)."""
        if self._maps is None or self._maps[0] is not self.policy:
            self._maps = (self.policy, LRU(64))
        return self._maps[1]

    def activities(self, doc: Any) -> tuple[list[Activity], list[Mapping[str, Any]], list[str]]:
        """Activities of an Activity GeoJSON document within this server's limits, with their
        features and the reader's warnings (`inputs.activities_within_limits`)."""
        return activities_within_limits(doc, self.policy, self.settings)

    def screen(self, activities: Sequence[Activity]) -> list[Decision]:
        return self.screener.screen(activities)

    def new_requests(self, activities: Sequence[Activity], features: Sequence[Mapping[str, Any]]) -> list[NewRequest]:
        """The activities screened now, as requests to file: input, input hash, decision, policy hash."""
        decisions = self.screen(activities)
        return [
            NewRequest(
                activity_id=a.id,
                nation=a.actor.nation,
                kind=a.kind,
                start=a.start,
                end=a.end,
                feature=f,
                input_hash=input_hash(f),
                decision={**decision_json(d), "policy": policy_json(self.policy, [d])},
                outcome=d.outcome,
                policy_hash=self.policy.hash,
            )
            for a, f, d in zip(activities, features, decisions, strict=True)
        ]


def load_service(settings: Settings, on_warning: Callable[[str], None] | None = None) -> Service:
    """Load the policy, index its zones and open (and migrate) the store."""
    result = load_policy(settings.policy_dir, cache_dir=settings.cache_dir)
    for warning in result.warnings:
        (on_warning or _log_warning)(warning)
    screener = Screener(result.policy).warm()  # the zone grid once, then the fast kernel for all
    return Service(settings, result.policy, screener, Store(settings.database_url))


def _log_warning(message: str) -> None:
    log.warning("%s", message)
