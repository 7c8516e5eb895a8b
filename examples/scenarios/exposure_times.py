"""Recompute the exact exposure times of the golden scenarios, independently of highnorth.

Only pyproj's Geod (WGS84) is used. The model is the one DESIGN.md §3-§4 states: the edge between
two vertices is the geodesic; with per-vertex `times` the time is linear in geodesic distance
along each edge, without them the activity moves at constant speed over [start, end] along the
whole geodesic length. A boundary crossing is found by bisection on the distance along the edge
(to 0.1 µm), for boundaries whose position is known without the dataset's coastlines:

- a meridian (the 24°E and 27°E half-planes; the 27.01°E edge of the assumed eastern parts),
- a parallel (the 76°N bound of `surveillance-limit-27`),
- a geodesic circle (a site of sites.yaml).

    python examples/scenarios/exposure_times.py      # prints each time next to expected.yaml's

Exit status 1 when any expected time differs by more than 1 ms.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from pathlib import Path

import yaml
from pyproj import Geod

GEOD = Geod(ellps="WGS84")
HERE = Path(__file__).resolve().parent
ENNA = (24.9739, 70.0667)  # Lakselv/Banak, the centre of zone `lakselv-banak` (radius 5,000 m)

# (scenario, activity, zone) -> (how the entry is found, how the exit is found)
# "start"/"end": the activity's start/end; ("meridian", lon, k): the k-th crossing of that meridian;
# ("parallel", lat, k); ("circle", lon, lat, radius_m, k)
SPECS = {
    ("01-flight-east-24-before-2025", "mv22-banak-2024", "finnmark-east-24"): (("meridian", 24.0, 0), "end"),
    ("02-flight-east-24-after-2025", "mv22-banak-2025", "finnmark-east-24"): (("meridian", 24.0, 0), "end"),
    ("03-flight-eastern-finnmark-case-by-case", "c130-vardo-2025", "finnmark-east-parts"): (
        ("meridian", 27.01, 0),
        "end",
    ),
    ("03-flight-eastern-finnmark-case-by-case", "c130-vardo-2025", "finnmark-east-24"): ("start", "end"),
    ("03-flight-eastern-finnmark-case-by-case", "c130-vardo-2024", "finnmark-east-parts"): (
        ("meridian", 27.01, 0),
        "end",
    ),
    ("04-flight-crossing-24e-at-the-amendment", "mv22-crosses-before-midnight", "finnmark-east-24"): (
        ("meridian", 24.0, 0),
        "end",
    ),
    ("04-flight-crossing-24e-at-the-amendment", "mv22-crosses-after-midnight", "finnmark-east-24"): (
        ("meridian", 24.0, 0),
        "end",
    ),
    ("05-activities-spanning-the-amendment", "airspace-banak", "finnmark-east-24"): ("start", "end"),
    ("06-convoy-crossing-24e-at-the-amendment", "convoy-crosses-before", "finnmark-east-24"): (
        ("meridian", 24.0, 0),
        "end",
    ),
    ("06-convoy-crossing-24e-at-the-amendment", "convoy-crosses-after", "finnmark-east-24"): (
        ("meridian", 24.0, 0),
        "end",
    ),
    ("09-surveillance-us-before-feb-2022", "rc135-2021", "surveillance-limit-27"): (
        ("meridian", 27.0, 0),
        ("meridian", 27.0, 1),
    ),
    ("10-surveillance-us-after-feb-2022", "rc135-2023", "surveillance-limit-27"): (
        ("meridian", 27.0, 0),
        ("meridian", 27.0, 1),
    ),
    ("11-surveillance-us-across-24-feb-2022", "rc135-24-feb-2022", "surveillance-limit-27"): (
        ("meridian", 27.0, 0),
        ("meridian", 27.0, 1),
    ),
    ("12-surveillance-germany-after-2022", "p8-germany-2024", "surveillance-limit-27"): (
        ("meridian", 27.0, 0),
        ("meridian", 27.0, 1),
    ),
    ("13-surveillance-uk-racetrack-76n", "p8-uk-racetrack", "surveillance-limit-27"): (
        ("parallel", 76.0, 0),
        ("parallel", 76.0, 1),
    ),
    ("15-host-flight-over-banak", "nor-f35-banak", "lakselv-banak"): (
        ("circle", *ENNA, 5000.0, 0),
        ("circle", *ENNA, 5000.0, 1),
    ),
    ("15-host-flight-over-banak", "nor-f35-banak", "finnmark-east-24"): ("start", "end"),
}


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(dt.UTC)


def fmt(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def vertex_times(pts, props) -> list[dt.datetime]:
    if props.get("times"):
        return [parse(t) for t in props["times"]]
    lengths = [GEOD.inv(a[0], a[1], b[0], b[1])[2] for a, b in itertools.pairwise(pts)]
    start, end = parse(props["start"]), parse(props["end"])
    out, run = [start], 0.0
    for length in lengths:
        run += length
        out.append(start + (end - start) * (run / sum(lengths)))
    return out


def side(spec):
    """A function that changes sign on the boundary."""
    match spec[0]:
        case "meridian":
            return lambda lon, lat: lon - spec[1]
        case "parallel":
            return lambda lon, lat: lat - spec[1]
        case "circle":
            return lambda lon, lat: GEOD.inv(spec[1], spec[2], lon, lat)[2] - spec[3]
    raise ValueError(spec)


def crossings(pts, times, f, samples: int = 2000) -> list[dt.datetime]:
    """Every crossing time of the track with the boundary f = 0, in order."""
    out = []
    for i, (a, b) in enumerate(itertools.pairwise(pts)):
        az, _, length = GEOD.inv(a[0], a[1], b[0], b[1])

        def at(s, a=a, az=az):
            lon, lat, _ = GEOD.fwd(a[0], a[1], az, s)
            return f(lon, lat)

        lo_s, lo_v = 0.0, at(0.0)
        for k in range(1, samples + 1):
            hi_s = length * k / samples
            hi_v = at(hi_s)
            if (hi_v > 0) != (lo_v > 0):
                lo, hi, flo = lo_s, hi_s, lo_v
                while hi - lo > 1e-7:
                    mid = (lo + hi) / 2
                    fm = at(mid)
                    if (fm > 0) == (flo > 0):
                        lo, flo = mid, fm
                    else:
                        hi = mid
                out.append(times[i] + (times[i + 1] - times[i]) * (((lo + hi) / 2) / length))
            lo_s, lo_v = hi_s, hi_v
    return out


def resolve(spec, pts, props, times) -> dt.datetime:
    if spec == "start":
        return parse(props["start"])
    if spec == "end":
        return parse(props["end"])
    return crossings(pts, times, side(spec))[spec[-1]]


def main() -> int:
    bad = 0
    for (scenario, activity, zone), (enter_spec, exit_spec) in SPECS.items():
        folder = HERE / scenario
        doc = json.loads((folder / "activities.geojson").read_text(encoding="utf-8"))
        feature = next(f for f in doc["features"] if f["id"] == activity)
        props = feature["properties"]
        geom = feature["geometry"]
        pts = [tuple(c[:2]) for c in geom["coordinates"]] if geom["type"] == "LineString" else []
        times = vertex_times(pts, props) if pts else []
        enter = resolve(enter_spec, pts, props, times)
        leave = resolve(exit_spec, pts, props, times)
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8"))
        want = next(e for e in expected["decisions"][activity]["exposures"] if e["zone"] == zone)
        diffs = [abs((got - parse(str(want[key]))).total_seconds()) for key, got in (("enter", enter), ("exit", leave))]
        flag = "ok" if max(diffs) <= 0.001 else "DIFFERS"
        bad += flag != "ok"
        print(
            f"{flag:7} {scenario} {activity} {zone}: {fmt(enter)} .. {fmt(leave)}"
            f" (expected.yaml {want['enter']} .. {want['exit']})"
        )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
