"""W5: an exercise plan of 2,000 activities, screened with its exercise-level duties and the
alternatives of every referred or denied activity (issue 14's bar: at most 10 s on the 2-core
machine). The baseline, measured in the same run on the same plan: screening it alone
(`Screener.screen`, what `highnorth check` does), so `ratio` is what the report costs on top.

    PYTHONPATH=src:bench .venv/bin/python bench/exercise.py [--count 2000] [--rounds 3] [--html]

One line `W5 key=value ...`: `activities`, `not_cleared` (referred or denied), `read_s` (the plan
with its header), `screen_s` (baseline), `report_s` (screening, duties, alternatives and
deadlines: `build_report`), `duties_s`, `alternatives_s`, `json_s` (writing the report's JSON),
`html_s` (with `--html`: the page with its two figures), `end_to_end_s` (read + report + JSON),
`ratio` (report over baseline), each the best of `--rounds`, and the alternatives found:
`with_time`, `with_portion`, `with_actor`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from workloads import NATIONS, T0, exercise_plan  # noqa: E402

from highnorth.engine import Screener  # noqa: E402
from highnorth.exercise.alternatives import alternatives  # noqa: E402
from highnorth.exercise.duties import exercise_duties  # noqa: E402
from highnorth.exercise.report import build_report  # noqa: E402
from highnorth.formats.activity_geojson import port_names  # noqa: E402
from highnorth.formats.exercise_plan import load_plan  # noqa: E402
from highnorth.formats.exercise_report import report_json_text  # noqa: E402
from highnorth.rules.loading.loader import load_policy  # noqa: E402
from highnorth.runtime import keep_freed_memory  # noqa: E402

DEFAULT = ROOT / "src" / "highnorth" / "data" / "default"


#: W3's plan starts 2 June 2025; W5 moves it 183 days earlier, so that it spans the 2025 amendment
#: (22 May 2025) and the time alternatives have something to find
SHIFT = dt.timedelta(days=183)


def plan_file(count: int, folder: Path) -> Path:
    """W3's mixed plan of `count` activities, moved to span the 2025 amendment, with an exercise
    header: the nations it uses as participants, dates covering the year it spans."""
    path = exercise_plan(count, folder / "activities.geojson")
    doc = json.loads(path.read_text())
    for f in doc["features"]:
        for key in ("start", "end"):
            f["properties"][key] = (dt.datetime.fromisoformat(f["properties"][key]) - SHIFT).isoformat()
    doc["exercise"] = {
        "id": "w5",
        "name": f"W5: {count} activities",
        "lead_nation": "NOR",
        "start": (T0 - SHIFT).isoformat(),
        "end": (T0 - SHIFT + dt.timedelta(days=370)).isoformat(),
        "participants": [{"nation": n} for n in NATIONS],
    }
    path.write_text(json.dumps(doc))
    return path


def best(rounds: int, fn):
    out, seconds = None, float("inf")
    for _ in range(rounds):
        t = time.perf_counter()
        out = fn()
        seconds = min(seconds, time.perf_counter() - t)
    return out, seconds


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--html", action="store_true", help="also time the HTML page with its figures")
    args = ap.parse_args()
    keep_freed_memory()
    policy = load_policy(DEFAULT).policy
    screener = Screener(policy)
    with tempfile.TemporaryDirectory() as tmp:
        path = plan_file(args.count, Path(tmp))
        ports = port_names(policy.zones.values())
        (plan, _), read_s = best(
            args.rounds, lambda: load_plan(path, known_nations=set(policy.actors.nations), ports=ports)
        )
        decisions, screen_s = best(args.rounds, lambda: screener.screen(plan.activities))
        _, duties_s = best(args.rounds, lambda: exercise_duties(plan, screener))
        alts, alternatives_s = best(
            args.rounds, lambda: alternatives(plan.activities, decisions, screener, nations=plan.nations)
        )
        report, report_s = best(args.rounds, lambda: build_report(plan, screener))
        text, json_s = best(args.rounds, lambda: report_json_text(report))
        (Path(tmp) / "report.json").write_text(text)
        html_s = None
        if args.html:
            from highnorth.service.exercise_html import report_html

            _, html_s = best(1, lambda: report_html(report))
    values = {
        "activities": len(plan.activities),
        "not_cleared": len(alts),
        "read_s": round(read_s, 3),
        "screen_s": round(screen_s, 3),
        "duties_s": round(duties_s, 3),
        "alternatives_s": round(alternatives_s, 3),
        "report_s": round(report_s, 3),
        "json_s": round(json_s, 3),
        **({"html_s": round(html_s, 3)} if html_s is not None else {}),
        "end_to_end_s": round(read_s + report_s + json_s, 3),
        "ratio": round(report_s / screen_s, 2),
        "with_time": sum(a.time is not None for a in alts.values()),
        "with_portion": sum(a.place.outcome is not None for a in alts.values()),
        "with_actor": sum(bool(a.actors) for a in alts.values()),
    }
    print("W5 " + " ".join(f"{k}={v}" for k, v in values.items()), flush=True)


if __name__ == "__main__":
    main()
