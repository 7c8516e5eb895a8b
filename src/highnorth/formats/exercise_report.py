"""The exercise report as JSON (docs/exercises.md §5) and the deadlines as iCalendar (RFC 5545).

The JSON report keeps the Decision JSON of every activity (with its optional `alternatives`) and
adds the exercise header, the exercise-level duties and the deadline calendar; one decision a
line, like Decision JSON (`decision_json.dumps`). The iCalendar file has one all-day-free event per deadline, at its due
time, with a stable UID so a calendar program that imports it again updates rather than
duplicates; `icalendar` validates it in the tests.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..exercise.duties import Count
from ..exercise.report import Deadline, ExerciseReport
from ..model.exercise import ExercisePlan
from ..model.hashing import content_hash
from ..model.time import format_time
from .decision_json import decision_json, dumps, policy_json

__all__ = ["calendar_ics", "deadline_json", "plan_json", "report_json", "report_json_text"]


def plan_json(plan: ExercisePlan) -> dict[str, Any]:
    """The exercise header as read (times in UTC)."""
    return {
        "id": plan.id,
        "name": plan.name,
        "lead_nation": plan.lead_nation,
        "command": plan.command,
        "start": format_time(plan.start),
        "end": format_time(plan.end),
        "participants": [
            {"nation": p.nation, **dict(p.contributions), "note": p.note, "basis": p.basis, "source": p.source}
            for p in plan.participants
        ],
        "phases": [
            {
                "id": ph.id,
                "name": ph.name,
                "start": format_time(ph.start) if ph.start else None,
                "end": format_time(ph.end) if ph.end else None,
                "activities": list(ph.activities),
            }
            for ph in plan.phases
        ],
    }


def _count_json(c: Count) -> dict[str, Any]:
    return {
        "name": c.name,
        "host": c.host,
        "host_at": format_time(c.host_at) if c.host_at else None,
        "host_activities": list(c.host_activities),
        "whole": c.whole,
        "whole_at": format_time(c.whole_at) if c.whole_at else None,
        "declared": c.declared,
        **({"not_numbers": list(c.unknown)} if c.unknown else {}),
    }


def deadline_json(d: Deadline) -> dict[str, Any]:
    return {
        "due": format_time(d.due),
        "type": d.type,
        "authority": d.authority,
        "text": d.text,
        "level": d.level,
        "activities": list(d.activities),
        "rules": list(d.rules),
    }


def report_json(report: ExerciseReport) -> dict[str, Any]:
    """The report as a JSON document (docs/exercises.md §3)."""
    duties = report.duties
    doc: dict[str, Any] = {
        "exercise": plan_json(report.plan),
        "policy": policy_json(report.policy, [*report.decisions, duties.decision]),
        "at": format_time(report.at) if report.at else None,
        "summary": {"outcome": report.outcome, "activities": {str(o): n for o, n in report.counts().items()}},
        "duties": {
            "territory": list(duties.territory),
            "window": None
            if duties.window is None
            else {"start": format_time(duties.window.start), "end": format_time(duties.window.end)},
            "counts": [_count_json(c) for c in duties.counts],
            "decision": decision_json(duties.decision),
        },
        "decisions": [
            {
                **decision_json(d, report.alternatives.get(d.activity)),
                "phase": ph.id if (ph := report.plan.phase_of(d.activity)) else None,
            }
            for d in report.decisions
        ],
        "deadlines": [deadline_json(d) for d in report.deadlines],
        "warnings": list(report.warnings),
    }
    if report.comparison is not None:
        c = report.comparison
        doc["comparison"] = {
            "at": format_time(c.at),
            "versions": list(c.versions),
            "changed": [{"activity": a, "outcome": now, "then": then} for a, now, then in c.changed],
            "duties": list(c.duties),
        }
    return doc


def report_json_text(report: ExerciseReport) -> str:
    """The report as JSON text (`dumps`: deterministic, one decision a line)."""
    return dumps(report_json(report))


def _escape(text: str) -> str:
    """TEXT escaping of RFC 5545 §3.3.11."""
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def _fold(line: str) -> str:
    """Lines longer than 75 octets folded (RFC 5545 §3.1), never inside a UTF-8 sequence."""
    out: list[str] = []
    current = ""
    for ch in line:
        if len((current + ch).encode("utf-8")) > (75 if not out else 74):
            out.append(current)
            current = ""
        current += ch
    out.append(current)
    return "\r\n ".join(out)


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _description(report: ExerciseReport, d: Deadline) -> str:
    rules = ", ".join(d.rules)
    whom = d.authority or "the host nation"
    return f"{d.text}. To: {whom}. Rules: {rules}. Policy {report.policy.id} ({report.policy.hash[:19]})"


def calendar_ics(report: ExerciseReport) -> str:
    """The deadlines as an iCalendar (RFC 5545) document: one event per deadline at its due time.
    DTSTAMP is the plan's start, not the wall clock, so the same input gives the same bytes."""
    plan = report.plan
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//highnorth//exercise deadlines//EN",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{_escape(plan.name + ' — deadlines')}",
    ]
    for d in report.deadlines:
        uid = content_hash([plan.id, d.type, d.authority, format_time(d.due), list(d.activities)])[7:31]
        what = d.type.replace("_", " ")
        whom = "the exercise" if d.level == "exercise" else ", ".join(d.activities)
        lines += [
            "BEGIN:VEVENT",
            f"UID:{uid}@{plan.id}.highnorth",
            f"DTSTAMP:{_stamp(plan.start)}",
            f"DTSTART:{_stamp(d.due)}",
            f"DTEND:{_stamp(d.due + dt.timedelta(minutes=30))}",
            f"SUMMARY:{_escape(f'{plan.name}: {what} due ({whom})')}",
            f"DESCRIPTION:{_escape(_description(report, d))}",
            "TRANSP:TRANSPARENT",
            f"CATEGORIES:{_escape(d.level)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(_fold(line) for line in lines) + "\r\n"
