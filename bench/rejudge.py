"""Re-judging after a policy release is published: `python bench/rejudge.py [--requests 10000]`.

A fresh SQLite database holds N stored requests, filed while the server ran the 2022 policy (the
default dataset without its 2025.1 version): copies, under new ids, of the activities of the
golden scenarios in Finnmark and of the Nordic Response example whose windows reach past 22 May
2025. The default dataset is then proposed, approved by a second user and published, and the
re-judging job runs to the end in this process (`service.rejudge.run_job`, batches of
`Settings.rejudge_batch`, each one transaction).

The baseline is measured in the same run: the same N activities screened under the new policy in
one batch (`Screener.screen`), nothing read or written. `ratio` = re-judge time over baseline: what
reading, comparing, and writing the changes with their audit entries and events costs on top.

Also printed: the time to load a release into a process (`reload_s`: unpacking the archive,
loading the policy with derived zones from the zone cache, warming the screener), cold (empty
zone cache) and warm (what every server process pays when a release it has not seen is
published; the cache is shared by the processes of one machine).

    REJUDGE requests=... changed=... rejudge_s=... per_request_ms=... batch_screen_s=... ratio=...
    RELOAD cold_s=... warm_s=...
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
import shutil
import tempfile
import time
from pathlib import Path

from highnorth.engine import Screener
from highnorth.runtime import keep_freed_memory
from highnorth.service.archive import load_release_policy, pack_folder
from highnorth.service.config import Settings, default_policy_dir
from highnorth.service.context import load_service
from highnorth.service.inputs import input_hash
from highnorth.service.rejudge import run_job
from highnorth.service.releases import acting_as, approve, propose, publish
from highnorth.store import NewRequest, sqlite_url

AMENDMENT = dt.datetime(2025, 5, 21, 22, tzinfo=dt.UTC)
ROOT = Path(__file__).resolve().parents[1]
SOURCES = [
    *sorted((ROOT / "examples" / "scenarios").glob("*/activities.geojson")),
    ROOT / "examples" / "nordic-response" / "activities.geojson",
]


def policy_2022(root: Path) -> Path:
    shutil.copytree(default_policy_dir(), root)
    text = (root / "policy.yaml").read_text()
    (root / "policy.yaml").write_text(text[: text.index('  - version: "2025.1"')])
    return root


def base_features(service) -> list[dict]:
    """Activities reaching past the amendment that the 2022 policy can read."""
    out, seen = [], set()
    for path in SOURCES:
        doc = json.loads(path.read_text())
        for feature in doc.get("features", []):
            try:
                acts, _f, _w = service.activities({"type": "FeatureCollection", "features": [feature]})
            except Exception:  # a scenario of bad input
                continue
            if acts and acts[0].end > AMENDMENT and feature["id"] not in seen:
                seen.add(feature["id"])
                out.append(feature)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--requests", type=int, default=10_000)
    args = ap.parse_args()
    keep_freed_memory()
    with tempfile.TemporaryDirectory(prefix="highnorth-bench-rejudge-") as tmp:
        tmp_path = Path(tmp)
        settings = Settings.from_env().but(
            policy_dir=policy_2022(tmp_path / "p2022"),
            database_url=sqlite_url(tmp_path / "bench.db"),
            max_features=args.requests + 1000,
        )
        service = load_service(settings)
        for name, role in (("ada", "admin"), ("olga", "policy_owner")):
            service.store.add_user(name, role)
        bases = base_features(service)
        # each distinct activity screened once; the stored requests are copies under new ids
        acts, feats, _ = service.activities({"type": "FeatureCollection", "features": bases})
        screened = service.new_requests(acts, feats)
        items = []
        for i in range(args.requests):
            base, feature = screened[i % len(screened)], copy.deepcopy(bases[i % len(bases)])
            feature["id"] = f"{feature['id']}-{i}"
            decision = {**base.decision, "activity": feature["id"]}
            items.append(
                NewRequest(
                    feature["id"],
                    base.nation,
                    base.kind,
                    base.start,
                    base.end,
                    feature,
                    input_hash(feature),
                    decision,
                    base.outcome,
                    base.policy_hash,
                )
            )
        for start in range(0, len(items), 1000):
            service.store.submit("bench", items[start : start + 1000])

        archive = pack_folder(default_policy_dir())
        cache_off = settings.but(cache_dir=tmp_path / "cold-cache")
        started = time.perf_counter()
        policy, _ = load_release_policy(archive, cache_off)
        Screener(policy).warm()
        cold = time.perf_counter() - started
        started = time.perf_counter()
        policy, _ = load_release_policy(archive, settings)
        Screener(policy).warm()
        warm = time.perf_counter() - started

        release = propose(service, acting_as(service, "ada", "policy.propose"), archive, "bench")
        approve(service, acting_as(service, "olga", "policy.approve"), release["id"])
        published = publish(service, acting_as(service, "olga", "policy.publish"), release["id"])
        started = time.perf_counter()
        job = run_job(service, published["rejudge_job"])
        rejudge_s = time.perf_counter() - started
        assert job is not None and job.state == "done"

        every = [dict(item.feature) for item in items]
        all_acts, _f, _w = service.activities({"type": "FeatureCollection", "features": every})
        started = time.perf_counter()
        service.screener.screen(all_acts)
        batch_s = time.perf_counter() - started
        print(
            f"REJUDGE requests={args.requests} distinct_activities={len(bases)} processed={job.processed} "
            f"changed={job.changed} flagged={job.flagged} rejudge_s={rejudge_s:.2f} "
            f"per_request_ms={rejudge_s / args.requests * 1000:.2f} batch_screen_s={batch_s:.2f} "
            f"ratio={rejudge_s / batch_s:.2f} batch={settings.rejudge_batch}"
        )
        print(f"RELOAD cold_s={cold:.2f} warm_s={warm:.2f}")
        service.store.close()


if __name__ == "__main__":
    main()
