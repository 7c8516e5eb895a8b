"""Webhooks (issue 13): a receiver on 127.0.0.1 that fails, then times out, then recovers gets
every event once — the same delivery id on every retry, so the repeat after its timeout is
dropped — each signed with HMAC-SHA256; failures are visible while they wait."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar

from api_helpers import make_api
from highnorth.engine import Screener
from highnorth.service.archive import pack_folder
from highnorth.service.webhooks import deliver_due

from conftest import write_policy

SECRET = "a-receiver-secret-0123456789"


class Receiver(BaseHTTPRequestHandler):
    """Answers 500 first, then too slowly once, then 200; keeps what it processed, once per id."""

    calls: ClassVar[list[str]] = []
    processed: ClassVar[dict[str, dict]] = {}
    bad_signatures: ClassVar[list[str]] = []
    lock = threading.Lock()

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        delivery, stamp = self.headers["X-Highnorth-Delivery"], self.headers["X-Highnorth-Timestamp"]
        want = "sha256=" + hmac.new(SECRET.encode(), stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
        with self.lock:
            if not hmac.compare_digest(want, self.headers["X-Highnorth-Signature"]):
                self.bad_signatures.append(delivery)
            self.calls.append(delivery)
            call = len(self.calls)
            if call > 1:  # the first call fails before anything is processed
                self.processed.setdefault(delivery, json.loads(body))  # idempotent by delivery id
        if call == 1:
            self.send_response(500)
        elif call == 2:
            time.sleep(1.0)  # processed, but answered after the sender gave up: it will come again
            self.send_response(200)
        else:
            self.send_response(204)
        self.end_headers()

    def log_message(self, *args) -> None:
        pass


def test_a_failing_slow_then_recovering_receiver_gets_every_event_once(database_url, tmp_path, grid_policy):
    Receiver.calls, Receiver.processed, Receiver.bad_signatures = [], {}, []  # per database
    server = ThreadingHTTPServer(("127.0.0.1", 0), Receiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    api = make_api(
        database_url,
        grid_policy,
        Screener(grid_policy),
        webhook_backoff_s=0.05,
        webhook_timeout_s=0.3,
    )
    try:
        hook = api.call("POST", "/webhooks", "admin", json={"url": url, "secret": SECRET}).json()
        usa = api.call("POST", "/webhooks", "admin", json={"url": url + "/usa", "nation": "USA"}).json()
        assert "secret" in usa and api.call("GET", "/webhooks", "admin").json()["webhooks"][0].get("secret") is None
        archive = pack_folder(write_policy(tmp_path / "next"))
        headers = {"Content-Type": "application/gzip"}
        first = api.call("POST", "/policies/releases", "admin", content=archive, headers=headers).json()["id"]
        api.call("POST", f"/policies/releases/{first}/approve", "policy_owner")
        second = api.call("POST", "/policies/releases", "admin", content=archive, headers=headers).json()["id"]
        api.call("POST", f"/policies/releases/{second}/reject", "policy_owner")
        events = api.call("GET", "/events", "admin").json()["events"]
        assert [e["kind"] for e in events] == [
            "release.proposed",
            "release.approved",
            "release.proposed",
            "release.rejected",
        ]

        assert deliver_due(api.service) == 4  # the first fails, the second times out
        failed = api.call("GET", f"/webhooks/{hook['id']}/deliveries", "admin", params={"failed": True}).json()
        errors = {d["last_error"] for d in failed["deliveries"]}
        assert "HTTP 500" in errors and any("Timeout" in e for e in errors), errors
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            deliver_due(api.service)
            all_done = api.call("GET", f"/webhooks/{hook['id']}/deliveries", "admin").json()["deliveries"]
            if all(d["delivered_at"] for d in all_done):
                break
            time.sleep(0.05)
        expected = {f"dlv-{e['id']}-{hook['id']}" for e in events}
        assert set(Receiver.processed) == expected  # every event, once
        assert len(Receiver.calls) > len(expected)  # and some came again, with the same id
        assert [Receiver.processed[f"dlv-{e['id']}-{hook['id']}"]["event"] for e in events] == events
        assert not Receiver.bad_signatures
        assert api.call("GET", f"/webhooks/{hook['id']}/deliveries", "admin", params={"failed": True}).json() == {
            "deliveries": []
        }
        # a nation's webhook gets that nation's requests' events only: none of the releases'
        assert api.call("GET", f"/webhooks/{usa['id']}/deliveries", "admin").json() == {"deliveries": []}
    finally:
        server.shutdown()
        api.service.store.close()
