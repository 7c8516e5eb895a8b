"""The track kernels: the intervals many tracks spend in zones, behind one interface.

- base.py: the `Kernel` interface, the shared data (`Segments`, `Pieces`, `Intervals`) and the
  merge semantics;
- exact.py: the exact pieces of candidate (segment, zone) pairs, which both kernels compute;
- edges.py: segments against zone edges with numpy (crossings, the tolerance band, distances);
- reference.py: `ReferenceKernel`, STRtree candidates, every one exact;
- fast.py and grid.py: `FastKernel`, a grid over the zones and the compiled loops of compiled/.

Importing this package does not load numba (the fast kernel imports its loops on first use).
"""

from .base import Intervals, Kernel, Pieces, Segments
from .fast import FastKernel
from .reference import ReferenceKernel

__all__ = ["FastKernel", "Intervals", "Kernel", "Pieces", "ReferenceKernel", "Segments"]
