"""Zone files of a policy: inline or file geometry, the geometry algebra, repair, validity."""

from __future__ import annotations

import hashlib
import json
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ...geo import zones as geo_zones
from ...geo.zones.algebra import AlgebraError, evaluate
from ...geo.zones.projection import Frame
from ...geo.zones.repair import as_area, check_lonlat, repair
from ...model.errors import GeometryError, PolicyDataError, Problem, did_you_mean
from ...model.zone import Zone
from . import schema
from .datafile import parse_model, read_validity, short
from .yamlio import LinedDict, where
from .zonecache import cache_key, read_entry, write_entry
from .zonefile import zone_of

#: the source of the modules that derive zone geometry: a change to any of them misses the cache
_DERIVING_CODE = (*sorted(Path(str(geo_zones.__file__)).parent.glob("*.py")), Path(__file__))

__all__ = ["ZoneSetReader"]


def _shape(raw: Any, where_: str) -> BaseGeometry:
    """A shapely geometry from GeoJSON, or a PolicyDataError saying where and why not."""
    try:
        if not isinstance(raw, Mapping):
            raise ValueError(f"expected a GeoJSON geometry object, got `{short(raw)}`")
        with warnings.catch_warnings():  # NaN coordinates are reported by check_lonlat instead
            warnings.simplefilter("ignore", RuntimeWarning)
            return shape(raw)
    except Exception as exc:  # shapely and its GeoJSON reader raise several types for bad input
        raise PolicyDataError([Problem(where_, "", f"not a valid GeoJSON geometry: {exc}")]) from None


class ZoneSetReader:
    """The zone half of the policy loader (a mixin: `_Loader` provides root, read, label,
    problems, warnings, raw, file_hashes, tz and repair_invalid)."""

    root: Path
    repair_invalid: bool
    warnings: list[str]
    problems: list[Problem]
    raw: dict[str, Any]
    file_hashes: dict[str, str]
    tz: str
    cache_dir: Path | None

    def read(self, rel: str) -> Any:  # provided by the loader
        raise NotImplementedError

    def inside(self, base: Path, rel: str, label: str) -> Path:  # provided by the loader
        raise NotImplementedError

    def label(self, path: Path) -> str:  # provided by the loader
        raise NotImplementedError

    def zones(self, spec: schema.PolicyFile) -> dict[str, Zone]:
        specs: dict[str, tuple[schema.ZoneSpec, LinedDict, str, Path]] = {}
        all_raw = []
        for rel in spec.zones:
            data = self.read(rel)
            all_raw.append(data)
            label = self.label(self.root / rel)
            parsed: schema.ZonesFile = parse_model(schema.ZonesFile, data, label)
            for i, z in enumerate(parsed.zones):
                node = data["zones"][i]
                if z.id in specs:
                    self.problems.append(Problem(where(node, "id", label), f"zone `{z.id}`", "is defined twice"))
                specs[z.id] = (z, node, label, (self.root / rel).parent)
        self.raw["__zones__"] = all_raw
        if spec.frame is not None:
            frame = Frame(spec.frame.lon0, spec.frame.lat0)
        else:
            w, s, e, n = spec.extent
            frame = Frame(round((w + e) / 2, 2), round((s + n) / 2, 2))
        self.frame = frame
        extent = spec.extent
        done: dict[str, BaseGeometry] = {}
        key = cache_key(self.root, self.repair_invalid, _DERIVING_CODE) if self.cache_dir is not None else None
        cached = read_entry(self.cache_dir, key) if self.cache_dir is not None and key else None
        if cached is not None:
            done = {zid: shapely.from_wkb(wkb) for zid, wkb in cached["geoms"].items()}
            self.file_hashes.update(cached["file_hashes"])
            self.warnings.extend(cached["warnings"])
        visiting: list[str] = []

        def build(zid: str, ref_loc: str) -> BaseGeometry:
            if zid in done:
                return done[zid]
            if zid not in specs:
                raise PolicyDataError([Problem(ref_loc, "", f"zone `{zid}` is not defined{did_you_mean(zid, specs)}")])
            if zid in visiting:
                cycle = " -> ".join([*visiting[visiting.index(zid) :], zid])
                raise PolicyDataError([Problem(ref_loc, "", f"zones derive from each other in a cycle: {cycle}")])
            visiting.append(zid)
            z, node, label, base = specs[zid]
            loc = where(node, "derive" if z.derive is not None else "geometry", label)
            try:
                if (z.geometry is None) == (z.derive is None):
                    raise PolicyDataError(
                        [
                            Problem(
                                where(node, None, label),
                                f"zone `{zid}`",
                                "expected exactly one of `geometry` and `derive`",
                            )
                        ]
                    )
                if z.derive is not None:
                    geom = evaluate(z.derive, frame, extent, lambda other: build(other, loc))
                else:
                    geom = frame.to_frame(self.geometry(z, base, loc))
            except AlgebraError as exc:
                raise PolicyDataError([Problem(loc, f"zone `{zid}`: `derive`", str(exc))]) from None
            finally:
                visiting.pop()
            geom = as_area(shapely.make_valid(geom)) if not geom.is_valid else geom
            done[zid] = geom
            return geom

        zones: dict[str, Zone] = {}
        for zid, (z, node, label, _) in specs.items():
            try:
                geom = build(zid, where(node, "id", label))
            except PolicyDataError as exc:
                self.problems.extend(p for p in exc.problems if p not in self.problems)
                continue
            if geom.is_empty:
                self.problems.append(Problem(where(node, "id", label), f"zone `{zid}`", "is empty"))
                continue
            try:
                validity = read_validity(z.valid, self.tz, where(node, "valid", label))
            except PolicyDataError as exc:
                self.problems.extend(exc.problems)
                continue
            zones[zid] = zone_of(z, frame.to_lonlat(geom), validity)
        self.zone_specs = specs
        if self.cache_dir is not None and key and cached is None and not self.problems:
            write_entry(
                self.cache_dir,
                key,
                {
                    "geoms": {zid: shapely.to_wkb(g) for zid, g in done.items()},
                    "file_hashes": dict(self.file_hashes),
                    "warnings": list(self.warnings),
                },
            )
        return zones

    def geometry(self, z: schema.ZoneSpec, base: Path, loc: str) -> BaseGeometry:
        g = z.geometry or {}
        what = f"zone `{z.id}`"
        if "file" in g:
            path = self.inside(base, str(g["file"]), loc)
            try:
                raw = path.read_bytes()
            except OSError:
                raise PolicyDataError([Problem(loc, what, f"geometry file `{g['file']}` cannot be read")]) from None
            self.file_hashes[str(g["file"])] = hashlib.sha256(raw).hexdigest()
            try:
                doc = json.loads(raw)
            except json.JSONDecodeError as exc:
                raise PolicyDataError([Problem(f"{path}:{exc.lineno}", what, f"not JSON: {exc.msg}")]) from None
            select = g.get("select", {})
            if not isinstance(doc, dict) or not isinstance(select, Mapping):
                raise PolicyDataError(
                    [Problem(loc, what, f"expected `{g['file']}` to hold a GeoJSON object and `select` a mapping")]
                )
            feats = doc.get("features", [doc])
            chosen = [
                f
                for f in (feats if isinstance(feats, list) else [])
                if isinstance(f, dict) and all((f.get("properties") or {}).get(k) == v for k, v in select.items())
            ]
            if not chosen:
                raise PolicyDataError(
                    [Problem(loc, what, f"no feature in `{g['file']}` matches `select` {dict(select)}")]
                )
            geoms = [_shape(f.get("geometry", f), f"{loc}: {what}: `{g['file']}`") for f in chosen]
            geom = shapely.union_all([self.checked(gm, what) for gm in geoms])
        else:
            geom = self.checked(_shape(g, f"{loc}: {what}: `geometry`"), what)
        if geom.geom_type not in ("Polygon", "MultiPolygon"):
            raise PolicyDataError([Problem(loc, what, f"expected a Polygon or MultiPolygon, got {geom.geom_type}")])
        return geom

    def checked(self, geom: BaseGeometry, what: str) -> BaseGeometry:
        bad = check_lonlat(geom)
        if bad:
            raise PolicyDataError([Problem("", what, bad)])
        try:
            geom, warning = repair(geom, what, allow=self.repair_invalid)
        except GeometryError as exc:
            raise PolicyDataError([Problem("", "", str(exc))]) from None
        if warning:
            self.warnings.append(warning)
        return geom
