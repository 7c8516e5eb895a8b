"""`highnorth policy validate|test|show`. Use cases: policy loading (`service.loading`), the
scenario runner (`highnorth.scenarios`), `service.policies.version_named`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..engine import Screener
from ..model.time import format_time
from ..scenarios import find_scenarios, run_scenario
from ..service.policies import version_named
from .common import EXIT_INPUT, console, get_policy, get_screener

#: `policy test` exit code when a scenario fails (1 stays "internal error")
EXIT_SCENARIOS_FAILED = 5

app = typer.Typer(help="Validate, test and show policies.", no_args_is_help=True)


@app.command()
def validate(
    directory: Annotated[Path | None, typer.Argument(help="Policy directory (default: the configured one).")] = None,
    reject_invalid_geometry: Annotated[
        bool, typer.Option("--reject-invalid-geometry", help="Treat invalid geometry as an error.")
    ] = False,
) -> None:
    """Check a policy directory; every problem is reported with file:line."""
    policy = get_policy(directory, repair=not reject_invalid_geometry)
    rules = sum(len(v.rules) for v in policy.versions)
    console().print(
        f"ok: policy `{policy.id}` — {len(policy.versions)} versions, {rules} rules, "
        f"{len(policy.zones)} zones, {len(policy.actors.nations)} nations; hash {policy.hash}",
        highlight=False,
    )


@app.command("test")
def test_scenarios(
    directory: Annotated[Path, typer.Argument(help="A scenario folder, or a folder of them.")],
    policy: Annotated[
        Path | None, typer.Option("--policy", help="Policy directory for scenarios that name none.")
    ] = None,
) -> None:
    """Run scenario folders (activities + expected decisions + README) and report each."""
    folders = find_scenarios(directory)
    if not folders:
        console().print(f"no scenarios under {directory} (a scenario is a folder with expected.yaml)")
        raise typer.Exit(EXIT_INPUT)
    screeners: dict[Path | None, Screener] = {}

    def screener_for(path: Path | None) -> Screener:
        if path not in screeners:
            screeners[path] = get_screener(path or policy)
        return screeners[path]

    failed = 0
    for folder in folders:
        result = run_scenario(folder, screener_for)
        mark = "[green]pass[/]" if result.passed else "[bold red]FAIL[/]"
        console().print(f"{mark} {result.name}: {result.why}", highlight=False)
        for failure in result.failures:
            console().print(f"     {failure}", highlight=False, markup=False)
        failed += not result.passed
    console().print(f"{len(folders) - failed} passed, {failed} failed", highlight=False)
    raise typer.Exit(EXIT_SCENARIOS_FAILED if failed else 0)


@app.command()
def show(
    version: Annotated[str | None, typer.Option("--version", help="Show the rules of this version.")] = None,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """List the versions of the policy, or the rules of one version."""
    pol = get_policy(policy)
    if version is None:
        table = Table(
            title=f"{pol.title} ({pol.id}, {pol.jurisdiction}, default {pol.default_effect})", title_justify="left"
        )
        for col in ("version", "effective", "until", "rules", "hash", "title"):
            table.add_column(col, overflow="fold")
        for v in pol.versions:
            interval = pol.version_interval(v)
            until = "" if interval.end.year == 9999 else format_time(interval.end)
            table.add_row(
                v.version, format_time(v.effective), until, str(len(v.rules)), pol.version_hash(v.version)[:19], v.title
            )
        console().print(table)
        return
    chosen = version_named(pol, version, "--version")
    table = Table(title=f"{pol.id} {chosen.version}: {chosen.title}", title_justify="left")
    for col in ("rule", "effect", "kinds", "actor", "zones", "basis", "title"):
        table.add_column(col, overflow="fold")
    for r in chosen.rules:
        table.add_row(
            r.id,
            r.effect,
            ", ".join(sorted(r.kinds)) if r.kinds else "any",
            r.actor.describe() if r.actor else "any",
            ", ".join(r.zones) or "anywhere",
            r.basis,
            r.title,
        )
    console().print(table)


__all__ = ["app"]
