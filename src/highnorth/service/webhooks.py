"""Webhooks as use cases: register one (admins), list them and their deliveries, and send what is
due (the server's delivery thread, `service.background`).

A delivery is a POST of the event as JSON with these headers:

| header                    | value                                                             |
|---------------------------|-------------------------------------------------------------------|
| `X-Highnorth-Delivery`    | the delivery id, the same over every retry (`dlv-<event>-<hook>`)  |
| `X-Highnorth-Event`       | the event kind, e.g. `request.rejudged`                           |
| `X-Highnorth-Timestamp`   | Unix seconds when this attempt was signed                         |
| `X-Highnorth-Signature`   | `sha256=` + hex HMAC-SHA256 of `<timestamp>.<body>` under the hook's secret |

A receiver checks the signature with the secret it was given, refuses old timestamps (replays),
and drops a delivery id it has seen. Any 2xx answer is delivered; anything else (an error
status, a refused connection, no answer within `Settings.webhook_timeout_s`) is retried after
`webhook_backoff_s`, doubled per attempt up to an hour, for as long as it takes: an event is
never dropped, and `GET /webhooks/{id}/deliveries?failed=true` shows what is waiting and why.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from typing import Any

import httpx

from ..model.errors import InputError
from ..model.time import format_time
from ..store.feed import Delivery, Event, Webhook
from ..workflow.access import Principal, bound_nation
from .context import Service

__all__ = ["add_webhook", "deliver_due", "deliveries", "event_json", "events", "sign", "webhooks"]

MAX_BACKOFF_S = 3600.0


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """`sha256=` and the hex HMAC-SHA256 of `timestamp.body` under `secret`.

    >>> sign("s3cret-s3cret-s3cret", "1700000000", b'{}')[:15]
    'sha256=8896948d'
    """
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def event_json(event: Event) -> dict[str, Any]:
    return {
        "id": event.id,
        "at": format_time(event.at),
        "kind": event.kind,
        "nation": event.nation,
        "request": event.request_id,
        "release": event.release_id,
        "data": dict(event.data),
    }


def events(service: Service, who: Principal, *, after: int = 0, limit: int = 100) -> dict[str, Any]:
    """The feed after a cursor: requesters see their own nation's requests' events only."""
    if after < 0 or not 1 <= limit <= 1000:
        raise InputError("after, limit: expected after ≥ 0 and 1 ≤ limit ≤ 1000")
    found = service.store.feed.events(after=after, limit=limit, nation=bound_nation(who))
    # a requester's feed holds only events of a nation; staff see everything
    return {"events": [event_json(e) for e in found], "next": found[-1].id if found else after}


def webhook_json(hook: Webhook) -> dict[str, Any]:
    return {
        "id": hook.id,
        "url": hook.url,
        "nation": hook.nation,
        "active": hook.active,
        "created_by": hook.created_by,
        "created_at": format_time(hook.created_at),
    }


def add_webhook(
    service: Service, who: Principal, url: str, nation: str | None = None, secret: str | None = None
) -> dict[str, Any]:
    """Register a webhook; the secret (given, or made here) is shown in this answer only."""
    if nation is not None and nation not in service.policy.actors.nations:
        raise InputError(f"nation: unknown nation `{nation}`")
    secret = secret or secrets.token_urlsafe(32)
    hook = service.store.feed.add_webhook(who.name, url, nation, secret)
    return {**webhook_json(hook), "secret": secret}


def webhooks(service: Service) -> list[dict[str, Any]]:
    return [webhook_json(h) for h in service.store.feed.webhooks()]


def delivery_json(d: Delivery) -> dict[str, Any]:
    return {
        "id": d.id,
        "event": d.event_id,
        "attempts": d.attempts,
        "delivered_at": format_time(d.delivered_at) if d.delivered_at else None,
        "next_attempt_at": format_time(d.next_attempt_at) if d.next_attempt_at else None,
        "last_status": d.last_status,
        "last_error": d.last_error,
    }


def deliveries(service: Service, hook_id: int, *, failed_only: bool = False) -> list[dict[str, Any]]:
    return [delivery_json(d) for d in service.store.feed.deliveries(hook_id, failed_only=failed_only)]


def deliver_due(service: Service, client: httpx.Client | None = None, limit: int = 20) -> int:
    """Send the deliveries whose time has come; how many were attempted."""
    settings = service.settings
    due = service.store.feed.due(limit=limit, lease_s=settings.webhook_timeout_s * 3 + 5)
    if not due:
        return 0
    own = client is None
    client = client or httpx.Client(timeout=settings.webhook_timeout_s, follow_redirects=False)
    try:
        for delivery, event, hook in due:
            body = json.dumps({"delivery": delivery.id, "event": event_json(event)}, sort_keys=True).encode()
            stamp = str(int(time.time()))
            headers = {
                "Content-Type": "application/json",
                "X-Highnorth-Delivery": delivery.id,
                "X-Highnorth-Event": event.kind,
                "X-Highnorth-Timestamp": stamp,
                "X-Highnorth-Signature": sign(hook.secret, stamp, body),
            }
            retry = min(settings.webhook_backoff_s * 2**delivery.attempts, MAX_BACKOFF_S)
            try:
                answer = client.post(hook.url, content=body, headers=headers)
            except httpx.HTTPError as exc:
                service.store.feed.failed(delivery.id, None, f"{type(exc).__name__}: {exc}", retry)
                continue
            if 200 <= answer.status_code < 300:
                service.store.feed.delivered(delivery.id, answer.status_code)
            else:
                service.store.feed.failed(delivery.id, answer.status_code, f"HTTP {answer.status_code}", retry)
    finally:
        if own:
            client.close()
    return len(due)
