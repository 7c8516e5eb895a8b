"""The daily airspace use plan written as JSON, CSV and a printable fixed-width table
(docs/airspace.md "The daily plan"). A plan is a dict: ``day``, ``issued``, ``rows`` (one per
volume and window) and ``warnings``; this module only writes it.

>>> plan = {"day": "2025-06-01", "issued": "2025-06-01T06:00:00Z", "warnings": [], "rows": [
...     {"volume": "req-1-v1", "request": "req-1", "nation": "USA", "activity": "a1", "state": "published",
...      "start": "08:00", "end": "10:00", "lower": "SFC", "upper": "FL095", "shape": "polygon",
...      "notams": "W0001/25", "update": ""}]}
>>> print(plan_csv(plan).splitlines()[1])
2025-06-01,08:00,10:00,SFC,FL095,USA,a1,req-1,req-1-v1,polygon,published,W0001/25,
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import Any

__all__ = ["COLUMNS", "plan_csv", "plan_table"]

COLUMNS = (
    "day", "start", "end", "lower", "upper", "nation", "activity", "request", "volume", "shape", "state", "notams",
    "update",
)  # fmt: skip


def plan_csv(plan: Mapping[str, Any]) -> str:
    """One row per volume and window, times UTC (HH:MM; 24:00 is the end of the day)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for row in plan["rows"]:
        writer.writerow([plan["day"], *(row.get(c, "") for c in COLUMNS[1:])])
    return out.getvalue()


def plan_table(plan: Mapping[str, Any]) -> str:
    """A printable table: a heading, the rows in time order, the updates of the day marked, and
    the warnings at the end."""
    heads = ("UTC", "BAND", "USER", "ACTIVITY", "VOLUME", "STATE", "NOTAM", "UPDATE")
    body = [
        (
            f"{r['start']}-{r['end']}",
            f"{r['lower']}-{r['upper']}",
            r["nation"],
            r["activity"],
            r["volume"],
            r["state"],
            r["notams"],
            r["update"],
        )
        for r in plan["rows"]
    ]
    widths = [max([len(h)] + [len(str(row[i])) for row in body]) for i, h in enumerate(heads)]
    line = lambda cells: "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()  # noqa: E731
    lines = [
        f"AIRSPACE USE PLAN {plan['day']} (UTC), issued {plan['issued']}",
        line(heads),
        line("-" * w for w in widths),
        *(line(r) for r in body),
    ]
    if not body:
        lines.append("no airspace allocated")
    lines += [f"warning: {w}" for w in plan.get("warnings", [])]
    return "\n".join(lines) + "\n"
