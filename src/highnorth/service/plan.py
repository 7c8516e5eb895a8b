"""The daily airspace use plan as a use case: every volume allocated for a UTC day, with its
times (clipped to the day), band and user, and the day's updates marked (docs/airspace.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..formats.airspace_plan import plan_csv, plan_table
from ..model.errors import InputError
from ..model.time import format_time
from ..workflow.access import Principal, bound_nation, can
from ..workflow.notams import limit_text
from ..workflow.reservations import parse_volume
from ..workflow.states import HOLDING
from .airspace import day_bounds
from .context import Service

__all__ = ["FORMATS", "daily_plan", "render_plan"]

FORMATS = ("json", "csv", "table")
PUBLIC = ("published", "activated")  # what a viewer sees: the plan as published
WITHDRAWN = ("released", "cancelled", "expired", "completed")


def _hhmm(t: dt.datetime, day_start: dt.datetime) -> str:
    return "24:00" if t - day_start >= dt.timedelta(days=1) else t.strftime("%H:%M")


def daily_plan(service: Service, who: Principal | None, day: str | None) -> dict[str, Any]:
    """The plan for `day` (YYYY-MM-DD, UTC). Airspace managers, approvers and admins see every
    allocation; a requester its own nation's; anyone else the published plan. A row is an update
    when its volume was allocated (`new`), changed (`changed`) or withdrawn (`withdrawn`: released,
    cancelled, expired) during the day itself. A volume that cannot be read is a warning, not a
    failure of the plan."""
    start, end = day_bounds(day)
    full = who is not None and can(who, "reservations.read")
    nation = bound_nation(who) if who is not None else None
    states = list(HOLDING) + list(WITHDRAWN) if (full or nation) else list(PUBLIC)
    notams: dict[str, list[str]] = {}
    for n in service.store.notams(nation=nation):
        notams.setdefault(n.volume_id, []).append(n.id)
    rows, warnings = [], []
    for row in service.store.volumes(states=states, start=start, end=end, nation=nation):
        withdrawn = row.released_at is not None
        if withdrawn and not start <= row.released_at < end:  # type: ignore[operator]
            continue  # withdrawn before the day (or after it: then it held on the day)
        try:
            v = parse_volume(row.spec, row.id, owner=row.request_id)
        except InputError as exc:
            warnings.append(f"volume `{row.id}`: {exc}")
            continue
        if withdrawn:
            update = "withdrawn"
        elif start <= row.created_at < end:
            update = "new"
        elif start <= row.updated_at < end:
            update = "changed"
        else:
            update = ""  # in the plan as it stood when the day began (or allocated after the day)
        for s, e in v.windows:
            if s >= end or e <= start:
                continue
            rows.append(
                {
                    "start": _hhmm(max(s, start), start),
                    "end": _hhmm(min(e, end), start),
                    "lower": limit_text(v.lower, upper=False),
                    "upper": limit_text(v.upper, upper=True),
                    "nation": row.nation,
                    "activity": row.activity_id,
                    "request": row.request_id,
                    "volume": row.id,
                    "shape": v.shape["type"],
                    "state": row.state,
                    "notams": " ".join(notams.get(row.id, [])),
                    "update": update,
                }
            )
    rows.sort(key=lambda r: (r["start"], r["end"], r["volume"]))
    issued = format_time(dt.datetime.now(dt.UTC).replace(microsecond=0))
    return {"day": start.date().isoformat(), "issued": issued, "rows": rows, "warnings": warnings}


def render_plan(plan: dict[str, Any], fmt: str) -> str:
    """The plan as text in `fmt` (csv or table; json is the dict itself)."""
    if fmt == "csv":
        return plan_csv(plan)
    if fmt == "table":
        return plan_table(plan)
    raise InputError(f"format: `{fmt}` is not a plan format; expected one of {', '.join(FORMATS)}")
