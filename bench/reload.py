"""The reload time of each server process when a policy release is published:
`python bench/reload.py [--workers 2]`.

`highnorth serve --workers N` on 127.0.0.1 with a fresh SQLite database and the default dataset;
a release (the default dataset with another title: another hash, the same zones, as a rule
change is) proposed, approved and published with the CLI (`--no-wait`); then /health polled over
new connections until every worker reports the release. One line:

    RELOAD workers=N publish_cli_s=... seen_after_s=[...] load_s=[...] startup_load_s=[...]

`load_s` is each process's own time to load the release (unpack, load with derived zones from the
zone cache the processes share, warm the screener: `policy_load_seconds` on /health);
`seen_after_s` is when /health first showed it, counted from the publish command's return (the
processes poll once a second, and start loading while the command is still finishing);
`startup_load_s` is each process's load of the folder at start, the baseline.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from highnorth.service.config import default_policy_dir

BIN = Path(sys.executable).parent
HIGHNORTH = str(BIN / "highnorth") if (BIN / "highnorth").exists() else "highnorth"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args()
    env = {k: v for k, v in os.environ.items() if k not in ("HIGHNORTH_POLICY", "HIGHNORTH_DATABASE_URL")}
    with tempfile.TemporaryDirectory(prefix="highnorth-bench-reload-") as tmp:
        db, release = Path(tmp) / "reload.db", Path(tmp) / "release"
        shutil.copytree(default_policy_dir(), release)
        text = (release / "policy.yaml").read_text()
        (release / "policy.yaml").write_text(text.replace("\ntitle: ", "\ntitle: (amended) ", 1))

        def run(*argv: str) -> str:
            proc = subprocess.run(
                [HIGHNORTH, *argv, "--db", str(db)], capture_output=True, text=True, env=env, check=True
            )
            return proc.stdout

        run("users", "add", "ada", "--role", "admin")
        run("users", "add", "olga", "--role", "policy_owner")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        serve = [HIGHNORTH, "serve", "--db", str(db), "--port", str(port), "--workers", str(args.workers)]
        server = subprocess.Popen(serve, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
        try:
            start: dict[int, float] = {}
            deadline = time.monotonic() + 180
            while len(start) < args.workers and time.monotonic() < deadline:
                try:
                    h = httpx.get(f"{base}/health", timeout=5).json()
                    start[h["process"]] = h["policy_load_seconds"]
                except httpx.HTTPError:
                    time.sleep(0.5)
            rid = re.search(r"proposed (rel-\w+)", run("policy", "propose", str(release), "--as", "ada")).group(1)
            run("policy", "approve", rid, "--as", "olga")
            began = time.monotonic()
            run("policy", "publish", rid, "--as", "olga", "--no-wait")
            returned = time.monotonic()
            seen: dict[int, tuple[float, float]] = {}
            while len(seen) < len(start) and time.monotonic() < returned + 120:
                h = httpx.get(f"{base}/health", timeout=5).json()
                if h["release"] == rid and h["process"] not in seen:
                    seen[h["process"]] = (round(time.monotonic() - returned, 2), h["policy_load_seconds"])
            print(
                f"RELOAD workers={args.workers} publish_cli_s={returned - began:.2f} "
                f"seen_after_s={[v[0] for v in seen.values()]} load_s={[v[1] for v in seen.values()]} "
                f"startup_load_s={list(start.values())}"
            )
        finally:
            server.terminate()
            server.wait(timeout=60)


if __name__ == "__main__":
    main()
