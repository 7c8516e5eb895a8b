"""The positions table every traffic reader produces, and the report of what it could not read.

One row per position report, columns (`SCHEMA`):

| column      | type              | meaning                                                        |
|-------------|-------------------|----------------------------------------------------------------|
| `source`    | string            | `adsb` or `ais`                                                |
| `ident`     | string            | ICAO 24-bit address (6 lowercase hex digits) or MMSI (digits)  |
| `time`      | int64             | milliseconds since 1970-01-01T00:00:00Z                        |
| `lon`/`lat` | float64           | WGS84 degrees                                                  |
| `alt_m`     | float64           | metres AMSL; NaN when unknown (AIS: ships are at 0)            |
| `callsign`  | string            | ADS-B callsign or AIS name; empty when unknown                 |
| `ship_type` | int16             | AIS ship and cargo type; -1 when unknown or not a ship        |
| `line`      | int64             | line (NMEA, CSV, JSON Lines) or record (JSON, Parquet) number  |
"""

from __future__ import annotations

import gzip
import io
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

import numpy as np
import pyarrow as pa

__all__ = ["FEET", "MAX_PROBLEMS", "SCHEMA", "ReadReport", "open_text", "read_bytes", "table_from_columns"]

FEET = 0.3048

#: problems kept by name per file (the rest are counted)
MAX_PROBLEMS = 20

SCHEMA = pa.schema(
    [
        ("source", pa.string()),
        ("ident", pa.string()),
        ("time", pa.int64()),
        ("lon", pa.float64()),
        ("lat", pa.float64()),
        ("alt_m", pa.float64()),
        ("callsign", pa.string()),
        ("ship_type", pa.int16()),
        ("line", pa.int64()),
    ]
)


@dataclass
class ReadReport:
    """What a reader saw: counts by kind (`positions`, `null_position`, `no_position`,
    `bad_line`, ...) and the first `MAX_PROBLEMS` problems by name, each ``file:line: message``."""

    counts: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)

    def problem(self, kind: str, file: str, line: int | None, message: str) -> None:
        self.counts[kind] += 1
        if len(self.problems) < MAX_PROBLEMS:
            where = f"{file}:{line}" if line is not None else file
            self.problems.append(f"{where}: {message}")

    def merge(self, other: ReadReport) -> ReadReport:
        self.counts.update(other.counts)
        self.problems += other.problems[: max(0, MAX_PROBLEMS * 5 - len(self.problems))]
        return self

    def to_json(self) -> dict:
        return {"counts": dict(sorted(self.counts.items())), "problems": list(self.problems)}


def table_from_columns(source: str, columns: dict[str, Any]) -> pa.Table:
    """A positions table from lists or arrays by column name (missing columns get their
    unknown value)."""
    n = len(columns["time"])
    arrays = {
        "source": pa.array([source] * n, pa.string()),
        "ident": _strings(columns["ident"]),
        "time": pa.array(np.asarray(columns["time"], dtype=np.int64)),
        "lon": pa.array(np.asarray(columns["lon"], dtype=np.float64)),
        "lat": pa.array(np.asarray(columns["lat"], dtype=np.float64)),
        "alt_m": pa.array(np.asarray(columns.get("alt_m", np.full(n, np.nan)), dtype=np.float64)),
        "callsign": _strings(columns.get("callsign", [""] * n)),
        "ship_type": pa.array(np.asarray(columns.get("ship_type", np.full(n, -1)), dtype=np.int16)),
        "line": pa.array(np.asarray(columns.get("line", np.zeros(n)), dtype=np.int64)),
    }
    return pa.table(arrays, schema=SCHEMA)


def _strings(values: Any) -> pa.Array | pa.ChunkedArray:
    if isinstance(values, pa.Array | pa.ChunkedArray):
        return values
    return pa.array(values, pa.string())


def open_text(path: Path, report: ReadReport) -> Iterator[tuple[int, str]]:
    """The lines of a text file, gzip or plain, numbered from 1. A truncated or corrupt gzip
    stream ends the file there: the lines read so far count, the rest is one problem
    (`truncated`) naming the file and the line where it stopped."""
    number = 0
    stream: IO[bytes] | gzip.GzipFile
    raw = path.open("rb")
    try:
        magic = raw.read(2)
        raw.seek(0)
        stream = gzip.GzipFile(fileobj=raw) if magic == b"\x1f\x8b" else raw
        text = io.TextIOWrapper(stream, encoding="utf-8", errors="replace", newline=None)
        try:
            for number, line in enumerate(text, start=1):
                yield number, line.rstrip("\r\n")
        except (EOFError, OSError, zlib.error) as exc:
            report.problem(
                "truncated", str(path), number + 1, f"the file ends early or is corrupt ({exc}); read up to here"
            )
    finally:
        raw.close()


def read_bytes(path: Path, report: ReadReport) -> bytes:
    """The whole content of a file, gunzipped when it is gzip; of a truncated or corrupt gzip,
    everything before the break, with one `truncated` problem."""
    data = path.read_bytes()
    if data[:2] != b"\x1f\x8b":
        return data
    out = io.BytesIO()
    rest = data
    try:
        while rest:  # member by member (a gzip file may hold several)
            inflater = zlib.decompressobj(wbits=31)
            for start in range(0, len(rest), 1 << 20):
                out.write(inflater.decompress(rest[start : start + (1 << 20)]))
                if inflater.eof:
                    break
            if not inflater.eof:
                report.problem("truncated", str(path), None, f"the gzip stream ends early; read {out.tell():,} bytes")
                break
            rest = inflater.unused_data
    except zlib.error as exc:
        report.problem("truncated", str(path), None, f"the gzip stream is corrupt ({exc}); read {out.tell():,} bytes")
    return out.getvalue()
