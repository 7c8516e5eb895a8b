"""Column tables (CSV, Parquet, JSON records) to the positions table: the names each archive
format uses, units, times, and the checks every reader shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .positions import FEET, ReadReport, table_from_columns

__all__ = ["ADSB_COLUMNS", "AIS_COLUMNS", "find_columns", "positions_from_columns", "times_ms"]

#: what each field may be called, in order of preference, with the factor to metres for altitudes
ADSB_COLUMNS: Mapping[str, Sequence[tuple[str, float]]] = {
    "time": [("timestamp", 1), ("time", 1), ("ts", 1)],
    "ident": [("icao24", 1), ("hex", 1), ("icao", 1)],
    "lat": [("latitude", 1), ("lat", 1)],
    "lon": [("longitude", 1), ("lon", 1), ("lng", 1)],
    # geometric before barometric; OpenSky history tables give metres, traffic and readsb feet
    "alt_m": [("geoaltitude", 1), ("alt_geom", FEET), ("altitude", FEET), ("baroaltitude", 1), ("alt_baro", FEET)],
    "callsign": [("callsign", 1), ("flight", 1)],
}
AIS_COLUMNS: Mapping[str, Sequence[tuple[str, float]]] = {
    "time": [("basedatetime", 1), ("timestamp", 1), ("time", 1), ("date_time_utc", 1), ("msgtime", 1)],
    "ident": [("mmsi", 1)],
    "lat": [("lat", 1), ("latitude", 1)],
    "lon": [("lon", 1), ("longitude", 1)],
    "callsign": [("vesselname", 1), ("name", 1), ("shipname", 1)],
    "ship_type": [("vesseltype", 1), ("ship_type", 1), ("shiptype", 1)],
}
REQUIRED = ("time", "ident", "lat", "lon")


def find_columns(
    names: Sequence[str], spec: Mapping[str, Sequence[tuple[str, float]]]
) -> dict[str, list[tuple[str, float]]]:
    """For each field, the columns present that can give it (case-insensitive), best first."""
    lower = {n.lower().strip(): n for n in names}
    return {key: [(lower[c], f) for c, f in options if c in lower] for key, options in spec.items()}


def missing_message(found: Mapping[str, list], spec: Mapping[str, Sequence[tuple[str, float]]]) -> str | None:
    missing = [k for k in REQUIRED if not found.get(k)]
    if not missing:
        return None
    wanted = "; ".join(f"{k}: one of {', '.join(f'`{c}`' for c, _ in spec[k])}" for k in missing)
    return f"missing column{'s' if len(missing) > 1 else ''} for {', '.join(missing)}; expected {wanted}"


def _floats(arr: pa.Array | pa.ChunkedArray, report: ReadReport, file: str, lines: np.ndarray, name: str) -> np.ndarray:
    """Numbers of a column; values that are not numbers become NaN, each counted (`bad_value`)."""
    try:
        return np.asarray(pc.cast(arr, pa.float64()).to_numpy(zero_copy_only=False), dtype=np.float64)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        out = np.full(len(arr), np.nan)
        for i, v in enumerate(arr.to_pylist()):
            if v is None or v == "":
                continue
            try:
                out[i] = float(v)
            except (TypeError, ValueError):
                report.problem("bad_value", file, int(lines[i]), f"`{name}`: expected a number, got `{v}`")
        return out


def times_ms(
    arr: pa.Array | pa.ChunkedArray, report: ReadReport, file: str, lines: np.ndarray, name: str
) -> np.ndarray:
    """Milliseconds since the epoch, int64; -1 where unreadable (counted). Numbers are Unix
    seconds, or milliseconds when above 10^11; strings are RFC 3339 / ISO 8601 and must carry
    a UTC offset (a naive time is an error, as everywhere in highnorth)."""
    if pa.types.is_timestamp(arr.type):
        if arr.type.tz is None:
            report.problem("naive_time", file, None, f"`{name}`: times without a time zone; expected UTC times")
            return np.full(len(arr), -1, dtype=np.int64)
        ms = pc.cast(arr, pa.timestamp("ms", tz="UTC")).cast(pa.int64()).fill_null(-1)
        return np.asarray(ms.to_numpy(zero_copy_only=False), dtype=np.int64)
    if pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type):
        values = arr.to_pylist()
        out = np.full(len(values), -1, dtype=np.int64)
        import datetime as dt

        for i, v in enumerate(values):
            if not v:
                report.problem("bad_time", file, int(lines[i]), f"`{name}`: empty time")
                continue
            try:
                t = dt.datetime.fromisoformat(v.strip().replace(" ", "T", 1).replace("Z", "+00:00"))
            except ValueError:
                try:
                    t = dt.datetime.fromtimestamp(float(v), dt.UTC)
                except ValueError:
                    report.problem("bad_time", file, int(lines[i]), f"`{name}`: expected an RFC 3339 time, got `{v}`")
                    continue
            if t.tzinfo is None:
                report.problem(
                    "naive_time", file, int(lines[i]), f"`{name}`: `{v}` has no UTC offset; expected e.g. `{v}Z`"
                )
                continue
            out[i] = round(t.timestamp() * 1000)
        return out
    seconds = _floats(arr, report, file, lines, name)
    bad = ~np.isfinite(seconds)
    for i in np.flatnonzero(bad)[:5]:
        report.problem("bad_time", file, int(lines[i]), f"`{name}`: expected a time, got nothing")
    report.counts["bad_time"] += max(0, int(bad.sum()) - 5)
    ms = np.where(seconds > 1e11, seconds, seconds * 1000)
    return np.where(bad, -1, np.round(ms)).astype(np.int64)


def _idents(arr: pa.Array | pa.ChunkedArray, source: str) -> pa.Array | pa.ChunkedArray:
    """Identities as text: an MMSI may come as a number; ICAO addresses in lowercase."""
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        arr = pc.cast(pc.cast(arr, pa.int64()) if source == "ais" else arr, pa.string())
    arr = pc.utf8_trim_whitespace(arr)
    return pc.fill_null(arr if source == "ais" else pc.utf8_lower(arr), "")


def positions_from_columns(
    table: pa.Table,
    source: str,
    spec: Mapping[str, Sequence[tuple[str, float]]],
    file: str,
    report: ReadReport,
    first_line: int,
    lines: np.ndarray | None = None,
) -> pa.Table | None:
    """The positions of one block of rows (numbered from `first_line`, or by `lines`), or None when a required
    column is missing (one problem naming the file and the columns expected)."""
    found = find_columns(table.column_names, spec)
    problem = missing_message(found, spec)
    if problem:
        report.problem("missing_column", file, first_line - 1 if first_line > 1 else None, problem)
        return None
    n = table.num_rows
    if lines is None:
        lines = np.arange(first_line, first_line + n, dtype=np.int64)
    report.counts["records"] += n
    cols: dict[str, list | np.ndarray] = {"line": lines}
    (tcol, _), *_ = found["time"]
    cols["time"] = times_ms(table[tcol], report, file, lines, tcol)
    cols["ident"] = _idents(table[found["ident"][0][0]], source)
    cols["lat"] = _floats(table[found["lat"][0][0]], report, file, lines, found["lat"][0][0])
    cols["lon"] = _floats(table[found["lon"][0][0]], report, file, lines, found["lon"][0][0])
    alt = np.full(n, np.nan)
    for name, factor in found.get("alt_m", []):  # the first column with a value wins, per row
        if pa.types.is_string(table[name].type):  # readsb's alt_baro is "ground" on the ground
            values = pc.cast(pc.if_else(pc.equal(table[name], "ground"), None, table[name]), pa.float64(), safe=False)
        else:
            values = table[name]
        v = _floats(values, report, file, lines, name) * factor
        alt = np.where(np.isnan(alt), v, alt)
    cols["alt_m"] = alt
    if found.get("callsign"):
        cols["callsign"] = pc.fill_null(
            pc.utf8_trim_whitespace(pc.cast(table[found["callsign"][0][0]], pa.string())), ""
        )
    if found.get("ship_type"):
        st = _floats(table[found["ship_type"][0][0]], report, file, lines, found["ship_type"][0][0])
        cols["ship_type"] = np.where(np.isfinite(st) & (st >= 0) & (st < 1000), st, -1).astype(np.int16)
    return keep_valid(table_from_columns(source, cols), file, report)


def keep_valid(t: pa.Table, file: str, report: ReadReport) -> pa.Table:
    """Drop and count positions without a place (`null_position`), outside WGS84
    (`bad_position`), without a time or an identity."""
    lat = t["lat"].to_numpy()
    lon = t["lon"].to_numpy()
    null = np.isnan(lat) | np.isnan(lon)
    out = ~null & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    no_time = t["time"].to_numpy() < 0
    no_ident = np.asarray(pc.equal(t["ident"], "").to_numpy(zero_copy_only=False), dtype=bool)
    report.counts["null_position"] += int(null.sum())
    lines = t["line"].to_numpy()
    for i in np.flatnonzero(out)[:5]:
        report.problem("bad_position", file, int(lines[i]), f"position ({lat[i]}, {lon[i]}) outside -90..90, -180..180")
    report.counts["bad_position"] += max(0, int(out.sum()) - 5)
    report.counts["no_ident"] += int((no_ident & ~null & ~out).sum())
    keep = ~null & ~out & ~no_time & ~no_ident
    report.counts["positions"] += int(keep.sum())
    return t.filter(pa.array(keep))
