"""Process settings for screening large batches, applied by the entry points (`highnorth`, the
API's worker processes, the benchmarks), never on import.

`keep_freed_memory`: with glibc's default settings the memory a chunk of segments frees goes back
to the system (the heap is trimmed, large blocks are unmapped) and the next chunk faults it in
again: about 85,000 minor page faults per 10^6 segments on the project's machine, and W1 at
0.92–1.06 M segments/s instead of 1.13–1.22 M (docs/performance.md, `page_faults` in bench W1).
Setting both the mmap threshold and the trim threshold (either alone does not help) keeps the
freed memory in the heap for the next chunk. The trim threshold stays below the 64 MiB heap of a
thread's arena, so the API's worker threads still give memory back. An operator's own settings
(`MALLOC_*` variables, `GLIBC_TUNABLES`) are left as they are, and elsewhere than on glibc (musl,
macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os

__all__ = ["MMAP_THRESHOLD_BYTES", "TRIM_BYTES", "keep_freed_memory"]

#: allocations up to this size come from the heap, not from a mapping of their own
MMAP_THRESHOLD_BYTES = 32 * 2**20
#: free memory at the top of a heap beyond this goes back to the system
TRIM_BYTES = 32 * 2**20

_M_TRIM_THRESHOLD = -1  # mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3
_OPERATOR_SETTINGS = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES")


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for reuse; True when it took both settings (False
    when not on glibc, or when the environment already sets malloc's thresholds)."""
    if any(os.environ.get(name) for name in _OPERATOR_SETTINGS):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
