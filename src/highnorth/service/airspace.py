"""Airspace as use cases: the volumes a request books (stored, or its defaults), editing them, the
effects of the airspace actions (allocate stores the volumes, publish issues a NOTAM per volume,
release and cancel withdraw them and cancel their NOTAMs), conflicts with each other and with the
standing airspace, and the daily airspace use plan (docs/airspace.md)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from shapely.geometry import mapping

from ..formats.activity_geojson import read_activities
from ..formats.notam import Notam, format_notam
from ..geo.zones.projection import Frame
from ..model.errors import ForbiddenError, GeometryError, InputError
from ..model.rule import Policy
from ..model.time import EPOCH, FAR_FUTURE, format_time
from ..model.zone import Zone
from ..store import Effects, NewVolume, RequestRecord, VolumeRecord
from ..workflow.access import Principal, bound_nation, can
from ..workflow.conflicts import Conflict, conflicts
from ..workflow.notams import area_spec, notam_for
from ..workflow.reservations import Limit, Volume, default_volumes, parse_volume, windows_json
from ..workflow.states import HOLDING
from .context import Service

__all__ = [
    "STANDING_TAGS",
    "conflict_feature",
    "conflicts_document",
    "day_bounds",
    "effects_of",
    "file_conflicts",
    "make_notams",
    "notam_volumes",
    "read_volume_file",
    "request_volumes",
    "set_volumes",
    "standing_volumes",
    "volume_feature",
    "volumes_document",
]

#: zone tags that make a zone standing airspace (AIP restricted, danger and prohibited areas, as
#: the OpenAir and GeoJSON importers tag them)
STANDING_TAGS = frozenset({"class:R", "class:Q", "class:P", "restricted", "danger", "prohibited"})
SERIES = "W"  # the NOTAM series highnorth issues in (docs/airspace.md)
EDITABLE = ("screened", "referred", "approved", "allocated")


def _from_row(row: VolumeRecord) -> Volume:
    return parse_volume(row.spec, row.id, owner=row.request_id)


def _defaults(service: Service, record: RequestRecord) -> list[Volume]:
    def make() -> list[Volume]:
        doc = {"type": "FeatureCollection", "features": [record.feature]}
        return default_volumes(read_activities(doc).activities[0], record.id)

    return service.volumes.get_or_make((record.id, record.input_hash), make)


def request_volumes(service: Service, record: RequestRecord) -> list[Volume]:
    """The volumes a request books: its stored ones, else the defaults from its activity."""
    rows = service.store.volumes([record.id])
    return [_from_row(r) for r in rows] if rows else _defaults(service, record)


def set_volumes(service: Service, who: Principal, record: RequestRecord, body: Any, expected: int | None) -> Any:
    """Replace a request's volumes with explicit ones (an airspace manager edits the defaults)
    while it is requested or allocated. Each item is checked and named; nothing is written when
    one is wrong."""
    if not can(who, "volumes.edit"):
        raise ForbiddenError(f"the role `{who.role}` may not edit volumes (it needs `volumes.edit`)")
    if record.state not in EDITABLE:
        raise InputError(
            f"request `{record.id}` is `{record.state}`; volumes are edited while it is screened, referred, approved or allocated"
        )
    items = body.get("volumes") if isinstance(body, Mapping) else None
    if not isinstance(items, list) or not 1 <= len(items) <= 100:
        raise InputError('body: expected {"volumes": [...]} with 1 to 100 volumes')
    volumes = [parse_volume(spec, f"{record.id}-v{i + 1}", record.id) for i, spec in enumerate(items)]
    effects = Effects(volumes=[NewVolume(v.json(), v.start, v.end) for v in volumes])
    return service.store.act(record.id, "volumes", who.name, expected_version=expected, effects=effects)


def effects_of(service: Service, record: RequestRecord, action: str, who: Principal) -> Effects | None:
    """What an airspace action writes beside the state (built before the transaction)."""
    if action in ("allocate", "reserve"):
        if service.store.volumes([record.id]):
            return None
        volumes = _defaults(service, record)
        return Effects(volumes=[NewVolume(v.json(), v.start, v.end) for v in volumes])
    if action == "publish":
        stored = service.store.volumes([record.id])
        fresh = None if stored else [NewVolume(v.json(), v.start, v.end) for v in _defaults(service, record)]
        for v in request_volumes(service, record):
            notam_for(v, SERIES, 1, 0, user=record.nation)  # refuse before writing: a radius over 999 NM

        def make(series: str, number: int, year: int, row: VolumeRecord) -> str:
            return format_notam(notam_for(_from_row(row), series, number, year, user=row.nation))

        # allocated before volumes were stored (migration 0004_airspace): its defaults are stored with the NOTAMs
        return Effects(volumes=fresh, notams=(SERIES, "N", make))
    if action in ("release", "cancel", "expire", "complete"):
        issued = {n.volume_id: n.id for n in service.store.notams(request_id=record.id) if n.kind == "N"}
        if not issued or action == "expire":  # an expired NOTAM lapses by its item C
            return Effects(withdraw=True)

        def cancel(series: str, number: int, year: int, row: VolumeRecord) -> str:
            v = _from_row(row)
            n = notam_for(v, series, number, year, user=row.nation, kind="C", replaces=issued.get(row.id))
            now = dt.datetime.now(dt.UTC).replace(second=0, microsecond=0)
            n = Notam(
                **{
                    **n.__dict__,
                    "start": now,
                    "end": None,
                    "schedule": None,
                    "lower_text": None,
                    "upper_text": None,
                    "text": f"TEMPO RESTRICTED AREA {v.id.upper()} RELEASED",
                }
            )
            return format_notam(n)

        return Effects(notams=(SERIES, "C", cancel), withdraw=True)
    return None


def _limit_of(zone_limit: Any) -> Limit:
    ref = zone_limit.reference
    return Limit(ref) if ref in ("SFC", "UNL") else Limit(ref, float(zone_limit.value))


def standing_volumes(service: Service) -> list[Volume]:
    """The policy's standing airspace (zones tagged restricted, danger or prohibited) and the
    areas active by the NOTAMs loaded into the service, as volumes."""
    out = []
    for zone in service.policy.zones.values():
        if zone.tags & STANDING_TAGS:
            out.append(_zone_volume(zone))
    out.extend(notam_volumes(service.notam_feed))
    return out


def _zone_volume(zone: Zone) -> Volume:
    windows = ((zone.validity.start, zone.validity.end),) if zone.validity else ((EPOCH, FAR_FUTURE),)
    shape = {"type": "polygon", "coordinates": []}  # the zone's own geometry is the footprint
    return Volume(
        f"zone:{zone.id}",
        shape,
        _limit_of(zone.lower),
        _limit_of(zone.upper),
        windows,
        owner=f"zone:{zone.id}",
        _footprint=zone.geometry,
    )


def notam_volumes(notams: Sequence[Notam]) -> list[Volume]:
    """The areas the NOTAMs announce, as volumes named `notam:<id>` (NOTAMs that announce no area,
    or one that cannot be built, are left out: the feed's reading reported them)."""
    out = []
    for n in notams:
        try:
            spec = area_spec(n)
            if spec is not None:
                out.append(parse_volume(spec, f"notam:{n.id}", owner=f"notam:{n.id}"))
        except (ValueError, InputError, GeometryError):
            continue
    return out


def _holding(
    service: Service, who: Principal | None
) -> tuple[list[Volume], dict[str, VolumeRecord | RequestRecord], list[str]]:
    """Every live volume of the requests that hold airspace (those the caller sees)."""
    nation = bound_nation(who) if who is not None else None
    rows = service.store.volumes(states=HOLDING, live_only=True, nation=nation)
    volumes: list[Volume] = []
    owners: dict[str, VolumeRecord | RequestRecord] = {}
    warnings: list[str] = []
    for row in rows:
        try:
            volumes.append(_from_row(row))
        except (InputError, GeometryError) as exc:  # one bad record does not take the list down
            warnings.append(f"request `{row.request_id}`: {exc}")
            continue
        owners[row.id] = row
    stored = {r.request_id for r in rows}
    for reserved in service.store.reserved():  # allocated before volumes were stored (migration 0004_airspace)
        if reserved.id in stored or (nation is not None and reserved.nation != nation):
            continue
        record = service.store.get(reserved.id)
        try:
            for v in _defaults(service, record):
                volumes.append(v)
                owners[v.id] = record
        except GeometryError as exc:
            warnings.append(f"request `{record.id}`: {exc}")
    return volumes, owners, warnings


def _band(value: float) -> float | None:
    return None if abs(value) == float("inf") else value


def volume_feature(v: Volume, owner: VolumeRecord | RequestRecord) -> dict[str, Any]:
    lower, upper = v.amsl_band
    return {
        "type": "Feature",
        "id": v.id,
        "geometry": mapping(v.footprint),
        "properties": {
            "volume": v.id,
            "request": v.owner,
            "activity": owner.activity_id,
            "nation": owner.nation,
            "kind": owner.kind,
            "state": owner.state,
            "shape": v.shape["type"],
            "lower": v.lower.json(),
            "upper": v.upper.json(),
            "lower_m": _band(lower),
            "upper_m": _band(upper),
            "start": format_time(v.start),
            "end": format_time(v.end),
            "windows": windows_json(v.windows),
            "spec": v.json(),
        },
    }


def volumes_document(service: Service, who: Principal | None = None) -> dict[str, Any]:
    """Every volume held (allocated, published, activated) as a GeoJSON Feature; a requester sees
    its own nation's only."""
    volumes, owners, warnings = _holding(service, who)
    features = [volume_feature(v, owners[v.id]) for v in volumes]
    return {"type": "FeatureCollection", "features": features, **({"warnings": warnings} if warnings else {})}


def conflict_feature(c: Conflict) -> dict[str, Any]:
    """One conflict: the overlap, its area, the shared band and windows; `a` and `b` are the
    reservations (requests, or `zone:` / `notam:` standing areas), `volume_a`/`volume_b` the volumes."""
    return {
        "type": "Feature",
        "geometry": mapping(c.overlap),
        "properties": {
            "a": c.owner_a,
            "b": c.owner_b,
            "volume_a": c.a,
            "volume_b": c.b,
            "start": format_time(c.start),
            "end": format_time(c.end),
            "windows": windows_json(c.windows),
            "lower_m": _band(c.lower_m),
            "upper_m": _band(c.upper_m),
            "area_km2": round(c.area_km2, 6),
        },
    }


def conflicts_document(
    service: Service, who: Principal | None = None, *, standing: bool = True, request_id: str | None = None
) -> dict[str, Any]:
    """Every conflict among the held volumes, and with the standing airspace; only those of one
    request when `request_id` is given."""
    volumes, _, warnings = _holding(service, who)
    frame = service.screener.frame
    found = conflicts(volumes, frame, standing_volumes(service) if standing else ())
    if request_id is not None:
        found = [c for c in found if request_id in (c.owner_a, c.owner_b)]
    doc: dict[str, Any] = {"type": "FeatureCollection", "features": [conflict_feature(c) for c in found]}
    return doc | ({"warnings": warnings} if warnings else {})


def day_bounds(day: str | None) -> tuple[dt.datetime, dt.datetime]:
    """The UTC day `day` (YYYY-MM-DD; today when None) as [00:00, 24:00)."""
    try:
        date = dt.date.fromisoformat(day) if day else dt.datetime.now(dt.UTC).date()
    except ValueError:
        raise InputError(f"day: `{day}` is not a date YYYY-MM-DD") from None
    start = dt.datetime(date.year, date.month, date.day, tzinfo=dt.UTC)
    return start, start + dt.timedelta(days=1)


def read_volume_file(doc: Any, label: str) -> list[Volume]:
    """Volumes from a JSON document ``{"volumes": [{"id"?, "owner"?, shape, lower, upper,
    windows | schedule}, ...]}``; each error names the file and the volume."""
    items = doc.get("volumes") if isinstance(doc, Mapping) else None
    if not isinstance(items, list) or not items:
        raise InputError(f'{label}: expected {{"volumes": [...]}} with at least one volume')
    out = []
    for i, item in enumerate(items):
        vid = str(item.get("id") or f"v{i + 1}") if isinstance(item, Mapping) else f"v{i + 1}"
        try:
            out.append(parse_volume(item, vid, owner=str(item.get("owner") or vid)))
        except (InputError, GeometryError) as exc:
            raise InputError(f"{label}: {exc}") from None
    return out


def file_conflicts(
    policy: Policy, frame: Frame, volumes: Sequence[Volume], notams: Sequence[Notam] = (), *, standing: bool = True
) -> dict[str, Any]:
    """The conflicts among volumes read from a file, with the policy's standing airspace and the
    areas of the given NOTAMs (no database)."""
    against = [_zone_volume(z) for z in policy.zones.values() if z.tags & STANDING_TAGS] if standing else []
    against += notam_volumes(notams)
    found = conflicts(list(volumes), frame, against)
    return {"type": "FeatureCollection", "features": [conflict_feature(c) for c in found]}


def make_notams(volumes: Sequence[Volume], series: str, first: int, year: int, user: str) -> list[str]:
    """The NOTAM texts that would publish these volumes, numbered from `first`."""
    if not (len(series) == 1 and series.isalpha() and series.isupper()):
        raise InputError(f"--series: `{series}` is not a NOTAM series (one capital letter)")
    out = []
    for k, v in enumerate(volumes):
        try:
            out.append(format_notam(notam_for(v, series, first + k, year % 100, user=user)))
        except GeometryError as exc:
            raise InputError(f"volume `{v.id}`: {exc}") from None
    return out
