"""`highnorth check` and `highnorth explain`: decisions for a file of activities."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..formats.activity_geojson import load_activities
from ..formats.decision_json import decisions_document, decisions_geojson, dumps
from ..model.errors import InputError, did_you_mean
from ..model.outcome import Outcome
from ..model.time import format_time
from ..rules.deciding.explain import explain as explain_text
from ..rules.deciding.explain import place
from .common import (
    Format,
    console,
    exit_for,
    get_screener,
    parse_when,
    render,
    version_in_force,
    warn,
    write_or_print,
)

OUTCOME_STYLE = {
    Outcome.PERMITTED: "green",
    Outcome.CONDITIONAL: "cyan",
    Outcome.REFERRED: "yellow",
    Outcome.DENIED: "bold red",
}

PolicyOpt = Annotated[Path | None, typer.Option("--policy", help="Policy directory (default: the High North dataset).")]
AtOpt = Annotated[
    str | None, typer.Option("--at", help="Judge by the rules in force at this time (RFC 3339 or a date).")
]


def _read(file: Path, policy_dir: Path | None, skip_invalid: bool, reject_invalid_geometry: bool):
    screener = get_screener(policy_dir)
    result = load_activities(
        file,
        known_nations=set(screener.policy.actors.nations),
        skip_invalid=skip_invalid,
        repair_invalid=not reject_invalid_geometry,
    )
    for w in result.warnings:
        warn(w)
    if result.problems and not result.activities:
        raise InputError(f"{file}: no valid activities to screen ({len(result.problems)} problems, all skipped)")
    return screener, result.activities, result.warnings


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
) -> None:
    """Screen activities and print the decision for each, with the reasons."""
    screener, activities, warnings = _read(file, policy, skip_invalid, reject_invalid_geometry)
    when = parse_when(at, "--at", screener.policy)
    if when is not None:
        version_in_force(screener.policy, when, "--at")
    decisions = screener.screen(activities, at=when, workers=workers)
    pol = screener.policy
    match format:
        case Format.json:
            write_or_print(dumps(decisions_document(pol, decisions, warnings)), output)
        case Format.geojson:
            write_or_print(dumps(decisions_geojson(pol, activities, decisions)), output)
        case Format.markdown:
            write_or_print(_markdown(pol, activities, decisions), output)
        case Format.table:
            table = Table(title=f"{pol.title} — policy {pol.id} ({pol.hash[:19]})", title_justify="left")
            for col in ("activity", "kind", "actor", "outcome", "obligations", "decided by"):
                table.add_column(col, overflow="fold")
            for a, d in zip(activities, decisions, strict=True):
                decisive = [r for r in d.reasons if r.effect == _worst(d)]
                first = decisive[0] if decisive else None
                by = (
                    f"{first.rule}"
                    + (f" in {first.zone} from {format_time(first.enter)}" if first and first.zone else "")
                    if first
                    else ""
                )
                table.add_row(
                    a.id,
                    a.kind,
                    a.actor.label(),
                    f"[{OUTCOME_STYLE[d.outcome]}]{d.outcome}[/]",
                    ", ".join(o.obligation.type for o in d.obligations),
                    by,
                )
            if output:
                write_or_print(render(table), output)
            else:
                console().print(table)
            counts = {o: sum(d.outcome == o for d in decisions) for o in OUTCOME_STYLE}
            console().print(", ".join(f"{n} {o}" for o, n in counts.items() if n) or "no activities", highlight=False)
    raise typer.Exit(exit_for(decisions))


def _worst(decision) -> str:
    return Outcome(decision.outcome).effect


def _markdown(policy, activities, decisions) -> str:
    lines = [
        f"# Decisions under {policy.id}",
        "",
        f"Policy hash `{policy.hash}`.",
        "",
        "| activity | kind | actor | outcome | obligations |",
        "|---|---|---|---|---|",
    ]
    for a, d in zip(activities, decisions, strict=True):
        lines.append(
            f"| {a.id} | {a.kind} | {a.actor.label()} | **{d.outcome}** | {', '.join(o.obligation.type for o in d.obligations)} |"
        )
    for a, d in zip(activities, decisions, strict=True):
        lines += ["", f"## {a.id}: {d.outcome}", ""]
        for r in d.reasons:
            zone = (
                f" in `{r.zone}` from {format_time(r.enter)} to {format_time(r.exit)} at {place(r.where)}"
                if r.zone
                else ""
            )
            detail = f" ({r.detail})" if r.detail else ""
            lines.append(f"- **{r.effect}** `{r.rule}`: {r.title}{zone}{detail}. *{r.basis}*: {r.source}")
    return "\n".join(lines) + "\n"


def explain(
    file: Annotated[Path, typer.Argument(help="Activity GeoJSON file.")],
    activity_id: Annotated[str, typer.Argument(metavar="ID", help="The id of the activity to explain.")],
    at: AtOpt = None,
    policy: PolicyOpt = None,
) -> None:
    """Explain the decision for one activity in prose: every reason, with times and places."""
    screener, activities, _ = _read(file, policy, False, False)
    by_id = {a.id: a for a in activities}
    if activity_id not in by_id:
        raise InputError(f"{file}: no activity `{activity_id}`{did_you_mean(activity_id, by_id)}")
    activity = by_id[activity_id]
    when = parse_when(at, "--at", screener.policy)
    if when is not None:
        version_in_force(screener.policy, when, "--at")
    decision = screener.decide(activity, at=when)
    console().print(explain_text(activity, decision, screener.policy), highlight=False, markup=False)
    raise typer.Exit(exit_for([decision]))
