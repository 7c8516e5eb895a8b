"""A real `highnorth serve` process for the tests that need one (crash safety, the README session,
the browser): started on a free port, up once /health answers, always killed at the end."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

BIN = Path(sys.executable).parent
HIGHNORTH = str(BIN / "highnorth") if (BIN / "highnorth").exists() else "highnorth"
START_TIMEOUT_S = 90.0  # a cold zone cache makes the first start slow; generous on a busy machine
CLI_TIMEOUT_S = 120.0


def server_env() -> dict[str, str]:
    env = dict(os.environ)  # keeps conftest's HIGHNORTH_CACHE_DIR: warmed by the first CLI call
    env.pop("HIGHNORTH_DATABASE_URL", None)
    env["HIGHNORTH_NO_COLOR"] = "1"
    return env


def cli(*args: str) -> str:
    proc = subprocess.run(
        [HIGHNORTH, *args], capture_output=True, text=True, env=server_env(), timeout=CLI_TIMEOUT_S, check=False
    )
    assert proc.returncode == 0, f"highnorth {' '.join(args)} exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"
    return proc.stdout


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    proc: subprocess.Popen[bytes]
    base: str
    log: Path


@contextmanager
def running_server(db: Path, log_dir: Path, name: str, cwd: Path | None = None) -> Iterator[Server]:
    """`highnorth serve` on a free port, up once /health answers; always killed at the end."""
    procs: list[subprocess.Popen[bytes]] = []
    try:
        for attempt in range(3):  # the free port can be taken before the server binds it
            port = free_port()
            log = log_dir / f"{name}-{attempt}.log"
            with log.open("wb") as out:
                proc = subprocess.Popen(
                    [HIGHNORTH, "serve", "--db", str(db), "--port", str(port)],
                    stdout=out,
                    stderr=subprocess.STDOUT,
                    env=server_env(),
                    cwd=cwd,
                )
            procs.append(proc)
            base = f"http://127.0.0.1:{port}"
            if wait_healthy(proc, base):
                yield Server(proc, base, log)
                return
            text = log.read_text(errors="replace")
            if proc.poll() is None or "address already in use" not in text.lower():
                pytest.fail(f"`highnorth serve` did not become healthy at {base}:\n{text}")
        pytest.fail("`highnorth serve` found no free port in 3 attempts")
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
            proc.wait(timeout=30)


def wait_healthy(proc: subprocess.Popen[bytes], base: str) -> bool:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            if httpx.get(f"{base}/health", timeout=2.0).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False
