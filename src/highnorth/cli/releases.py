"""`highnorth policy propose|releases|impact|approve|reject|publish|rejudge`: policy releases
from the command line, on the database a server uses (`--db`). Each step is taken as a user of
that database (`--as NAME`), with the same roles and two-person rule as the API. Use cases:
`service.releases`, `service.impact`, `service.rejudge`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..service import releases as use
from ..service.archive import pack_folder
from ..service.context import Service, load_service
from ..service.rejudge import run_job
from .common import console
from .policy import app
from .server import DbOpt, _settings

AsOpt = Annotated[str, typer.Option("--as", help="The user of the database taking this step.")]
ReleaseArg = Annotated[str, typer.Argument(help="The release id (rel-...).")]
NoteOpt = Annotated[str, typer.Option("--note", help="Why; kept in the audit log.")]


def _service(database: str | None) -> Service:
    return load_service(_settings(database))


@app.command()
def propose(
    source: Annotated[Path, typer.Argument(help="A policy folder, or a .tar.gz or .zip of one.")],
    who: AsOpt,
    note: NoteOpt = "",
    database: DbOpt = None,
) -> None:
    """Propose a policy release: validated (schema, references, zones, its scenarios/) and stored."""
    archive = pack_folder(source) if source.is_dir() else source.read_bytes()
    service = _service(database)
    rel = use.propose(service, use.acting_as(service, who, "policy.propose"), archive, note)
    console().print(f"proposed {rel['id']}: policy `{rel['policy']}` {rel['policy_hash']}", highlight=False)


@app.command("releases")
def list_releases(database: DbOpt = None) -> None:
    """The policy releases, newest first."""
    service = _service(database)
    table = Table()
    for col in ("id", "state", "policy", "hash", "proposed by", "approved by", "published at", "note"):
        table.add_column(col, overflow="fold")
    for r in use.releases(service):
        table.add_row(
            r["id"], r["state"], r["policy"], r["policy_hash"][:19], r["proposed_by"], r["approved_by"] or "",
            r["published_at"] or "", r["note"],
        )  # fmt: skip
    console().print(table)


@app.command()
def impact(
    release: ReleaseArg,
    actor: Annotated[str | None, typer.Option("--actor", help="Area diff: nation.")] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="Area diff: activity kind.")] = None,
    at: Annotated[str | None, typer.Option("--at", help="Area diff: the time of both maps.")] = None,
    output_format: Annotated[str, typer.Option("--format", help="table or json.")] = "table",
    database: DbOpt = None,
) -> None:
    """What publishing the release would change: rules, zones, area, stored requests."""
    doc = use.impact(_service(database), release, actor=actor, kind=kind, at=at)
    if output_format == "json":
        print(json.dumps(doc, indent=2, ensure_ascii=False))
        return
    out = console()
    out.print(f"release {release}: {doc['running']['hash'][:19]} → {doc['proposed']['hash'][:19]}", highlight=False)
    out.print(f"changed from: {doc['changed_from'] or 'nothing changes'}", highlight=False)
    for what, diff in doc["diff"].items():
        for change, ids in diff.items():
            if ids:
                out.print(f"{what} {change}: {', '.join(ids)}", highlight=False)
    for change in doc.get("area", {}).get("changes", []):
        out.print(f"area {change['before']} → {change['after']}: {change['area_km2']} km²", highlight=False)
    table = Table(title=f"stored requests that would change: {len(doc['requests'])}", title_justify="left")
    for col in ("request", "nation", "state", "before", "after"):
        table.add_column(col, overflow="fold")
    for r in doc["requests"]:
        before, after = r["before"], r["after"]
        table.add_row(
            r["request"], r["nation"], r["state"],
            f"{before['outcome']} {', '.join(before['obligations'])}", f"{after['outcome']} {', '.join(after['obligations'])}",
        )  # fmt: skip
    out.print(table)


@app.command()
def approve(release: ReleaseArg, who: AsOpt, note: NoteOpt = "", database: DbOpt = None) -> None:
    """Approve a proposed release (not by its proposer, under the two-person rule)."""
    service = _service(database)
    rel = use.approve(service, use.acting_as(service, who, "policy.approve"), release, note)
    console().print(f"approved {rel['id']} by {rel['approved_by']}", highlight=False)


@app.command()
def reject(release: ReleaseArg, who: AsOpt, note: NoteOpt = "", database: DbOpt = None) -> None:
    """Reject a proposed or approved release."""
    service = _service(database)
    rel = use.reject(service, use.acting_as(service, who, "policy.approve"), release, note)
    console().print(f"rejected {rel['id']}", highlight=False)


@app.command()
def publish(
    release: ReleaseArg,
    who: AsOpt,
    wait: Annotated[
        bool, typer.Option("--wait/--no-wait", help="Re-judge the affected requests here, to the end, with progress.")
    ] = True,
    database: DbOpt = None,
) -> None:
    """Publish an approved release: running servers switch to it within about a second."""
    service = _service(database)
    rel = use.publish(service, use.acting_as(service, who, "policy.publish"), release)
    out = console()
    out.print(f"published {rel['id']} ({rel['policy_hash']}); changed from {rel['changed_from']}", highlight=False)
    if wait:
        _rejudge(service, rel["rejudge_job"])


@app.command()
def rejudge(
    job: Annotated[int | None, typer.Argument(help="A job id (default: any unfinished).")] = None,
    database: DbOpt = None,
) -> None:
    """Run an unfinished re-judging job to the end (a server does this in the background)."""
    _rejudge(_service(database), job)


def _rejudge(service: Service, job_id: int | None) -> None:
    out = console()
    job = run_job(
        service,
        job_id,
        progress=lambda j: out.print(
            f"re-judged {j.processed} requests: {j.changed} changed, {j.flagged} flagged", highlight=False
        ),
    )
    if job is None:
        out.print("no re-judging job to run (finished, or held by a server)", highlight=False)
    else:
        out.print(
            f"job {job.id} {job.state}: {job.processed} requests, {job.changed} changed, {job.flagged} flagged",
            highlight=False,
        )


__all__ = ["approve", "impact", "list_releases", "propose", "publish", "reject", "rejudge"]
