"""The exercise report for people: Markdown and a Rich summary table (CLI), and the text pieces the
HTML page shares (`exercise_html`). Every figure comes from `ExerciseReport`; nothing is decided
here."""

from __future__ import annotations

from collections.abc import Sequence

from rich.table import Table

from ..exercise.duties import Count
from ..exercise.report import Deadline, ExerciseReport
from ..model.alternative import Alternatives
from ..model.decision import DueObligation
from ..model.exercise import Participant
from ..model.outcome import Outcome
from ..model.time import format_time
from .rendering import OUTCOME_STYLE

__all__ = [
    "COUNT_LABEL",
    "PARTICIPANT_HEAD",
    "alternative_lines",
    "comparison_lines",
    "comparison_text",
    "count_row",
    "deadline_row",
    "duty_summary",
    "participant_row",
    "report_markdown",
    "report_table",
]

COUNT_LABEL = {
    "troops": "troops (peak)",
    "battle_tanks": "battle tanks (peak)",
    "acv": "armoured combat vehicles (peak)",
    "artillery": "artillery ≥ 100 mm (peak)",
    "amphibious_troops": "amphibious / airborne troops (peak)",
    "sorties": "air sorties (total)",
}


def _n(value: float | int | None) -> str:
    return "—" if value is None else f"{value:,.0f}"


def _obligations(obligations: Sequence[DueObligation]) -> str:
    return (
        ", ".join(o.obligation.type + (f" (due {format_time(o.due)})" if o.due else "") for o in obligations) or "none"
    )


PARTICIPANT_HEAD = ("nation", "troops", "tanks", "ACV", "artillery", "vessels", "aircraft", "basis", "source", "note")


def participant_row(p: Participant) -> tuple[str, ...]:
    """A participant's declared contribution (— where not given), basis, source and note."""
    c = p.contributions
    figures = tuple(_n(c.get(k)) for k in ("troops", "battle_tanks", "acv", "artillery", "vessels", "aircraft"))
    return (p.nation, *figures, p.basis, p.source, p.note)


def count_row(c: Count) -> tuple[str, str, str, str, str]:
    """label, on the host's territory (with when), its activities, whole exercise, declared."""
    when = f" at {format_time(c.host_at)}" if c.host_at else ""
    host = f"{_n(c.host)}{when}" if not c.unknown else f"not a number in {', '.join(c.unknown)}"
    return (COUNT_LABEL.get(c.name, c.name), host, ", ".join(c.host_activities), _n(c.whole), _n(c.declared))


def deadline_row(d: Deadline) -> tuple[str, str, str, str, str]:
    """due, what, to whom, for what, rules."""
    what = "the exercise" if d.level == "exercise" else ", ".join(d.activities)
    return (format_time(d.due), d.type, d.authority, what, ", ".join(d.rules))


def duty_summary(report: ExerciseReport) -> str:
    """One sentence: which exercise-level duties the plan has, or none."""
    duties = report.duties
    types = [o.obligation.type for o in duties.decision.obligations]
    where = ", ".join(f"`{z}`" for z in duties.territory) or "the host's territory"
    if not types:
        return f"No exercise-level duty: the summed counts on {where} stay below every threshold of the policy."
    return f"Exercise-level duties from the counts summed on {where}: {', '.join(types)}."


def alternative_lines(alt: Alternatives) -> list[str]:
    """The alternatives of one activity as sentences."""
    lines = []
    if alt.time is not None:
        t = alt.time
        lines.append(
            f"time: cleared ({t.outcome}) if it starts at {format_time(t.start)} or later, when {t.because}; "
            f"obligations then: {_obligations(t.obligations)}"
        )
    else:
        lines.append("time: no later start clears it under any version or membership date of the policy")
    for r in alt.place.restrictions:
        size = f", {r.length_km:,.1f} km of track" if r.length_km is not None else ""
        size += f", {r.area_km2:,.1f} km² of area" if r.area_km2 is not None else ""
        inside = f"inside `{r.zone}`" if r.zone else "as a whole"
        lines.append(
            f"place: `{r.rule}` ({r.effect}) {inside} from {format_time(r.enter)} to {format_time(r.exit)} "
            f"({r.duration.total_seconds() / 3600:,.1f} h{size})"
        )
    p = alt.place
    if p.outcome is not None and p.stop is not None and p.stop_time is not None:
        lines.append(
            f"place: the track is cleared ({p.outcome}) up to {p.stop[1]:.5f}°N {p.stop[0]:.5f}°E, reached at "
            f"{format_time(p.stop_time)} ({p.length_km:,.1f} km); it would have to stop there; "
            f"obligations then: {_obligations(p.obligations)}"
        )
    if alt.actors:
        lines.append(
            "actor: cleared as planned for "
            + "; ".join(f"{a.nation} ({a.outcome}: {_obligations(a.obligations)})" for a in alt.actors)
        )
    elif alt.nations_tried:
        lines.append(f"actor: no other participating nation ({', '.join(alt.nations_tried)}) would be cleared")
    return lines


def comparison_lines(report: ExerciseReport) -> list[str]:
    """What the rules in force at the comparison time change for this plan, as sentences."""
    c = report.comparison
    if c is None:
        return []
    lines = [f"{a}: {now} → {then}" for a, now, then in c.changed] or ["no activity's outcome changes"]
    duties_now = tuple(o.obligation.type for o in report.duties.decision.obligations)
    if set(duties_now) == set(c.duties):
        lines.append(f"exercise-level duties unchanged ({', '.join(c.duties) or 'none'})")
    else:
        lines.append(f"exercise-level duties: {', '.join(duties_now) or 'none'} → {', '.join(c.duties) or 'none'}")
    return lines


def comparison_text(report: ExerciseReport) -> str:
    c = report.comparison
    if c is None:
        return ""
    head = f"Judged by the rules in force at {format_time(c.at)} (versions {', '.join(c.versions)}):"
    return "\n".join([head, *(f"  {line}" for line in comparison_lines(report))])


def _policy_line(report: ExerciseReport) -> str:
    p = report.policy
    at = f", judged by the rules in force at {format_time(report.at)}" if report.at else ""
    return f"Policy `{p.id}` (hash `{p.hash}`){at}."


def report_markdown(report: ExerciseReport) -> str:
    """The whole report as Markdown."""
    plan = report.plan
    counts = report.counts()
    lines = [
        f"# {plan.name}: exercise report",
        "",
        f"Lead nation {plan.lead_nation}; {plan.command or 'command not given'}; "
        f"{format_time(plan.start)} to {format_time(plan.end)}; {len(plan.activities)} activities, "
        f"participants {', '.join(plan.nations)}.",
        "",
        _policy_line(report),
        "",
        "Outcome over the plan: **"
        + str(report.outcome)
        + "** ("
        + ", ".join(f"{n} {o}" for o, n in counts.items() if n)
        + ").",
        "",
        "## Participants (as declared)",
        "",
        "| " + " | ".join(PARTICIPANT_HEAD) + " |",
        "|" + "---|" * len(PARTICIPANT_HEAD),
        *("| " + " | ".join(participant_row(p)) + " |" for p in plan.participants),
        "",
        "## Exercise-level duties (OSCE Vienna Document)",
        "",
        duty_summary(report),
        "",
        "| count | on the host's territory | its activities | whole exercise | declared by participants |",
        "|---|---:|---|---:|---:|",
    ]
    lines += ["| " + " | ".join(count_row(c)) + " |" for c in report.duties.counts]
    lines.append("")
    for r in report.duties.decision.reasons:
        version = f" (version {r.version})" if r.version else ""
        lines.append(f"- **{r.effect}** `{r.rule}`{version}: {r.title}. *{r.basis}*: {r.source}")
    if report.comparison is not None:
        c = report.comparison
        lines += ["", f"## Under the rules in force at {format_time(c.at)} (versions {', '.join(c.versions)})", ""]
        lines += [f"- {line}" for line in comparison_lines(report)]
    lines += ["", "## Deadlines", "", "| due | obligation | to | for | rules |", "|---|---|---|---|---|"]
    lines += ["| " + " | ".join(deadline_row(d)) + " |" for d in report.deadlines]
    lines += [
        "",
        "## Activities",
        "",
        "| activity | phase | kind | actor | outcome | obligations |",
        "|---|---|---|---|---|---|",
    ]
    for a, d in zip(plan.activities, report.decisions, strict=True):
        phase = plan.phase_of(a.id)
        lines.append(
            f"| {a.id} | {phase.id if phase else ''} | {a.kind} | {a.actor.label()} | **{d.outcome}** | "
            f"{', '.join(o.obligation.type for o in d.obligations)} |"
        )
    lines += ["", "## What would change a referred or denied activity", ""]
    if not report.alternatives:
        lines.append("Nothing is referred or denied.")
    for a, d in zip(plan.activities, report.decisions, strict=True):
        alt = report.alternatives.get(a.id)
        if alt is None:
            continue
        decisive = [r.rule for r in d.reasons if r.effect == Outcome(d.outcome).effect]
        lines += [f"### {a.id}: {d.outcome} ({', '.join(dict.fromkeys(decisive))})", ""]
        lines += [f"- {line}" for line in alternative_lines(alt)]
        lines.append("")
    if report.warnings:
        lines += ["## Warnings", ""] + [f"- {w}" for w in report.warnings]
    return "\n".join(lines).rstrip() + "\n"


def report_table(report: ExerciseReport) -> Table:
    """The activities with their outcome and phase, for a terminal."""
    table = Table(
        title=f"{report.plan.name} — policy {report.policy.id} ({report.policy.hash[:19]})", title_justify="left"
    )
    for col in ("activity", "phase", "kind", "actor", "outcome", "obligations", "alternative"):
        table.add_column(col, overflow="fold")
    for a, d in zip(report.plan.activities, report.decisions, strict=True):
        phase = report.plan.phase_of(a.id)
        alt = report.alternatives.get(a.id)
        hint = ""
        if alt is not None:
            hints = []
            if alt.time:
                hints.append(f"from {format_time(alt.time.start)[:10]}")
            if alt.place.outcome is not None:
                hints.append(f"first {alt.place.length_km:,.0f} km")
            if alt.actors:
                hints.append("by " + ", ".join(x.nation for x in alt.actors))
            hint = "; ".join(hints) or "none"
        table.add_row(
            a.id,
            phase.id if phase else "",
            a.kind,
            a.actor.label(),
            f"[{OUTCOME_STYLE[d.outcome]}]{d.outcome}[/]",
            ", ".join(o.obligation.type for o in d.obligations),
            hint,
        )
    return table
