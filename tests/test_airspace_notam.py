"""ICAO NOTAMs: what we generate reads back to the same fields and formats to the same bytes
(hypothesis over generated reservations), the Q line's circle contains the area, real feeds'
defects are tolerated, what cannot be read is quarantined with its line, and the 48 shared
Norwegian NOTAMs are read and compared field by field with an independent parser from PyPI."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pyproj import Geod

from highnorth.formats.notam import format_notam, item_d_windows, parse_notams
from highnorth.workflow.notams import NM, area_spec, notam_for
from highnorth.workflow.reservations import parse_volume

from conftest import shared

UTC = dt.UTC
GEOD = Geod(ellps="WGS84")
FEED = "snowtam_repo_norway_notams_2018.txt"


# -- out and back ------------------------------------------------------------------------------


@st.composite
def reservations(draw):
    """A volume somewhere over northern Norway and its seas: a polygon, circle or corridor; a band
    in any reference; one window, several, or a daily schedule."""
    lon = draw(st.floats(5.0, 31.0))
    lat = draw(st.floats(62.0, 74.0))
    size = draw(st.floats(0.01, 0.8))
    kind = draw(st.sampled_from(["polygon", "circle", "corridor"]))
    if kind == "polygon":
        n = draw(st.integers(3, 8))
        angles = np.radians(
            10 * np.array(sorted(draw(st.lists(st.integers(0, 35), min_size=n, max_size=n, unique=True))))
        )
        ring = [[lon + size * np.cos(a) * 2, lat + size * np.sin(a)] for a in angles]
        shape = {"type": "polygon", "coordinates": [*ring, ring[0]]}
    elif kind == "circle":
        shape = {"type": "circle", "center": [lon, lat], "radius_m": draw(st.floats(200, 60_000))}
    else:
        track = [[lon + 0.3 * k, lat + draw(st.floats(-0.3, 0.3))] for k in range(draw(st.integers(2, 4)))]
        shape = {"type": "corridor", "track": track, "half_width_m": draw(st.floats(500, 20_000))}
    limits = draw(
        st.sampled_from(
            [
                ({"ref": "SFC"}, {"ref": "UNL"}),
                ({"ref": "SFC"}, {"ref": "FL", "value": 95}),
                ({"ref": "AMSL", "value": 152.4}, {"ref": "AMSL", "value": 3000.0}),
                ({"ref": "AGL", "value": 0}, {"ref": "AGL", "value": 500.0}),
                ({"ref": "FL", "value": 100}, {"ref": "FL", "value": 245}),
            ]
        )
    )
    start = dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(minutes=draw(st.integers(0, 365 * 24 * 60)))
    mode = draw(st.sampled_from(["one", "several", "schedule"]))
    spec = {"shape": shape, "lower": limits[0], "upper": limits[1]}
    if mode == "schedule":
        days = draw(
            st.lists(st.sampled_from(["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]), min_size=1, unique=True)
        )
        h0, h1 = draw(st.integers(0, 22)), draw(st.integers(1, 23))
        first = start.date()
        spec["schedule"] = {"from": first.isoformat(), "to": (first + dt.timedelta(days=13)).isoformat(),
                            "daily": f"{h0:02d}00-{h1:02d}30", "days": days}  # fmt: skip
    else:
        windows = []
        t = start.replace(second=0)
        for _ in range(1 if mode == "one" else draw(st.integers(2, 4))):
            end = t + dt.timedelta(minutes=draw(st.integers(1, 600)))
            windows.append({"start": t.isoformat(), "end": end.isoformat()})
            t = end + dt.timedelta(hours=draw(st.integers(1, 40)))
        spec["windows"] = windows
    return spec


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(reservations(), st.integers(1, 9999), st.sampled_from("AWBM"))
def test_what_we_generate_reads_back_the_same_and_formats_to_the_same_bytes(spec, number, series):
    volume = parse_volume(spec, "req-0123456789abcdef-v1")
    if volume.schedule is not None and not volume.windows:
        return
    made = notam_for(volume, series, number, 26, user="USA")
    text = format_notam(made)
    read = parse_notams(text)
    assert read.quarantine == []
    (back,) = read.notams
    assert back == made
    assert format_notam(back) == text
    # the Q line's circle (whole minutes, whole NM rounded up) contains the whole area
    lat0, lon0 = back.centre
    assert lat0 * 60 == pytest.approx(round(lat0 * 60)) and lon0 * 60 == pytest.approx(round(lon0 * 60))
    lon, lat = np.concatenate(
        [np.asarray(p.exterior.coords) for p in getattr(volume.footprint, "geoms", [volume.footprint])]
    ).T
    _, _, dist = GEOD.inv(np.full(len(lon), lon0), np.full(len(lat), lat0), lon, lat)
    assert dist.max() <= back.radius_nm * NM
    assert dist.max() > (back.radius_nm - 1) * NM - 200  # not larger than it needs (rounding and the margin)
    # lower down, upper up, to whole flight levels
    lo, hi = volume.amsl_band
    assert back.lower * 100 * 0.3048 <= max(lo, 0) + 1e-6
    assert hi == float("inf") or back.upper * 100 * 0.3048 >= hi - 1e-6
    # the area reads back from item E (coordinates to the second: within 31 m)
    area = area_spec(back)
    assert area is not None and area["shape"]["type"] == volume.shape["type"]
    again = parse_volume(area, "again")
    assert again.windows == volume.windows
    assert again.footprint.hausdorff_distance(volume.footprint) < 0.001


# -- in: real-world defects and the quarantine ------------------------------------------------

PADDED = """A1234/25 NOTAMN
Q) ENOR/QRTCA/IV/BO /W  /000/095/7000N02500E010
A) ENBO ENVA ENTC B) 2506010800 C) 2506301600 EST
D) MON-FRI 0800-1600
E) TEMPO RESTRICTED AREA 700000N 0250000E - 700000N 0260000E - 703000N 0260000E - 700000N 0250000E
F) SFC G) FL095
CREATED: 01 Jun 2025 07:00:00
SOURCE: EUECYIYN
"""


def test_real_world_defects_are_tolerated():
    (n,) = parse_notams(PADDED).notams
    assert (n.purpose, n.scope, n.locations, n.estimated) == ("BO", "W", ("ENBO", "ENVA", "ENTC"), True)
    assert n.upper_text == "FL095"  # the feed's CREATED/SOURCE lines are not part of item G
    area = area_spec(n)
    assert area["shape"]["coordinates"] == [[25.0, 70.0], [26.0, 70.0], [26.0, 70.5], [25.0, 70.0]]
    assert len(area["windows"]) == 21  # the weekdays of 2 to 30 June 2025, 08-16
    # no radius in the Q line and no coordinates in item E: no area (never a default circle)
    no_radius = PADDED.replace("7000N02500E010", "7000N02500E").replace(
        "TEMPO RESTRICTED AREA 700000N 0250000E - 700000N 0260000E - 703000N 0260000E - 700000N 0250000E",
        "TEMPO RESTRICTED AREA AROUND THE RANGE",
    )
    (n,) = parse_notams(no_radius).notams
    assert n.radius_nm is None and area_spec(n) is None
    # an item D that cannot be read: kept, the NOTAM taken as active from B to C, and said
    (n,) = parse_notams(PADDED.replace("MON-FRI 0800-1600", "SR-SS EXC HOL")).notams
    assert n.schedule == "SR-SS EXC HOL" and "taken as active from item B to item C" in n.warnings[0]
    assert [(w["start"], w["end"]) for w in area_spec(n)["windows"]] == [
        ("2025-06-01T08:00:00+00:00", "2025-06-30T16:00:00+00:00")
    ]


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        (
            "B) 2506010800",
            "item B: `2513010800` is not a valid date and time",
        ),
        ("Q) ENOR/QRTCA/IV/BO /W  /000/095/7000N02500E010", "Q line: expected 8 fields separated by `/`, got 7"),
        ("/000/095/", "Q line: the lower limit `095` is above the upper limit `000`"),
        ("C) 2506301600 EST", "item C: `2505301600 EST` is not after item B `2506010800`"),
        ("E) TEMPO", "no item E)"),
    ],
)
def test_what_cannot_be_read_is_quarantined_with_the_reason_and_the_line(broken, reason):
    bad = {
        "B) 2506010800": PADDED.replace("B) 2506010800", "B) 2513010800"),
        "Q) ENOR/QRTCA/IV/BO /W  /000/095/7000N02500E010": PADDED.replace("/W  /", "/"),
        "/000/095/": PADDED.replace("/000/095/", "/095/000/"),
        "C) 2506301600 EST": PADDED.replace("C) 2506301600", "C) 2505301600"),
        "E) TEMPO": PADDED.replace("E) TEMPO", "TEMPO"),
    }[broken]
    feed = PADDED + "\n" + bad + "\n" + PADDED.replace("A1234/25", "A1235/25")
    read = parse_notams(feed)
    assert [n.id for n in read.notams] == ["A1234/25", "A1235/25"]  # the others still read
    (q,) = read.quarantine
    assert q.reason.startswith(reason) and q.line == PADDED.count("\n") + 2 and q.text == "A1234/25 NOTAMN"


def test_item_d_forms():
    t = lambda d, h: dt.datetime(2025, 6, d, h, tzinfo=UTC)  # noqa: E731
    assert item_d_windows("H24", t(1, 0), t(2, 0)) == [(t(1, 0), t(2, 0))]
    assert item_d_windows("JUN 02 0800-1000, 04 0900-1100", t(1, 0), t(30, 0)) == [
        (t(2, 8), t(2, 10)),
        (t(4, 9), t(4, 11)),
    ]
    assert len(item_d_windows("SAT SUN 0000-2400", t(1, 0), t(15, 0))) == 4  # 1, 7, 8, 14 June
    with pytest.raises(ValueError, match="item D: `SR-SS` is not a schedule highnorth reads"):
        item_d_windows("SR-SS", t(1, 0), t(2, 0))


# -- the shared Norwegian NOTAMs ------------------------------------------------------------------


@pytest.mark.shared_data
def test_the_shared_norwegian_notams():
    read = parse_notams(shared("notam", FEED).read_text(encoding="utf-8"))
    # 44 NOTAMs parse fully; the 4 others are SNOWTAMs (runway state reports), quarantined
    assert len(read.notams) == 44 and len(read.notams) + len(read.quarantine) == 48
    assert [(q.line, q.reason) for q in read.quarantine] == [
        (line, "a SNOWTAM (runway state report), not a NOTAM") for line in (216, 299, 316, 429)
    ]
    areas = {n.id: area_spec(n) for n in read.notams if area_spec(n) is not None}
    assert list(areas) == ["A4321/18"]  # the one restricted area: a 2 NM circle at Sture, GND to 2000 ft
    spec = areas["A4321/18"]
    assert spec["shape"] == {"type": "circle", "center": [4 + 50 / 60, 60 + 38 / 60], "radius_m": 2 * NM}
    assert (spec["lower"], spec["upper"]) == ({"ref": "SFC"}, {"ref": "AMSL", "value": 609.6})
    daily = next(n for n in read.notams if n.schedule)
    assert daily.schedule == "DAILY 1930-0500" and not daily.warnings


def _unpad(block: str) -> str:
    return re.sub(r"^(Q\)\s*)(.*)$", lambda m: m[1] + "/".join(f.strip() for f in m[2].split("/")), block, flags=re.M)


def _unfeed(text: str | None) -> str | None:
    return None if text is None else " ".join(re.split(r"\s*CREATED:", text)[0].split())


@pytest.mark.shared_data
def test_field_by_field_against_an_independent_parser():
    """aviconv-notam (PyPI) as the oracle. The differences, each explained:

    - it refuses a Q line whose fields are padded with spaces (`I /NBO/A /`: all 44 here), so
      the padding is removed for it; that is the real-world defect highnorth tolerates;
    - it keeps the feed's `CREATED:` and `SOURCE:` lines in the last item (E or G); highnorth
      drops them (they are the feed's, not the NOTAM's), so they are cut before comparing;
    - it names the kinds NEW, REPLACE, CANCEL where ICAO and highnorth write N, R, C;
    - it does not read SNOWTAMs as NOTAMs either (they are not compared).
    """
    aviconv = pytest.importorskip("aviconv_notam.parser")
    text = shared("notam", FEED).read_text(encoding="utf-8")
    ours = {n.id: n for n in parse_notams(text).notams}
    blocks = [b for b in re.split(r"\n\s*\n", text.strip()) if re.match(r"[A-Z]\d{4}/\d{2} NOTAM", b)]
    assert len(blocks) == len(ours) == 44
    padded = 0
    kinds = {"NEW": "N", "REPLACE": "R", "CANCEL": "C"}
    for block in blocks:
        try:
            aviconv.parse(block)
        except Exception:
            padded += 1
        o = aviconv.parse(_unpad(block))
        n = ours[o.identifier]
        q = o.q_line
        kind = getattr(o.type, "value", o.type)
        assert (n.kind, n.replaces) == (kinds.get(kind, kind), o.replaces or o.cancels), n.id
        assert (n.fir, n.code, n.traffic, n.purpose, n.scope) == (
            q.fir, q.qcode, q.traffic.value, q.purpose.value, q.scope.value
        ), n.id  # fmt: skip
        assert (n.lower, n.upper, n.radius_nm) == (q.lower_fl, q.upper_fl, q.radius_nm), n.id
        assert n.centre == pytest.approx((q.centre_lat, q.centre_lon), abs=1e-9), n.id
        assert " ".join(n.locations) == f"{o.fir} {o.location}".strip(), n.id
        assert (n.start, n.end or "PERM", n.estimated) == (o.effective_from, o.effective_to, o.estimated_end), n.id
        assert " ".join(n.text.split()) == _unfeed(o.body), n.id
        assert (n.lower_text, n.upper_text) == (_unfeed(o.lower_limit), _unfeed(o.upper_limit)), n.id
    assert padded == 44
