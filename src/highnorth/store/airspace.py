"""The airspace records of the store: volumes (one row each) and the NOTAMs issued for them.

Written inside the transaction of a workflow action (`Store.act` calls `Effects.apply`), so a
request's state, its volumes, its NOTAMs and the audit entry are committed together or not at all.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa

from . import tables as t

__all__ = ["Effects", "NewVolume", "NotamRecord", "VolumeRecord", "read_notams", "read_volumes"]


@dataclass(frozen=True)
class NewVolume:
    """A volume to store: its JSON spec and its time envelope."""

    spec: Mapping[str, Any]
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class VolumeRecord:
    id: str
    request_id: str
    seq: int
    spec: Mapping[str, Any]
    start: dt.datetime
    end: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    released_at: dt.datetime | None
    # of the request
    state: str
    nation: str
    activity_id: str
    kind: str


@dataclass(frozen=True)
class NotamRecord:
    id: str
    series: str
    number: int
    year: int
    kind: str
    request_id: str
    volume_id: str
    text: str
    issued_at: dt.datetime
    issued_by: str


#: makes a NOTAM's text for a volume, given its id (series, number, year) and the volume
NotamMaker = Callable[[str, int, int, VolumeRecord], str]


@dataclass
class Effects:
    """What an action writes beside the state: replaced volumes, NOTAMs to issue (kind N or C,
    one per live volume), volumes withdrawn from the plan. `detail` gains what was written."""

    volumes: Sequence[NewVolume] | None = None
    notams: tuple[str, str, NotamMaker] | None = None  # (series, kind, maker)
    withdraw: bool = False
    detail: dict[str, Any] = field(default_factory=dict)

    def apply(self, conn: sa.Connection, request_id: str, actor: str, now: dt.datetime) -> None:
        v = t.volumes.c
        if self.volumes is not None:
            live = [r.id for r in conn.execute(sa.select(v.id).where(v.request_id == request_id))]
            noted = conn.execute(sa.select(t.notams.c.id).where(t.notams.c.volume_id.in_(live))).first()
            if noted is not None:
                raise ValueError("the volumes of a request with NOTAMs cannot be replaced")
            conn.execute(t.volumes.delete().where(v.request_id == request_id))
            rows = [
                {
                    "id": f"{request_id}-v{i + 1}",
                    "request_id": request_id,
                    "seq": i + 1,
                    "spec": dict(nv.spec),
                    "start": nv.start,
                    "end": nv.end,
                    "created_at": now,
                    "updated_at": now,
                    "released_at": None,
                }
                for i, nv in enumerate(self.volumes)
            ]
            if rows:
                conn.execute(t.volumes.insert(), rows)
            self.detail["volumes"] = [r["id"] for r in rows]
        if self.notams is not None:
            series, kind, maker = self.notams
            year = now.year % 100
            issued = []
            for record in _volumes(conn, [request_id], live_only=True):
                top = conn.execute(
                    sa.select(sa.func.max(t.notams.c.number)).where(
                        t.notams.c.series == series, t.notams.c.year == year
                    )
                ).scalar()
                number = (top or 0) + 1
                nid = f"{series}{number:04d}/{year:02d}"
                conn.execute(
                    t.notams.insert().values(
                        id=nid,
                        series=series,
                        number=number,
                        year=year,
                        kind=kind,
                        request_id=request_id,
                        volume_id=record.id,
                        text=maker(series, number, year, record),
                        issued_at=now,
                        issued_by=actor,
                    )
                )
                issued.append(nid)
            self.detail["notams"] = issued
        if self.withdraw:
            conn.execute(
                t.volumes.update()
                .where(v.request_id == request_id, v.released_at.is_(None))
                .values(released_at=now, updated_at=now)
            )


def _volumes(
    conn: sa.Connection,
    request_ids: Sequence[str] | None = None,
    *,
    states: Sequence[str] | None = None,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    nation: str | None = None,
    live_only: bool = False,
) -> list[VolumeRecord]:
    v, r = t.volumes.c, t.requests.c
    query = sa.select(t.volumes, r.state, r.nation, r.activity_id, r.kind).join_from(
        t.volumes, t.requests, v.request_id == r.id
    )
    if request_ids is not None:
        query = query.where(v.request_id.in_(list(request_ids)))
    if states is not None:
        query = query.where(r.state.in_(list(states)))
    if start is not None:
        query = query.where(v.end > start)
    if end is not None:
        query = query.where(v.start < end)
    if nation is not None:
        query = query.where(r.nation == nation)
    if live_only:
        query = query.where(v.released_at.is_(None))
    query = query.order_by(v.request_id, v.seq)
    return [VolumeRecord(**row._asdict()) for row in conn.execute(query)]


def read_volumes(engine: sa.Engine, request_ids: Sequence[str] | None = None, **filters: Any) -> list[VolumeRecord]:
    """Volume rows with their request's state, nation, activity and kind."""
    with engine.connect() as conn:
        return _volumes(conn, request_ids, **filters)


def read_notams(
    engine: sa.Engine, *, request_id: str | None = None, nation: str | None = None, notam_id: str | None = None
) -> list[NotamRecord]:
    """The NOTAMs issued, in issue order."""
    n = t.notams.c
    query = sa.select(t.notams)
    if request_id is not None:
        query = query.where(n.request_id == request_id)
    if notam_id is not None:
        query = query.where(n.id == notam_id)
    if nation is not None:
        query = query.join_from(t.notams, t.requests, n.request_id == t.requests.c.id).where(
            t.requests.c.nation == nation
        )
    with engine.connect() as conn:
        return [NotamRecord(**row._asdict()) for row in conn.execute(query.order_by(n.issued_at, n.id))]
