"""`highnorth check` and `highnorth explain`: decisions for a file of activities. Use cases:
`service.screening` (`screen_file`, `explain_one`); output: `service.rendering`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from ..engine import Screener
from ..rules.deciding.explain import explain as explain_text
from ..service import rendering
from ..service.exercise_rendering import alternative_lines
from ..service.notams import read_notam_files, screener_with_notams
from ..service.screening import explain_one, screen_file
from .common import Format, announce_after, console, exit_for, get_screener, warn, write_or_print

PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy directory (default: the High North dataset).")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Judge by the rules in force at this time (RFC 3339 or a date).")
]


def check(
    file: Annotated[Path, typer.Argument(help="Activity GeoJSON file.")],
    at: AtOpt = None,
    policy: PolicyOpt = None,
    format: Annotated[Format, typer.Option("--format", "-f", help="Output format.")] = Format.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")] = None,
    skip_invalid: Annotated[
        bool, typer.Option("--skip-invalid", help="Screen the valid activities and warn about the rest.")
    ] = False,
    reject_invalid_geometry: Annotated[
        bool, typer.Option("--reject-invalid-geometry", help="Reject invalid polygons instead of repairing them.")
    ] = False,
    workers: Annotated[
        int, typer.Option("--workers", min=1, help="Processes for large inputs (the same decisions).")
    ] = 1,
    alternatives: Annotated[
        bool,
        typer.Option("--alternatives", help="With --format json: what would change each referred or denied decision."),
    ] = False,
    notams: Annotated[
        list[Path] | None,
        typer.Option("--notams", help="A NOTAM file: crossing an area it activates refers the activity (repeatable)."),
    ] = None,
) -> None:
    """Screen activities and print the decision for each, with the reasons."""
    screener = get_screener(policy)
    if notams:
        screener = _with_notams(screener, notams)
    with announce_after(
        2.0, "screening… (a large file's first run also compiles the fast kernel, about 15 s, cached for later runs)"
    ):
        screened = screen_file(
            file,
            screener,
            at=at,
            skip_invalid=skip_invalid,
            repair_invalid=not reject_invalid_geometry,
            workers=workers,
            with_alternatives=alternatives and format == Format.json,
            warn=warn,
        )
    match format:
        case Format.json:
            write_or_print(rendering.decisions_json_text(screened), output)
        case Format.geojson:
            write_or_print(rendering.decisions_geojson_text(screened), output)
        case Format.markdown:
            write_or_print(
                rendering.decisions_markdown(screened.policy, screened.activities, screened.decisions), output
            )
        case Format.table:
            table = rendering.decisions_table(screened)
            if output:
                write_or_print(rendering.plain_text(table), output)
            else:
                console().print(table)
            console().print(rendering.decisions_summary(screened.decisions), highlight=False)
    raise typer.Exit(exit_for(screened.decisions))


def explain(
    file: Annotated[Path, typer.Argument(help="Activity GeoJSON file.")],
    activity_id: Annotated[str, typer.Argument(metavar="ID", help="The id of the activity to explain.")],
    at: AtOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """Explain the decision for one activity in prose: every reason, with times and places."""
    screener = get_screener(policy)
    found = explain_one(file, activity_id, screener, at=at, warn=warn)
    text = explain_text(found.activity, found.decision, screener.policy)
    if found.alternatives is not None:
        text += "\n\nWhat would change it:\n" + "\n".join(
            f"  - {line}" for line in alternative_lines(found.alternatives)
        )
    console().print(text, highlight=False, markup=False)
    raise typer.Exit(exit_for([found.decision]))


def _with_notams(screener: Screener, files: list[Path]) -> Screener:
    """The screener's policy with the areas of the NOTAM files (`service.notams.with_notam_areas`)."""
    feed = read_notam_files(files, warn)
    derived, warnings = screener_with_notams(screener.policy, feed)
    for w in warnings:
        warn(w)
    return derived
