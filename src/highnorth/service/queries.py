"""Validating the parts of a screening query once for every face: activity kind, nation, a time
(RFC 3339 with an offset, or a date = midnight in the policy's time zone), the version in force at
it, the attributes of a hypothetical activity and its altitude band.

A face names its fields its own way (the CLI says `--kind`, the API says `kind`); `Fields` carries
those names, so every message names the field as the caller wrote it:

>>> from highnorth.model.errors import InputError
>>> try:
...     check_kind("flite", CLI)
... except InputError as exc:
...     print(str(exc).split(";")[0])
--kind: unknown kind `flite`
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, Literal

from ..model.activity import KINDS, ActivityKind
from ..model.errors import InputError, did_you_mean
from ..model.rule import Policy, version_in_force
from ..model.time import parse_time
from .inputs import parse_json

__all__ = [
    "API",
    "CLI",
    "Fields",
    "check_altitude",
    "check_kind",
    "check_nation",
    "parse_attributes",
    "parse_when",
    "require_when",
]

#: the time zone of a date when no policy is at hand
DEFAULT_ZONE = "Europe/Oslo"


@dataclass(frozen=True)
class Fields:
    """How a face names the fields of a query, and how it writes attributes: `pairs` are
    `key=value` items (values read as JSON when they parse), `json` is one JSON object."""

    kind: str
    actor: str
    attributes: str
    attribute_syntax: Literal["pairs", "json"]
    lower_m: str = "lower_m"
    upper_m: str = "upper_m"


CLI = Fields(
    kind="--kind",
    actor="--actor",
    attributes="--attr",
    attribute_syntax="pairs",
    lower_m="--lower-m",
    upper_m="--upper-m",
)
API = Fields(kind="kind", actor="actor", attributes="attributes", attribute_syntax="json")


def check_altitude(lower: float | None, upper: float | None, fields: Fields) -> tuple[float, float] | None:
    """The altitude band in metres AMSL: a missing lower limit is the surface (−∞, as `SFC`), a
    missing upper one unlimited; neither given is None (every altitude).

    >>> check_altitude(None, 3000, API)
    (-inf, 3000.0)
    >>> try:
    ...     check_altitude(3000, 1000, API)
    ... except InputError as exc:
    ...     print(exc)
    upper_m: expected at least lower_m (3000 m), got 1000 m
    """
    if lower is None and upper is None:
        return None
    for name, value in ((fields.lower_m, lower), (fields.upper_m, upper)):
        if value is not None and not math.isfinite(value):
            raise InputError(f"{name}: expected a finite number of metres, got `{value}`")
    lo = -math.inf if lower is None else float(lower)
    hi = math.inf if upper is None else float(upper)
    if hi < lo:
        raise InputError(f"{fields.upper_m}: expected at least {fields.lower_m} ({lo:g} m), got {hi:g} m")
    return (lo, hi)


def check_kind(kind: str, fields: Fields) -> ActivityKind:
    """`kind` if it is an activity kind, else an InputError with the nearest kind."""
    if kind not in KINDS:
        raise InputError(
            f"{fields.kind}: unknown kind `{kind}`{did_you_mean(kind, KINDS)}; expected one of {', '.join(KINDS)}"
        )
    return kind  # type: ignore[return-value]


def check_nation(nation: str, policy: Policy, fields: Fields) -> str:
    """`nation` if the policy knows it, else an InputError with the nearest nation."""
    if nation not in policy.actors:
        raise InputError(f"{fields.actor}: unknown nation `{nation}`{did_you_mean(nation, policy.actors.nations)}")
    return nation


def parse_when(
    value: str | None, name: str, policy: Policy | None = None, *, in_force: bool = False
) -> dt.datetime | None:
    """A time field: RFC 3339 with an offset, or a date (midnight in the policy's time zone); None
    when not given. With `in_force`, a time when some version of the policy is in force."""
    if value is None:
        return None
    try:
        when = parse_time(value, local_zone=policy.timezone if policy else DEFAULT_ZONE)
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from None
    if in_force and policy is not None:
        version_in_force(policy, when, name)
    return when


def require_when(value: str | None, name: str, policy: Policy | None = None, *, in_force: bool = False) -> dt.datetime:
    """A required time field (see `parse_when`)."""
    when = parse_when(value, name, policy, in_force=in_force)
    if when is None:
        raise InputError(f"{name}: a time is required")
    return when


def parse_attributes(raw: str | Iterable[str] | None, fields: Fields) -> dict[str, Any]:
    """The attributes as the face writes them (`fields.attribute_syntax`); none given is `{}`."""
    if raw is None:
        return {}
    if fields.attribute_syntax == "json":
        assert isinstance(raw, str)
        attrs = parse_json(raw.encode(), fields.attributes)
        if not isinstance(attrs, dict):
            raise InputError(f"{fields.attributes}: expected a JSON object of attribute names and values")
        return attrs
    out: dict[str, Any] = {}
    for item in [raw] if isinstance(raw, str) else raw:
        if "=" not in item:
            raise InputError(f"{fields.attributes}: expected `key=value`, got `{item}`")
        key, text = item.split("=", 1)
        try:
            out[key.strip()] = json.loads(text)
        except json.JSONDecodeError:
            out[key.strip()] = text
    return out
