"""Make the High North replay example (examples/replay/): real ADS-B tracks moved over Finnmark,
and AIS NMEA with tag-block timestamps encoded with pyais.

How it is made (run it again to get the same bytes):

- `adsb-finnmark.json.gz`: the two ADS-B samples of the traffic library (MIT, OpenSky-derived;
  read from ../shared/data/trajectories/adsb/, not kept in this repository): the French Air
  Force tanker's racetrack (every 4th record) and the Vasaloppet TV-relay orbit (every 2nd).
  Each is moved so that the centre of its bounding box lies at a chosen place in Finnmark (shape kept:
  east-west offsets scaled by the cosine of the latitudes; the tanker's mirrored east-west so
  that its racetrack lies north of Finnmark and its transit leg crosses it), its times moved to a chosen day
  around the 22 May 2025 amendment, and given a military identity from the packaged identity
  table: a US Air Force `RCH` callsign with an address in the US military range, a German Air
  Force `GAF` one, and a British `RRR` one. Null positions and the altitudes stay as recorded.
- `ais-finnmark.nmea`: synthetic naval tracks (waypoints along the coast, a position every
  2 minutes at a constant speed), encoded with pyais as type 1 position reports and type 5
  static reports (two sentences each, ship type 35 = military), each line with a tag block
  `\\s:highnorth-example,c:UNIX*hh\\`: a US destroyer (MMSI MID 338) to Kirkenes, a British
  frigate (MID 232) along the coast of West Finnmark, a Russian warship (MID 273) off Vardø, and
  a Norwegian fishing vessel (MID 257, type 30) that `--traffic state` leaves out. Three bad
  lines are mixed in on purpose (a corrupt checksum, a truncated sentence, a fragment without
  its start): the replay counts them and names their lines.

    python scripts/make_replay_example.py [--shared ../shared/data]
"""

from __future__ import annotations

import argparse
import datetime as dt
import gzip
import itertools
import json
import math
from pathlib import Path

from pyais.encode import encode_dict
from pyais.messages import TagBlock

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "examples" / "replay"

# (source file, every nth record, new centre lon/lat, new start UTC, icao24, callsign, mirrored east-west)
FLIGHTS = [
    ("military_inflight_refuelling.json.gz", 4, (23.6, 70.4), "2025-05-21T08:00:00Z", "ae1f42", "RCH417", True),
    ("military_inflight_refuelling.json.gz", 4, (24.6, 70.2), "2025-05-23T08:00:00Z", "ae1f43", "RCH418", True),
    ("tv_relay_vasaloppet.json.gz", 2, (28.6, 70.15), "2025-05-23T12:00:00Z", "3f7a21", "GAF683", False),
    ("tv_relay_vasaloppet.json.gz", 2, (21.0, 69.9), "2025-05-21T12:00:00Z", "43c5e1", "RRR7721", False),
]

# (MMSI, ship type, name, start UTC, speed kn, waypoints lon/lat)
SHIPS = [
    (
        338234000,
        35,
        "USS EXAMPLE",
        "2025-05-23T04:00:00Z",
        14,
        [(33.5, 71.0), (31.3, 70.45), (30.3, 69.85), (30.05, 69.74)],
    ),
    (
        232002900,
        35,
        "HMS EXAMPLE",
        "2025-05-21T06:00:00Z",
        16,
        [(19.0, 70.6), (21.0, 70.9), (23.0, 71.1), (25.5, 71.25)],
    ),
    (
        273311000,
        35,
        "RFS EXAMPLE",
        "2025-05-22T10:00:00Z",
        12,
        [(33.0, 70.9), (31.6, 70.55), (31.4, 70.2), (32.5, 69.95)],
    ),
    (257555000, 30, "FISKEBAAT", "2025-05-22T03:00:00Z", 9, [(29.0, 70.5), (30.5, 70.3), (31.0, 70.37)]),
]


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def flights(shared: Path) -> list[dict]:
    records: list[dict] = []
    for name, nth, (lon1, lat1), start, icao, callsign, mirror in FLIGHTS:
        rows = json.loads(gzip.decompress((shared / "trajectories" / "adsb" / name).read_bytes()))[::nth]
        placed = [r for r in rows if r.get("latitude") is not None]
        lon0 = (min(r["longitude"] for r in placed) + max(r["longitude"] for r in placed)) / 2
        lat0 = (min(r["latitude"] for r in placed) + max(r["latitude"] for r in placed)) / 2
        t0 = rows[0]["timestamp"]
        scale = math.cos(math.radians(lat0)) / math.cos(math.radians(lat1)) * (-1 if mirror else 1)
        shift = _utc(start).timestamp() * 1000 - t0
        for r in rows:
            moved = r.get("latitude") is not None
            records.append(
                {
                    "timestamp": int(r["timestamp"] + shift),
                    "icao24": icao,
                    "callsign": callsign,
                    "latitude": round(lat1 + (r["latitude"] - lat0), 6) if moved else None,
                    "longitude": round(lon1 + (r["longitude"] - lon0) * scale, 6) if moved else None,
                    "altitude": r.get("altitude"),
                }
            )
    return records


def _distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    dlat = math.radians(b[1] - a[1])
    dlon = math.radians(b[0] - a[0]) * math.cos(math.radians((a[1] + b[1]) / 2))
    return 6_371_000 * math.hypot(dlat, dlon)


def _line(t: dt.datetime, sentence: str) -> str:
    tb = TagBlock.create(source_station="highnorth-example", receiver_timestamp=int(t.timestamp())).decode()
    return f"\\{tb}\\{sentence}"


def ships() -> list[str]:
    lines: list[tuple[dt.datetime, str]] = []
    for seq, (mmsi, ship_type, name, start, knots, points) in enumerate(SHIPS):
        t = _utc(start)
        static = encode_dict(
            {"type": 5, "mmsi": mmsi, "shipname": name, "ship_type": ship_type, "callsign": "X"},
            talker_id="AI",
            sentence_type="VDM",
            seq_id=seq % 10,
        )
        lines += [(t, _line(t, s)) for s in static]
        speed = knots * 1852 / 3600
        for a, b in itertools.pairwise(points):
            steps = max(1, int(_distance_m(a, b) / (speed * 120)))
            for i in range(steps):
                f = i / steps
                lon, lat = a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f
                msg = encode_dict(
                    {"type": 1, "mmsi": mmsi, "lon": round(lon, 5), "lat": round(lat, 5), "speed": knots},
                    talker_id="AI",
                    sentence_type="VDM",
                )
                lines.append((t, _line(t, msg[0])))
                t += dt.timedelta(seconds=120)
        msg = encode_dict(
            {"type": 1, "mmsi": mmsi, "lon": points[-1][0], "lat": points[-1][1], "speed": 0},
            talker_id="AI",
            sentence_type="VDM",
        )
        lines.append((t, _line(t, msg[0])))
    lines.sort(key=lambda x: x[0])
    text = [line for _, line in lines]
    # bad input on purpose: a corrupt checksum, a sentence cut short, a fragment without its start
    text.insert(10, text[10][:-2] + "00")
    text.insert(20, text[20][: len(text[20]) // 2])
    text.insert(30, "!AIVDM,2,2,7,A,00000000000,2*23")
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared" / "data")
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    data = json.dumps(flights(args.shared), separators=(",", ":")).encode()
    (OUT / "adsb-finnmark.json.gz").write_bytes(gzip.compress(data, mtime=0))
    (OUT / "ais-finnmark.nmea").write_text("\n".join(ships()) + "\n", encoding="ascii")
    for f in sorted(OUT.glob("*finnmark*")):
        print(f"{f.relative_to(ROOT)}: {f.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
