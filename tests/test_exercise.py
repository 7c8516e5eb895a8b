"""Exercise plans (docs/exercises.md): the plan format and its errors, the exercise-level duties,
the report in every format, the calendar file, and Nordic Response 2024 under the March 2024 and
the 2025 policy."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path

import jsonschema
import pytest

from highnorth.cli.app import main
from highnorth.exercise.duties import exercise_duties
from highnorth.exercise.report import build_report
from highnorth.formats.exercise_plan import read_plan
from highnorth.model.errors import ExercisePlanError, PolicyDataError
from highnorth.model.rule import Obligation
from highnorth.model.time import parse_time
from highnorth.scenarios import run_scenario

from conftest import DEFAULT_POLICY, ROOT

PLAN = ROOT / "examples" / "nordic-response" / "activities.geojson"
SCENARIOS = ROOT / "examples" / "scenarios"
SCHEMAS = ROOT / "src" / "highnorth" / "schemas"
UTC = dt.UTC


@pytest.fixture(scope="module")
def doc() -> dict:
    return json.loads(PLAN.read_text(encoding="utf-8"))


def _problems(doc: dict, nations) -> list[str]:
    with pytest.raises(ExercisePlanError) as caught:
        read_plan(doc, known_nations=nations)
    return [str(p) for p in caught.value.problems]


def test_the_example_is_a_valid_plan(doc, default_policy) -> None:
    plan, warnings = read_plan(doc, known_nations=set(default_policy.actors.nations))
    assert plan.id == "nordic-response-2024" and plan.lead_nation == "NOR"
    assert warnings == []  # the follow-ups lie outside the exercise dates, in a phase that says so
    assert plan.nations == ("NOR", "FIN", "SWE", "USA", "GBR", "ITA", "DEU")
    assert {p.nation: p.contributions.get("troops") for p in plan.participants}["FIN"] == 4100
    assert plan.phase_of("fin-tanks-kivilompolo").id == "land"
    assert len(plan.activities) == len(doc["features"])


def test_errors_name_the_part_and_the_field_all_at_once(doc, default_policy) -> None:
    bad = copy.deepcopy(doc)
    header = bad["exercise"]
    header["participants"][2]["nation"] = "SWD"
    header["participants"][1]["troops"] = -4100
    header["participants"][0]["colour"] = "blue"
    header["phases"][2]["activities"][1] = "ita-landing-kvaenagen"
    header["phases"][1]["activities"].append("nor-f35-banak")  # already in phase `air`
    header["end"] = "2024-03-01T00:00:00+01:00"
    bad["features"][0]["properties"]["kind"] = "land_movment"
    problems = _problems(bad, set(default_policy.actors.nations))
    assert "exercise: participants[2].nation: unknown nation `SWD`; did you mean `SWE`?" in problems
    assert "exercise: participants[1].troops: expected a whole number ≥ 0, got `-4100`" in problems
    assert any(p.startswith("exercise: participants[0].colour: unknown field") for p in problems)
    assert (
        "phase `amphibious`: activities[1]: no activity `ita-landing-kvaenagen`; did you mean `ita-landing-kvaenangen`?"
        in problems
    )
    assert "phase `air`: activities[0]: `nor-f35-banak` is already in phase `land`; expected one phase each" in problems
    assert any(p.startswith("exercise: end: `2024-03-01T00:00:00+01:00` is not after start") for p in problems)
    assert any("activity `fin-tanks-kivilompolo`: properties.kind: unknown kind `land_movment`" in p for p in problems)
    # swedish activities: SWE is no longer a participant after the typo
    assert any(
        p.startswith("activity `swe-cv90-kivilompolo`: properties.actor.nation: `SWE` is not a participant")
        for p in problems
    )


def test_missing_header_lead_not_participating_and_phase_dates(doc, default_policy) -> None:
    nations = set(default_policy.actors.nations)
    no_header = {k: v for k, v in doc.items() if k != "exercise"}
    assert _problems(no_header, nations) == [
        "document: exercise: missing; expected an object with id, name, lead_nation, start, end, participants"
    ]
    bad = copy.deepcopy(doc)
    bad["exercise"]["lead_nation"] = "DNK"
    bad["exercise"]["phases"][0]["end"] = "2024-03-04T00:00:00+01:00"  # the SSN call runs to 6 March
    problems = _problems(bad, nations)
    assert any(p.startswith("exercise: lead_nation: `DNK` is not among the participants") for p in problems)
    assert any(p.startswith("phase `port-calls`: activities[0]: `us-ssn-grotsund` runs") for p in problems)


def test_the_cli_reports_a_bad_plan_with_exit_2(tmp_path: Path, doc, capsys) -> None:
    bad = copy.deepcopy(doc)
    bad["exercise"]["participants"][2]["nation"] = "SWD"
    path = tmp_path / "plan.geojson"
    path.write_text(json.dumps(bad), encoding="utf-8")
    assert main(["exercise", "check", str(path), "--policy", str(DEFAULT_POLICY)]) == 2
    err = capsys.readouterr().err
    assert "problems in the exercise plan" in err and "did you mean `SWE`?" in err


def test_a_plan_is_still_activity_geojson(tmp_path: Path) -> None:
    """`highnorth check` reads a plan as activities and ignores the header (one example, not two)."""
    assert (
        main(["check", str(PLAN), "--policy", str(DEFAULT_POLICY), "-f", "json", "-o", str(tmp_path / "d.json")]) == 4
    )


def test_a_wrong_exercise_expectation_fails_the_scenario(tmp_path: Path, screener) -> None:
    folder = tmp_path / "52"
    shutil.copytree(SCENARIOS / "52-exercise-parts-below-9000-together-above", folder)
    expected = (folder / "expected.yaml").read_text(encoding="utf-8")
    (folder / "expected.yaml").write_text(expected.replace("troops: 9500", "troops: 9499"), encoding="utf-8")
    result = run_scenario(folder, lambda _: screener)
    assert result.failures == ["exercise: count `troops` is 9500.0, expected 9499"]


def test_due_on_falls_on_the_calendar_date_in_the_policy_time_zone() -> None:
    start = dt.datetime(2024, 1, 10, 12, tzinfo=UTC)
    calendar = Obligation("osce_annual_calendar", due_on=(11, 15, 1))
    assert calendar.due(start, "Europe/Oslo") == dt.datetime(2023, 11, 14, 23, tzinfo=UTC)  # 15 Nov 00:00 Oslo
    both = Obligation("x", notice_days=42, due_on=(11, 15, 1))
    assert both.due(dt.datetime(2024, 11, 20, tzinfo=UTC), "UTC") == dt.datetime(2023, 11, 15, tzinfo=UTC)
    leap = Obligation("x", due_on=(2, 29, 1))  # 29 February of a year that has none: the 28th
    assert leap.due(dt.datetime(2026, 3, 1, tzinfo=UTC), "UTC") == dt.datetime(2025, 2, 28, tzinfo=UTC)


def test_a_calendar_date_that_does_not_exist_is_policy_data_error(tmp_path: Path) -> None:
    from highnorth.rules.loading.loader import load_policy

    folder = tmp_path / "policy"
    shutil.copytree(DEFAULT_POLICY, folder)
    rules = folder / "rules" / "vienna.yaml"
    rules.write_text(rules.read_text(encoding="utf-8").replace("{month: 11, day: 15,", "{month: 11, day: 31,", 1))
    with pytest.raises(PolicyDataError, match=r"`due_on` 11-31 is not a date"):
        load_policy(folder, cache_dir=None)


# --- Nordic Response 2024 under the March 2024 and the 2025 policy --------------------------------


@pytest.fixture(scope="module")
def nordic(default_policy, screener):
    plan, _ = read_plan(json.loads(PLAN.read_text(encoding="utf-8")), known_nations=set(default_policy.actors.nations))
    return plan, build_report(plan, screener), build_report(plan, screener, at=parse_time("2025-06-01"))


def _outcomes(report) -> dict[str, str]:
    return {d.activity: str(d.outcome) for d in report.decisions}


def test_nordic_response_under_the_march_2024_policy(nordic) -> None:
    _, march, _ = nordic
    out = _outcomes(march)
    assert out["porsangmoen-request"] == "denied" and out["deu-p3-nordic-response"] == "denied"
    assert out["nor-host-land-component"] == "permitted"  # 8,000 alone: below every Vienna threshold
    duties = march.duties
    troops = next(c for c in duties.counts if c.name == "troops")
    assert troops.host == 13_700 and troops.host_at == parse_time("2024-03-11T05:00:00+01:00")
    assert set(troops.host_activities) == {
        "nor-host-land-component",
        "us-marines-setermoen",
        "porsangmoen-request",
        "ita-landing-kvaenangen",
    }
    types = {o.obligation.type: o.due for o in duties.decision.obligations}
    assert set(types) == {"osce_notification", "osce_observation", "osce_annual_calendar"}  # 13,700 ≥ 13,000
    assert types["osce_notification"] == parse_time("2024-03-03T00:00:00+01:00") - dt.timedelta(days=42)
    assert types["osce_annual_calendar"] == parse_time("2023-11-15T00:00:00+01:00")
    assert duties.decision.versions == ("2022.1",)
    porsangmoen = march.alternatives["porsangmoen-request"]
    assert porsangmoen.time is not None and porsangmoen.time.start == parse_time("2025-05-22T00:00:00+02:00")
    assert [a.nation for a in porsangmoen.actors] == ["NOR"]  # only the host could, as planned
    assert [r.zone for r in porsangmoen.place.restrictions] == ["finnmark-east-24"]
    p3 = march.alternatives["deu-p3-nordic-response"]
    assert p3.time is None  # the 27°E limit still holds for German flights under every version
    assert p3.place.outcome == "conditional" and p3.place.stop is not None
    assert {a.nation for a in p3.actors} == {"NOR", "USA", "GBR"}
    assert march.outcome == "denied"


def test_nordic_response_under_the_2025_policy(nordic) -> None:
    _, march, june = nordic
    before, after = _outcomes(march), _outcomes(june)
    changed = {k: (before[k], after[k]) for k in before if before[k] != after[k]}
    assert changed == {
        "porsangmoen-request": ("denied", "conditional"),
        "rc135-2021": ("denied", "conditional"),
        "airspace-banak-amendment": ("denied", "conditional"),
    }
    assert after["deu-p3-nordic-response"] == "denied" and after["us-destroyer-kirkenes-2025"] == "referred"
    assert june.duties.decision.versions == ("2025.1",)
    assert {o.obligation.type for o in june.duties.decision.obligations} == {
        "osce_notification",
        "osce_observation",
        "osce_annual_calendar",
    }


def test_spread_parts_have_no_duty_and_a_non_number_fails_closed(screener, default_policy) -> None:
    doc = json.loads((SCENARIOS / "52-exercise-parts-below-9000-together-above" / "activities.geojson").read_text())
    doc["features"][1]["properties"]["attributes"]["troops"] = "many"
    plan, _ = read_plan(doc, known_nations=set(default_policy.actors.nations))
    duties = exercise_duties(plan, screener)
    troops = next(c for c in duties.counts if c.name == "troops")
    assert troops.unknown == ("usa-marines",)
    assert duties.decision.outcome == "referred"
    assert any("cannot evaluate" in r.detail for r in duties.decision.reasons)


# --- the report in every format -------------------------------------------------------------------


def _run(*args: str) -> int:
    return main(["exercise", *args, "--policy", str(DEFAULT_POLICY)])


def test_check_exits_as_check_does_and_summarises(capsys) -> None:
    assert _run("check", str(PLAN)) == 4
    out = capsys.readouterr().out
    assert "2 permitted, 10 conditional, 1 referred, 4 denied" in out
    assert "osce_notification" in out and "porsangmoen-request" in out


def test_report_json_is_deterministic_and_its_decisions_are_decision_json(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    assert _run("report", str(PLAN), "-f", "json", "-o", str(a)) == 4
    assert _run("report", str(PLAN), "-f", "json", "-o", str(b)) == 4
    assert a.read_bytes() == b.read_bytes()
    doc = json.loads(a.read_text(encoding="utf-8"))
    assert doc["exercise"]["id"] == "nordic-response-2024"
    assert doc["summary"] == {
        "outcome": "denied",
        "activities": {"permitted": 2, "conditional": 10, "referred": 1, "denied": 4},
    }
    decision_schema = json.loads((SCHEMAS / "decision.schema.json").read_text(encoding="utf-8"))
    as_decisions = {
        "policy": doc["policy"],
        "decisions": [
            *({k: v for k, v in d.items() if k != "phase"} for d in doc["decisions"]),
            doc["duties"]["decision"],
        ],
    }
    jsonschema.Draft202012Validator(decision_schema).validate(as_decisions)
    with_alts = {d["activity"] for d in doc["decisions"] if "alternatives" in d}
    assert with_alts == {d["activity"] for d in doc["decisions"] if d["outcome"] in ("referred", "denied")}
    assert [d["due"] for d in doc["deadlines"]] == sorted(d["due"] for d in doc["deadlines"])
    assert doc["deadlines"][0] == {
        "due": "2023-11-14T23:00:00Z",
        "type": "osce_annual_calendar",
        "authority": "OSCE participating States, through the host nation",
        "text": "include the activity in the annual calendar exchanged by 15 November for the following year (Vienna Document 2011)",
        "level": "exercise",
        "activities": ["nordic-response-2024"],
        "rules": ["vienna-annual-calendar"],
    }


def test_report_markdown_has_every_part(capsys) -> None:
    assert _run("report", str(PLAN)) == 4
    md = capsys.readouterr().out
    headings = ("## Participants", "## Exercise-level duties", "## Deadlines", "## Activities", "## What would change")
    assert [md.index(h) for h in headings] == sorted(md.index(h) for h in headings)
    assert "| FIN | 4,100 | — | — | — | — | — | reported | FACTS.md §6 |" in md
    for heading in headings:
        assert heading in md
    assert "| troops (peak) | 13,700 at 2024-03-11T04:00:00Z |" in md
    assert "### porsangmoen-request: denied (fm24-land)" in md
    assert (
        "time: cleared (conditional) if it starts at 2025-05-21T22:00:00Z or later, when version 2025.1 takes effect"
        in md
    )


def test_report_html_has_no_script_and_is_the_same_bytes_twice(tmp_path: Path) -> None:
    a, b = tmp_path / "a.html", tmp_path / "b.html"
    assert _run("report", str(PLAN), "-f", "html", "-o", str(a)) == 4
    assert _run("report", str(PLAN), "-f", "html", "-o", str(b)) == 4
    html = a.read_text(encoding="utf-8")
    assert a.read_bytes() == b.read_bytes()
    assert "<script" not in html.lower() and "javascript:" not in html.lower() and " on" + "load=" not in html
    assert html.count('src="data:image/png;base64,') == 2  # the map and the timeline, inline
    assert "http://" not in html and "https://" not in html  # nothing to fetch


def test_calendar_imports_with_icalendar(tmp_path: Path) -> None:
    icalendar = pytest.importorskip("icalendar")
    ics, report = tmp_path / "plan.ics", tmp_path / "report.json"
    assert _run("calendar", str(PLAN), "-o", str(ics)) == 0
    assert _run("report", str(PLAN), "-f", "json", "-o", str(report), "--no-alternatives") == 4
    raw = ics.read_bytes()
    assert all(len(line) <= 75 for line in raw.split(b"\r\n"))  # folded (RFC 5545 §3.1)
    calendar = icalendar.Calendar.from_ical(raw)
    events = list(calendar.walk("VEVENT"))
    deadlines = json.loads(report.read_text(encoding="utf-8"))["deadlines"]
    assert len(events) == len(deadlines) == 11
    starts = sorted(e.decoded("DTSTART").astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for e in events)
    assert starts == sorted(d["due"][:19] + "Z" for d in deadlines)
    assert len({str(e["UID"]) for e in events}) == len(events)
    first = min(events, key=lambda e: e.decoded("DTSTART"))
    assert str(first["SUMMARY"]) == "Nordic Response 2024: osce annual calendar due (the exercise)"
    assert "vienna-annual-calendar" in str(first["DESCRIPTION"])


def test_check_json_carries_alternatives_only_when_asked(tmp_path: Path) -> None:
    plain, alts = tmp_path / "plain.json", tmp_path / "alts.json"
    assert main(["check", str(PLAN), "--policy", str(DEFAULT_POLICY), "-f", "json", "-o", str(plain)]) == 4
    args = ["check", str(PLAN), "--policy", str(DEFAULT_POLICY), "-f", "json", "--alternatives", "-o", str(alts)]
    assert main(args) == 4
    assert "alternatives" not in plain.read_text(encoding="utf-8")
    doc = json.loads(alts.read_text(encoding="utf-8"))
    schema = json.loads((SCHEMAS / "decision.schema.json").read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    banak = next(d for d in doc["decisions"] if d["activity"] == "airspace-banak-amendment")
    assert banak["alternatives"]["time"]["start"] == "2025-05-21T22:00:00Z"
    assert banak["alternatives"]["place"]["restrictions"][0]["area_km2"] > 0


def test_explain_says_what_would_change_it(capsys) -> None:
    args = ["explain", str(PLAN), "deu-p3-nordic-response", "--policy", str(DEFAULT_POLICY)]
    assert main(args) == 4
    out = capsys.readouterr().out
    assert "What would change it:" in out
    assert "time: no later start clears it" in out
    assert "actor: cleared as planned for USA" in out


def test_a_plan_without_activities_has_a_report_and_no_duty(screener, default_policy) -> None:
    from highnorth.formats.exercise_report import calendar_ics
    from highnorth.service.exercise_html import report_html

    header = {
        "id": "empty",
        "name": "Nothing yet",
        "lead_nation": "NOR",
        "start": "2026-03-01T00:00:00+01:00",
        "end": "2026-03-02T00:00:00+01:00",
        "participants": [{"nation": "NOR"}],
    }
    plan, _ = read_plan(
        {"type": "FeatureCollection", "exercise": header, "features": []},
        known_nations=set(default_policy.actors.nations),
    )
    report = build_report(plan, screener)
    assert report.deadlines == () and report.duties.decision.obligations == ()
    (reason,) = report.duties.decision.reasons  # a decision always says why (Decision JSON: minItems 1)
    assert reason.rule == "no-exercise-duty" and "`norway-land`" in reason.title
    assert "<script" not in report_html(report) and "BEGIN:VEVENT" not in calendar_ics(report)


def test_plans_match_the_shipped_exercise_schema() -> None:
    from referencing import Registry, Resource

    schemas = {name: json.loads((SCHEMAS / f"{name}.schema.json").read_text()) for name in ("activity", "exercise")}
    registry = Registry().with_resources((schema["$id"], Resource.from_contents(schema)) for schema in schemas.values())
    validator = jsonschema.Draft202012Validator(schemas["exercise"], registry=registry)
    plans = [PLAN, *sorted(SCENARIOS.glob("5[2-5]-exercise-*/activities.geojson"))]
    assert len(plans) == 5
    for path in plans:
        validator.validate(json.loads(path.read_text(encoding="utf-8")))
    bad = json.loads(PLAN.read_text(encoding="utf-8"))
    bad["exercise"]["participants"][0]["troops"] = -1
    bad["features"][0]["properties"]["kind"] = "parade"
    assert len(list(validator.iter_errors(bad))) == 2


def test_compare_at_says_what_the_2025_rules_change(tmp_path: Path, capsys) -> None:
    assert _run("check", str(PLAN), "--compare-at", "2025-06-01") == 4
    out = capsys.readouterr().out
    assert "Judged by the rules in force at 2025-05-31T22:00:00Z (versions 2025.1):" in out
    for line in ("porsangmoen-request: denied → conditional", "rc135-2021: denied → conditional"):
        assert line in out
    assert "exercise-level duties unchanged" in out
    report = tmp_path / "r.json"
    assert _run("report", str(PLAN), "-f", "json", "--compare-at", "2025-06-01", "-o", str(report)) == 4
    comparison = json.loads(report.read_text(encoding="utf-8"))["comparison"]
    assert comparison["versions"] == ["2025.1"]
    assert {c["activity"] for c in comparison["changed"]} == {
        "porsangmoen-request",
        "rc135-2021",
        "airspace-banak-amendment",
    }
    html = tmp_path / "r.html"
    assert _run("report", str(PLAN), "-f", "html", "--compare-at", "2025-06-01", "-o", str(html)) == 4
    assert "Under the rules in force at 2025-05-31T22:00:00Z (versions 2025.1)" in html.read_text(encoding="utf-8")
