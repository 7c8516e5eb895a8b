"""`highnorth exercise check|report|calendar PLAN`: a whole exercise plan screened at once, its
exercise-level duties, the alternatives for what is referred or denied, and the deadlines. Use
case: `service.exercises.plan_report`; output: `service.exercise_rendering`,
`service.exercise_html`, `formats.exercise_report`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from ..exercise.report import ExerciseReport
from ..formats.exercise_report import calendar_ics, report_json_text
from ..service import exercise_rendering as render
from ..service.exercises import plan_report
from .check import AtOpt, PolicyOpt
from .common import console, exit_for, get_screener, warn, write_or_print

app = typer.Typer(help="Exercise plans: screen a whole plan, its Vienna Document duties, what would change a 'no'.")

PlanArg = Annotated[Path, typer.Argument(help="Exercise plan: Activity GeoJSON with an `exercise` header.")]
OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="Write to this file instead of stdout.")]
CompareOpt = Annotated[
    str | None,
    typer.Option("--compare-at", help="Also judge the plan by the rules in force at this time and say what differs."),
]
NoAltOpt = Annotated[
    bool, typer.Option("--no-alternatives", help="Skip the alternatives for referred and denied activities.")
]


class CheckFormat(StrEnum):
    table = "table"
    json = "json"
    markdown = "markdown"


class ReportFormat(StrEnum):
    markdown = "markdown"
    json = "json"
    html = "html"


def _exit(report: ExerciseReport) -> typer.Exit:
    return typer.Exit(exit_for([*report.decisions, report.duties.decision]))


@app.command("check")
def check(
    plan: PlanArg,
    at: AtOpt = None,
    policy: PolicyOpt = None,
    format: Annotated[CheckFormat, typer.Option("--format", "-f", help="Output format.")] = CheckFormat.table,
    output: OutputOpt = None,
    no_alternatives: NoAltOpt = False,
    compare_at: CompareOpt = None,
) -> None:
    """Screen every activity of the plan and judge the exercise-level duties; exit 0/3/4 as `check`."""
    report = plan_report(
        plan, get_screener(policy), at=at, alternatives=not no_alternatives, compare_at=compare_at, warn=warn
    )
    match format:
        case CheckFormat.json:
            write_or_print(report_json_text(report), output)
        case CheckFormat.markdown:
            write_or_print(render.report_markdown(report), output)
        case CheckFormat.table:
            from ..service.rendering import plain_text

            table = render.report_table(report)
            if output:
                write_or_print(plain_text(table), output)
            else:
                console().print(table)
            counts = ", ".join(f"{n} {o}" for o, n in report.counts().items() if n)
            console().print(f"{counts}. {render.duty_summary(report)}", highlight=False, markup=False)
            if report.comparison is not None:
                console().print(render.comparison_text(report), highlight=False, markup=False)
    raise _exit(report)


@app.command("report")
def report_command(
    plan: PlanArg,
    at: AtOpt = None,
    policy: PolicyOpt = None,
    format: Annotated[ReportFormat, typer.Option("--format", "-f", help="Output format.")] = ReportFormat.markdown,
    output: OutputOpt = None,
    no_alternatives: NoAltOpt = False,
    compare_at: CompareOpt = None,
) -> None:
    """The plan's report: decisions, exercise-level duties, deadlines and alternatives (Markdown,
    JSON, or an HTML page with a map and a timeline and no script)."""
    report = plan_report(
        plan, get_screener(policy), at=at, alternatives=not no_alternatives, compare_at=compare_at, warn=warn
    )
    match format:
        case ReportFormat.json:
            write_or_print(report_json_text(report), output)
        case ReportFormat.markdown:
            write_or_print(render.report_markdown(report), output)
        case ReportFormat.html:
            from ..service.exercise_html import report_html

            write_or_print(report_html(report), output)
    raise _exit(report)


@app.command("calendar")
def calendar(plan: PlanArg, at: AtOpt = None, policy: PolicyOpt = None, output: OutputOpt = None) -> None:
    """The plan's deadlines as an iCalendar (.ics) file that calendar programs import."""
    report = plan_report(plan, get_screener(policy), at=at, alternatives=False, warn=warn)
    write_or_print(calendar_ics(report), output)
