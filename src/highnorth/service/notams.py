"""NOTAMs as use cases: read a feed (records, the areas they make active, the quarantine), load
a feed as the areas active by NOTAM that conflicts are checked against, and the NOTAMs issued for
a request (docs/airspace.md "NOTAM in", "NOTAM out")."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ..engine import Screener
from ..formats.notam import Notam, NotamRead, parse_notams
from ..model.errors import GeometryError, InputError, NotFoundError
from ..model.outcome import Effect
from ..model.rule import Policy, Rule
from ..model.time import Interval, format_time
from ..model.zone import VerticalLimit, Zone
from ..workflow.access import Principal, bound_nation, may_see
from ..workflow.notams import area_spec
from ..workflow.reservations import Limit, parse_volume
from .context import Service

__all__ = [
    "decode_notams",
    "issued_notams",
    "load_feed",
    "notam_json",
    "notam_screener",
    "read_document",
    "read_notam_files",
    "screener_with_notams",
    "with_notam_areas",
]


def read_notam_files(paths: Sequence[Path], warn: Callable[[str], None]) -> list[Notam]:
    """The NOTAMs of the files (`highnorth check --notams`, `airspace conflicts --notams`), each
    quarantined one passed to `warn` with its file and line."""
    feed: list[Notam] = []
    for path in paths:
        try:
            read = parse_notams(decode_notams(path.read_bytes()))
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        for q in read.quarantine:
            warn(f"{path}:{q.line}: quarantined: {q.reason}")
        feed.extend(read.notams)
    return feed


def decode_notams(raw: bytes) -> str:
    """The text of a NOTAM file (UTF-8, or Latin-1 as some feeds are); an empty one is bad input."""
    if not raw.strip():
        raise InputError("body: expected ICAO NOTAM text (one or more NOTAMs), got nothing")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def notam_json(n: Notam) -> dict[str, Any]:
    """One NOTAM's fields, and its area (a volume spec) or why it has none."""
    out: dict[str, Any] = {
        "id": n.id,
        "kind": n.kind,
        "replaces": n.replaces,
        "fir": n.fir,
        "code": n.code,
        "traffic": n.traffic,
        "purpose": n.purpose,
        "scope": n.scope,
        "lower_fl": n.lower,
        "upper_fl": n.upper,
        "centre": {"lat": round(n.centre[0], 6), "lon": round(n.centre[1], 6)},
        "radius_nm": n.radius_nm,
        "locations": list(n.locations),
        "start": format_time(n.start),
        "end": format_time(n.end) if n.end else None,
        "estimated": n.estimated,
        "schedule": n.schedule,
        "text": n.text,
        "lower": n.lower_text,
        "upper": n.upper_text,
        "warnings": list(n.warnings),
    }
    try:
        spec = area_spec(n)
        if spec is not None:
            parse_volume(spec, f"notam:{n.id}")
        out["area"] = spec
    except (ValueError, InputError) as exc:
        out["area"] = None
        out["warnings"].append(f"its area cannot be read: {exc}")
    return out


def read_document(read: NotamRead) -> dict[str, Any]:
    """A feed's reading: the NOTAMs, how many announce an area, and the quarantine."""
    notams = [notam_json(n) for n in read.notams]
    return {
        "notams": notams,
        "count": len(notams),
        "areas": sum(1 for n in notams if n["area"] is not None),
        "quarantine": [{"line": q.line, "reason": q.reason, "text": q.text} for q in read.quarantine],
    }


def load_feed(service: Service, raw: bytes, *, replace: bool = True) -> dict[str, Any]:
    """Read a NOTAM feed and keep its NOTAMs as the areas active by NOTAM (in memory, for this
    server's conflicts; replaced by the next load). Cancelled and replaced NOTAMs are dropped."""
    read = parse_notams(decode_notams(raw))
    feed = ([] if replace else list(service.notam_feed)) + read.notams
    gone = {n.replaces for n in feed if n.replaces}
    service.notam_feed = [n for n in feed if n.id not in gone and n.kind != "C"]
    service.notam_screener = None  # built when first asked for (`notam_screener`)
    return read_document(read) | {"active": len(service.notam_feed)}


def notam_screener(service: Service) -> Screener:
    """The screener of the policy with the loaded feed's areas, built once per load (indexing the
    zones again takes seconds: not done on every screening)."""
    if service.notam_screener is None:
        service.notam_screener = screener_with_notams(service.policy, service.notam_feed)[0]
    return service.notam_screener


def issued_notams(service: Service, who: Principal, request_id: str) -> dict[str, Any]:
    """The NOTAMs issued for a request (its nation's requester, or staff)."""
    record = service.store.get(request_id)
    if not may_see(who, record.nation).allowed:
        raise NotFoundError(f"no request `{request_id}`")
    rows = service.store.notams(request_id=request_id, nation=bound_nation(who))
    return {
        "request": request_id,
        "notams": [
            {
                "id": n.id,
                "kind": n.kind,
                "volume": n.volume_id,
                "issued_at": format_time(n.issued_at),
                "issued_by": n.issued_by,
                "text": n.text,
            }
            for n in rows
        ],
    }


MAX_NOTAM_WINDOWS = 50  # zones per NOTAM (one per window of its item D); beyond it, B to C whole


def with_notam_areas(policy: Policy, feed: list[Notam]) -> tuple[Policy, list[str]]:
    """The policy with the areas of the NOTAMs as zones (`notam-<series><number>-<yy>`, one per
    window, valid in it; tag `notam`) and, in every version, a rule that refers an activity
    crossing one: its reason names the NOTAM. NOTAMs without an area, or whose area cannot be
    built, are left out and said. The policy's hash is not changed: the NOTAMs are an input of
    the screening, listed with it, not a version of the policy."""
    zones = dict(policy.zones)
    rules: list[Rule] = []
    warnings: list[str] = []
    for n in feed:
        try:
            spec = area_spec(n)
            if spec is None:
                continue
            volume = parse_volume(spec, f"notam:{n.id}")
        except (ValueError, InputError, GeometryError) as exc:
            warnings.append(f"NOTAM `{n.id}`: its area cannot be read: {exc}")
            continue
        base = f"notam-{n.series.lower()}{n.number:04d}-{n.year:02d}"
        windows = list(volume.windows)
        if len(windows) > MAX_NOTAM_WINDOWS:
            windows = [(volume.start, volume.end)]
        lower, upper = (_vertical(x) for x in (volume.lower, volume.upper))
        ids = []
        for k, (start, end) in enumerate(windows):
            zid = base if len(windows) == 1 else f"{base}-{k + 1}"
            zones[zid] = Zone(zid, volume.footprint, f"NOTAM {n.id}", lower, upper, frozenset({"notam"}),
                              Interval(start, end), "official", f"NOTAM {n.id}", " ".join(n.text.split())[:200])  # fmt: skip
            ids.append(zid)
        title = f"area active by NOTAM {n.id} ({n.code}): {' '.join(n.text.split())[:120]}"
        rules.append(Rule(f"notam-{base[6:]}", title, Effect.REFER, zones=tuple(ids), basis="official",
                          source=f"NOTAM {n.id}", authority="the NOTAM's originator"))  # fmt: skip
    versions = tuple(dataclasses.replace(v, rules=(*v.rules, *rules)) for v in policy.versions)
    return dataclasses.replace(policy, zones=zones, versions=versions), warnings


def _vertical(limit: Limit) -> VerticalLimit:
    if limit.ref in ("SFC", "UNL"):
        return VerticalLimit(0, limit.ref)  # type: ignore[arg-type]
    return VerticalLimit(limit.value, limit.ref)  # type: ignore[arg-type]


def screener_with_notams(policy: Policy, feed: list[Notam]) -> tuple[Screener, list[str]]:
    """A screener for the policy with the NOTAMs' areas (`with_notam_areas`), warmed."""
    derived, warnings = with_notam_areas(policy, feed)
    return Screener(derived).warm(), warnings
