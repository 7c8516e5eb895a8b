"""`keep_freed_memory` does what docs/performance.md says: freed arrays are reused, not faulted in
again (counted in page faults, not in time); the entry points apply it."""

from __future__ import annotations

import os
import platform
import subprocess
import sys

import pytest

import highnorth.api.main as api_main
import highnorth.cli.app as cli_app

GLIBC = platform.libc_ver()[0] == "glibc"

CHURN = """
import resource, sys
import numpy as np
from highnorth.runtime import keep_freed_memory
if sys.argv[1] == "keep":
    assert keep_freed_memory()
np.ones(1_000_000).sum()  # warm up numpy
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(40):  # what chunked screening does: allocate, fill, free arrays of a few MB
    a = np.ones(1_000_000)
    b = a * 2.0
    del a, b
print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)
"""


def _faults(mode: str, **env: str) -> int:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("MALLOC_", "GLIBC_TUNABLES"))}
    out = subprocess.run(
        [sys.executable, "-c", CHURN, mode], capture_output=True, text=True, check=True, env=clean | env
    )
    return int(out.stdout.strip())


@pytest.mark.skipif(not GLIBC, reason="not glibc: malloc cannot be tuned here")
def test_freed_arrays_are_reused_instead_of_faulted_in_again():
    plain, kept = _faults("plain"), _faults("keep")
    assert plain > 10_000  # 80 arrays of 8 MB: about 2,000 pages each when mapped afresh
    assert kept < plain / 10


@pytest.mark.skipif(not GLIBC, reason="not glibc: malloc cannot be tuned here")
def test_an_operators_malloc_settings_are_left_alone():
    with pytest.raises(subprocess.CalledProcessError):  # keep_freed_memory() declines: the assert fails
        _faults("keep", MALLOC_TRIM_THRESHOLD_="1000000")


def test_the_entry_points_apply_it(monkeypatch):
    calls = []
    monkeypatch.setattr(cli_app, "keep_freed_memory", lambda: calls.append("cli") or True)
    monkeypatch.setattr(api_main, "keep_freed_memory", lambda: calls.append("api") or True)
    monkeypatch.setattr(api_main, "create_app", lambda config: "app")
    monkeypatch.setattr(api_main, "worker_settings", lambda: None)
    assert cli_app.main(["--help"]) == 0
    assert api_main.app_from_env() == "app"
    assert calls == ["cli", "api"]
