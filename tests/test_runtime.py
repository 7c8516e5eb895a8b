"""`keep_freed_memory` does what docs/performance.md says: freed arrays are reused, not faulted in
again (counted in page faults, not in time)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from highnorth.runtime import keep_freed_memory

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


def _faults(mode: str) -> int:
    out = subprocess.run([sys.executable, "-c", CHURN, mode], capture_output=True, text=True, check=True)
    return int(out.stdout.strip())


def test_freed_arrays_are_reused_instead_of_faulted_in_again():
    if not keep_freed_memory():
        pytest.skip("not glibc: malloc cannot be tuned here")
    plain, kept = _faults("plain"), _faults("keep")
    assert plain > 10_000  # 80 arrays of 8 MB: about 2,000 pages each when mapped afresh
    assert kept < plain / 10
