"""The README's curl session (scripts/api_session.sh) against a real server on a fresh SQLite
database: submission, referral, approval, a refused second approval, the audit log."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_session(tmp_path):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "highnorth"), "serve", "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
            time.sleep(0.2)
        env = {**os.environ, "BASE": f"http://127.0.0.1:{port}", "HN": str(BIN / "highnorth"), "PY": sys.executable}
        run = subprocess.run(
            ["bash", str(ROOT / "scripts" / "api_session.sh")], cwd=tmp_path, env=env, capture_output=True, text=True
        )
        assert run.returncode == 0, run.stdout + run.stderr
        lines = run.stdout.splitlines()
        assert "'referred', 'referred')]" in lines[2]
        assert lines[3].endswith("['fm2025-east-case-by-case'])]")
        assert lines[4] == "('approved', 2)"
        assert lines[5] == "cannot approve a request that is `approved`; approve applies to `referred` requests"
        assert lines[6].endswith("(5, 'us-liaison', 'submit'), (6, 'nor-approver', 'approve')]")
        assert lines[7] == "(True, 6)"
    finally:
        server.send_signal(signal.SIGINT)
        try:
            out, _ = server.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            out, _ = server.communicate()
    assert "interactive docs: http://127.0.0.1:" in out  # where to go, printed at start
