"""Tracks as activities the engine screens, and activities back as Activity GeoJSON features
(the file `highnorth check` reads: the replay's tracks can be checked one by one).

An ADS-B track is a `flight`, an AIS track a `naval_transit` at the surface (0 m). The actor
comes from the identity table (`identity.py`); the callsign or ship name is the unit.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import shapely

from ...model.activity import Activity
from ...model.actor import Actor
from ...model.time import format_time
from .identity import Identity
from .tracks import Track

__all__ = ["activity_feature", "track_activity"]


def track_activity(track: Track, who: Identity) -> Activity:
    """The activity a track is: its kind, actor, times and geometry."""
    times = track.times()
    flight = track.source == "adsb"
    if flight and track.alt_m is not None:
        geometry = shapely.linestrings(np.column_stack([track.lon, track.lat, track.alt_m]))
    else:  # a ship is at the surface: the band 0-0 m, not a third coordinate (one or the other)
        geometry = shapely.linestrings(np.column_stack([track.lon, track.lat]))
    return Activity(
        id=track.id,
        kind="flight" if flight else "naval_transit",
        actor=Actor(who.nation, who.service, track.callsign or None),
        start=times[0],
        end=times[-1],
        geometry=geometry,
        times=times,
        altitude=None if flight else (0.0, 0.0),
        name=f"{track.callsign or '?'} ({'ICAO' if flight else 'MMSI'} {track.ident})",
    )


def activity_feature(activity: Activity) -> dict[str, Any]:
    """One activity as an Activity GeoJSON v1 feature (tracks: coordinates and per-vertex times
    as written, so reading it back gives the same activity)."""
    coords = shapely.get_coordinates(activity.geometry, include_z=activity.geometry.has_z).tolist()
    props: dict[str, Any] = {
        "kind": activity.kind,
        "actor": {
            k: v
            for k, v in (
                ("nation", activity.actor.nation),
                ("service", activity.actor.service),
                ("unit", activity.actor.unit),
            )
            if v
        },
        "start": format_time(activity.start),
        "end": format_time(activity.end),
        "name": activity.name,
    }
    if activity.times is not None:
        props["times"] = [format_time(t) for t in activity.times]
    if activity.altitude is not None:
        props["altitude"] = {"lower_m": activity.altitude[0], "upper_m": activity.altitude[1]}
    if activity.attributes:
        props["attributes"] = dict(activity.attributes)
    gtype = activity.geometry.geom_type
    return {
        "type": "Feature",
        "id": activity.id,
        "geometry": {"type": gtype, "coordinates": coords},
        "properties": props,
    }
