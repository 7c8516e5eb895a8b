"""`highnorth map` and `highnorth diff`: decision maps and where the outcome changed."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..formats.decision_json import dumps
from ..formats.decision_map_geojson import diff_geojson, map_geojson
from ..model.activity import KINDS
from ..model.errors import InputError, did_you_mean
from ..model.time import format_time
from ..rules.deciding.decision_map import decision_map, diff_maps
from .common import Format, console, get_policy, parse_attrs, require_when, version_in_force, write_or_print

ActorOpt = Annotated[str, typer.Option("--actor", help="Nation (ISO 3166-1 alpha-3), e.g. USA.")]
KindOpt = Annotated[str, typer.Option("--kind", help="Activity kind, e.g. flight.")]
AttrOpt = Annotated[
    list[str] | None, typer.Option("--attr", help="Attribute of the hypothetical activity, key=value (repeatable).")
]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy directory.")]


def _check(policy, actor: str, kind: str) -> None:
    if kind not in KINDS:
        raise InputError(
            f"--kind: unknown kind `{kind}`{did_you_mean(kind, KINDS)}; expected one of {', '.join(KINDS)}"
        )
    if actor not in policy.actors:
        raise InputError(f"--actor: unknown nation `{actor}`{did_you_mean(actor, policy.actors.nations)}")


def map_command(
    actor: ActorOpt,
    kind: KindOpt,
    at: Annotated[str, typer.Option("--at", help="The date or time to map.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="GeoJSON file to write.")] = None,
    attr: AttrOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """The region partitioned by outcome for an activity kind by a nation at a time."""
    pol = get_policy(policy)
    _check(pol, actor, kind)
    when = require_when(at, "--at", pol)
    version_in_force(pol, when, "--at")
    m = decision_map(pol, actor=actor, kind=kind, at=when, attributes=parse_attrs(attr or []))
    console().print(f"{kind} by {actor} at {format_time(when)} (version {m.version})", highlight=False)
    table = Table()
    table.add_column("outcome")
    table.add_column("km²", justify="right")
    for outcome, km2 in sorted(m.area_km2().items(), key=lambda x: -x[1]):
        table.add_row(outcome, f"{km2:,.0f}")
    console().print(table)
    console().print(f"outside the mapped region the default applies: {pol.default_effect}", highlight=False)
    if output:
        write_or_print(dumps(map_geojson(m)), output)


def diff_command(
    actor: ActorOpt,
    kind: KindOpt,
    from_: Annotated[str, typer.Option("--from", help="The earlier date or time.")],
    to: Annotated[str, typer.Option("--to", help="The later date or time.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="GeoJSON file of the changed areas.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    attr: AttrOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """Where the outcome for a kind by a nation changed between two times, with km²."""
    pol = get_policy(policy)
    _check(pol, actor, kind)
    t0, t1 = require_when(from_, "--from", pol), require_when(to, "--to", pol)
    version_in_force(pol, t0, "--from")
    version_in_force(pol, t1, "--to")
    attrs = parse_attrs(attr or [])
    before = decision_map(pol, actor=actor, kind=kind, at=t0, attributes=attrs)
    after = decision_map(pol, actor=actor, kind=kind, at=t1, attributes=attrs)
    default = pol.default_effect.outcome
    changes = diff_maps(before, after, default)
    doc = diff_geojson(before, after, changes)
    if output:
        write_or_print(dumps(doc), output)
    match format:
        case Format.json | Format.geojson:
            if not output:
                write_or_print(dumps(doc), None)
        case Format.markdown:
            lines = [f"| before ({before.version}) | after ({after.version}) | km² |", "|---|---|---:|"]
            lines += [f"| {c.before} | {c.after} | {c.area_km2:,.0f} |" for c in changes]
            write_or_print("\n".join(lines) + "\n", None)
        case Format.table:
            console().print(
                f"{kind} by {actor}: {format_time(t0)} ({before.version}) → {format_time(t1)} ({after.version})",
                highlight=False,
            )
            table = Table()
            for col in ("before", "after", "km²"):
                table.add_column(col, justify="right" if col == "km²" else "left")
            for c in changes:
                table.add_row(c.before, c.after, f"{c.area_km2:,.0f}")
            if not changes:
                table.add_row("(no change)", "", "0")
            console().print(table)


__all__ = ["diff_command", "json", "map_command"]
