"""AIS archives: NMEA 0183 `!AIVDM`/`!AIVDO` sentences with tag blocks (as the Norwegian
Coastal Administration distributes them: ``\\s:2573535,c:1671533231*08\\!BSVDM,...``), decoded
with pyais, and AIS CSV exports (MarineCadastre / Kystverket style columns).

Multi-sentence messages are assembled from consecutive fragments of the same sequence id and
channel, taking the time of the tag block of their first fragment. A position's time is the
tag block's `c:` (Unix seconds; milliseconds when above 10^11); a message without one is
counted as `no_time` and not used. Counted and skipped, each named by file and line (the first
few): undecodable sentences (`bad_line`, checksum or structure), fragments without their
start (`orphan_fragment`), messages without a position (`no_position`: static, base station
and the other types), positions reported as not available (`null_position`: 91°, 181°).
Ship type and name come from static messages (5, 19, 24) of the same file, for the vessel's
positions before and after them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
from pyais import NMEAMessage
from pyais.exceptions import AISBaseException
from pyais.messages import AISSentence, NMEASentenceFactory

from ._columns import AIS_COLUMNS, keep_valid
from .adsb import BLOCK_ROWS, read_table_file
from .positions import ReadReport, open_text, table_from_columns

__all__ = ["POSITION_TYPES", "read_ais_csv", "read_nmea"]

#: message types that carry a vessel's position (class A 1-3, class B 18/19, long range 27)
POSITION_TYPES = frozenset({1, 2, 3, 18, 19, 27})
_STATIC_TYPES = frozenset({5, 19, 24})


def read_ais_csv(path: Path, report: ReadReport) -> Iterator[pa.Table]:
    """The positions of an AIS CSV (or Parquet) file, in blocks."""
    yield from read_table_file(path, "ais", AIS_COLUMNS, report)


def read_nmea(path: Path, report: ReadReport) -> Iterator[pa.Table]:
    """The positions of an NMEA file (gzip or plain), in blocks, ship type and name attached
    from the file's static messages."""
    file = str(path)
    cols: dict[str, list] = {k: [] for k in ("ident", "time", "lon", "lat", "line")}
    static: dict[str, tuple[int, str]] = {}
    blocks: list[pa.Table] = []
    pending: dict[tuple, list[tuple[int, AISSentence]]] = {}
    for number, raw in open_text(path, report):
        if not raw.strip():
            continue
        try:
            sentence = NMEASentenceFactory.produce(raw.encode("ascii", "replace"))
        except (AISBaseException, ValueError, IndexError) as exc:
            report.problem("bad_line", file, number, f"not an AIS sentence: {_short(exc)}")
            continue
        if not isinstance(sentence, AISSentence):
            continue
        if not sentence.is_valid:
            report.problem("bad_line", file, number, "checksum does not match; sentence skipped")
            continue
        report.counts["sentences"] += 1
        if sentence.is_single:
            parts = [(number, sentence)]
        else:
            slot = (sentence.seq_id, sentence.channel, sentence.talker_id, sentence.frag_cnt)
            if sentence.frag_num == 1:
                if slot in pending:
                    report.problem(
                        "orphan_fragment", file, pending[slot][0][0], "multi-sentence message never completed"
                    )
                pending[slot] = [(number, sentence)]
                continue
            got = pending.get(slot)
            if not got or len(got) != sentence.frag_num - 1:
                report.problem(
                    "orphan_fragment",
                    file,
                    number,
                    f"fragment {sentence.frag_num} of {sentence.frag_cnt} without the ones before it",
                )
                pending.pop(slot, None)
                continue
            got.append((number, sentence))
            if len(got) < sentence.frag_cnt:
                continue
            parts = pending.pop(slot)
        _message(parts, file, report, cols, static)
        if len(cols["time"]) >= BLOCK_ROWS:
            blocks.append(_flush(cols))
    for parts in pending.values():
        report.problem("orphan_fragment", file, parts[0][0], "multi-sentence message never completed")
    if cols["time"]:
        blocks.append(_flush(cols))
    for block in blocks:
        yield keep_valid(_with_static(block, static), file, report)


def _short(exc: Exception) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) < 80 else text[:77] + "…"


def _message(
    parts: list[tuple[int, AISSentence]],
    file: str,
    report: ReadReport,
    cols: dict[str, list],
    static: dict[str, tuple[int, str]],
) -> None:
    number, first = parts[0]
    try:
        msg = parts[0][1] if len(parts) == 1 else NMEAMessage.assemble_from_iterable([s for _, s in parts])
        decoded = msg.decode()
    except (AISBaseException, ValueError, IndexError, KeyError) as exc:
        report.problem("bad_line", file, number, f"cannot decode the AIS message: {_short(exc)}")
        return
    report.counts["messages"] += 1
    kind = int(decoded.msg_type)
    mmsi = str(decoded.mmsi)
    if kind in _STATIC_TYPES:
        ship_type = int(getattr(decoded, "ship_type", -1) or -1)
        name = str(getattr(decoded, "shipname", "") or "").strip()
        old_type, old_name = static.get(mmsi, (-1, ""))
        static[mmsi] = (ship_type if ship_type > 0 else old_type, name or old_name)
    if kind not in POSITION_TYPES:
        report.counts["no_position"] += 1
        return
    tb = first.tag_block
    stamp = None
    if tb is not None:
        tb.init()
        stamp = tb.receiver_timestamp
    if not stamp:
        report.counts["no_time"] += 1
        return
    try:
        seconds = float(stamp)
    except ValueError:
        report.problem("bad_time", file, number, f"tag block `c:` is not a Unix time, got `{stamp}`")
        return
    lat, lon = float(decoded.lat), float(decoded.lon)  # type: ignore[union-attr]  # POSITION_TYPES have both
    if abs(lat) > 90 or abs(lon) > 180:  # 91 / 181: not available
        report.counts["null_position"] += 1
        return
    cols["ident"].append(mmsi)
    cols["time"].append(round(seconds if seconds > 1e11 else seconds * 1000))
    cols["lon"].append(lon)
    cols["lat"].append(lat)
    cols["line"].append(number)
    report.counts["records"] += 1


def _flush(cols: dict[str, list]) -> pa.Table:
    t = table_from_columns("ais", {**cols, "alt_m": [0.0] * len(cols["time"])})
    for v in cols.values():
        v.clear()
    return t


def _with_static(t: pa.Table, static: dict[str, tuple[int, str]]) -> pa.Table:
    idents = t["ident"].to_pylist()
    got = [static.get(i, (-1, "")) for i in idents]
    t = t.set_column(t.schema.get_field_index("ship_type"), "ship_type", pa.array([g[0] for g in got], pa.int16()))
    return t.set_column(t.schema.get_field_index("callsign"), "callsign", pa.array([g[1] for g in got], pa.string()))
