"""The event feed and webhooks: events are written in the transaction of the change they report
(`emit`), with one delivery row per matching webhook, so nothing is announced that did not
happen and nothing that happened goes unannounced.

A delivery's id (`dlv-<event>-<webhook>`) stays the same over every retry: a receiver that
answered too slowly and gets it again can drop the repeat. Deliveries are claimed with a lease
(`due`), so two server processes never send one at the same moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..model.errors import InputError, NotFoundError
from . import tables as t

__all__ = ["Delivery", "Event", "Feed", "Webhook"]


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True)
class Event:
    id: int
    at: dt.datetime
    kind: str
    nation: str | None
    request_id: str | None
    release_id: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True)
class Webhook:
    id: int
    url: str
    nation: str | None
    secret: str
    active: bool
    created_by: str
    created_at: dt.datetime


@dataclass(frozen=True)
class Delivery:
    id: str
    webhook_id: int
    event_id: int
    attempts: int
    next_attempt_at: dt.datetime | None
    lease_until: dt.datetime | None
    delivered_at: dt.datetime | None
    last_status: int | None
    last_error: str | None
    created_at: dt.datetime


class Feed:
    """Events, webhooks and their deliveries in one store."""

    def __init__(self, store: Any) -> None:  # the Store this belongs to (its writer and audit chain)
        self.store = store

    # events -----------------------------------------------------------------------------------

    def emit(
        self,
        conn: sa.Connection,
        kind: str,
        data: Mapping[str, Any],
        *,
        nation: str | None = None,
        request_id: str | None = None,
        release_id: str | None = None,
    ) -> int:
        """Write an event (in the caller's transaction) and a delivery for every active webhook
        that wants it: a webhook with a nation gets that nation's events only."""
        now = _now()
        event_id = conn.execute(
            t.events.insert().values(
                at=now, kind=kind, nation=nation, request_id=request_id, release_id=release_id, data=dict(data)
            )
        ).inserted_primary_key[0]  # type: ignore[index]
        hooks = sa.select(t.webhooks.c.id).where(t.webhooks.c.active.is_(True))
        hooks = hooks.where(t.webhooks.c.nation.is_(None) | (t.webhooks.c.nation == nation))
        for (hook_id,) in conn.execute(hooks).all():
            conn.execute(
                t.webhook_deliveries.insert().values(
                    id=f"dlv-{event_id}-{hook_id}",
                    webhook_id=hook_id,
                    event_id=event_id,
                    attempts=0,
                    next_attempt_at=now,
                    created_at=now,
                )
            )
        return int(event_id)

    def events(self, *, after: int = 0, limit: int = 100, nation: str | None = None) -> list[Event]:
        """Events with id > `after`, oldest first; with `nation`, only that nation's."""
        query = sa.select(t.events).where(t.events.c.id > after)
        if nation is not None:
            query = query.where(t.events.c.nation == nation)
        with self.store.engine.connect() as conn:
            return [Event(**r._asdict()) for r in conn.execute(query.order_by(t.events.c.id).limit(limit))]

    # webhooks ---------------------------------------------------------------------------------

    def add_webhook(self, actor: str, url: str, nation: str | None, secret: str) -> Webhook:
        if not url.startswith(("http://", "https://")) or len(url) > 2000:
            raise InputError(f"url: expected an http:// or https:// URL of at most 2,000 characters, got `{url[:80]}`")
        if len(secret) < 16 or len(secret) > 200:
            raise InputError("secret: expected 16 to 200 characters")
        with self.store._write() as conn:
            hook_id = conn.execute(
                t.webhooks.insert().values(
                    url=url, nation=nation, secret=secret, active=True, created_by=actor, created_at=_now()
                )
            ).inserted_primary_key[0]
            self.store._append(
                conn, actor, "webhook.add", None, None, None, {"webhook": hook_id, "url": url, "nation": nation}
            )
        return self.webhook(int(hook_id))

    def webhook(self, hook_id: int) -> Webhook:
        with self.store.engine.connect() as conn:
            row = conn.execute(sa.select(t.webhooks).where(t.webhooks.c.id == hook_id)).first()
        if row is None:
            raise NotFoundError(f"no webhook {hook_id}")
        return Webhook(**row._asdict())

    def webhooks(self) -> list[Webhook]:
        with self.store.engine.connect() as conn:
            return [Webhook(**r._asdict()) for r in conn.execute(sa.select(t.webhooks).order_by(t.webhooks.c.id))]

    def deliveries(self, hook_id: int, *, failed_only: bool = False, limit: int = 100) -> list[Delivery]:
        """A webhook's deliveries, newest first; `failed_only`: those not delivered that were
        tried at least once."""
        self.webhook(hook_id)
        d = t.webhook_deliveries.c
        query = sa.select(t.webhook_deliveries).where(d.webhook_id == hook_id)
        if failed_only:
            query = query.where(d.delivered_at.is_(None), d.attempts > 0)
        with self.store.engine.connect() as conn:
            rows = conn.execute(query.order_by(d.event_id.desc()).limit(limit))
            return [Delivery(**r._asdict()) for r in rows]

    def due(self, *, limit: int = 20, lease_s: float = 60.0) -> list[tuple[Delivery, Event, Webhook]]:
        """Deliveries whose time has come, claimed for `lease_s` seconds."""
        now = _now()
        d = t.webhook_deliveries.c
        with self.store.engine.connect() as conn:  # a read first: idle servers take no write lock
            waiting = sa.select(d.id).where(d.delivered_at.is_(None), d.next_attempt_at <= now).limit(1)
            if conn.execute(waiting).first() is None:
                return []
        with self.store._write() as conn:
            ids = [
                r.id
                for r in conn.execute(
                    sa.select(d.id)
                    .where(d.delivered_at.is_(None), d.next_attempt_at <= now)
                    .where(d.lease_until.is_(None) | (d.lease_until < now))
                    .order_by(d.event_id)
                    .limit(limit)
                    .with_for_update(skip_locked=True)  # PostgreSQL: another process's claim is skipped
                )
            ]
            if not ids:
                return []
            conn.execute(
                t.webhook_deliveries.update()
                .where(d.id.in_(ids))
                .values(lease_until=now + dt.timedelta(seconds=lease_s))
            )
            rows = conn.execute(
                sa.select(t.webhook_deliveries, t.events, t.webhooks)
                .join(t.events, t.events.c.id == d.event_id)
                .join(t.webhooks, t.webhooks.c.id == d.webhook_id)
                .where(d.id.in_(ids))
                .order_by(d.event_id)
            ).all()
        out = []
        nd, ne = len(t.webhook_deliveries.c), len(t.events.c)
        for row in rows:
            values = tuple(row)
            delivery = Delivery(*values[:nd])
            event = Event(*values[nd : nd + ne])
            hook = Webhook(*values[nd + ne :])
            out.append((delivery, event, hook))
        return out

    def delivered(self, delivery_id: str, status: int) -> None:
        with self.store._write() as conn:
            conn.execute(
                t.webhook_deliveries.update()
                .where(t.webhook_deliveries.c.id == delivery_id)
                .values(
                    delivered_at=_now(),
                    attempts=t.webhook_deliveries.c.attempts + 1,
                    last_status=status,
                    lease_until=None,
                    next_attempt_at=None,
                )
            )

    def failed(self, delivery_id: str, status: int | None, error: str, retry_in_s: float) -> None:
        with self.store._write() as conn:
            conn.execute(
                t.webhook_deliveries.update()
                .where(t.webhook_deliveries.c.id == delivery_id)
                .values(
                    attempts=t.webhook_deliveries.c.attempts + 1,
                    last_status=status,
                    last_error=error[:2000],
                    lease_until=None,
                    next_attempt_at=_now() + dt.timedelta(seconds=retry_in_s),
                )
            )
