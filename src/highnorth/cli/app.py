"""The `highnorth` command: one group, a module per command, exit codes in one place."""

from __future__ import annotations

import os
import sys

import typer

from ..model.errors import HighnorthError, exit_code
from ..runtime import keep_freed_memory
from . import airspace, check, exercise, maps, notam, policy, releases, replay, server, zones  # noqa: F401  (releases: commands of `policy`)

app = typer.Typer(
    help="Policy-as-code for foreign military activity in Norway's High North.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
app.command()(check.check)
app.command()(check.explain)
app.command("map")(maps.map_command)
app.command("diff")(maps.diff_command)
app.command()(replay.replay)
app.add_typer(zones.app, name="zones")
app.add_typer(airspace.app, name="airspace")
app.add_typer(notam.app, name="notam")
app.add_typer(policy.app, name="policy")
app.add_typer(exercise.app, name="exercise")
app.command()(server.serve)
app.add_typer(server.users_app, name="users")
app.add_typer(server.tokens_app, name="tokens")
app.add_typer(server.audit_app, name="audit")
app.add_typer(server.db_app, name="db")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; errors become a message and an exit code, never a stack trace."""
    keep_freed_memory()  # large batches reuse freed arrays (runtime.py)
    try:
        result = app(args=argv, standalone_mode=False)
        return int(result or 0)
    except typer.Exit as exc:
        return exc.exit_code
    except HighnorthError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return exit_code(exc)
    except typer.Abort:
        return 130
    except typer.TyperException as exc:  # usage errors: bad options and arguments
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            print(f"error: {exc.format_message()}", file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # the last line of defence: say what happened, exit 1
        if os.environ.get("HIGHNORTH_DEBUG"):
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (set HIGHNORTH_DEBUG=1 for the traceback)", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
