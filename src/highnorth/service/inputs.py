"""Reading what a caller sends: JSON text (strict: UTF-8, finite numbers, no constants), Activity
GeoJSON within the server's limits, and the hash that identifies an input feature."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

from ..formats.activity_geojson import port_names, read_activities
from ..model.activity import Activity
from ..model.errors import ActivityInputError, InputError, Problem
from ..model.hashing import content_hash
from ..model.rule import Policy
from .config import Settings

__all__ = ["activities_within_limits", "input_hash", "parse_json"]


def parse_json(body: bytes, what: str = "the request body") -> Any:
    """JSON text as a value; every way it can be wrong is an InputError naming `what`."""
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


def activities_within_limits(
    doc: Any, policy: Policy, settings: Settings
) -> tuple[list[Activity], list[Mapping[str, Any]], list[str]]:
    """Activities of an Activity GeoJSON document within the limits, with their features (in the
    same order) and the reader's warnings; every problem at once as ActivityInputError."""
    features = doc.get("features") if isinstance(doc, Mapping) else None
    if isinstance(features, list):
        limit = settings.max_features
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
                f"{n:,} positions; at most {settings.max_vertices:,} per activity",
            )
            for i, f in enumerate(features)
            if isinstance(f, Mapping) and (n := _count_positions(f.get("geometry"))) > settings.max_vertices
        ]
        if too_many:
            raise ActivityInputError(too_many)
    result = read_activities(
        doc, source="", known_nations=policy.actors.nations, ports=port_names(policy.zones.values())
    )
    # nothing is skipped: a document with any problem was refused above, so the features and the
    # activities correspond one to one
    assert features is not None and len(features) == len(result.activities)
    return result.activities, features, result.warnings
