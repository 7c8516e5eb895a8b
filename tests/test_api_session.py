"""The README's curl session (scripts/api_session.sh) against a real server on a fresh SQLite
database: submission, referral, approval, a refused second approval, the audit log."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from live_server import HIGHNORTH, running_server, server_env

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_readme_session(tmp_path):
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    with running_server(tmp_path / "highnorth.db", tmp_path, "session", cwd=tmp_path) as server:
        env = {**server_env(), "BASE": server.base, "HN": HIGHNORTH, "PY": sys.executable}
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
    assert "interactive docs: http://127.0.0.1:" in server.log.read_text()  # where to go, printed at start
