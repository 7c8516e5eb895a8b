"""The shape of policy data files, as pydantic models (the JSON Schemas shipped in
`highnorth/schemas/` are generated from these; tests keep them in step)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from ...model.activity import ActivityKind

__all__ = [
    "ActorsFile",
    "PolicyFile",
    "RulesFile",
    "ZonesFile",
    "json_schemas",
]

Basis = Literal["official", "reported", "assumption"]
Effect = Literal["permit", "condition", "refer", "deny"]
TimeValue = dt.date | dt.datetime | str
IDENT = r"^[a-z0-9][a-z0-9._-]*$"


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Validity(Strict):
    """A half-open validity interval; dates are midnight local to the policy's time zone."""

    from_: TimeValue | None = Field(default=None, alias="from")
    until: TimeValue | None = None


class Limit(Strict):
    """A vertical limit: `{ref: SFC}`, `{ref: UNL}`, `{value: 1500, ref: AMSL}`, `{value: 95, ref: FL}`."""

    value: float = 0
    ref: Literal["SFC", "AMSL", "AGL", "FL", "UNL"]


class ZoneSpec(Strict):
    """A zone: exactly one of `geometry` (inline GeoJSON or `{file: path}`) and `derive`."""

    id: str = Field(pattern=IDENT)
    name: str = ""
    geometry: dict[str, Any] | None = None
    derive: Any = None
    lower: Limit | None = None
    upper: Limit | None = None
    tags: list[str] = []
    valid: Validity | None = None
    basis: Basis
    source: str = Field(min_length=1)
    note: str = ""


class ZonesFile(Strict):
    zones: list[ZoneSpec]


class MembershipSpec(Strict):
    org: str = Field(min_length=1)
    from_: TimeValue = Field(alias="from")
    until: TimeValue | None = None
    source: str = ""


class NationSpec(Strict):
    code: str = Field(pattern=r"^[A-Z]{3}$")
    name: str
    memberships: list[MembershipSpec] = []


class ActorsFile(Strict):
    nations: list[NationSpec]


class ConditionSpec(Strict):
    """A test on an activity attribute; `default` stands in when the attribute is missing."""

    attr: str = Field(min_length=1)
    op: Literal["eq", "ne", "lt", "le", "gt", "ge", "in", "not_in"]
    value: Any
    default: Any = None


class DueOnSpec(Strict):
    """A calendar date an obligation falls due on: `day` of `month` in the year `years_before`
    years before the year the activity starts in."""

    month: int = Field(ge=1, le=12)
    day: int = Field(ge=1, le=31)
    years_before: int | str = 1


class ObligationSpec(Strict):
    type: str = Field(min_length=1)
    authority: str = ""
    notice_days: int | str | None = None
    due_on: DueOnSpec | None = None
    text: str = ""


class RuleSpec(Strict):
    id: str = Field(pattern=IDENT)
    title: str = Field(min_length=1)
    effect: Effect
    kinds: list[ActivityKind] | None = None
    actor: str | dict[str, Any] | None = None
    zones: list[str] = []
    also_in: list[str] = []
    conditions: list[ConditionSpec] = []
    valid: Validity | None = None
    obligations: list[ObligationSpec] = []
    authority: str = ""
    basis: Basis
    source: str = Field(min_length=1)
    note: str = ""

    @model_validator(mode="after")
    def _no_empty_selectors(self) -> RuleSpec:
        # an empty list would silently mean "any kind" or "anywhere": leave the key out instead
        for name in ("kinds", "zones"):
            if name in self.model_fields_set and not getattr(self, name):
                raise ValueError(
                    f"`{name}` is empty; leave it out to mean {'any kind' if name == 'kinds' else 'anywhere'}"
                )
        return self


class RulesFile(Strict):
    rules: list[RuleSpec]


class VersionSpec(Strict):
    version: str = Field(min_length=1)
    effective: TimeValue
    title: str = ""
    note: str = ""
    rules: list[str] = Field(min_length=1)


class FrameSpec(Strict):
    lon0: float = Field(ge=-180, le=180)
    lat0: float = Field(ge=-90, le=90)


class PolicyFile(Strict):
    id: str = Field(pattern=IDENT)
    title: str
    jurisdiction: str = Field(pattern=r"^[A-Z]{3}$")
    timezone: str = "Europe/Oslo"
    default_effect: Effect = "permit"
    alliance: str = "NATO"
    partner_orgs: list[str] = []
    frame: FrameSpec | None = None
    extent: tuple[float, float, float, float]
    actors: str = "actors.yaml"
    zones: list[str] = ["zones.yaml"]
    parameters: dict[str, Any] = {}
    versions: list[VersionSpec] = Field(min_length=1)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone `{value}`; expected an IANA name like `Europe/Oslo`") from None
        return value

    @field_validator("extent")
    @classmethod
    def _ordered_extent(cls, value: tuple[float, float, float, float]) -> tuple[float, float, float, float]:
        w, s, e, n = value
        if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
            raise ValueError(
                f"expected [west, south, east, north] with west < east and south < north, got {list(value)}"
            )
        return value


def json_schemas() -> dict[str, dict[str, Any]]:
    """The JSON Schemas of the policy data files, as shipped in `highnorth/schemas/`.

    Regenerate the shipped files with `python scripts/write_schemas.py`; a test keeps them equal.
    """
    out = {}
    for name, model in (("policy", PolicyFile), ("zones", ZonesFile), ("rules", RulesFile), ("actors", ActorsFile)):
        doc = model.model_json_schema(by_alias=True)
        doc["$schema"] = "https://json-schema.org/draft/2020-12/schema"
        out[name] = doc
    return out
