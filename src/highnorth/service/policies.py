"""Policies as use cases: a policy's summary (versions, hashes), one version's rules, the rules
changed between two versions, and validating a policy sent as files (nothing kept)."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path, PurePosixPath
from typing import Any

from ..model.errors import InputError, NotFoundError, PolicyDataError, did_you_mean
from ..model.rule import Policy, PolicyVersion, Rule
from ..model.time import format_time
from ..rules.loading.loader import load_policy
from .maps import map_periods

__all__ = [
    "nations",
    "policy_diff",
    "policy_summary",
    "rule_json",
    "validate_files",
    "version_document",
    "version_named",
]

_FILE_NAME = re.compile(r"[A-Za-z0-9._/-]{1,200}")


def rule_json(rule: Rule) -> dict[str, Any]:
    """What a rule matches, its effect, validity, basis and source."""
    return {
        "id": rule.id,
        "title": rule.title,
        "effect": rule.effect,
        "kinds": sorted(rule.kinds) if rule.kinds else None,
        "actor": rule.actor.describe() if rule.actor else None,
        "zones": list(rule.zones),
        "also_in": list(rule.also_in),
        "conditions": [c.describe() for c in rule.conditions],
        "obligations": [o.type for o in rule.obligations],
        "valid_from": format_time(rule.validity.start) if rule.validity else None,
        "valid_to": format_time(rule.validity.end) if rule.validity else None,
        "authority": rule.authority,
        "basis": rule.basis,
        "source": rule.source,
    }


def policy_summary(policy: Policy) -> dict[str, Any]:
    """The policy's id, hash, counts, and its versions with their effective times and hashes."""
    return {
        "id": policy.id,
        "title": policy.title,
        "jurisdiction": policy.jurisdiction,
        "default_effect": policy.default_effect,
        "hash": policy.hash,
        "zones": len(policy.zones),
        "nations": len(policy.actors.nations),
        "versions": [
            {
                "version": v.version,
                "title": v.title,
                "effective": format_time(v.effective),
                "rules": len(v.rules),
                "hash": policy.version_hash(v.version),
            }
            for v in policy.versions
        ],
    }


def version_named(policy: Policy, name: str, option: str | None = None) -> PolicyVersion:
    """The version called `name`. Unknown: NotFoundError (a path of the API), or, with `option`
    (the CLI's `--version`), an InputError naming the option."""
    names = [v.version for v in policy.versions]
    if name not in names:
        hint = did_you_mean(name, names)
        if option is not None:
            raise InputError(f"{option}: policy `{policy.id}` has no version `{name}`{hint}")
        raise NotFoundError(f"no version `{name}` of policy `{policy.id}`{hint}")
    return policy.version(name)


def version_document(policy: Policy, name: str) -> dict[str, Any]:
    """One version with every rule."""
    v = version_named(policy, name)
    return {
        "version": v.version,
        "effective": format_time(v.effective),
        "hash": policy.version_hash(v.version),
        "rules": [rule_json(r) for r in v.rules],
    }


def policy_diff(policy: Policy, from_: str, to: str) -> dict[str, Any]:
    """The rules added, removed and changed from one version to another (by rule id)."""
    a, b = version_named(policy, from_), version_named(policy, to)
    before, after = {r.id: rule_json(r) for r in a.rules}, {r.id: rule_json(r) for r in b.rules}
    return {
        "from": a.version,
        "to": b.version,
        "added": [after[k] for k in sorted(after.keys() - before.keys())],
        "removed": [before[k] for k in sorted(before.keys() - after.keys())],
        "changed": [
            {
                "id": k,
                "fields": {
                    f: {"from": before[k][f], "to": after[k][f]} for f in after[k] if before[k][f] != after[k][f]
                },
            }
            for k in sorted(before.keys() & after.keys())
            if before[k] != after[k]
        ],
    }


def validate_files(files: dict[str, str]) -> dict[str, Any]:
    """Validate a policy sent as relative path -> text: every problem with file:line, or the
    summary of the valid policy. Nothing is kept or put in force."""
    with tempfile.TemporaryDirectory(prefix="highnorth-validate-") as tmp:
        root = Path(tmp)

        def local(text: str) -> str:  # paths as the caller named them, not where they were put
            return text.replace(str(root) + "/", "").replace(root.name + "/", "").replace(root.name, "the policy")

        names = set(files)
        for name, text in files.items():
            rel = PurePosixPath(name)
            if not _FILE_NAME.fullmatch(name) or rel.is_absolute() or ".." in rel.parts or not rel.parts:
                raise InputError(
                    f"files: `{name!r}` must be a relative path inside the policy directory (letters, digits, `.`, `_`, `-`, `/`)"
                )
            clash = next((n for n in names if n.startswith(name.rstrip("/") + "/")), None)
            if clash:
                raise InputError(f"files: `{name}` is a file and also the folder of `{clash}`")
            try:
                data = text.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise InputError(f"files: `{name}`: not encodable as UTF-8 (character {exc.start})") from None
            path = root.joinpath(*rel.parts)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            result = load_policy(root, cache_dir=None, confine=True)
        except PolicyDataError as exc:
            return {
                "valid": False,
                "problems": [
                    {"item": local(p.item), "field": p.field, "message": local(p.message)} for p in exc.problems
                ],
            }
    return {"valid": True, "policy": policy_summary(result.policy), "warnings": [local(w) for w in result.warnings]}


def nations(policy: Policy) -> list[dict[str, Any]]:
    """The nations the policy knows, by code, with their names and the times their memberships
    start or end (where a decision map can change besides the version boundaries), and
    `periods`: the starts of the periods within which every decision map of the nation is one
    map (`maps.map_periods`), for the page to keep one map per period."""
    return [
        {
            "code": code,
            "name": nation.name,
            "changes": [format_time(t) for t in nation.membership_changes() if t.year < 9000],
            "periods": [format_time(t) for t in map_periods(policy, code) if t.year < 9000],
        }
        for code, nation in sorted(policy.actors.nations.items())
    ]
