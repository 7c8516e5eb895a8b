"""The traffic importers and the track splitter: the real samples of ../shared/data and
generated edge cases (multi-part NMEA, gaps, duplicates, out of order, the pole and the
antimeridian, null altitudes, bad lines, truncated gzip, missing columns)."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest
from pyais.encode import encode_dict
from pyais.messages import TagBlock

from highnorth.formats.traffic.adsb import read_adsb
from highnorth.formats.traffic.ais import read_ais_csv, read_nmea
from highnorth.formats.traffic.identity import IdentityTable
from highnorth.formats.traffic.positions import ReadReport
from highnorth.formats.traffic.tracks import split_tracks

from conftest import shared

T0 = 1_747_900_800_000  # 2025-05-22T08:00:00Z in ms


def _all(tables) -> pa.Table:
    tables = list(tables)
    return pa.concat_tables(tables) if tables else pa.table({})


@pytest.mark.shared_data
def test_real_adsb_samples_read_with_null_positions_counted():
    report = ReadReport()
    t = _all(read_adsb(shared("trajectories", "adsb", "military_inflight_refuelling.json.gz"), report))
    assert report.counts["records"] == 10397
    assert report.counts["null_position"] >= 1
    assert t.num_rows == report.counts["positions"] == 10397 - report.counts["null_position"]
    assert set(t["ident"].to_pylist()) == {"3b7777"}
    assert t["alt_m"].to_numpy()[0] == pytest.approx(2550 * 0.3048)  # feet to metres
    report = ReadReport()
    t = _all(read_adsb(shared("trajectories", "adsb", "tv_relay_vasaloppet.json.gz"), report))
    assert t.num_rows == 2381 and report.problems == []
    tracks = list(split_tracks(t))
    assert len(tracks) == 1 and len(tracks[0].time) == 2381
    # the French tanker is a state aircraft by its callsign, the Belgian TV relay civil by its address
    table = IdentityTable.default()
    assert table.adsb("3b7777", "FAF4011").nation == "FRA" and table.adsb("3b7777", "FAF4011").state
    assert table.adsb("44b0b4", "OOLET").nation == "BEL" and not table.adsb("44b0b4", "OOLET").state


@pytest.mark.shared_data
def test_real_ais_sample_has_no_times_and_bad_sentences_are_named():
    path = shared("trajectories", "ais", "pyais_nmea_data_sample.txt")
    report = ReadReport()
    t = _all(read_nmea(path, report))
    assert t.num_rows == 0  # the sample has no tag blocks: positions without a time are not used
    assert report.counts["messages"] == 778  # as SOURCES.md says: 778 decode, 100 fail
    assert report.counts["bad_line"] == 100
    assert report.counts["no_time"] > 700
    assert report.problems[0].startswith(f"{path}:4: ")


def _tagged(t_ms: int, sentence: str) -> str:
    tb = TagBlock.create(source_station="test", receiver_timestamp=t_ms // 1000).decode()
    return f"\\{tb}\\{sentence}"


def test_nmea_multi_part_static_tag_block_times_and_bad_lines(tmp_path: Path):
    static = encode_dict(
        {"type": 5, "mmsi": 257100200, "shipname": "KNM TEST", "ship_type": 35},
        talker_id="AI",
        sentence_type="VDM",
        seq_id=3,
    )
    assert len(static) == 2  # a two-sentence message
    lines = [_tagged(T0, s) for s in static]
    for i in range(5):
        pos = encode_dict(
            {"type": 1, "mmsi": 257100200, "lon": 25.0 + i * 0.01, "lat": 70.5}, talker_id="AI", sentence_type="VDM"
        )[0]
        lines.append(_tagged(T0 + i * 60_000, pos))
    lines.insert(3, lines[3][:-2] + "00")  # corrupt checksum: line 4
    lines.append("!AIVDM,2,2,9,A,00000000000,2*2D")  # a fragment without its start: line 9
    lines.append(
        encode_dict({"type": 1, "mmsi": 257100200, "lon": 25.5, "lat": 70.5}, talker_id="AI", sentence_type="VDM")[0]
    )  # no time
    lines.append(
        _tagged(
            T0,
            encode_dict({"type": 1, "mmsi": 257100300, "lon": 181, "lat": 91}, talker_id="AI", sentence_type="VDM")[0],
        )
    )
    path = tmp_path / "a.nmea.gz"
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode()))
    report = ReadReport()
    t = _all(read_nmea(path, report))
    assert t.num_rows == 5
    assert set(t["ship_type"].to_pylist()) == {35} and set(t["callsign"].to_pylist()) == {"KNM TEST"}
    assert t["time"].to_pylist() == [T0 + i * 60_000 for i in range(5)]
    assert report.counts["bad_line"] == 1 and report.problems[0].startswith(f"{path}:4: checksum")
    assert report.counts["orphan_fragment"] == 1 and any(
        p.startswith(f"{path}:9: fragment 2 of 2") for p in report.problems
    )
    assert report.counts["no_time"] == 1 and report.counts["null_position"] == 1
    assert report.counts["no_position"] == 1  # the static message
    who = IdentityTable.default().ais("257100200", 35)
    assert (who.nation, who.service, who.state) == ("NOR", "Navy", True)


def test_truncated_gzip_keeps_what_was_read_and_names_the_file(tmp_path: Path):
    rows = ["timestamp,icao24,callsign,latitude,longitude,altitude"]
    rows += [f"{(T0 + i * 1000) / 1000},ae0001,RCH1,70.{i:04d},25.0,30000" for i in range(20000)]
    data = gzip.compress(("\n".join(rows) + "\n").encode())
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    report = ReadReport()
    t = _all(read_adsb(path, report))
    assert 0 < t.num_rows < 20000
    assert report.counts["truncated"] == 1 and str(path) in report.problems[-1]
    nmea = tmp_path / "cut.nmea.gz"
    pos = encode_dict({"type": 1, "mmsi": 257100200, "lon": 25.0, "lat": 70.5}, talker_id="AI", sentence_type="VDM")[0]
    whole = gzip.compress("\n".join(_tagged(T0 + i * 1000, pos) for i in range(5000)).encode())
    nmea.write_bytes(whole[: len(whole) * 2 // 3])
    report = ReadReport()
    assert 0 < _all(read_nmea(nmea, report)).num_rows < 5000
    assert report.counts["truncated"] == 1 and report.problems[-1].startswith(f"{nmea}:")


def test_csv_missing_column_and_bad_rows_are_counted_with_lines(tmp_path: Path):
    bad = tmp_path / "nolat.csv"
    bad.write_text("MMSI,BaseDateTime,LON\n257100200,2025-05-22T08:00:00Z,25.0\n")
    report = ReadReport()
    assert _all(read_ais_csv(bad, report)).num_rows == 0
    assert report.counts["missing_column"] == 1
    assert report.problems == [f"{bad}:1: missing column for lat; expected lat: one of `lat`, `latitude`"]
    ok = tmp_path / "ais.csv"
    ok.write_text(
        "MMSI,BaseDateTime,LAT,LON,VesselName,VesselType\n"
        "257100200,2025-05-22T08:00:00Z,70.5,25.0,KNM A,35\n"
        "257100200,2025-05-22T08:01:00Z,70.5,25.01\n"  # too few fields: line 3
        "257100200,2025-05-22T08:02:00Z,seventy,25.02,KNM A,35\n"  # not a number: line 4
        "257100200,2025-05-22 08:03:00,70.5,25.03,KNM A,35\n"  # no offset: line 5
        "257100200,2025-05-22T08:04:00+00:00,70.5,25.04,KNM A,35\n"
    )
    report = ReadReport()
    t = _all(read_ais_csv(ok, report))
    assert t["line"].to_pylist() == [2, 6]
    problems = "\n".join(report.problems)
    assert f"{ok}:3: expected 6 fields, got 4" in problems
    assert f"{ok}:4: `LAT`: expected a number, got `seventy`" in problems
    assert f"{ok}:5: `BaseDateTime`: `2025-05-22 08:03:00` has no UTC offset" in problems


def _positions(rows: list[tuple]) -> pa.Table:
    from highnorth.formats.traffic.positions import table_from_columns

    ident, time, lon, lat, alt = zip(*rows, strict=True)
    return table_from_columns(
        "adsb", {"ident": list(ident), "time": list(time), "lon": list(lon), "lat": list(lat), "alt_m": list(alt)}
    )


def test_tracks_gaps_duplicates_order_jumps_pole_antimeridian_altitudes():
    nan = float("nan")
    rows = [
        ("a", T0 + 2000, 25.002, 70.0, nan),  # out of order
        ("a", T0, 25.0, 70.0, 1000.0),
        ("a", T0 + 1000, 25.001, 70.0, nan),
        ("a", T0 + 1000, 25.001, 70.0, 9999.0),  # duplicate time: the first one stays
        ("a", T0 + 3000, 25.003, 70.0, 1300.0),
        ("a", T0 + 3000 + 16 * 60_000, 25.1, 70.0, 1300.0),  # after a 16 min gap
        ("a", T0 + 3001 + 16 * 60_000, 25.2, 70.0, 1300.0),
        ("b", T0, 179.99, 65.0, nan),  # across the antimeridian
        ("b", T0 + 10_000, -179.99, 65.0, nan),
        ("b", T0 + 20_000, -179.97, 65.0, nan),
        ("c", T0, 0.0, 89.99, 9000.0),  # over the pole
        ("c", T0 + 60_000, 180.0, 89.99, 9000.0),
        ("c", T0 + 120_000, 179.0, 89.98, 9000.0),
    ]
    counts: Counter[str] = Counter()
    tracks = list(split_tracks(_positions(rows), counts))
    assert counts["out_of_order"] == 1 and counts["duplicate"] == 1
    assert counts["split_gap"] == 1 and counts["split_antimeridian"] == 1
    a = [t for t in tracks if t.ident == "a"]
    assert [len(t.time) for t in a] == [4]  # the two after the gap: 1 ms apart and 7 km: a jump, then single
    assert a[0].alt_m.tolist() == [1000.0, 1100.0, 1200.0, 1300.0]  # interpolated in time
    assert counts["split_jump"] == 1 and counts["single_position"] >= 2
    b = [t for t in tracks if t.ident == "b"]
    assert len(b) == 1 and b[0].alt_m is None and np.all(b[0].lon < 0)  # never drawn round the globe
    c = [t for t in tracks if t.ident == "c"]  # over the pole the longitude turns by 180°: one track
    assert len(c) == 1 and len(c[0].time) == 3
    for t in tracks:
        assert np.all(np.diff(t.time) > 0)
        assert np.all(np.abs(np.diff(t.lon)) <= 180)  # no segment the long way round


def test_adsb_json_lines_readsb_and_opensky_states(tmp_path: Path):
    lines = tmp_path / "x.jsonl"
    lines.write_text(
        json.dumps({"time": T0 / 1000, "icao24": "AE0001", "lat": 70, "lon": 25, "geoaltitude": 100}) + "\n{oops\n"
    )
    report = ReadReport()
    t = _all(read_adsb(lines, report))
    assert t["ident"].to_pylist() == ["ae0001"] and t["alt_m"].to_pylist() == [100.0]  # OpenSky metres
    assert report.problems[0].startswith(f"{lines}:2: not a JSON record")
    readsb = tmp_path / "aircraft.json"
    readsb.write_text(
        json.dumps(
            {
                "now": T0 / 1000,
                "aircraft": [
                    {
                        "hex": "ae0002",
                        "flight": "RCH12 ",
                        "lat": 70.1,
                        "lon": 25.1,
                        "alt_baro": "ground",
                        "seen_pos": 2,
                    },
                    {"hex": "ae0003", "alt_baro": 30000},
                ],
            }
        )
    )
    report = ReadReport()
    t = _all(read_adsb(readsb, report))
    assert t.to_pylist()[0]["callsign"] == "RCH12" and np.isnan(t.to_pylist()[0]["alt_m"])
    assert t["time"].to_pylist() == [T0 - 2000] and report.counts["null_position"] == 1
    states = tmp_path / "states.json"
    states.write_text(
        json.dumps(
            {
                "time": T0 // 1000,
                "states": [
                    [
                        "ae0004",
                        "RCH9",
                        "United States",
                        T0 // 1000,
                        T0 // 1000,
                        25.0,
                        70.0,
                        9000.0,
                        False,
                        200,
                        90,
                        0,
                        None,
                        9100.0,
                        None,
                        False,
                        0,
                    ]
                ],
            }
        )
    )
    t = _all(read_adsb(states, ReadReport()))
    assert t.to_pylist()[0]["alt_m"] == 9100.0


def test_identity_file_of_ones_own_and_its_errors(tmp_path: Path):
    from highnorth.model.errors import InputError

    mine = tmp_path / "id.yaml"
    mine.write_text("mid: {source: mine, basis: assumption, codes: {FIN: [257]}}\n")
    assert IdentityTable.load(mine).ais("257000001").nation == "FIN"
    assert IdentityTable.load(mine).adsb("ae0001", "RCH1").nation == "XXX"  # nothing else known: fails closed
    mine.write_text("mid: {codes: {Finland: [230]}}\n")
    with pytest.raises(InputError, match="`Finland` is not an ISO 3166-1 alpha-3 code"):
        IdentityTable.load(mine)
    mine.write_text("mid: [\n")
    with pytest.raises(InputError, match=r"id.yaml:2: not valid YAML"):
        IdentityTable.load(mine)
