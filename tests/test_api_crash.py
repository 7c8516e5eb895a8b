"""Crash safety of the HTTP API: a request acknowledged with 201 survives `kill -9` of the server.

The server runs as a real process (`highnorth serve`) on a SQLite file. Four client threads keep
filing one-activity requests; once some are acknowledged the server is killed with SIGKILL while
the clients are still sending. After a restart on the same file every acknowledged request is
there with the decision it was acknowledged with, and the audit chain verifies (through the API
and `highnorth audit verify`) with a `submit` entry for each of them. Nothing here measures time.
"""

from __future__ import annotations

import copy
import json
import os
import signal
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from live_server import cli, running_server

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "nordic-response" / "activities.geojson"

CLIENTS = 4
ACKED_BEFORE_KILL = 30  # the kill comes after at least this many 201s

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL (POSIX)")


def _templates() -> list[dict[str, Any]]:
    """A US port call and a US flight of the example exercise (requester: USA)."""
    features = {f["id"]: f for f in json.loads(EXAMPLE.read_text())["features"]}
    return [features["us-destroyer-kirkenes-2025"], features["rc135-nordic-response"]]


@dataclass
class Acked:
    request_id: str
    activity_id: str
    outcome: str
    decision_outcome: str


@dataclass
class Record:
    lock: threading.Lock = field(default_factory=threading.Lock)
    acked: list[Acked] = field(default_factory=list)
    unacked: int = 0
    unexpected: list[str] = field(default_factory=list)  # answers other than 201 while the server was up

    def count(self) -> int:
        with self.lock:
            return len(self.acked)


def _client(n: int, base: str, token: str, stop: threading.Event, killed: threading.Event, record: Record) -> None:
    templates = _templates()
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/geo+json"}
    i = 0
    with httpx.Client(base_url=base, headers=headers, timeout=30.0) as http:
        while not stop.is_set():
            i += 1
            feature = copy.deepcopy(templates[i % len(templates)])
            feature["id"] = activity_id = f"crash-{n}-{i}"
            body = json.dumps({"type": "FeatureCollection", "features": [feature]})
            try:
                answer = http.post("/requests", content=body)
            except httpx.TransportError:  # refused, reset, cut mid-answer: not acknowledged
                with record.lock:
                    record.unacked += 1
                if killed.is_set():
                    time.sleep(0.05)
                continue
            with record.lock:
                if answer.status_code != 201:
                    record.unexpected.append(f"{activity_id}: {answer.status_code} {answer.text[:300]}")
                    continue
                (req,) = answer.json()["requests"]
                if req["activity_id"] != activity_id:
                    record.unexpected.append(f"{activity_id}: answered for `{req['activity_id']}`")
                record.acked.append(Acked(req["id"], activity_id, req["outcome"], req["decision"]["outcome"]))


def test_acknowledged_requests_survive_kill_9(tmp_path: Path) -> None:
    db = tmp_path / "crash.db"
    cli("users", "add", "us-liaison", "--role", "requester", "--nation", "USA", "--db", str(db))
    cli("users", "add", "auditor", "--role", "approver", "--db", str(db))
    requester = cli("tokens", "create", "us-liaison", "--db", str(db)).strip()
    approver = cli("tokens", "create", "auditor", "--db", str(db)).strip()

    record = Record()
    stop, killed = threading.Event(), threading.Event()
    threads: list[threading.Thread] = []
    try:
        with running_server(db, tmp_path, "first") as server:
            threads = [
                threading.Thread(target=_client, args=(n, server.base, requester, stop, killed, record), daemon=True)
                for n in range(CLIENTS)
            ]
            for thread in threads:
                thread.start()
            deadline = time.monotonic() + 120
            while record.count() < ACKED_BEFORE_KILL:
                assert time.monotonic() < deadline, f"only {record.count()} acknowledged; {record.unexpected[:3]}"
                assert all(t.is_alive() for t in threads), "a client thread died"
                died = server.proc.poll()
                assert died is None, (
                    f"the server died by itself (exit {died}; negative is a signal) before the kill -9, "
                    f"with {record.count()} acknowledged:\n{server.log.read_text(errors='replace')[-3000:]}"
                )
                time.sleep(0.01)
            os.kill(server.proc.pid, signal.SIGKILL)  # the clients are still sending
            killed.set()
            server.proc.wait(timeout=30)
            time.sleep(0.3)  # let the clients meet the dead server
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client thread did not stop"

    with record.lock:
        acked = list(record.acked)
        assert not record.unexpected, record.unexpected[:5]
        assert record.unacked > 0, "the clients never met the killed server"
    assert len(acked) >= ACKED_BEFORE_KILL
    assert len({a.request_id for a in acked}) == len(acked)

    with (
        running_server(db, tmp_path, "restarted") as server,
        httpx.Client(base_url=server.base, timeout=30.0) as http,
    ):
        as_requester = {"Authorization": f"Bearer {requester}"}
        as_approver = {"Authorization": f"Bearer {approver}"}
        for a in acked:
            answer = http.get(f"/requests/{a.request_id}", headers=as_requester)
            assert answer.status_code == 200, f"acknowledged {a} lost after kill -9: {answer.text[:300]}"
            got = answer.json()
            assert got["activity_id"] == a.activity_id
            assert got["outcome"] == a.outcome
            assert got["decision"], f"{a.request_id}: empty decision"
            assert got["decision"]["outcome"] == a.decision_outcome == a.outcome

        verified = http.get("/audit/verify", headers=as_approver)
        assert verified.status_code == 200, verified.text
        assert verified.json()["ok"] is True, verified.json()

        submits: list[dict[str, Any]] = []
        after = 0
        while True:
            page = http.get("/audit", params={"after": after, "limit": 1000}, headers=as_approver)
            assert page.status_code == 200, page.text
            entries = page.json()["entries"]
            if not entries:
                break
            submits += [e for e in entries if e["action"] == "submit"]
            after = entries[-1]["seq"]
        assert len(submits) >= len(acked)
        assert {a.request_id for a in acked} <= {e["request_id"] for e in submits}

    assert "audit log verified" in cli("audit", "verify", "--db", str(db))  # cli() asserts exit 0
