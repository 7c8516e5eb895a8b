"""Policy releases on the small grid policy (issue 13): a re-judging job resumes from its cursor
and a crashed holder's job is taken over once its lease runs out; a process that cannot load the
published release keeps its policy and says so on /health; the CLI's propose, releases, impact,
approve, reject and publish."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from api_helpers import make_api
from highnorth.cli.app import main
from highnorth.engine import Screener
from highnorth.model.errors import ConflictError
from highnorth.service.archive import pack_folder
from highnorth.service.background import check_for_release
from highnorth.service.rejudge import run_job, run_one_batch
from highnorth.store import tables

from conftest import GRID_RULES, collection, feature, write_policy

BOX = {"type": "LineString", "coordinates": [[1.2, 0.0], [1.8, 0.0]]}
STRICT = GRID_RULES.replace("effect: condition", "effect: deny")  # foreign activity in the box: denied


@pytest.fixture()
def api(database_url, grid_policy):
    api = make_api(database_url, grid_policy, Screener(grid_policy), rejudge_batch=2)
    yield api
    api.service.store.close()


def _publish(api, folder) -> dict:
    headers = {"Content-Type": "application/gzip"}
    rid = api.call("POST", "/policies/releases", "admin", content=pack_folder(folder), headers=headers).json()["id"]
    assert api.call("POST", f"/policies/releases/{rid}/approve", "policy_owner").status_code == 200
    answer = api.call("POST", f"/policies/releases/{rid}/publish", "admin")
    assert answer.status_code == 200, answer.text
    return answer.json()


def test_a_job_resumes_from_its_cursor_and_a_crashed_holders_job_is_taken_over(api, tmp_path):
    features = [feature(f"f{i}", BOX, altitude={"lower_m": 0, "upper_m": 500}) for i in range(5)]
    filed = api.call("POST", "/requests", "admin", json=collection(*features)).json()["requests"]
    assert {r["outcome"] for r in filed} == {"conditional"}
    job_id = _publish(api, write_policy(tmp_path / "strict", rules=STRICT))["rejudge_job"]

    store = api.service.store
    job = store.releases.claim("crashed-process", 60, job_id)
    job = run_one_batch(api.service, job, "crashed-process")  # two requests, then the process dies
    assert (job.processed, job.changed, job.state) == (2, 2, "running")
    assert store.releases.claim("another", 60, job_id) is None  # held while the lease runs
    with store.engine.begin() as conn:  # ... until it runs out
        past = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        conn.execute(sa.update(tables.rejudge_jobs).values(lease_until=past))
    done = run_job(api.service, job_id, owner="another")
    assert done is not None and (done.processed, done.changed, done.state) == (5, 5, "done")
    with pytest.raises(ConflictError):  # the crashed holder, come back, cannot write over it
        run_one_batch(api.service, job, "crashed-process")
    states = {r["id"]: r for r in api.call("GET", "/requests", "admin").json()["requests"]}
    assert {(r["outcome"], r["state"]) for r in states.values()} == {("denied", "rejected")}
    rejudged = [
        e
        for e in api.call("GET", "/audit", "admin", params={"limit": 500}).json()["entries"]
        if e["action"] == "rejudge"
    ]
    assert sorted(e["request_id"] for e in rejudged) == sorted(states)  # each once, none twice
    assert api.call("GET", "/audit/verify", "admin").json()["ok"] is True


def test_a_process_that_cannot_load_the_published_release_keeps_its_policy(api, tmp_path):
    running = api.call("GET", "/health", None).json()
    # a release published by another process whose archive this one cannot read (written past
    # validation, as a damaged row would be)
    store = api.service.store
    broken = store.releases.propose(
        "admin", policy_id="grid", policy_hash="sha256:" + "1" * 64, note="", summary={}, archive=b"\x1f\x8bdamaged",
        archive_hash="sha256:" + "2" * 64,
    )  # fmt: skip
    store.releases.approve(broken.id, "policy-owner", two_person=True)
    store.releases.publish(broken.id, "policy-owner", from_hash=running["policy_hash"], changed_from=None, changes={})
    assert check_for_release(api.service) is False
    health = api.call("GET", "/health", None).json()
    assert health["policy_hash"] == running["policy_hash"] and health["release"] is None
    assert broken.id in health["reload_error"] and "tar.gz" in health["reload_error"]
    screened = api.call("POST", "/screen", "approver", json=collection(feature("f", BOX))).json()
    assert screened["policy"]["hash"] == running["policy_hash"]
    assert check_for_release(api.service) is False  # not retried until another is published


def test_the_cli_proposes_shows_impact_and_publishes(capsys, tmp_path, monkeypatch):
    running = write_policy(tmp_path / "running")
    db = str(tmp_path / "cli.db")
    monkeypatch.setenv("HIGHNORTH_POLICY", str(running))

    def run(*args: str) -> tuple[int, str]:
        code = main([*args, "--db", db])
        out, err = capsys.readouterr()
        return code, out + err

    assert run("users", "add", "ada", "--role", "admin")[0] == 0
    assert run("users", "add", "olga", "--role", "policy_owner")[0] == 0
    strict = write_policy(tmp_path / "strict", rules=STRICT)
    code, out = run("policy", "propose", str(strict), "--as", "ada", "--note", "deny in the box")
    assert code == 0, out
    rid = out.split()[1].rstrip(":")
    code, out = run("policy", "impact", rid, "--format", "json")
    assert code == 0 and json.loads(out)["diff"]["rules"]["changed"] == ["box-foreign"]
    code, out = run("policy", "approve", rid, "--as", "ada")
    assert code != 0 and "two-person" in out
    code, out = run("policy", "approve", rid, "--as", "olga")
    assert code == 0, out
    code, out = run("policy", "publish", rid, "--as", "olga")
    assert (code == 0 and "published" in out and "re-judged" in out) or "job" in out, out
    code, out = run("policy", "releases")
    assert code == 0 and "published" in out
    code, out = run("policy", "reject", rid, "--as", "olga")
    assert code != 0 and "cannot reject" in out
    code, out = run("audit", "verify")
    assert code == 0 and "verified" in out


def test_at_start_up_the_published_release_wins_over_the_configured_folder(api, tmp_path):
    from highnorth.service.context import load_service

    published = _publish(api, write_policy(tmp_path / "strict", rules=STRICT))
    folder = api.service.settings.but(policy_dir=write_policy(tmp_path / "folder"))
    restarted = load_service(folder)
    try:
        assert (restarted.running.release_id, restarted.policy.hash) == (published["id"], published["policy_hash"])
        assert restarted.reload_error is None
    finally:
        restarted.store.close()
