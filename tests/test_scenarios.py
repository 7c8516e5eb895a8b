"""Golden scenarios (examples/scenarios) and the Nordic Response example (examples/nordic-response).

Each scenario folder holds activities, the expected decisions derived by hand from FACTS.md and
the rule files, and exposure times computed independently with pyproj's Geod
(examples/scenarios/exposure_times.py recomputes them). A scenario whose expectation disagrees
with the engine because the engine or the data is believed wrong is listed in `DISAGREEMENTS`
and marked as a strict xfail: it turns into a failure once the data or engine is fixed, so the
marker is removed together with the fix.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

from highnorth.cli.app import main
from highnorth.engine import Screener
from highnorth.rules.loading.loader import load_policy
from highnorth.scenarios import find_scenarios, run_scenario

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POLICY = ROOT / "src" / "highnorth" / "data" / "default"
SCENARIOS = ROOT / "examples" / "scenarios"
NORDIC_RESPONSE = ROOT / "examples" / "nordic-response"
SCHEMAS = ROOT / "src" / "highnorth" / "schemas"

#: scenario -> why its expectation (kept) differs from what the default data gives today
DISAGREEMENTS: dict[str, str] = {}

FOLDERS = find_scenarios(SCENARIOS)


@pytest.fixture(scope="module")
def screener_for():
    """One screener per policy directory for the whole module (the default dataset for None)."""
    screeners: dict[Path | None, Screener] = {None: Screener(load_policy(DEFAULT_POLICY).policy)}

    def get(path: Path | None) -> Screener:
        if path not in screeners:
            screeners[path] = Screener(load_policy(path).policy)
        return screeners[path]

    return get


def _param(folder: Path):
    reason = DISAGREEMENTS.get(folder.name)
    marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
    return pytest.param(folder, id=folder.name, marks=marks)


def test_there_are_enough_scenarios():
    assert len(FOLDERS) >= 30
    assert set(DISAGREEMENTS) <= {f.name for f in FOLDERS}


@pytest.mark.parametrize("folder", [_param(f) for f in FOLDERS])
def test_scenario(folder: Path, screener_for) -> None:
    result = run_scenario(folder, screener_for)
    assert result.passed, f"{folder.name}: {result.why}\n" + "\n".join(result.failures)


def _activity_schema_cases() -> list:
    import yaml

    cases = []
    for folder in FOLDERS:
        expected = yaml.safe_load((folder / "expected.yaml").read_text(encoding="utf-8")) or {}
        if not expected.get("error"):
            cases.append(pytest.param(folder / "activities.geojson", id=folder.name))
    cases.append(pytest.param(NORDIC_RESPONSE / "activities.geojson", id="nordic-response"))
    return cases


@pytest.mark.parametrize("path", _activity_schema_cases())
def test_example_activities_match_the_shipped_schema(path: Path) -> None:
    schema_path = SCHEMAS / "activity.schema.json"
    if not schema_path.is_file():
        pytest.skip(f"no {schema_path.name} shipped")
    schema = json.loads(schema_path.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(schema).validate(json.loads(path.read_text(encoding="utf-8")))


def _stated_exit_code() -> int:
    readme = (NORDIC_RESPONSE / "README.md").read_text(encoding="utf-8")
    found = re.search(r"exits with\s+code\s+\*\*(\d)\*\*", readme)
    assert found, "examples/nordic-response/README.md must state the exit code as `exits with code **N**`"
    return int(found.group(1))


def _check_example(fmt: str, output: Path) -> int:
    """`highnorth check` on the Nordic Response example, written to `output`."""
    args = ["check", str(NORDIC_RESPONSE / "activities.geojson"), "--policy", str(DEFAULT_POLICY)]
    return main([*args, "--format", fmt, "--output", str(output)])


def test_nordic_response_exit_code_is_the_one_the_readme_states(tmp_path: Path) -> None:
    code = _check_example("markdown", tmp_path / "decisions.md")
    assert code == _stated_exit_code()
    assert _stated_exit_code() in (0, 3, 4)


def test_nordic_response_json_matches_the_decision_schema(tmp_path: Path) -> None:
    schema_path = SCHEMAS / "decision.schema.json"
    if not schema_path.is_file():
        pytest.skip(f"no {schema_path.name} shipped")
    out = tmp_path / "decisions.json"
    code = _check_example("json", out)
    assert code == _stated_exit_code()
    doc = json.loads(out.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator(json.loads(schema_path.read_text(encoding="utf-8"))).validate(doc)
    features = json.loads((NORDIC_RESPONSE / "activities.geojson").read_text(encoding="utf-8"))["features"]
    assert [d["activity"] for d in doc["decisions"]] == [f["id"] for f in features]


def test_expected_exposure_times_match_the_independent_calculation(capsys) -> None:
    """expected.yaml's exposure times equal a pyproj-only recomputation (no highnorth code)."""
    import runpy

    module = runpy.run_path(str(SCENARIOS / "exposure_times.py"))
    assert module["main"]() == 0, capsys.readouterr().out
