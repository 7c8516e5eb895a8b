"""Process settings for screening large batches, applied by the entry points (`highnorth`, the
API's worker processes, the benchmarks), never on import.

`keep_freed_memory`: glibc's malloc serves each large allocation (numpy's arrays of a chunk of
segments) with its own `mmap` and gives it back with `munmap` when it is freed, so the next chunk's
arrays fault in fresh pages: about 85,000 minor page faults per 10^6 segments, a fifth of the
geometry stage's time on the project's machine (docs/performance.md). Raising the mmap threshold to
glibc's maximum (32 MiB) and the trim threshold keeps freed memory in the heap for the next chunk.
The cost: up to TRIM_BYTES of freed memory stays with the process instead of going back to the
system. Elsewhere than on glibc (musl, macOS) nothing changes.
"""

from __future__ import annotations

import ctypes
import ctypes.util

__all__ = ["MMAP_THRESHOLD_BYTES", "TRIM_BYTES", "keep_freed_memory"]

#: allocations up to this size come from the heap (glibc accepts at most 32 MiB on 64-bit)
MMAP_THRESHOLD_BYTES = 32 * 2**20
#: free memory at the top of the heap beyond this is given back to the system
TRIM_BYTES = 256 * 2**20

_M_TRIM_THRESHOLD = -1  # mallopt parameters (malloc.h)
_M_MMAP_THRESHOLD = -3


def keep_freed_memory() -> bool:
    """Ask glibc's malloc to keep freed memory for reuse; True when it took both settings."""
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc
        return False
    mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)) and bool(mallopt(_M_TRIM_THRESHOLD, TRIM_BYTES))
