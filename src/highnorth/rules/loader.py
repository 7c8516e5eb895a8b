"""Loading a policy directory: policy.yaml, actors, zones (with derivations) and rule files.

Every problem is reported with `file:line`, all of them at once, never only the first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from pydantic import BaseModel, ValidationError
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry

from ..geo.algebra import AlgebraError, evaluate
from ..geo.projection import Frame
from ..geo.repair import as_area, check_lonlat, repair
from ..model.actor import ActorRegistry, Membership, Nation
from ..model.errors import GeometryError, PolicyDataError, Problem, did_you_mean
from ..model.rule import Condition, Obligation, Policy, PolicyVersion, Rule
from ..model.time import FAR_FUTURE, Interval, parse_time
from ..model.zone import VerticalLimit, Zone
from . import schema
from .selectors import SelectorError, parse_selector
from .yamlio import LinedDict, load_yaml, where

__all__ = ["LoadResult", "load_policy"]


@dataclass
class LoadResult:
    """A loaded policy and the warnings raised while loading it (repaired geometry, ...)."""

    policy: Policy
    warnings: list[str] = field(default_factory=list)


def _validation_problems(exc: ValidationError, data: Any, label: str) -> list[Problem]:
    """Pydantic errors as problems with file:line and the path of the field."""
    problems = []
    for err in exc.errors():
        node, parent, last = data, data, None
        for part in err["loc"]:
            parent, last = node, part
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        loc = where(parent, last, label)
        path = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        msg = msg[0].lower() + msg[1:]
        if err["type"] == "extra_forbidden":
            allowed = _fields_at(exc.title, err["loc"])
            msg = f"unknown field `{err['loc'][-1]}`{did_you_mean(str(err['loc'][-1]), allowed)}"
        elif "input" in err and err["type"] != "missing":
            msg = f"{msg}, got `{_short(err['input'])}`"
        problems.append(Problem(loc, f"`{path}`", msg))
    return problems


def _fields_at(model_name: str, loc: tuple) -> list[str]:
    """Field names that were allowed where an unknown field was found (for did-you-mean)."""
    names: set[str] = set()
    for model in (
        schema.ZoneSpec,
        schema.RuleSpec,
        schema.PolicyFile,
        schema.VersionSpec,
        schema.NationSpec,
        schema.MembershipSpec,
        schema.ConditionSpec,
        schema.ObligationSpec,
        schema.Limit,
        schema.Validity,
    ):
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
    return sorted(names)


def _short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def _parse(model: type[BaseModel], data: Any, label: str) -> Any:
    if data is None:
        raise PolicyDataError([Problem(label, "", "the file is empty")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PolicyDataError(_validation_problems(exc, data, label)) from None


def _time(value: Any, tz: str, loc: str, what: str) -> dt.datetime:
    try:
        return parse_time(value, local_zone=tz)
    except ValueError as exc:
        raise PolicyDataError([Problem(loc, what, str(exc))]) from None


def _validity(spec: schema.Validity | None, tz: str, loc: str) -> Interval | None:
    if spec is None:
        return None
    start = (
        _time(spec.from_, tz, loc, "`valid.from`") if spec.from_ is not None else dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
    )
    end = _time(spec.until, tz, loc, "`valid.until`") if spec.until is not None else FAR_FUTURE
    if end <= start:
        raise PolicyDataError([Problem(loc, "`valid`", f"ends ({spec.until}) before it starts ({spec.from_})")])
    return Interval(start, end)


def _shape(raw: Any, where_: str) -> BaseGeometry:
    """A shapely geometry from GeoJSON, or a PolicyDataError saying where and why not."""
    try:
        if not isinstance(raw, Mapping):
            raise ValueError(f"expected a GeoJSON geometry object, got `{_short(raw)}`")
        with warnings.catch_warnings():  # NaN coordinates are reported by check_lonlat instead
            warnings.simplefilter("ignore", RuntimeWarning)
            return shape(raw)
    except Exception as exc:  # shapely and its GeoJSON reader raise several types for bad input
        raise PolicyDataError([Problem(where_, "", f"not a valid GeoJSON geometry: {exc}")]) from None


def _hash(*parts: Any) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":")).encode()
    return "sha256:" + hashlib.sha256(blob).hexdigest()


def load_policy(root: Path | str, *, repair_invalid: bool = True) -> LoadResult:
    """Load the policy in directory `root` (its `policy.yaml` and the files it names)."""
    root = Path(root)
    if not (root / "policy.yaml").is_file():
        raise PolicyDataError(f"{root}: no `policy.yaml` here; expected a policy directory")
    return _Loader(root, repair_invalid).run()


class _Loader:
    def __init__(self, root: Path, repair_invalid: bool) -> None:
        self.root = root
        self.repair_invalid = repair_invalid
        self.warnings: list[str] = []
        self.problems: list[Problem] = []
        self.raw: dict[str, Any] = {}
        self.file_hashes: dict[str, str] = {}

    def label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def read(self, rel: str) -> Any:
        path = self.root / rel
        data = load_yaml(path, self.label(path))
        self.raw[rel] = data
        return data

    def run(self) -> LoadResult:
        data = self.read("policy.yaml")
        spec: schema.PolicyFile = _parse(schema.PolicyFile, data, self.label(self.root / "policy.yaml"))
        self.tz = spec.timezone
        actors = self.actors(spec.actors)
        zones = self.zones(spec)
        versions = self.versions(spec, data, zones)
        if self.problems:
            raise PolicyDataError(self.problems)
        hashes = {}
        for version in spec.versions:
            files = {rel: self.raw[rel] for rel in version.rules}
            hashes[version.version] = _hash(
                spec.model_dump(exclude={"versions"}, mode="json"),
                version.model_dump(mode="json"),
                files,
                self.raw.get("__zones__"),
                self.raw.get(spec.actors),
                self.file_hashes,
            )
        policy = Policy(
            id=spec.id,
            title=spec.title,
            jurisdiction=spec.jurisdiction,
            timezone=spec.timezone,
            default_effect=spec.default_effect,
            alliance=spec.alliance,
            partner_orgs=tuple(spec.partner_orgs),
            versions=versions,
            zones=zones,
            actors=actors,
            parameters=dict(spec.parameters),
            hashes=hashes,
            root=str(self.root),
            frame=(self.frame.lon0, self.frame.lat0),
            extent=spec.extent,
        )
        policy_hash = _hash(sorted(hashes.items()))
        object.__setattr__(policy, "hashes", {**hashes, "*": policy_hash})
        return LoadResult(policy, self.warnings)

    # actors -----------------------------------------------------------------------------------
    def actors(self, rel: str) -> ActorRegistry:
        data = self.read(rel)
        label = self.label(self.root / rel)
        spec: schema.ActorsFile = _parse(schema.ActorsFile, data, label)
        nations: dict[str, Nation] = {}
        for i, n in enumerate(spec.nations):
            node = data["nations"][i]
            loc = where(node, None, label)
            if n.code in nations:
                self.problems.append(Problem(loc, "`code`", f"nation `{n.code}` is defined twice"))
            memberships = []
            for j, m in enumerate(n.memberships):
                mloc = where(node["memberships"], j, label)
                start = _time(m.from_, self.tz, mloc, "`from`")
                end = _time(m.until, self.tz, mloc, "`until`") if m.until is not None else FAR_FUTURE
                if end <= start:
                    self.problems.append(
                        Problem(
                            mloc,
                            f"nation `{n.code}`",
                            f"membership of `{m.org}` ends ({m.until}) before it starts ({m.from_})",
                        )
                    )
                    continue
                memberships.append(Membership(m.org, Interval(start, end), m.source))
            nations[n.code] = Nation(n.code, n.name, tuple(memberships))
        return ActorRegistry(nations)

    # zones ------------------------------------------------------------------------------------
    def zones(self, spec: schema.PolicyFile) -> dict[str, Zone]:
        specs: dict[str, tuple[schema.ZoneSpec, LinedDict, str, Path]] = {}
        all_raw = []
        for rel in spec.zones:
            data = self.read(rel)
            all_raw.append(data)
            label = self.label(self.root / rel)
            parsed: schema.ZonesFile = _parse(schema.ZonesFile, data, label)
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
                validity = _validity(z.valid, self.tz, where(node, "valid", label))
            except PolicyDataError as exc:
                self.problems.extend(exc.problems)
                continue
            zones[zid] = Zone(
                id=zid,
                name=z.name or zid,
                geometry=frame.to_lonlat(geom),
                lower=VerticalLimit(z.lower.value, z.lower.ref) if z.lower else VerticalLimit(0, "SFC"),
                upper=VerticalLimit(z.upper.value, z.upper.ref) if z.upper else VerticalLimit(0, "UNL"),
                tags=frozenset(z.tags),
                validity=validity,
                basis=z.basis,
                source=z.source,
                note=z.note,
            )
        self.zone_specs = specs
        return zones

    def geometry(self, z: schema.ZoneSpec, base: Path, loc: str) -> BaseGeometry:
        g = z.geometry or {}
        what = f"zone `{z.id}`"
        if "file" in g:
            path = base / str(g["file"])
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

    # rules ------------------------------------------------------------------------------------
    def versions(
        self, spec: schema.PolicyFile, data: LinedDict, zones: Mapping[str, Zone]
    ) -> tuple[PolicyVersion, ...]:
        label = self.label(self.root / "policy.yaml")
        parsed_files: dict[str, list[Rule]] = {}
        out = []
        for i, v in enumerate(spec.versions):
            vnode = data["versions"][i]
            effective = _time(v.effective, self.tz, where(vnode, "effective", label), "`effective`")
            rules: list[Rule] = []
            for j, rel in enumerate(v.rules):
                if rel not in parsed_files:
                    if not (self.root / rel).is_file():
                        self.problems.append(
                            Problem(
                                where(vnode["rules"], j, label),
                                f"version `{v.version}`",
                                f"rule file `{rel}` does not exist",
                            )
                        )
                        parsed_files[rel] = []
                        continue
                    parsed_files[rel] = self.rule_file(rel, spec, zones)
                rules.extend(parsed_files[rel])
            seen: dict[str, Rule] = {}
            for r in rules:
                if r.id in seen:
                    self.problems.append(
                        Problem(
                            r.origin,
                            f"rule `{r.id}`",
                            f"is defined twice in version `{v.version}` (also at {seen[r.id].origin})",
                        )
                    )
                seen[r.id] = r
            out.append(PolicyVersion(v.version, effective, tuple(rules), v.title, v.note))
        effs = [v.effective for v in out]
        if effs != sorted(effs) or len(set(effs)) != len(effs):
            self.problems.append(
                Problem(
                    where(data, "versions", label),
                    "`versions`",
                    "expected versions in order of strictly increasing `effective` time",
                )
            )
        return tuple(out)

    def rule_file(self, rel: str, spec: schema.PolicyFile, zones: Mapping[str, Zone]) -> list[Rule]:
        data = self.read(rel)
        label = self.label(self.root / rel)
        try:
            parsed: schema.RulesFile = _parse(schema.RulesFile, data, label)
        except PolicyDataError as exc:
            self.problems.extend(exc.problems)
            return []
        out = []
        known_zones = set(zones) | set(getattr(self, "zone_specs", {}))
        for i, r in enumerate(parsed.rules):
            node = data["rules"][i]
            loc = where(node, None, label)
            what = f"rule `{r.id}`"
            for key in ("zones", "also_in"):
                for k, zid in enumerate(getattr(r, key)):
                    if zid not in known_zones:
                        self.problems.append(
                            Problem(
                                where(node[key], k, label),
                                f"{what}: `{key}`",
                                f"zone `{zid}` is not defined{did_you_mean(zid, known_zones)}",
                            )
                        )
            try:
                selector = parse_selector(r.actor) if r.actor is not None else None
            except SelectorError as exc:
                self.problems.append(Problem(where(node, "actor", label), what, f"`actor`: {exc}"))
                continue
            try:
                conditions = tuple(self.condition(c, spec.parameters) for c in r.conditions)
                obligations = tuple(self.obligation(o, spec.parameters) for o in r.obligations)
                validity = _validity(r.valid, self.tz, where(node, "valid", label))
            except PolicyDataError as exc:
                self.problems.extend(
                    Problem(p.item or where(node, None, label), f"{what}: {p.field}".strip(": "), p.message)
                    for p in exc.problems
                )
                continue
            except KeyError as exc:
                self.problems.append(
                    Problem(
                        loc,
                        what,
                        f"parameter `{exc.args[0]}` is not defined in policy.yaml `parameters`{did_you_mean(exc.args[0], spec.parameters)}",
                    )
                )
                continue
            out.append(
                Rule(
                    id=r.id,
                    title=r.title,
                    effect=r.effect,
                    kinds=frozenset(r.kinds) if r.kinds else None,
                    actor=selector,
                    zones=tuple(r.zones),
                    also_in=tuple(r.also_in),
                    conditions=conditions,
                    validity=validity,
                    obligations=obligations,
                    authority=r.authority,
                    basis=r.basis,
                    source=r.source,
                    note=r.note,
                    origin=loc,
                )
            )
        return out

    @staticmethod
    def _param(value: Any, params: Mapping[str, Any]) -> Any:
        if isinstance(value, str) and value.startswith("$"):
            return params[value[1:]]
        return value

    def condition(self, c: schema.ConditionSpec, params: Mapping[str, Any]) -> Condition:
        has_default = "default" in c.model_fields_set
        value = self._param(c.value, params)
        if c.op in ("in", "not_in") and not isinstance(value, list):
            raise PolicyDataError(
                [Problem("", f"condition on `{c.attr}`", f"`{c.op}` expects a list value, got `{value}`")]
            )
        if c.op in ("lt", "le", "gt", "ge") and (isinstance(value, bool) or not isinstance(value, int | float)):
            raise PolicyDataError(
                [
                    Problem(
                        "", f"condition on `{c.attr}`", f"`{c.op}` compares numbers; expected a number, got `{value}`"
                    )
                ]
            )
        if c.op in ("eq", "ne") and not isinstance(value, bool | int | float | str):
            raise PolicyDataError(
                [Problem("", f"condition on `{c.attr}`", f"`{c.op}` expects a boolean, number or text, got `{value}`")]
            )
        return Condition(c.attr, c.op, value, self._param(c.default, params), has_default)

    def obligation(self, o: schema.ObligationSpec, params: Mapping[str, Any]) -> Obligation:
        days = self._param(o.notice_days, params)
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 0):
            raise PolicyDataError(
                [Problem("", f"obligation `{o.type}`", f"`notice_days` expected a whole number of days, got `{days}`")]
            )
        return Obligation(o.type, o.authority, days, o.text)
