"""`highnorth map` and `highnorth diff`: decision maps and where the outcome changed. Use cases:
`service.maps` (`map_query`, then `decision_map_at` or `map_diff`); output: `service.rendering`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..formats.decision_json import dumps
from ..formats.ed318 import decision_map_ed318
from ..service import rendering
from ..service.maps import TimeField, decision_map_at, map_diff, map_document, map_query
from ..service.queries import CLI
from .common import Format, console, get_policy, write_or_print

ActorOpt = Annotated[str, typer.Option("--actor", help="Nation (ISO 3166-1 alpha-3), e.g. USA.")]
KindOpt = Annotated[str, typer.Option("--kind", help="Activity kind, e.g. flight.")]
AttrOpt = Annotated[
    list[str] | None, typer.Option("--attr", help="Attribute of the hypothetical activity, key=value (repeatable).")
]
PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy directory.")]
LowerOpt = Annotated[
    float | None, typer.Option("--lower-m", help="Lower limit of the altitude band, m AMSL (default: the surface).")
]
UpperOpt = Annotated[
    float | None, typer.Option("--upper-m", help="Upper limit of the altitude band, m AMSL (default: unlimited).")
]


def map_command(
    actor: ActorOpt,
    kind: KindOpt,
    at: Annotated[str, typer.Option("--at", help="The date or time to map.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="GeoJSON file to write.")] = None,
    ed318: Annotated[
        bool, typer.Option("--ed318", help="Write the --output file as ED-318 GeoZones (outcome as restriction).")
    ] = False,
    attr: AttrOpt = None,
    lower_m: LowerOpt = None,
    upper_m: UpperOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """The region partitioned by outcome for an activity kind by a nation at a time (in an altitude band)."""
    pol = get_policy(policy)
    query = map_query(pol, CLI, actor=actor, kind=kind, attributes=attr or [], lower_m=lower_m, upper_m=upper_m)
    m = decision_map_at(pol, query, TimeField(at, "--at"))
    console().print(rendering.map_heading(m), highlight=False)
    console().print(rendering.map_table(m))
    console().print(f"outside the mapped region the default applies: {pol.default_effect}", highlight=False)
    if output:
        doc = map_document(m)
        write_or_print(dumps(decision_map_ed318(doc) if ed318 else doc), output)


def diff_command(
    actor: ActorOpt,
    kind: KindOpt,
    from_: Annotated[str, typer.Option("--from", help="The earlier date or time.")],
    to: Annotated[str, typer.Option("--to", help="The later date or time.")],
    output: Annotated[Path | None, typer.Option("--output", "-o", help="GeoJSON file of the changed areas.")] = None,
    format: Annotated[Format, typer.Option("--format", "-f")] = Format.table,
    attr: AttrOpt = None,
    lower_m: LowerOpt = None,
    upper_m: UpperOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """Where the outcome for a kind by a nation changed between two times, with km²."""
    pol = get_policy(policy)
    query = map_query(pol, CLI, actor=actor, kind=kind, attributes=attr or [], lower_m=lower_m, upper_m=upper_m)
    diff = map_diff(pol, query, TimeField(from_, "--from"), TimeField(to, "--to"))
    if output:
        write_or_print(dumps(diff.geojson()), output)
    match format:
        case Format.json | Format.geojson:
            if not output:
                write_or_print(dumps(diff.geojson()), None)
        case Format.markdown:
            write_or_print(rendering.diff_markdown(diff), None)
        case Format.table:
            console().print(rendering.diff_heading(diff), highlight=False)
            console().print(rendering.diff_table(diff))


__all__ = ["diff_command", "map_command"]
