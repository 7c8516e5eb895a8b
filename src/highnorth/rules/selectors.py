"""Actor selectors: parsing from policy data and matching against an actor at a time.

Forms::

    host | foreign | allied | partner | any     a term
    {nations: [USA, GBR]}                        a nation list
    {not: selector}                              negation
    {any_of: [selector, ...]}                    or
    {all_of: [selector, ...]}                    and

`allied` is a foreign nation that is a member of the policy's alliance at the time judged;
`partner` is a foreign nation that is not allied but belongs to one of the partner organisations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ..model.errors import did_you_mean
from ..model.rule import Policy, Selector

__all__ = ["TERMS", "SelectorError", "matches", "parse_selector"]

TERMS = ("any", "host", "foreign", "allied", "partner")


class SelectorError(ValueError):
    """A selector in policy data is malformed."""


def parse_selector(raw: Any) -> Selector:
    """Parse a selector from policy data.

    >>> parse_selector({"all_of": ["allied", {"not": {"nations": ["USA"]}}]}).describe()
    '(allied) and (not (nation in [USA]))'
    """
    if isinstance(raw, str):
        if raw not in TERMS:
            raise SelectorError(
                f"unknown selector `{raw}`{did_you_mean(raw, TERMS)}; expected one of {', '.join(TERMS)}"
            )
        return Selector("term", term=raw)
    if isinstance(raw, Mapping) and len(raw) == 1:
        ((op, arg),) = raw.items()
        match op:
            case "nations":
                if not isinstance(arg, list) or not all(
                    isinstance(c, str) and len(c) == 3 and c.isupper() for c in arg
                ):
                    raise SelectorError(f"`nations` expects a list of ISO 3166-1 alpha-3 codes, got `{arg}`")
                return Selector("nations", nations=frozenset(arg))
            case "not":
                return Selector("not", parts=(parse_selector(arg),))
            case "any_of" | "all_of":
                if not isinstance(arg, list) or not arg:
                    raise SelectorError(f"`{op}` expects a non-empty list of selectors, got `{arg}`")
                return Selector(op, parts=tuple(parse_selector(a) for a in arg))
        raise SelectorError(
            f"unknown selector operator `{op}`{did_you_mean(str(op), ['nations', 'not', 'any_of', 'all_of'])}"
        )
    raise SelectorError(
        f"expected a term ({', '.join(TERMS)}) or a mapping with one of nations/not/any_of/all_of, got `{raw}`"
    )


def matches(selector: Selector | None, nation: str, policy: Policy, at: dt.datetime) -> bool:
    """Whether the nation `nation` is selected at time `at` under `policy`."""
    if selector is None:
        return True
    match selector.op:
        case "term":
            host = nation == policy.jurisdiction
            allied = not host and policy.actors.member_of(nation, policy.alliance, at)
            match selector.term:
                case "any":
                    return True
                case "host":
                    return host
                case "foreign":
                    return not host
                case "allied":
                    return allied
                case "partner":
                    return (
                        not host
                        and not allied
                        and any(policy.actors.member_of(nation, org, at) for org in policy.partner_orgs)
                    )
        case "nations":
            return nation in selector.nations
        case "not":
            return not matches(selector.parts[0], nation, policy, at)
        case "any_of":
            return any(matches(p, nation, policy, at) for p in selector.parts)
        case "all_of":
            return all(matches(p, nation, policy, at) for p in selector.parts)
    raise ValueError(f"unknown selector {selector}")
