"""What the routes share: the loaded policy and screener, the store, and reading activities from a
request body within the limits."""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..engine import Screener
from ..formats.activity_geojson import read_activities
from ..formats.decision_json import decision_json, policy_json
from ..model.activity import Activity
from ..model.decision import Decision
from ..model.errors import ActivityInputError, InputError, Problem
from ..model.hashing import content_hash
from ..model.rule import Policy, version_in_force
from ..model.time import parse_time
from ..store import NewRequest, Store
from .config import ServerConfig

__all__ = ["Service", "input_hash", "parse_json", "query_time"]


def query_time(value: str | None, name: str, policy: Policy, *, in_force: bool = False) -> dt.datetime | None:
    """A time parameter: RFC 3339 with an offset, or a date (midnight in the policy's time zone);
    with `in_force`, a time when some version of the policy is in force."""
    if value is None:
        return None
    try:
        when = parse_time(value, local_zone=policy.timezone)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None
    if in_force:
        version_in_force(policy, when, name)
    return when


def parse_json(body: bytes, what: str = "the request body") -> Any:
    try:
        text = body.decode("utf-8")  # JSON between systems is UTF-8 (RFC 8259)
    except UnicodeDecodeError as exc:
        raise InputError(f"{what}: not UTF-8 text (byte {exc.start})") from None
    try:
        return json.loads(text, parse_constant=_no_constant, parse_float=_finite)
    except json.JSONDecodeError as exc:
        raise InputError(f"{what}: not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})") from None
    except RecursionError:
        raise InputError(f"{what}: not accepted: JSON nested too deeply") from None
    except ValueError as exc:  # e.g. an integer of more than 4,300 digits, or NaN (below)
        raise InputError(f"{what}: not valid JSON: {exc}") from None


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"`{text[:20]}` is too large for a 64-bit float")
    return value


def _no_constant(name: str) -> Any:
    raise ValueError(f"`{name}` is not a JSON value (RFC 8259); send a number or null")


def input_hash(feature: Mapping[str, Any]) -> str:
    """The hash of one input feature over canonical JSON (key order and spacing do not count)."""
    return content_hash(feature)


def _count_positions(geometry: Any) -> int:
    coords = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
    if not isinstance(coords, list):
        return 0
    stack, count = [coords], 0
    while stack:
        item = stack.pop()
        if item and isinstance(item[0], list):
            stack.extend(x for x in item if isinstance(x, list))
        else:
            count += 1
    return count


@dataclass(eq=False)  # hashed by identity: routes cache per service
class Service:
    config: ServerConfig
    policy: Policy
    screener: Screener
    store: Store

    def activities(self, doc: Any) -> tuple[list[Activity], list[Mapping[str, Any]], list[str]]:
        """Activities of an Activity GeoJSON document within the limits, with their features (in
        the same order) and the reader's warnings; every problem at once as ActivityInputError."""
        features = doc.get("features") if isinstance(doc, Mapping) else None
        if isinstance(features, list):
            limit = self.config.max_features
            if len(features) > limit:
                raise ActivityInputError(
                    [
                        Problem(
                            "document",
                            "features",
                            f"{len(features):,} activities; this server takes at most {limit:,} per request",
                        )
                    ]
                )
            too_many = [
                Problem(
                    f"feature {i}",
                    "geometry.coordinates",
                    f"{n:,} positions; at most {self.config.max_vertices:,} per activity",
                )
                for i, f in enumerate(features)
                if isinstance(f, Mapping) and (n := _count_positions(f.get("geometry"))) > self.config.max_vertices
            ]
            if too_many:
                raise ActivityInputError(too_many)
        result = read_activities(doc, source="", known_nations=self.policy.actors.nations)
        # nothing is skipped: a document with any problem was refused above, so the features and
        # the activities correspond one to one
        assert features is not None and len(features) == len(result.activities)
        return result.activities, features, result.warnings

    def screen(self, activities: Sequence[Activity]) -> list[Decision]:
        return self.screener.screen(activities)

    def new_requests(self, activities: Sequence[Activity], features: Sequence[Mapping[str, Any]]) -> list[NewRequest]:
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
