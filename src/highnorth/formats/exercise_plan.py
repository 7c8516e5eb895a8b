"""Exercise plans (docs/exercises.md): an Activity GeoJSON FeatureCollection with an `exercise`
header member. Any reader of Activity GeoJSON reads the activities and ignores the header; this
reader validates both and reports every problem at once, each naming the part and the field:

    examples/nordic-response/activities.geojson: 2 problems in the exercise plan
      exercise: participants[3].nation: unknown nation `SWD`; did you mean `SWE`?
      phase `landing`: activities[1]: no activity `ita-landing-kvaenagen`; did you mean `ita-landing-kvaenangen`?
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Mapping
from pathlib import Path
from typing import Any

from ..model.errors import ExercisePlanError, Problem, did_you_mean
from ..model.exercise import CONTRIBUTIONS, ExercisePlan, Participant, Phase
from ..model.time import parse_time
from ..model.zone import Zone
from .activity_geojson import read_activities

__all__ = ["load_plan", "read_plan"]

_HEADER = ("id", "name", "lead_nation", "command", "start", "end", "participants", "phases", "note", "source")
_PARTICIPANT = ("nation", *CONTRIBUTIONS, "note", "basis", "source")
_PHASE = ("id", "name", "start", "end", "activities")
_BASES = ("official", "reported", "assumption")
_IDENT = re.compile(r"^[a-z0-9][a-z0-9._-]{0,99}$")


def load_plan(path: Path | str, **options: Any) -> tuple[ExercisePlan, list[str]]:
    """Read an exercise plan file; see `read_plan`."""
    path = Path(path)
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ExercisePlanError([Problem(str(path), "", f"cannot read: {exc.strerror}")]) from None
    except UnicodeDecodeError as exc:
        raise ExercisePlanError([Problem(str(path), "", f"not UTF-8 text (byte {exc.start})")]) from None
    except json.JSONDecodeError as exc:
        raise ExercisePlanError(
            [Problem(f"{path}:{exc.lineno}", "", f"not valid JSON: {exc.msg} (column {exc.colno})")]
        ) from None
    return read_plan(doc, source=str(path), **options)


def read_plan(
    doc: Any,
    *,
    source: str = "",
    known_nations: Collection[str] | None = None,
    repair_invalid: bool = True,
    ports: Mapping[str, Zone] | None = None,
) -> tuple[ExercisePlan, list[str]]:
    """Validate a plan document and build the plan; returns it with the reader's warnings.
    Raises `ExercisePlanError` listing every problem of the header and the activities."""
    if not isinstance(doc, Mapping) or doc.get("type") != "FeatureCollection":
        got = doc.get("type") if isinstance(doc, Mapping) else type(doc).__name__
        raise ExercisePlanError(
            [Problem("document", "type", f"expected a GeoJSON `FeatureCollection`, got `{got}`")], source
        )
    result = read_activities(
        doc, source=source, known_nations=known_nations, skip_invalid=True, repair_invalid=repair_invalid, ports=ports
    )
    problems = list(result.problems)
    warnings = [w for w in result.warnings if not w.startswith("skipped: ")]
    header = doc.get("exercise")
    if not isinstance(header, Mapping):
        problems.append(
            Problem(
                "document",
                "exercise",
                "missing; expected an object with id, name, lead_nation, start, end, participants",
            )
        )
        raise ExercisePlanError(problems, source)
    reader = _HeaderReader(header, known_nations)
    invalid = {p.item.removeprefix("activity `").removesuffix("`") for p in result.problems}
    plan = reader.read(tuple(result.activities), invalid)
    problems += reader.problems
    if problems or plan is None:
        raise ExercisePlanError(problems, source)
    return plan, warnings + reader.warnings


class _HeaderReader:
    """Reads the `exercise` header, collecting every problem."""

    def __init__(self, header: Mapping[str, Any], nations: Collection[str] | None) -> None:
        self.header = header
        self.nations = nations
        self.problems: list[Problem] = []
        self.warnings: list[str] = []

    def problem(self, item: str, field: str, message: str) -> None:
        self.problems.append(Problem(item, field, message))

    def _unknown(self, item: str, prefix: str, value: Mapping[str, Any], allowed: tuple[str, ...]) -> None:
        for key in value:
            if key not in allowed:
                self.problem(
                    item,
                    f"{prefix}{key}",
                    f"unknown field{did_you_mean(str(key), allowed)}; expected one of {', '.join(allowed)}",
                )

    def _text(self, item: str, field: str, value: Any, *, required: bool) -> str:
        if value is None:
            if required:
                self.problem(item, field, "missing; expected a string")
            return ""
        if not isinstance(value, str) or (required and not value.strip()):
            self.problem(item, field, f"expected a non-empty string, got `{value}`")
            return ""
        return value

    def _time(self, item: str, field: str, value: Any, *, required: bool):
        if value is None:
            if required:
                self.problem(item, field, "missing; expected an RFC 3339 time with an offset")
            return None
        try:
            return parse_time(value, allow_date=False)
        except ValueError as exc:
            self.problem(item, field, str(exc))
            return None

    def _nation(self, item: str, field: str, value: Any) -> str | None:
        if not isinstance(value, str) or len(value) != 3 or not value.isalpha() or not value.isupper():
            self.problem(item, field, f"expected an ISO 3166-1 alpha-3 code like `NOR`, got `{value}`")
            return None
        if self.nations is not None and value not in self.nations:
            self.problem(item, field, f"unknown nation `{value}`{did_you_mean(value, self.nations)}")
            return None
        return value

    def read(self, activities: tuple, invalid: set[str]) -> ExercisePlan | None:
        h, item = self.header, "exercise"
        self._unknown(item, "", h, _HEADER)
        ident = self._text(item, "id", h.get("id"), required=True)
        if ident and not _IDENT.match(ident):
            self.problem(item, "id", f"`{ident}` expected lowercase letters, digits, `.`, `_` or `-` (at most 100)")
        name = self._text(item, "name", h.get("name"), required=True)
        command = self._text(item, "command", h.get("command"), required=False)
        lead = self._nation(item, "lead_nation", h.get("lead_nation"))
        start = self._time(item, "start", h.get("start"), required=True)
        end = self._time(item, "end", h.get("end"), required=True)
        if start and end and end <= start:
            self.problem(item, "end", f"`{h['end']}` is not after start `{h['start']}`; expected end after start")
        participants = self._participants(h.get("participants"))
        nations = [p.nation for p in participants]
        if lead and participants and lead not in nations:
            self.problem(
                item, "lead_nation", f"`{lead}` is not among the participants; expected one of {', '.join(nations)}"
            )
        for a in activities:
            if participants and a.actor.nation not in nations:
                self.problem(
                    f"activity `{a.id}`",
                    "properties.actor.nation",
                    f"`{a.actor.nation}` is not a participant of the exercise; expected one of {', '.join(nations)}",
                )
        phases = self._phases(h.get("phases", []), {a.id: a for a in activities}, invalid)
        in_phase = {i for p in phases for i in p.activities}
        if start and end:
            for a in activities:
                if a.id not in in_phase and (a.start < start or a.end > end):
                    self.warnings.append(
                        f"activity `{a.id}` lies outside the exercise dates and in no phase that says so "
                        f"(docs/exercises.md)"
                    )
        note = self._text(item, "note", h.get("note"), required=False)
        source = self._text(item, "source", h.get("source"), required=False)
        if self.problems or not (ident and name and lead and start and end):
            return None
        return ExercisePlan(ident, name, lead, command, start, end, participants, phases, activities, note, source)

    def _participants(self, raw: Any) -> tuple[Participant, ...]:
        if not isinstance(raw, list) or not raw:
            self.problem("exercise", "participants", "expected a non-empty list of {nation, troops?, ...}")
            return ()
        out: list[Participant] = []
        seen: set[str] = set()
        for i, p in enumerate(raw):
            field = f"participants[{i}]"
            if not isinstance(p, Mapping):
                self.problem("exercise", field, 'expected an object like {"nation": "FIN", "troops": 4100}')
                continue
            self._unknown("exercise", f"{field}.", p, _PARTICIPANT)
            nation = self._nation("exercise", f"{field}.nation", p.get("nation"))
            if nation in seen:
                self.problem("exercise", f"{field}.nation", f"`{nation}` is listed twice; expected each nation once")
            contributions: dict[str, int] = {}
            for key in CONTRIBUTIONS:
                value = p.get(key)
                if value is None:
                    continue
                if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                    self.problem("exercise", f"{field}.{key}", f"expected a whole number ≥ 0, got `{value}`")
                    continue
                contributions[key] = value
            basis = p.get("basis", "assumption")
            if basis not in _BASES:
                self.problem("exercise", f"{field}.basis", f"`{basis}`; expected one of {', '.join(_BASES)}")
            note = self._text("exercise", f"{field}.note", p.get("note"), required=False)
            src = self._text("exercise", f"{field}.source", p.get("source"), required=False)
            if nation is not None and nation not in seen:
                seen.add(nation)
                out.append(Participant(nation, contributions, note, basis if basis in _BASES else "assumption", src))
        return tuple(out)

    def _phases(self, raw: Any, by_id: Mapping[str, Any], invalid: set[str]) -> tuple[Phase, ...]:
        if not isinstance(raw, list):
            self.problem("exercise", "phases", "expected a list of {id, name, activities: [ids]}")
            return ()
        out: list[Phase] = []
        owner: dict[str, str] = {}
        for i, p in enumerate(raw):
            if not isinstance(p, Mapping):
                self.problem("exercise", f"phases[{i}]", "expected an object with id, name and activities")
                continue
            ident = p.get("id")
            item = f"phase `{ident}`" if isinstance(ident, str) and ident else f"phase {i}"
            self._unknown(item, "", p, _PHASE)
            if not isinstance(ident, str) or not _IDENT.match(ident):
                self.problem(item, "id", f"expected lowercase letters, digits, `.`, `_` or `-`, got `{ident}`")
            elif any(ph.id == ident for ph in out):
                self.problem(item, "id", f"`{ident}` is used by another phase; expected unique ids")
            name = self._text(item, "name", p.get("name"), required=True)
            start = self._time(item, "start", p.get("start"), required=False)
            end = self._time(item, "end", p.get("end"), required=False)
            if (start is None) != (end is None):
                self.problem(item, "start" if start is None else "end", "expected both start and end, or neither")
            elif start and end and end <= start:
                self.problem(item, "end", "expected end after start")
            members = p.get("activities")
            if not isinstance(members, list) or not all(isinstance(m, str) for m in members):
                self.problem(item, "activities", "expected a list of activity ids")
                members = []
            for j, m in enumerate(members):
                if m not in by_id:  # an activity that failed validation has its own problems
                    if m not in invalid:
                        self.problem(item, f"activities[{j}]", f"no activity `{m}`{did_you_mean(m, by_id)}")
                    continue
                if m in owner:
                    self.problem(
                        item, f"activities[{j}]", f"`{m}` is already in phase `{owner[m]}`; expected one phase each"
                    )
                    continue
                owner[m] = str(ident)
                a = by_id[m]
                if start and end and (a.start < start or a.end > end):
                    self.problem(
                        item,
                        f"activities[{j}]",
                        f"`{m}` runs {a.start.isoformat()} to {a.end.isoformat()}, outside the phase's dates",
                    )
            if isinstance(ident, str) and name:
                out.append(Phase(ident, name, tuple(members), start, end))
        return tuple(out)
