"""Rendering decisions and decision maps for people and programs, for every face (the CLI today,
the web application and reports next): decisions as a table, Markdown, Decision JSON or GeoJSON;
a decision map's areas by outcome; a map diff as a table or Markdown.

Tables are Rich renderables: a face prints them to its console (with colour) or as plain text
(`plain_text`) to a file."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

from rich.console import Console
from rich.table import Table

from ..formats.decision_json import decisions_geojson, decisions_text, dumps
from ..model.activity import Activity
from ..model.decision import Decision
from ..model.outcome import Outcome
from ..model.rule import Policy
from ..model.time import format_time
from ..rules.deciding.decision_map import DecisionMap
from ..rules.deciding.explain import place
from .maps import MapDiff
from .screening import Screened

__all__ = [
    "OUTCOME_STYLE",
    "decisions_geojson_text",
    "decisions_json_text",
    "decisions_markdown",
    "decisions_summary",
    "decisions_table",
    "diff_heading",
    "diff_markdown",
    "diff_table",
    "map_heading",
    "map_table",
    "plain_text",
]

OUTCOME_STYLE = {
    Outcome.PERMITTED: "green",
    Outcome.CONDITIONAL: "cyan",
    Outcome.REFERRED: "yellow",
    Outcome.DENIED: "bold red",
}


def plain_text(renderable: object) -> str:
    """A Rich renderable as plain text, 200 columns wide (for files)."""
    buffer = io.StringIO()
    Console(file=buffer, width=200, no_color=True).print(renderable)
    return buffer.getvalue()


def decisions_json_text(s: Screened) -> str:
    """Decision JSON (the document `POST /screen` also answers), with the optional
    `alternatives` of referred and denied decisions when they were asked for."""
    return decisions_text(s.policy, s.decisions, s.warnings, s.alternatives)


def decisions_geojson_text(s: Screened) -> str:
    """The activities as GeoJSON Features with their decisions."""
    return dumps(decisions_geojson(s.policy, s.activities, s.decisions))


def _worst(decision: Decision) -> str:
    return Outcome(decision.outcome).effect


def decisions_table(s: Screened) -> Table:
    """One row per activity: kind, actor, outcome (coloured), obligations, and the decisive rule
    with its zone and entry time."""
    pol = s.policy
    table = Table(title=f"{pol.title} — policy {pol.id} ({pol.hash[:19]})", title_justify="left")
    for col in ("activity", "kind", "actor", "outcome", "obligations", "decided by"):
        table.add_column(col, overflow="fold")
    for a, d in zip(s.activities, s.decisions, strict=True):
        decisive = [r for r in d.reasons if r.effect == _worst(d)]
        first = decisive[0] if decisive else None
        by = (
            f"{first.rule}" + (f" in {first.zone} from {format_time(first.enter)}" if first and first.zone else "")
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
    return table


def decisions_summary(decisions: Sequence[Decision]) -> str:
    """How many of each outcome, e.g. `1 conditional, 2 denied`."""
    counts = {o: sum(d.outcome == o for d in decisions) for o in OUTCOME_STYLE}
    return ", ".join(f"{n} {o}" for o, n in counts.items() if n) or "no activities"


def decisions_markdown(policy: Policy, activities: Sequence[Activity], decisions: Sequence[Decision]) -> str:
    """A Markdown report: a summary table, then every reason of every decision."""
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


def map_heading(m: DecisionMap) -> str:
    return f"{m.kind} by {m.actor}{band_text(m.altitude)} at {format_time(m.at)} (version {m.version})"


def band_text(band: tuple[float, float] | None) -> str:
    """` between SFC and 3,000 m AMSL`, or nothing for every altitude."""
    if band is None:
        return ""
    lo = "SFC" if band[0] == -math.inf else f"{band[0]:,.0f} m"
    hi = "UNL" if band[1] == math.inf else f"{band[1]:,.0f} m AMSL"
    return f" between {lo} and {hi}"


def map_table(m: DecisionMap) -> Table:
    """The map's area by outcome, largest first."""
    table = Table()
    table.add_column("outcome")
    table.add_column("km²", justify="right")
    for outcome, km2 in sorted(m.area_km2().items(), key=lambda x: -x[1]):
        table.add_row(outcome, f"{km2:,.0f}")
    return table


def diff_heading(d: MapDiff) -> str:
    a, b = d.before, d.after
    return f"{a.kind} by {a.actor}: {format_time(a.at)} ({a.version}) → {format_time(b.at)} ({b.version})"


def diff_table(d: MapDiff) -> Table:
    """The changed areas: before, after, km² (one `(no change)` row when none)."""
    table = Table()
    for col in ("before", "after", "km²"):
        table.add_column(col, justify="right" if col == "km²" else "left")
    for c in d.changes:
        table.add_row(c.before, c.after, f"{c.area_km2:,.0f}")
    if not d.changes:
        table.add_row("(no change)", "", "0")
    return table


def diff_markdown(d: MapDiff) -> str:
    lines = [f"| before ({d.before.version}) | after ({d.after.version}) | km² |", "|---|---|---:|"]
    lines += [f"| {c.before} | {c.after} | {c.area_km2:,.0f} |" for c in d.changes]
    return "\n".join(lines) + "\n"
