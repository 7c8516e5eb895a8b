"""OpenAir reading: tiny hand-made files with exactly known answers, and AIP Norway (luftrom)."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

from highnorth.formats.openair import ARC_TOLERANCE_M, read_openair
from highnorth.formats.zones_geojson import read_zones_geojson
from highnorth.geo.zones.projection import GEOD, Frame
from highnorth.model.errors import FormatError
from highnorth.model.zone import FT, SFC, UNL, VerticalLimit

NM = 1852.0
DATA = Path(__file__).parents[1] / ".." / "shared" / "data"
CENTRE = "V X=69:00:00 N 020:00:00 E"
CENTRE_DP = "DP 69:00:00 N 020:00:00 E\n"
TRIANGLE = "DP 69:00 N 020:00 E\nDP 69:10 N 020:00 E\nDP 69:10 N 020:10 E\n"


def one(text: str, **kw):
    zones, warnings = read_openair(text, **kw)
    assert len(zones) == 1
    return zones[0], warnings


def ring(zone) -> np.ndarray:
    return np.asarray(zone.geometry.exterior.coords)[:-1]


def from_centre(points: np.ndarray, lon: float = 20.0, lat: float = 69.0):
    n = len(points)
    az, _, dist = GEOD.inv(np.full(n, lon), np.full(n, lat), points[:, 0], points[:, 1])
    return np.asarray(az), np.asarray(dist)


# --- arcs and circles: geodesic, with exactly known answers ---------------------------------


def test_circle_points_are_at_the_radius_and_its_area_is_pi_r_squared():
    zone, warnings = one(f"AC R\nAN Circle\nAL SFC\nAH UNL\n{CENTRE}\nDC 5\n")
    _, dist = from_centre(ring(zone))
    assert np.allclose(dist, 5 * NM, atol=1e-6)
    r_km = 5 * NM / 1000
    area = Frame(20.0, 69.0).area_km2(zone.geometry)
    # an inscribed polygon whose chords stray at most ARC_TOLERANCE_M from the circle
    assert area < math.pi * r_km**2
    assert area == pytest.approx(math.pi * r_km**2, rel=2 * ARC_TOLERANCE_M / (5 * NM))
    assert warnings == []


def test_da_arc_runs_clockwise_between_its_bearings_and_closes_on_the_centre():
    text = f"AC R\nAN Half\n{CENTRE}\nDP 69:00:00 N 020:00:00 E\nDA 10, 270, 90\n"
    zone, _ = one(text + "AL SFC\nAH UNL\n")
    pts = ring(zone)
    az, dist = from_centre(pts[1:])  # the first point is the centre itself
    assert az[0] == pytest.approx(-90, abs=1e-9) and az[-1] == pytest.approx(90, abs=1e-9)
    assert np.allclose(dist, 10 * NM, atol=1e-6)
    assert pts[1:, 1].max() > 69.16  # clockwise from west to east passes north
    r_km = 10 * NM / 1000
    assert Frame(20.0, 69.0).area_km2(zone.geometry) == pytest.approx(math.pi * r_km**2 / 2, rel=1e-3)


def test_counter_clockwise_da_arc_passes_south():
    text = f"AC R\nAN Half\nAL SFC\nAH UNL\n{CENTRE}\nV D=-\n{CENTRE_DP}DA 10, 270, 90\n"
    zone, _ = one(text)
    assert ring(zone)[1:, 1].min() < 68.84 and ring(zone)[1:, 1].max() <= 69.0 + 1e-9


def test_db_arc_starts_and_ends_exactly_at_its_points():
    text = f"AC R\nAN Dee\nAL SFC\nAH UNL\n{CENTRE}\nDB 69:10:00 N 020:00:00 E, 68:50:00 N 020:00:00 E\n"
    zone, _ = one(text)
    pts = ring(zone)
    assert tuple(pts[0]) == pytest.approx((20.0, 69 + 10 / 60), abs=1e-9)
    assert tuple(pts[-1]) == pytest.approx((20.0, 68 + 50 / 60), abs=1e-9)
    assert (pts[:, 0] >= 20.0).all()  # clockwise from north to south passes east
    _, dist = from_centre(pts)
    assert dist.min() >= min(dist[0], dist[-1]) - 1e-6
    assert dist.max() <= max(dist[0], dist[-1]) + 1e-6


def test_db_arc_with_ends_at_different_distances_is_warned():
    text = f"AC R\nAN Dee\nAL SFC\nAH UNL\n{CENTRE}\nDB 69:10:00 N 020:00:00 E, 68:45:00 N 020:00:00 E\n"
    zone, warnings = one(text)
    assert warnings == [
        "line 6: `DB`: zone `Dee`: the arc's ends are 10.039 and 15.058 NM from the centre; "
        "the radius changes linearly between them"
    ]
    _, dist = from_centre(ring(zone))
    assert dist.max() == pytest.approx(15.058 * NM, abs=1)


def test_direction_and_centre_reset_at_each_zone():
    text = f"AC R\nAN A\nAL SFC\nAH UNL\n{CENTRE}\nV D=-\nDC 1\nAC R\nAN B\nAL SFC\nAH UNL\nDA 1, 0, 90\n"
    with pytest.raises(FormatError, match=r"^line 12: `DA`: no centre for the arc; expected a `V X=`"):
        read_openair(text)


# --- records, limits, coordinates, ids -------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("SFC", SFC),
        ("GND", SFC),
        ("UNL", UNL),
        ("UNLIMITED", UNL),
        ("unl", UNL),
        ("1500 ft AMSL", VerticalLimit(1500 * FT, "AMSL")),
        ("1500ft MSL", VerticalLimit(1500 * FT, "AMSL")),
        ("1500 FT", VerticalLimit(1500 * FT, "AMSL")),
        ("1500", VerticalLimit(1500 * FT, "AMSL")),
        ("FL95", VerticalLimit(95, "FL")),
        ("FL 95", VerticalLimit(95, "FL")),
        ("FL095", VerticalLimit(95, "FL")),
        ("2000 ft AGL", VerticalLimit(2000 * FT, "AGL")),
        ("2000ft GND", VerticalLimit(2000 * FT, "AGL")),
        ("600 m AMSL", VerticalLimit(600, "AMSL")),
        ("600M MSL", VerticalLimit(600, "AMSL")),
        ("0 ft AGL", SFC),
        ("999999ft AMSL", UNL),
    ],
)
def test_vertical_limits(text, expected):
    zone, _ = one(f"AC D\nAN Z\nAL {text}\nAH {text}\n{TRIANGLE}")
    assert zone.lower.reference == expected.reference
    assert zone.lower.value == pytest.approx(expected.value, abs=1e-9)


@pytest.mark.parametrize(
    ("dp", "lon", "lat"),
    [
        ("69:43:30 N 029:53:15 E", 29.8875, 69.725),
        ("69:43:30N 029:53:15E", 29.8875, 69.725),
        ("69:43:30.0 N, 029:53:15.0 E", 29.8875, 69.725),
        ("69:43.5 N 029:53.25 E", 29.8875, 69.725),
        ("69.725 N 29.8875 E", 29.8875, 69.725),
        ("69:43:30 S 029:53:15 W", -29.8875, -69.725),
    ],
)
def test_coordinate_variants(dp, lon, lat):
    zone, _ = one(f"AC D\nAN Z\nAL SFC\nAH UNL\nDP {dp}\nDP 60:00 N 010:00 E\nDP 60:00 N 011:00 E\n")
    assert tuple(ring(zone)[0]) == pytest.approx((lon, lat), abs=1e-12)


def test_ids_tags_basis_source_and_repeated_names():
    square = "DP 69:00 N 020:00 E\nDP 69:10 N 020:00 E\nDP 69:10 N 020:10 E\n"
    text = "".join(
        f"AC {c}\nAN {n}\nAL SFC\nAH FL95\n{square}"
        for c, n in [
            ("R", "ENR 409 Barents 1"),
            ("Q", "Bodø TMA"),
            ("R", "bodø tma"),
            ("G", "Bodo TMA"),
        ]
    )
    zones, warnings = read_openair(text, source="AIP Norway")
    assert [z.id for z in zones] == ["enr-409-barents-1", "bodo-tma", "bodo-tma-2", "bodo-tma-3"]
    assert [sorted(z.tags) for z in zones] == [["class:R"], ["class:Q"], ["class:R"], ["class:G"]]
    assert {(z.basis, z.source) for z in zones} == {("official", "AIP Norway")}
    assert zones[1].name == "Bodø TMA" and str(zones[0].upper) == "FL95"
    assert warnings == []


def test_type_record_becomes_a_tag():
    zone, _ = one(f"AC Q\nAY TMZ\nAN Z\nAL SFC\nAH UNL\n{TRIANGLE}")
    assert zone.tags == frozenset({"class:Q", "type:TMZ"})


def test_comments_display_and_unknown_records_give_one_warning():
    text = (
        "* a comment\n**another\n\nAC R\nAN Z\nSP 0,1,0,0,255\nSB -1,-1,-1\nAT 69:05 N 020:05 E\n"
        "AL SFC\nAH UNL\nDY 69:00 N 020:00 E\nXX whatever\nXX again\nV Z=100\nV W=2\n"
        "DP 69:00 N 020:00 E\nDP 69:10 N 020:00 E\nDP 69:10 N 020:10 E\n"
    )
    _, warnings = one(text)
    assert warnings == [
        "skipped unknown OpenAir records: `DY` (1 line, first line 11), "
        "`V W` (1 line, first line 15), `XX` (2 lines, first line 12)"
    ]


def test_missing_limits_and_an_empty_band_are_warned():
    square = "DP 69:00 N 020:00 E\nDP 69:10 N 020:00 E\nDP 69:10 N 020:10 E\n"
    zones, warnings = read_openair(f"AC R\nAN A\n{square}AC R\nAN B\nAL 0ft AMSL\nAH 0ft AMSL\n{square}")
    assert (zones[0].lower, zones[0].upper) == (SFC, UNL)
    assert warnings == [
        "line 1: zone `A`: no `AL` record; taken as SFC",
        "line 1: zone `A`: no `AH` record; taken as UNL",
        "line 6: zone `B`: upper limit `0 m AMSL` is not above lower limit `0 m AMSL`; the zone has no height",
    ]


BOWTIE = (
    "AC R\nAN Bow Tie\nAL SFC\nAH UNL\n"
    "DP 69:00 N 020:00 E\nDP 69:10 N 020:10 E\nDP 69:10 N 020:00 E\nDP 69:00 N 020:10 E\n"
)


def test_invalid_ring_is_repaired_with_a_warning_or_rejected():
    zone, warnings = one(BOWTIE)
    assert zone.geometry.is_valid and zone.geometry.geom_type == "MultiPolygon"
    assert len(warnings) == 1 and warnings[0].startswith("line 1: zone `Bow Tie`: repaired invalid geometry (")
    with pytest.raises(
        FormatError,
        match=r"^line 1: zone `Bow Tie`: invalid geometry \(.*\); repair was not allowed$",
    ):
        read_openair(BOWTIE, repair_invalid=False)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "AC R\nAN Z\nDP 69:43:30 N\n",
            "line 3: `DP`: expected a coordinate like `69:43:30 N 029:53:15 E`, got `69:43:30 N`",
        ),
        (
            "AC R\nAN Z\nDP 029:53:15 E 69:43:30 N\n",
            "line 3: `DP`: expected latitude (N/S) then longitude (E/W) like "
            "`69:43:30 N 029:53:15 E`, "
            "got `029:53:15 E 69:43:30 N`",
        ),
        (
            "AC R\nAN Z\nDP 69:63:00 N 029:00:00 E\n",
            "line 3: `DP`: minutes and seconds must be below 60, got `69:63:00 N 029:00:00 E`",
        ),
        (
            "AC R\nAN Z\nDP 95:00:00 N 029:00:00 E\n",
            "line 3: `DP`: angle above 90 degrees in `95:00:00 N 029:00:00 E`",
        ),
        (
            "AC R\nAN Z\nAL high\n",
            "line 3: `AL`: expected an altitude like `SFC`, `FL95`, `1500ft AMSL`, `2000ft AGL`, "
            "`600 m AMSL` or `UNL`, got `high`",
        ),
        (
            f"AC R\nAN Z\n{CENTRE}\nDA 10, north, 90\n",
            "line 4: `DA`: expected radius in NM and two bearings like `5, 270, 90`, got `10, north, 90`",
        ),
        (
            f"AC R\nAN Z\n{CENTRE}\nDB 69:10:00 N 020:00:00 E\n",
            "line 4: `DB`: expected two points like `69:43:30 N 029:53:15 E`, "
            "separated by a comma, "
            "got `69:10:00 N 020:00:00 E`",
        ),
        (
            f"AC R\nAN Z\n{CENTRE}\nDC -1\n",
            "line 4: `DC`: expected a positive radius in NM, got `-1`",
        ),
        (f"AC R\nAN Z\n{CENTRE}\nV D=x\n", "line 4: `V`: expected `V D=+` or `V D=-`, got `V D=x`"),
        ("DP 69:00 N 020:00 E\n", "line 1: `DP`: expected `AC` or `AN` to start a zone first"),
        (
            "AC R\nAL SFC\nDP 69:00 N 020:00 E\n",
            "line 1: the zone has no name; expected an `AN` record",
        ),
        (
            "AC R\nAN Z\nDP 69:00 N 020:00 E\nDP 69:10 N 020:00 E\nAC R\n",
            "line 1: zone `Z`: expected at least 3 points (`DP`, `DA`, `DB`) or a `DC` circle, got 2",
        ),
        (
            f"AC R\nAN Z\n{CENTRE}\nDC 1\nDP 69:00 N 020:00 E\n",
            "line 5: `DP`: a zone with a `DC` circle cannot have other points",
        ),
    ],
)
def test_malformed_lines_name_the_line_and_what_was_expected(text, message):
    with pytest.raises(FormatError) as info:
        read_openair(text)
    assert str(info.value) == message
    assert not message.endswith(".") and message[0].islower()


# --- real data: AIP Norway as OpenAir and as GeoJSON (luftrom) --------------------------------

AIRSPACE = DATA / "airspace"


def _luftrom():
    if not (AIRSPACE / "luftrom.openair.ft.txt").is_file() or not (AIRSPACE / "luftrom.geojson").is_file():
        pytest.skip(f"shared airspace data not found in {AIRSPACE.resolve()}")
    text = (AIRSPACE / "luftrom.openair.ft.txt").read_text(encoding="utf-8")
    doc = json.loads((AIRSPACE / "luftrom.geojson").read_text(encoding="utf-8"))
    return text, doc


def _same_limit(a: VerticalLimit, b: VerticalLimit) -> bool:
    return a.metres == b.metres or abs(a.metres - b.metres) < 0.01


@pytest.mark.shared_data
def test_luftrom_openair_gives_the_zones_of_luftrom_geojson():
    text, doc = _luftrom()
    oa, oa_warnings = read_openair(text, source="luftrom.openair.ft.txt")
    gj, _ = read_zones_geojson(doc, source="luftrom.geojson")
    by_name = {z.name: z for z in gj}
    props = {f["properties"]["name"]: f["properties"] for f in doc["features"]}
    assert len(oa) == 503 and len(gj) == 494 and len(by_name) == 494

    matched = [z for z in oa if z.name in by_name]
    unmatched = [z for z in oa if z.name not in by_name]
    area_off, limits_off, tags_off, worst = [], [], [], 0.0
    for z in matched:
        g = by_name[z.name]
        frame = Frame.around(g.geometry)
        a, b = frame.area_km2(z.geometry), frame.area_km2(g.geometry)
        worst = max(worst, abs(a - b) / b)
        if abs(a - b) > 0.01 * b:
            area_off.append((z.name, a, b))
        if not (_same_limit(z.lower, g.lower) and _same_limit(z.upper, g.upper)):
            limits_off.append((z.name, f"{z.lower}–{z.upper}", f"{g.lower}–{g.upper}"))
        if z.tags != g.tags:
            tags_off.append((sorted(z.tags), sorted(g.tags)))
    print(
        f"\nluftrom: {len(matched)} of {len(oa)} OpenAir zones matched by name; "
        f"worst area difference {worst:.4%}; {len(limits_off)} with other limits"
    )
    for name, mine, theirs in limits_off:
        print(f"  limits differ: {name}: OpenAir {mine}, GeoJSON {theirs}")
    for z in unmatched:
        print(f"  only in OpenAir: {z.name} ({z.lower}–{z.upper})")

    assert len(matched) == 494 and area_off == []
    # The 9 OpenAir zones missing from the GeoJSON (Polaris CTA, 2, 7, 24–27, 29, 31) all start
    # higher than any GeoJSON zone: that export stops below ~FL140 (its highest lower limit is
    # 13500 ft), the OpenAir export does not.
    assert len(unmatched) == 9
    highest_lower = max(g.lower.metres for g in gj)
    assert all(z.lower.metres > highest_lower for z in unmatched)
    # 8 zones differ in their upper limit for a data reason: ENR109–116 Oslo/Romerike are
    # `notam_only` ("only active if NOTAM is sent ... check NOTAM for updated altitude limits",
    # xcontest.json); the AIP gives no fixed ceiling. The OpenAir export writes `AH 0ft AMSL`
    # (the reader warns that the zone has no height); the GeoJSON writes 0 ft but 99999 m, which
    # LUFTROM_MAPPING reads as unlimited.
    assert len(limits_off) == 8
    for name, _, theirs in limits_off:
        assert props[name]["notam_only"] == "true" and str(props[name]["to (ft amsl)"]) == "0"
        assert theirs.endswith("UNL")
        assert any(w.startswith("line ") and f"zone `{name}`: upper limit" in w for w in oa_warnings)
    # 11 air-sports areas: OpenAir has a fixed set of classes and the export writes them as `W`;
    # the GeoJSON keeps luftrom's own class `Luftsport`.
    assert tags_off == [(["class:W"], ["class:Luftsport"])] * 11


@pytest.mark.shared_data
def test_luftrom_invalid_rings_are_repaired_with_warnings_or_rejected():
    text, doc = _luftrom()
    for read, arg in ((read_openair, text), (read_zones_geojson, doc)):
        _, warnings = read(arg)
        repaired = sorted(w.split("`")[1] for w in warnings if "repaired invalid geometry" in w)
        assert repaired == ["END138 Starmoen D", "Hovden TIZ"]
        with pytest.raises(FormatError, match=r"`Hovden TIZ`\)?: invalid geometry .*repair was not allowed"):
            read(arg, repair_invalid=False)
