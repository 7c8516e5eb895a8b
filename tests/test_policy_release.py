"""Policy releases through the API (issue 13): the 2025 amendment replayed on a server running the
2022 policy — proposed, its impact listed, approved by a second person, published, the stored
Finnmark requests re-judged to the outcomes the golden scenarios give, the audit chain verifying
throughout — then a roll-back that flags an approval instead of withdrawing it; screening under
load while a release is published; and bad archives refused with the running policy untouched."""

from __future__ import annotations

import io
import json
import shutil
import tarfile
import threading
import zipfile
from pathlib import Path

import pytest
import yaml

from api_helpers import ROOT, collection, example, make_api
from highnorth.engine import Screener
from highnorth.rules.loading.loader import load_policy
from highnorth.service.archive import pack_folder
from highnorth.service.rejudge import run_job

from conftest import DEFAULT_POLICY, GRID_ZONES, write_policy

SCENARIOS = ROOT / "examples" / "scenarios"
# the golden scenarios whose activities the 2025 amendment judges differently (their expected
# outcomes are the new rules'); each is filed while the server runs the 2022 policy
AMENDED = [
    "02-flight-east-24-after-2025",
    "03-flight-eastern-finnmark-case-by-case",
    "21-finnish-convoy-karasjok-nato-accession",
    "25-convoy-kirkenes-into-russia",
    "31-port-calls-finnmark-west-and-east",
    "32-port-call-kirkenes",
]
# of their activities, these are denied by the 2022 rules and judged otherwise by the 2025 ones
CHANGED = {
    "mv22-banak-2025",
    "c130-vardo-2025",
    "fin-karasjok-2025",
    "us-convoy-to-hoybuktmoen",
    "uk-honningsvag-2025",
    "us-kirkenes-2025",
}


def policy_2022(root: Path) -> Path:
    """The default dataset with its 2025.1 version removed: the rules before the amendment."""
    shutil.copytree(DEFAULT_POLICY, root)
    text = (root / "policy.yaml").read_text()
    (root / "policy.yaml").write_text(text[: text.index('  - version: "2025.1"')])
    return root


@pytest.fixture(scope="module")
def old_policy(tmp_path_factory):
    folder = policy_2022(tmp_path_factory.mktemp("p2022") / "p2022")
    policy = load_policy(folder).policy
    return folder, policy, Screener(policy).warm()


def _scenario_features() -> tuple[list[dict], dict[str, str]]:
    features, expected = [], {}
    for name in AMENDED:
        doc = json.loads((SCENARIOS / name / "activities.geojson").read_text())
        want = yaml.safe_load((SCENARIOS / name / "expected.yaml").read_text())["decisions"]
        for f in doc["features"]:
            if f["id"] in want:
                features.append(f)
                expected[f["id"]] = want[f["id"]]["outcome"]
    return features, expected


def _ok(r, status: int = 200):
    assert r.status_code == status, r.text
    return r.json()


def _verified(api) -> None:
    assert _ok(api.call("GET", "/audit/verify", "admin"))["ok"] is True


def _propose(api, folder: Path, role: str = "admin", note: str = ""):
    return api.call(
        "POST",
        "/policies/releases",
        role,
        params={"note": note},
        content=pack_folder(folder),
        headers={"Content-Type": "application/gzip"},
    )


def test_the_2025_amendment_replayed(database_url, old_policy, tmp_path):
    folder, policy, screener = old_policy
    api = make_api(database_url, policy, screener)
    try:
        features, expected = _scenario_features()
        filed = _ok(api.call("POST", "/requests", "admin", json=collection(*features)), 201)["requests"]
        ids = {r["activity_id"]: r["id"] for r in filed}
        # under the 2022 rules the amended ones are denied east of 24°E: rejected by the rules alone
        denied = {r["activity_id"] for r in filed if (r["outcome"], r["state"]) == ("denied", "rejected")}
        assert denied >= CHANGED and len(filed) > len(CHANGED)
        unchanged = {a: r for a, r in ((r["activity_id"], r) for r in filed) if a not in CHANGED}
        old_hash = policy.hash
        _verified(api)

        # proposed: validated and stored, nothing runs differently
        release = _ok(_propose(api, DEFAULT_POLICY, note="the 22 May 2025 amendment"), 201)
        assert release["state"] == "proposed" and release["proposed_by"] == "admin"
        assert _ok(api.call("GET", "/health", None))["policy_hash"] == old_hash
        rid = release["id"]

        # the impact, as the approver sees it
        impact = _ok(
            api.call(
                "GET",
                f"/policies/releases/{rid}/impact",
                "policy_owner",
                params={"actor": "USA", "kind": "flight", "at": "2025-06-12T08:00:00Z"},
            )
        )
        assert impact["diff"]["versions"]["added"] == ["2025.1"]
        assert {"fm2025-opened", "fm2025-east-case-by-case"} <= set(impact["diff"]["rules"]["added"])
        assert impact["changed_from"].startswith("2025-05-2")
        opened = {(c["before"], c["after"]): c["area_km2"] for c in impact["area"]["changes"]}
        assert opened.get(("denied", "conditional"), 0) > 1000  # Finnmark east of 24°E opened
        listed = {r["request"]: r for r in impact["requests"]}
        assert set(listed) == {ids[a] for a in CHANGED}
        for activity in CHANGED:
            request_id = ids[activity]
            assert (listed[request_id]["before"]["outcome"], listed[request_id]["after"]["outcome"]) == (
                "denied",
                expected[activity],
            )

        # the two-person rule: the proposer cannot approve; a policy owner can
        refused = api.call("POST", f"/policies/releases/{rid}/approve", "admin")
        assert refused.status_code == 403 and "two-person" in refused.json()["error"]["message"]
        assert _ok(api.call("POST", f"/policies/releases/{rid}/approve", "policy_owner"))["state"] == "approved"
        _verified(api)

        published = _ok(api.call("POST", f"/policies/releases/{rid}/publish", "policy_owner"))
        assert published["state"] == "published"
        health = _ok(api.call("GET", "/health", None))
        assert (health["release"], health["policy_hash"]) == (rid, release["policy_hash"])
        assert health["policy_hash"] != old_hash

        job = run_job(api.service, published["rejudge_job"])
        assert job is not None and job.state == "done" and job.changed == len(CHANGED)
        for activity, before in unchanged.items():  # judged alike by both: left as they were
            rec = _ok(api.call("GET", f"/requests/{before['id']}", "admin"))
            assert (rec["outcome"], rec["version"], rec["policy_hash"]) == (expected[activity], 1, old_hash)
        for activity in CHANGED:
            request_id = ids[activity]
            rec = _ok(api.call("GET", f"/requests/{request_id}", "admin"))
            assert rec["outcome"] == expected[activity], activity
            assert rec["state"] == ("referred" if expected[activity] == "referred" else "screened")
            assert rec["policy_hash"] == release["policy_hash"] == rec["decision"]["policy"]["hash"]
        entries = _ok(api.call("GET", "/audit", "admin", params={"limit": 1000}))["entries"]
        actions = [e["action"] for e in entries]
        for action in ("policy_propose", "policy_approve", "policy_publish", "rejudge", "rejudge_done"):
            assert action in actions
        rejudged = [e for e in entries if e["action"] == "rejudge"]
        assert all(e["detail"]["from_policy_hash"] == old_hash for e in rejudged)
        assert all(e["detail"]["to_policy_hash"] == release["policy_hash"] for e in rejudged)
        assert all(e["detail"]["before"]["outcome"] == "denied" and e["detail"]["after"]["rules"] for e in rejudged)
        _verified(api)

        # the feed: a requester sees its own nation's requests only; staff see the releases too
        mine = _ok(api.call("GET", "/events", "requester"))["events"]
        assert mine and {e["nation"] for e in mine} == {"USA"}
        assert {e["kind"] for e in mine} == {"request.rejudged"}
        everything = _ok(api.call("GET", "/events", "approver", params={"limit": 1000}))
        kinds = [e["kind"] for e in everything["events"]]
        assert kinds[:3] == ["release.proposed", "release.approved", "release.published"]
        assert kinds[-1] == "release.rejudged"
        assert _ok(api.call("GET", "/events", "approver", params={"after": everything["next"]}))["events"] == []

        # an approval the next rules no longer support is flagged, never withdrawn
        kirkenes = ids["us-kirkenes-2025"]
        assert _ok(api.call("POST", f"/requests/{kirkenes}/approve", "approver"))["state"] == "approved"
        back = _ok(_propose(api, folder, note="roll back"), 201)["id"]
        _ok(api.call("POST", f"/policies/releases/{back}/approve", "policy_owner"))
        second = _ok(api.call("POST", f"/policies/releases/{back}/publish", "admin"))
        assert _ok(api.call("GET", f"/policies/releases/{rid}", "admin"))["state"] == "superseded"
        job = run_job(api.service, second["rejudge_job"])
        assert job is not None and job.flagged == 1
        rec = _ok(api.call("GET", f"/requests/{kirkenes}", "admin"))
        assert (rec["state"], rec["outcome"]) == ("approved", "denied")
        flags = _ok(api.call("GET", "/policies/flags", "approver"))["flags"]
        assert [f["request_id"] for f in flags] == [kirkenes]
        assert _ok(api.call("GET", "/policies/flags", "requester_gbr"))["flags"] == []
        assert "request.flagged" in [e["kind"] for e in _ok(api.call("GET", "/events", "requester"))["events"]]
        # a person acting on it sees the flag to
        _ok(api.call("POST", f"/requests/{kirkenes}/cancel", "admin"))
        assert _ok(api.call("GET", "/policies/flags", "approver"))["flags"] == []
        _verified(api)
    finally:
        api.service.store.close()


def test_screening_under_load_while_a_release_is_published(tmp_path, old_policy):
    """Every answer names one policy hash, and its decisions are all that policy's."""
    from highnorth.store import sqlite_url

    _folder, policy, screener = old_policy
    api = make_api(sqlite_url(tmp_path / "load.db"), policy, screener)
    try:
        # denied by the 2022 rules, conditional by the 2025 ones; a second activity the same under both
        body = collection(*_scenario_features()[0][:1], example("us-marines-setermoen", "setermoen"))
        rid = _ok(_propose(api, DEFAULT_POLICY), 201)["id"]
        new_hash = _ok(api.call("GET", f"/policies/releases/{rid}", "admin"))["policy_hash"]
        _ok(api.call("POST", f"/policies/releases/{rid}/approve", "policy_owner"))
        answers: list[tuple[str, tuple[str, ...]]] = []
        stop = threading.Event()

        def screen() -> None:
            while not stop.is_set():
                doc = _ok(api.call("POST", "/screen", "approver", json=body))
                answers.append((doc["policy"]["hash"], tuple(d["outcome"] for d in doc["decisions"])))

        threads = [threading.Thread(target=screen) for _ in range(3)]
        for thread in threads:
            thread.start()
        try:
            while len(answers) < 6:
                stop.wait(0.05)
            _ok(api.call("POST", f"/policies/releases/{rid}/publish", "policy_owner"))
            seen = len(answers)
            while len(answers) < seen + 6:
                stop.wait(0.05)
        finally:
            stop.set()
            for thread in threads:
                thread.join()
        by_hash = {h: set() for h, _ in answers}
        for h, outcomes in answers:
            by_hash[h].add(outcomes)
        assert set(by_hash) == {policy.hash, new_hash}
        # one policy's decisions per answer: the amended flight denied by the old, cleared by the new
        assert all(len(v) == 1 for v in by_hash.values()), by_hash
        assert next(iter(by_hash[policy.hash]))[0] == "denied"
        assert next(iter(by_hash[new_hash]))[0] == "conditional"
    finally:
        api.service.store.close()


# bad input ------------------------------------------------------------------------------------


def _tar(members: dict[str, bytes], links: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for name, target in (links or {}).items():
            info = tarfile.TarInfo(name)
            info.type, info.linkname = tarfile.SYMTYPE, target
            tar.addfile(info)
    return buffer.getvalue()


def _grid_files(tmp_path: Path, **replace: str) -> dict[str, bytes]:
    folder = write_policy(tmp_path / "bad", **replace)
    return {p.name: p.read_bytes() for p in folder.iterdir()}


def test_bad_archives_are_refused_naming_the_file_and_line(tmp_path, grid_policy):
    from highnorth.store import sqlite_url

    api = make_api(sqlite_url(tmp_path / "bad.db"), grid_policy, Screener(grid_policy), release_max_bytes=2_000_000)
    try:
        running = _ok(api.call("GET", "/health", None))["policy_hash"]

        def refused(body: bytes, kind: str = "application/gzip") -> str:
            r = api.call("POST", "/policies/releases", "admin", content=body, headers={"Content-Type": kind})
            assert r.status_code == 422, r.text
            return json.dumps(r.json()["error"])

        broken_rule = _grid_files(
            tmp_path / "r",
            rules="rules:\n  - id: broken\n    title: t\n    effect: maybe\n    basis: assumption\n    source: x\n",
        )
        assert "rules.yaml:4: `rules.0.effect`" in refused(_tar(broken_rule))
        far = "  - id: far\n    geometry: {type: Polygon, coordinates: [[[8, 3], [9, 3], [9, 4], [8, 4], [8, 3]]]}\n    basis: assumption\n    source: test\n"
        nothing = "  - id: nothing\n    derive: {intersection: [box, far]}\n    basis: assumption\n    source: test\n"
        bad_zone = _grid_files(tmp_path / "z", zones=GRID_ZONES + far + nothing)
        line = (GRID_ZONES.lstrip() + far).count("\n") + 1  # the line of `- id: nothing`
        assert f"zones.yaml:{line}: zone `nothing`: is empty" in refused(_tar(bad_zone))
        good = _grid_files(tmp_path / "g")
        assert "../outside.yaml" in refused(_tar({**good, "../outside.yaml": b"x: 1\n"}))
        assert "evil" in refused(_tar(good, links={"evil": "/etc/passwd"}))
        zipped = io.BytesIO()
        with zipfile.ZipFile(zipped, "w") as archive:
            for name, data in good.items():
                archive.writestr(name, data)
            archive.writestr("/abs/outside.yaml", b"x: 1\n")
        assert "outside" in refused(zipped.getvalue(), "application/zip")
        # a gzip bomb: 50 MB of zeros in a few kilobytes, stopped at the limit
        bomb = _tar({**good, "padding.bin": bytes(50_000_000)})
        assert len(bomb) < 200_000
        assert "more than 2,000,000 bytes" in refused(bomb)
        assert "expected a .tar.gz or a .zip" in refused(b"plain text", "application/gzip")
        assert (
            api.call(
                "POST", "/policies/releases", "admin", content=b"x", headers={"Content-Type": "text/plain"}
            ).status_code
            == 422
        )

        # the same good folder is accepted; nothing above was stored and nothing runs differently
        assert _ok(
            api.call(
                "POST", "/policies/releases", "admin", content=_tar(good), headers={"Content-Type": "application/gzip"}
            ),
            201,
        )
        assert len(_ok(api.call("GET", "/policies/releases", "admin"))["releases"]) == 1
        assert _ok(api.call("GET", "/health", None))["policy_hash"] == running
    finally:
        api.service.store.close()


def test_shipped_scenarios_are_run_and_a_failing_one_refuses_the_release(tmp_path, grid_policy):
    from highnorth.store import sqlite_url

    api = make_api(sqlite_url(tmp_path / "s.db"), grid_policy, Screener(grid_policy))
    try:
        folder = write_policy(tmp_path / "with-scenarios")
        scenario = folder / "scenarios" / "box-flight"
        scenario.mkdir(parents=True)
        (scenario / "README.md").write_text("A foreign flight in the box needs clearance.\n")
        line = [[1.2, 0.0], [1.8, 0.0]]
        feature = {
            "type": "Feature",
            "id": "f1",
            "geometry": {"type": "LineString", "coordinates": line},
            "properties": {
                "kind": "flight",
                "actor": {"nation": "USA"},
                "start": "2024-01-01T10:00:00Z",
                "end": "2024-01-01T11:00:00Z",
                "altitude": {"lower_m": 0, "upper_m": 500},
            },
        }
        (scenario / "activities.geojson").write_text(json.dumps(collection(feature)))
        (scenario / "expected.yaml").write_text("decisions:\n  f1: {outcome: permitted}\n")
        r = _propose(api, folder)
        assert r.status_code == 422 and "scenarios/box-flight/expected.yaml" in r.text, r.text
        (scenario / "expected.yaml").write_text("decisions:\n  f1: {outcome: conditional}\n")
        accepted = _ok(_propose(api, folder), 201)
        assert accepted["summary"]["scenarios"] == {"run": 1, "passed": 1}
    finally:
        api.service.store.close()
