"""Loading a policy directory: policy.yaml, actors, zones (with derivations) and rule files.

Every problem is reported with `file:line`, all of them at once, never only the first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...model.actor import ActorRegistry, Membership, Nation
from ...model.errors import PolicyDataError, Problem, did_you_mean
from ...model.hashing import content_hash
from ...model.outcome import Effect
from ...model.rule import Condition, Obligation, Policy, PolicyVersion, Rule
from ...model.time import FAR_FUTURE, Interval
from ...model.zone import Zone
from ..selectors import SelectorError, parse_selector
from . import schema
from .datafile import parse_model, read_time, read_validity
from .yamlio import LinedDict, load_yaml, where
from .zoneset import ZoneSetReader

__all__ = ["LoadResult", "load_policy"]


@dataclass
class LoadResult:
    """A loaded policy and the warnings raised while loading it (repaired geometry, ...)."""

    policy: Policy
    warnings: list[str] = field(default_factory=list)


def load_policy(
    root: Path | str, *, repair_invalid: bool = True, cache_dir: Path | None = None, confine: bool = False
) -> LoadResult:
    """Load the policy in directory `root` (its `policy.yaml` and the files it names).

    With `cache_dir`, derived zone geometry is cached there (rules/loading/zonecache.py): the same
    policy then loads without redoing the geometry algebra. With `confine`, every file the policy
    names must lie inside `root` (for policies from untrusted hands, like the API's validation);
    otherwise a policy may share files with another (`../default/actors.yaml`).
    """
    root = Path(root)
    if not (root / "policy.yaml").is_file():
        raise PolicyDataError(f"{root.name if confine else root}: no `policy.yaml` here; expected a policy directory")
    return _Loader(root, repair_invalid, cache_dir, confine).run()


class _Loader(ZoneSetReader):
    def __init__(self, root: Path, repair_invalid: bool, cache_dir: Path | None = None, confine: bool = False) -> None:
        self.root = root
        self.confine = confine
        self.repair_invalid = repair_invalid
        self.cache_dir = cache_dir
        self.warnings: list[str] = []
        self.problems: list[Problem] = []
        self.raw: dict[str, Any] = {}
        self.file_hashes: dict[str, str] = {}

    def label(self, path: Path) -> str:
        try:
            return str(path.relative_to(self.root.parent))
        except ValueError:
            return str(path)

    def inside(self, base: Path, rel: str, label: str) -> Path:
        """`base / rel`, or with `confine` a PolicyDataError when that leaves the policy directory."""
        path = base / rel
        if self.confine and not path.resolve().is_relative_to(self.root.resolve()):
            raise PolicyDataError(
                [Problem(label, "", f"`{rel}` is outside the policy directory; expected a file inside it")]
            )
        return path

    def read(self, rel: str) -> Any:
        path = self.inside(self.root, rel, "policy.yaml")
        data = load_yaml(path, self.label(path))
        self.raw[rel] = data
        return data

    def run(self) -> LoadResult:
        data = self.read("policy.yaml")
        spec: schema.PolicyFile = parse_model(schema.PolicyFile, data, self.label(self.root / "policy.yaml"))
        self.tz = spec.timezone
        actors = self.actors(spec.actors)
        zones = self.zones(spec)
        versions = self.versions(spec, data, zones)
        if self.problems:
            raise PolicyDataError(self.problems)
        hashes = {}
        for version in spec.versions:
            files = {rel: self.raw[rel] for rel in version.rules}
            hashes[version.version] = content_hash(
                [
                    spec.model_dump(exclude={"versions"}, mode="json"),
                    version.model_dump(mode="json"),
                    files,
                    self.raw.get("__zones__"),
                    self.raw.get(spec.actors),
                    self.file_hashes,
                ],
                default=str,
            )
        policy = Policy(
            id=spec.id,
            title=spec.title,
            jurisdiction=spec.jurisdiction,
            timezone=spec.timezone,
            default_effect=Effect(spec.default_effect),
            alliance=spec.alliance,
            partner_orgs=tuple(spec.partner_orgs),
            versions=versions,
            zones=zones,
            actors=actors,
            parameters=dict(spec.parameters),
            hashes=hashes,
            root=str(self.root),
            frame=self.frame,
            extent=spec.extent,
        )
        policy_hash = content_hash([sorted(hashes.items())])
        object.__setattr__(policy, "hashes", {**hashes, "*": policy_hash})
        return LoadResult(policy, self.warnings)

    # actors -----------------------------------------------------------------------------------
    def actors(self, rel: str) -> ActorRegistry:
        data = self.read(rel)
        label = self.label(self.root / rel)
        spec: schema.ActorsFile = parse_model(schema.ActorsFile, data, label)
        nations: dict[str, Nation] = {}
        for i, n in enumerate(spec.nations):
            node = data["nations"][i]
            loc = where(node, None, label)
            if n.code in nations:
                self.problems.append(Problem(loc, "`code`", f"nation `{n.code}` is defined twice"))
            memberships = []
            for j, m in enumerate(n.memberships):
                mloc = where(node["memberships"], j, label)
                start = read_time(m.from_, self.tz, mloc, "`from`")
                end = read_time(m.until, self.tz, mloc, "`until`") if m.until is not None else FAR_FUTURE
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
    # rules ------------------------------------------------------------------------------------
    def versions(
        self, spec: schema.PolicyFile, data: LinedDict, zones: Mapping[str, Zone]
    ) -> tuple[PolicyVersion, ...]:
        label = self.label(self.root / "policy.yaml")
        parsed_files: dict[str, list[Rule]] = {}
        out = []
        for i, v in enumerate(spec.versions):
            vnode = data["versions"][i]
            effective = read_time(v.effective, self.tz, where(vnode, "effective", label), "`effective`")
            rules: list[Rule] = []
            for j, rel in enumerate(v.rules):
                if rel not in parsed_files:
                    if not self.inside(self.root, rel, label).is_file():
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
            parsed: schema.RulesFile = parse_model(schema.RulesFile, data, label)
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
                validity = read_validity(r.valid, self.tz, where(node, "valid", label))
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
                    effect=Effect(r.effect),
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
        due_on = None
        if o.due_on is not None:
            years = self._param(o.due_on.years_before, params)
            if isinstance(years, bool) or not isinstance(years, int) or years < 0:
                raise PolicyDataError(
                    [
                        Problem(
                            "",
                            f"obligation `{o.type}`",
                            f"`due_on.years_before` expected a whole number, got `{years}`",
                        )
                    ]
                )
            try:
                dt.date(2000, o.due_on.month, o.due_on.day)  # a leap year: 29 February is a date
            except ValueError:
                raise PolicyDataError(
                    [Problem("", f"obligation `{o.type}`", f"`due_on` {o.due_on.month}-{o.due_on.day} is not a date")]
                ) from None
            due_on = (o.due_on.month, o.due_on.day, years)
        return Obligation(o.type, o.authority, days, o.text, due_on)
