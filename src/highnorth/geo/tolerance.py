"""The tolerances of the geometry stage (DESIGN.md §3.4), in one place for the exposures and the
kernels: 1 m horizontally, 1 s in time."""

from __future__ import annotations

__all__ = ["EPS", "TOL_M", "TOL_S", "TRIM_M"]

#: pieces shorter than this (in segment parameter) are no pieces
EPS = 1e-12
#: horizontal tolerance in metres: points this close to a zone's boundary are on it
TOL_M = 1.0
#: time tolerance in seconds
TOL_S = 1.0
#: a piece outside the polygon by more than this is the approach through the band, not chord
#: noise along the boundary (densified chords of one curve differ by at most 0.27 m)
TRIM_M = 0.4
