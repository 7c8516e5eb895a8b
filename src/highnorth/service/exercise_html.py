"""The exercise report as one HTML page with no script: inline CSS, the two figures as PNG data
URIs, everything escaped. It opens from a file with no network, and the server serves the same
bytes (`GET /exercises/{id}/report` with `Accept: text/html`) under `REPORT_CSP`, which allows no
script at all and only this page's own style block (by its hash)."""

from __future__ import annotations

import base64
import hashlib
from html import escape

from ..exercise.report import ExerciseReport
from ..model.outcome import Outcome
from ..model.time import format_time
from .exercise_figures import OUTCOME_COLOUR, plan_map_png, timeline_png
from .exercise_rendering import (
    PARTICIPANT_HEAD,
    alternative_lines,
    comparison_lines,
    count_row,
    deadline_row,
    duty_summary,
    participant_row,
)

__all__ = ["REPORT_CSP", "STYLE", "report_html"]

STYLE = """
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; padding: 0 1rem; color: #111; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; width: 100%; font-size: 0.85rem; margin: 0.5rem 0 1rem; }
th, td { border: 1px solid #ccc; padding: 0.25rem 0.4rem; text-align: left; vertical-align: top; }
th { background: #f2f2f2; } td.n { text-align: right; white-space: nowrap; }
.o { font-weight: 600; padding: 0 0.3rem; border-radius: 3px; color: #000; }
.o-permitted { background: #9fdcc9; } .o-conditional { background: #bfe3f7; }
.o-referred { background: #f6d28f; } .o-denied { background: #f2b08a; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
.meta { color: #444; font-size: 0.9rem; } code { font-size: 0.85rem; }
"""
#: the page's Content-Security-Policy when served: no script of any kind; images only inline
REPORT_CSP = (
    "default-src 'none'; script-src 'none'; img-src data:; "
    f"style-src 'sha256-{base64.b64encode(hashlib.sha256(STYLE.encode()).digest()).decode()}'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


def _outcome(value: str) -> str:
    o = Outcome(value)
    return f'<span class="o o-{o}">{escape(str(o))}</span>'


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<figure><img src="data:image/png;base64,{data}" alt="{escape(alt)}"></figure>'


def _table(head: tuple[str, ...], rows: list[tuple[str, ...]], numeric: tuple[int, ...] = ()) -> str:
    th = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join(
        "<tr>" + "".join(f"<td{' class=n' if i in numeric else ''}>{cell}</td>" for i, cell in enumerate(r)) + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"


def report_html(report: ExerciseReport) -> str:
    """The whole report as a self-contained HTML page without script."""
    plan, policy = report.plan, report.policy
    at = f"; judged by the rules in force at {format_time(report.at)}" if report.at else ""
    counts = ", ".join(f"{n} {o}" for o, n in report.counts().items() if n)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(plan.name)} — exercise report</title>",
        f"<style>{STYLE}</style></head><body>",
        f"<h1>{escape(plan.name)}: exercise report</h1>",
        f'<p class="meta">Lead nation {escape(plan.lead_nation)}; {escape(plan.command or "command not given")}; '
        f"{escape(format_time(plan.start))} to {escape(format_time(plan.end))}; {len(plan.activities)} activities; "
        f"participants {escape(', '.join(plan.nations))}.<br>Policy <code>{escape(policy.id)}</code> "
        f"(<code>{escape(policy.hash)}</code>){escape(at)}.</p>",
        f"<p>Outcome over the plan: {_outcome(report.outcome)} ({escape(counts)}).</p>",
        _img(plan_map_png(report), f"map of the activities of {plan.name} coloured by outcome"),
        _img(timeline_png(report), f"timeline of the activities of {plan.name} coloured by outcome"),
        "<h2>Participants (as declared)</h2>",
        _table(
            PARTICIPANT_HEAD,
            [tuple(escape(c) for c in participant_row(p)) for p in plan.participants],
            numeric=(1, 2, 3, 4, 5, 6),
        ),
        "<h2>Exercise-level duties (OSCE Vienna Document)</h2>",
        f"<p>{escape(duty_summary(report))}</p>",
        _table(
            ("count", "on the host's territory", "its activities", "whole exercise", "declared by participants"),
            [tuple(escape(c) for c in count_row(c)) for c in report.duties.counts],
            numeric=(1, 3, 4),
        ),
        "<ul>"
        + "".join(
            f"<li>{_outcome(r.effect.outcome)} <code>{escape(r.rule)}</code>"
            f"{escape(f' (version {r.version})' if r.version else '')}: {escape(r.title)}. "
            f"<em>{escape(r.basis)}</em>: {escape(r.source)}</li>"
            for r in report.duties.decision.reasons
        )
        + "</ul>",
        *(
            [
                f"<h2>Under the rules in force at {escape(format_time(report.comparison.at))} "
                f"(versions {escape(', '.join(report.comparison.versions))})</h2>",
                "<ul>" + "".join(f"<li>{escape(line)}</li>" for line in comparison_lines(report)) + "</ul>",
            ]
            if report.comparison is not None
            else []
        ),
        "<h2>Deadlines</h2>",
        _table(
            ("due", "obligation", "to", "for", "rules"),
            [tuple(escape(c) for c in deadline_row(d)) for d in report.deadlines],
        ),
        "<h2>Activities</h2>",
        _table(
            ("activity", "phase", "kind", "actor", "outcome", "obligations"),
            [
                (
                    f"<code>{escape(a.id)}</code>",
                    escape(ph.id if (ph := plan.phase_of(a.id)) else ""),
                    escape(a.kind),
                    escape(a.actor.label()),
                    _outcome(d.outcome),
                    escape(", ".join(o.obligation.type for o in d.obligations)),
                )
                for a, d in zip(plan.activities, report.decisions, strict=True)
            ],
        ),
        "<h2>What would change a referred or denied activity</h2>",
    ]
    if not report.alternatives:
        parts.append("<p>Nothing is referred or denied.</p>")
    for a, d in zip(plan.activities, report.decisions, strict=True):
        alt = report.alternatives.get(a.id)
        if alt is None:
            continue
        parts.append(f"<h3><code>{escape(a.id)}</code>: {_outcome(d.outcome)}</h3>")
        parts.append("<ul>" + "".join(f"<li>{escape(line)}</li>" for line in alternative_lines(alt)) + "</ul>")
    if report.warnings:
        parts.append("<h2>Warnings</h2><ul>" + "".join(f"<li>{escape(w)}</li>" for w in report.warnings) + "</ul>")
    legend = " ".join(f'<span class="o o-{o}">{escape(str(o))}</span>' for o in OUTCOME_COLOUR)
    parts.append(f'<p class="meta">Colours: {legend}. Made by highnorth.</p></body></html>')
    return "\n".join(parts) + "\n"
