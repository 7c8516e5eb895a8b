"""Exposures of activities: tracks in the working frame, the zone index, the geometry stage."""
