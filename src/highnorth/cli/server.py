"""`highnorth serve`, and the commands that administer its database: `users`, `tokens`, `audit`,
`db`. The database is `--database-url`, else HIGHNORTH_DATABASE_URL, else SQLite `./highnorth.db`.

Use cases: `service.context.load_service` (serve), `service.admin` (the rest). `serve` builds the
one `Settings` from the environment and its options; with `--workers N` it hands them to every
worker serialised once (`HIGHNORTH_SERVER_SETTINGS`, read by `highnorth.api.main`)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..model.time import format_time
from ..service import admin
from ..service.config import SERVER_SETTINGS_ENV, Settings, database_url
from ..workflow.access import ROLES
from .common import console, get_policy

DbOpt = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        "--db",
        help="SQLAlchemy URL (sqlite+pysqlite:///path, postgresql://...) or a SQLite file path.",
        envvar="HIGHNORTH_DATABASE_URL",
        show_envvar=True,
    ),
]


def _settings(database: str | None) -> Settings:
    """The process's settings with the database this command was given."""
    return Settings.from_env().but(database_url=database_url(database) if database else None)


def serve(
    database: DbOpt = None,
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Worker processes (each loads the policy).", min=1, max=64)] = 1,
    policy: Annotated[Path | None, typer.Option("--policy", help="Policy directory.")] = None,
) -> None:
    """Run the HTTP API with the policy loaded, on SQLite by default."""
    import uvicorn

    from ..api.app import create_app
    from ..service.context import load_service

    config = _settings(database).but(policy_dir=policy)
    service = load_service(config)  # also fills the zone cache the workers start from
    pol = service.policy
    users = service.store.user_names()
    base = f"http://{host}:{port}"
    out = console()
    out.print(f"highnorth: policy `{pol.id}` ({len(pol.versions)} versions, {pol.hash[:19]}…)", highlight=False)
    out.print(f"database:  {admin.redact(config.database_url)}", highlight=False)
    out.print(f"API:       {base}    interactive docs: {base}/docs    OpenAPI: {base}/openapi.json", highlight=False)
    if not users:
        out.print(
            "no users yet: create one with `highnorth users add NAME --role approver` and a token with "
            "`highnorth tokens create NAME` (same --database-url)",
            highlight=False,
        )
    if workers == 1:
        uvicorn.run(create_app(config, service), host=host, port=port, log_level="info")
    else:
        service.store.close()
        os.environ[SERVER_SETTINGS_ENV] = config.to_json()  # the workers' settings, serialised once
        uvicorn.run("highnorth.api.main:app_from_env", factory=True, host=host, port=port, workers=workers)


users_app = typer.Typer(help="Users of the API and their roles.", no_args_is_help=True)
tokens_app = typer.Typer(help="API tokens (stored hashed; shown once).", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
db_app = typer.Typer(help="The database schema.", no_args_is_help=True)


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="User name, e.g. us-liaison.")],
    role: Annotated[str, typer.Option("--role", help=f"One of: {', '.join(ROLES)}.")],
    nation: Annotated[str | None, typer.Option("--nation", help="For a requester: the nation it acts for.")] = None,
    database: DbOpt = None,
) -> None:
    """Add a user with a role (a requester is bound to one nation)."""
    admin.add_user(_settings(database), name, role, nation, policy=lambda: get_policy(None))
    console().print(f"added {name} ({role}{' for ' + nation if nation else ''})", highlight=False)


@users_app.command("list")
def users_list(database: DbOpt = None) -> None:
    """The users with their roles."""
    table = Table()
    for col in ("name", "role", "nation"):
        table.add_column(col)
    for name, role, nation in admin.users(_settings(database)):
        table.add_row(name, role, nation or "")
    console().print(table)


@tokens_app.command("create")
def tokens_create(
    name: Annotated[str, typer.Argument(help="The user the token is for.")],
    label: Annotated[str, typer.Option("--label", help="What the token is for.")] = "",
    database: DbOpt = None,
) -> None:
    """Create an API token and print it (only its hash is kept)."""
    print(admin.create_token(_settings(database), name, label))


@tokens_app.command("list")
def tokens_list(
    user: Annotated[str | None, typer.Option("--user", help="Only this user's tokens.")] = None,
    database: DbOpt = None,
) -> None:
    """The tokens (ids, users, labels, when created and revoked; never the token itself)."""
    table = Table()
    for col in ("id", "user", "label", "created", "revoked"):
        table.add_column(col)
    for tok in admin.tokens(_settings(database), user):
        revoked = format_time(tok["revoked_at"]) if tok["revoked_at"] else ""
        table.add_row(str(tok["id"]), tok["user"], tok["label"], format_time(tok["created_at"]), revoked)
    console().print(table)


@tokens_app.command("revoke")
def tokens_revoke(
    token_id: Annotated[int | None, typer.Argument(help="The token's id (from `tokens list`).")] = None,
    user: Annotated[str | None, typer.Option("--user", help="Revoke every token of this user instead.")] = None,
    database: DbOpt = None,
) -> None:
    """Revoke a token, or every token of a user; the API refuses them from then on."""
    count = admin.revoke_tokens(_settings(database), token_id, user)
    console().print(f"revoked {count} token{'s' if count != 1 else ''}", highlight=False)


@audit_app.command("verify")
def audit_verify(database: DbOpt = None) -> None:
    """Walk the audit chain; exit 6 when an entry was edited or deleted."""
    v = admin.verify_audit(_settings(database))
    out = console()
    for b in v.breaks:
        out.print(f"[bold red]broken[/] at {b.seq}: {b.reason}", highlight=False)
    if v.breaks:
        out.print(f"audit log NOT verified: {len(v.breaks)} problem(s) in {v.entries} entries", highlight=False)
        raise typer.Exit(EXIT_AUDIT_BROKEN)
    head = f"; head {v.head[0]} {v.head[1]}" if v.head else ""
    out.print(f"audit log verified: {v.entries} entries{head}", highlight=False)


#: `audit verify` exit code when the chain is broken
EXIT_AUDIT_BROKEN = 6


@db_app.command("upgrade")
def db_upgrade(database: DbOpt = None) -> None:
    """Create or migrate the schema to the newest version (the server also does this at start)."""
    config = _settings(database)
    admin.upgrade_schema(config)
    console().print(f"database at the newest schema: {admin.redact(config.database_url)}", highlight=False)
