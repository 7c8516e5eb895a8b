"""`highnorth notam parse|make`: read a NOTAM file (records, areas, quarantine), and write the
NOTAMs that publish volumes (from a file, or those issued for a request in the database).
Use cases: `service.notams`, `service.airspace`."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from ..formats.decision_json import dumps
from ..formats.notam import parse_notams
from ..model.errors import InputError
from ..service import airspace, notams
from .airspace import OPERATOR, _read_json, _service
from .common import console, err_console, write_or_print
from .server import DbOpt

app = typer.Typer(help="Read ICAO NOTAMs, and write the NOTAMs that publish reservations.", no_args_is_help=True)


class ParseFormat(StrEnum):
    table = "table"
    json = "json"


@app.command("parse")
def parse_command(
    file: Annotated[Path, typer.Argument(help="A NOTAM file (ICAO text, many NOTAMs).")],
    format: Annotated[ParseFormat, typer.Option("--format", "-f")] = ParseFormat.table,
    output: Annotated[Path | None, typer.Option("--output", "-o", help="JSON file of the reading.")] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Exit 2 when anything is quarantined.")] = False,
) -> None:
    """Each NOTAM's fields and area, how many parse fully, and the quarantine (reason and line)."""
    try:
        text = notams.decode_notams(file.read_bytes())
    except OSError as exc:
        raise InputError(f"{file}: cannot read: {exc.strerror}") from None
    doc = notams.read_document(parse_notams(text))
    if output:
        write_or_print(dumps(doc), output)
    if format is ParseFormat.json:
        if not output:
            write_or_print(dumps(doc), None)
    else:
        table = Table(
            title=f"{file.name}: {doc['count']} NOTAMs read, {doc['areas']} with an area", title_justify="left"
        )
        for col in ("id", "code", "A", "B", "C", "D", "area", "warnings"):
            table.add_column(col, overflow="fold")
        for n in doc["notams"]:
            area = n["area"]["shape"]["type"] if n["area"] else ""
            end = (n["end"] or "PERM") + (" EST" if n["estimated"] else "")
            table.add_row(
                n["id"],
                n["code"],
                " ".join(n["locations"]),
                n["start"],
                end,
                n["schedule"] or "",
                area,
                "; ".join(n["warnings"]),
            )
        console().print(table)
    total = doc["count"] + len(doc["quarantine"])
    for q in doc["quarantine"]:
        err_console().print(
            f"{file}:{q['line']}: quarantined: {q['reason']}: {q['text']}",
            highlight=False,
            markup=False,
            soft_wrap=True,
        )
    err_console().print(
        f"{doc['count']} of {total} parsed fully, {len(doc['quarantine'])} quarantined", highlight=False
    )
    if strict and doc["quarantine"]:
        raise typer.Exit(2)


@app.command("make")
def make_command(
    volumes: Annotated[Path | None, typer.Option("--volumes", help='A JSON file {"volumes": [...]}.')] = None,
    request: Annotated[str | None, typer.Option("--request", help="A published request: its issued NOTAMs.")] = None,
    series: Annotated[str, typer.Option("--series", help="NOTAM series letter.")] = "W",
    number: Annotated[int, typer.Option("--number", help="The first NOTAM number.", min=1, max=9999)] = 1,
    year: Annotated[int | None, typer.Option("--year", help="The year (default this year).")] = None,
    user: Annotated[str, typer.Option("--user", help="Who the airspace is for (item E).")] = "MIL",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Text file to write.")] = None,
    database: DbOpt = None,
) -> None:
    """The ICAO NOTAMs that publish volumes from a file (numbered from --number), or the NOTAMs
    issued for a published request in the database."""
    if (volumes is None) == (request is None):
        raise InputError("give either --volumes FILE or --request ID")
    if volumes is not None:
        found = airspace.read_volume_file(_read_json(volumes), str(volumes))
        texts = airspace.make_notams(found, series, number, year or dt.datetime.now(dt.UTC).year, user)
    else:
        service = _service(database, None)
        try:
            texts = [n["text"] for n in notams.issued_notams(service, OPERATOR, str(request))["notams"]]
        finally:
            service.store.close()
        if not texts:
            raise InputError(f"request `{request}` has no NOTAMs; publish it first")
    write_or_print("\n\n".join(texts) + "\n", output)
