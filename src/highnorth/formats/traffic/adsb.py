"""ADS-B archives: JSON (records as the traffic library and OpenSky write them, JSON Lines,
OpenSky's REST `states`, readsb / tar1090 `aircraft.json`), CSV and Parquet, gzip or not.

Every reader yields positions tables in blocks and counts what it drops in the `ReadReport`;
a file it cannot read at all is one problem, never the end of the run.

>>> import json, tempfile, pathlib
>>> p = pathlib.Path(tempfile.mkdtemp()) / "a.json"
>>> _ = p.write_text(json.dumps([{"timestamp": 1583041470000, "icao24": "44B0B4", "latitude": 60.9,
...     "longitude": 14.5, "altitude": 1000.0, "callsign": "OOLET"},
...     {"timestamp": 1583041480000, "icao24": "44b0b4", "latitude": None, "longitude": None}]))
>>> report = ReadReport()
>>> [t.to_pylist()[0]["alt_m"] for t in read_adsb(p, report)], report.counts["null_position"]
([304.8], 1)
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.csv as pcsv
import pyarrow.parquet as pq

from ._columns import ADSB_COLUMNS, positions_from_columns
from .positions import ReadReport, open_text, read_bytes

__all__ = ["BLOCK_ROWS", "read_adsb", "read_table_file"]

#: rows per block read from CSV and Parquet (and per block of JSON records)
BLOCK_ROWS = 500_000

#: OpenSky REST `states` vector: index of each field
_STATE = {"icao24": 0, "callsign": 1, "time_position": 3, "lon": 5, "lat": 6, "baroaltitude": 7, "geoaltitude": 13}


def read_adsb(path: Path, report: ReadReport) -> Iterator[pa.Table]:
    """The positions of an ADS-B file, in blocks. The format is told by the name (`.csv`,
    `.parquet`, else JSON; `.gz` is read through)."""
    name = path.name.lower().removesuffix(".gz")
    if name.endswith((".parquet", ".csv", ".tsv")):
        yield from read_table_file(path, "adsb", ADSB_COLUMNS, report)
    else:
        yield from _read_json(path, report)


def read_table_file(path: Path, source: str, spec: Any, report: ReadReport) -> Iterator[pa.Table]:
    """CSV (line numbers count the header as line 1) or Parquet (record numbers from 1)."""
    file = str(path)
    try:
        if path.name.lower().endswith(".parquet"):
            first = 1
            for batch in pq.ParquetFile(path).iter_batches(batch_size=BLOCK_ROWS):
                t = positions_from_columns(pa.Table.from_batches([batch]), source, spec, file, report, first)
                if t is None:
                    return
                first += batch.num_rows
                yield t
            return
        yield from _read_csv(path, source, spec, report)
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        report.problem(
            "unreadable_file", file, None, f"cannot read as {'Parquet' if path.suffix == '.parquet' else 'CSV'}: {exc}"
        )


def _read_csv(path: Path, source: str, spec: Any, report: ReadReport) -> Iterator[pa.Table]:
    file = str(path)
    skipped: set[int] = set()

    def bad_row(row: Any) -> str:
        # the row number pyarrow gives counts the header as row 1, as a user's editor does
        report.problem(
            "bad_line", file, row.number, f"expected {row.expected_columns} fields, got {row.actual_columns}"
        )
        if row.number is not None:
            skipped.add(row.number)
        return "skip"

    delimiter = "\t" if path.name.lower().removesuffix(".gz").endswith(".tsv") else ","
    reader = pcsv.open_csv(
        _csv_source(path, report),
        read_options=pcsv.ReadOptions(block_size=1 << 24, use_threads=False),
        parse_options=pcsv.ParseOptions(delimiter=delimiter, invalid_row_handler=bad_row),
        convert_options=pcsv.ConvertOptions(strings_can_be_null=True),
    )
    first = 2
    try:
        for batch in reader:
            lines: list[int] = []
            while len(lines) < batch.num_rows:  # the file's line numbers, past the rows skipped
                if first not in skipped:
                    lines.append(first)
                first += 1
            t = positions_from_columns(
                pa.Table.from_batches([batch]),
                source,
                spec,
                file,
                report,
                lines[0] if lines else first,
                np.array(lines, dtype=np.int64),
            )
            if t is None:
                return
            yield t
    except (pa.ArrowInvalid, OSError, EOFError) as exc:
        report.problem("truncated", file, first, f"cannot read further: {exc}")


def _csv_source(path: Path, report: ReadReport) -> pa.NativeFile:
    """The CSV bytes (a truncated gzip gives what it had, with one problem)."""
    if path.name.lower().endswith(".gz"):
        return pa.BufferReader(read_bytes(path, report))
    return pa.OSFile(str(path))


def _read_json(path: Path, report: ReadReport) -> Iterator[pa.Table]:
    file = str(path)
    data = read_bytes(path, report)
    try:
        doc = json.loads(data)
    except (json.JSONDecodeError, UnicodeDecodeError):
        doc = None
    if doc is None:  # JSON Lines (one record per line), or a JSON document cut short
        yield from _read_json_lines(path, report)
        return
    if isinstance(doc, dict) and isinstance(doc.get("aircraft"), list):  # readsb / tar1090 aircraft.json
        now = float(doc.get("now", 0))
        records = []
        for a in doc["aircraft"]:
            if isinstance(a, dict):
                seen = a.get("seen_pos", a.get("seen", 0)) or 0
                records.append({**a, "timestamp": (now - float(seen)) if now else None})
        yield from _records(records, path, report, 1)
    elif isinstance(doc, dict) and isinstance(doc.get("states"), list):  # OpenSky REST API
        records = []
        for s in doc["states"]:
            if isinstance(s, list) and len(s) > 13:
                records.append({k: s[i] for k, i in _STATE.items()} | {"timestamp": s[3] or doc.get("time")})
        yield from _records(records, path, report, 1)
    elif isinstance(doc, list):
        yield from _records(doc, path, report, 1)
    else:
        report.problem(
            "unreadable_file",
            file,
            1,
            "expected a JSON list of records, JSON Lines, readsb `aircraft` or OpenSky `states`",
        )


def _read_json_lines(path: Path, report: ReadReport) -> Iterator[pa.Table]:
    records: list[Any] = []
    first = 1
    for number, line in open_text(path, report):
        if not line.strip():
            records.append(None)
            continue
        try:
            records.append(json.loads(line))
        except json.JSONDecodeError as exc:
            report.problem("bad_line", str(path), number, f"not a JSON record: {exc.msg}")
            records.append(None)
        if len(records) >= BLOCK_ROWS:
            yield from _records(records, path, report, first)
            first += len(records)
            records = []
    yield from _records(records, path, report, first)


def _records(records: list[Any], path: Path, report: ReadReport, first: int) -> Iterator[pa.Table]:
    """Records (dicts; None for a line already counted as bad) as positions, in blocks."""
    for start in range(0, len(records), BLOCK_ROWS):
        block = records[start : start + BLOCK_ROWS]
        keys: dict[str, None] = {}
        for r in block[:1000]:
            if isinstance(r, dict):
                keys.update(dict.fromkeys(r))
        cols = {k: [r.get(k) if isinstance(r, dict) else None for r in block] for k in keys}
        lines = list(range(first + start, first + start + len(block)))
        kept = [i for i, r in enumerate(block) if isinstance(r, dict)]
        if len(kept) < len(block):
            cols = {k: [v[i] for i in kept] for k, v in cols.items()}
            lines = [lines[i] for i in kept]
        if not kept:
            continue
        try:
            table = pa.table({k: pa.array(v) for k, v in cols.items() if any(x is not None for x in v)})
        except (pa.ArrowInvalid, pa.ArrowTypeError):  # mixed types in a column: read it as text
            table = pa.table({k: pa.array([None if x is None else str(x) for x in v]) for k, v in cols.items()})
        if len(kept) < len(block) or lines[0] != first + start:
            t = _renumbered(table, lines, path, report)
        else:
            t = positions_from_columns(table, "adsb", ADSB_COLUMNS, str(path), report, first + start)
        if t is None:
            return
        yield t


def _renumbered(table: pa.Table, lines: list[int], path: Path, report: ReadReport) -> pa.Table | None:
    t = positions_from_columns(table, "adsb", ADSB_COLUMNS, str(path), report, 1)
    if t is None:
        return None
    # map the block's row numbers back to the file's lines
    idx = t["line"].to_numpy() - 1
    return t.set_column(t.schema.get_field_index("line"), "line", pa.array([lines[i] for i in idx], pa.int64()))
