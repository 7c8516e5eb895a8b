"""Hot reload across processes (issue 13): a real `highnorth serve --workers 2`; a release
proposed, approved and published with the CLI on the same database; each worker process switches
to it within seconds, without a restart, and says so on /health."""

from __future__ import annotations

import re
import subprocess
import time

import httpx
import pytest

from live_server import HIGHNORTH, free_port, server_env

from conftest import GRID_POLICY, write_policy


def _health(base: str) -> dict:
    with httpx.Client(timeout=5) as client:  # a new connection each time: any worker may answer
        return client.get(f"{base}/health").json()


def test_every_worker_reloads_a_published_release(tmp_path):
    running = write_policy(tmp_path / "running")
    proposed = write_policy(tmp_path / "proposed", policy=GRID_POLICY.replace("Grid test policy", "Grid, amended"))
    db = tmp_path / "workers.db"
    env = {**server_env(), "HIGHNORTH_POLICY": str(running), "HIGHNORTH_RELOAD_INTERVAL": "0.5"}

    def run(*args: str) -> str:
        proc = subprocess.run(
            [HIGHNORTH, *args, "--db", str(db)], capture_output=True, text=True, env=env, timeout=120, check=False
        )
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return proc.stdout

    run("users", "add", "ada", "--role", "admin")
    run("users", "add", "olga", "--role", "policy_owner")
    port = free_port()
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen(
        [HIGHNORTH, "serve", "--db", str(db), "--port", str(port), "--workers", "2"],
        stdout=log,
        stderr=subprocess.STDOUT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        pids: dict[int, dict] = {}
        deadline = time.monotonic() + 90
        while len(pids) < 2 and time.monotonic() < deadline:
            try:
                h = _health(base)
                pids[h["process"]] = h
            except httpx.HTTPError:
                time.sleep(0.3)
        if len(pids) < 2:
            pytest.fail("two workers did not answer:\n" + (tmp_path / "serve.log").read_text())
        before = {h["policy_hash"] for h in pids.values()}
        assert len(before) == 1 and all(h["release"] is None for h in pids.values())

        rid = re.search(r"proposed (rel-[0-9a-f]+)", run("policy", "propose", str(proposed), "--as", "ada")).group(1)
        run("policy", "approve", rid, "--as", "olga")
        published = time.monotonic()
        run("policy", "publish", rid, "--as", "olga")
        switched: dict[int, float] = {}
        while len(switched) < 2 and time.monotonic() < published + 60:
            h = _health(base)
            if h["release"] == rid and h["process"] in pids:
                switched.setdefault(h["process"], time.monotonic() - published)
                assert h["policy_hash"] not in before and h["reload_error"] is None
        assert len(switched) == 2, f"workers that switched: {switched}"
        print(f"reload seen per worker after publish returned: {switched}")
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
