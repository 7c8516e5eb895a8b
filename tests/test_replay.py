"""`highnorth replay`: the same decisions as `highnorth check` on the same tracks, for any
partitioning and worker count (one shared small Dask cluster); the outputs (GeoParquet,
GeoPackage, CSV, report); failures retried and named; the CLI."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from highnorth.batch import run as batch_run
from highnorth.batch.run import run_replay
from highnorth.batch.stages import Job
from highnorth.cli.app import main
from highnorth.formats.decision_json import decision_json
from highnorth.formats.traffic.activities import activity_feature, track_activity
from highnorth.formats.traffic.adsb import read_adsb
from highnorth.formats.traffic.identity import IdentityTable
from highnorth.formats.traffic.positions import ReadReport
from highnorth.formats.traffic.tracks import split_tracks
from highnorth.service.config import default_policy_dir
from highnorth.service.screening import screen_file

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "replay"
CALLSIGNS = {"USA": ("ae10", "RCH"), "DEU": ("3f10", "GAF"), "GBR": ("43c1", "RRR"), "NOR": ("4781", "NOW")}
DAY0 = dt.datetime(2025, 5, 21, 6, tzinfo=dt.UTC)


def _flights(draw_seed: list[tuple]) -> list[dict]:
    """ADS-B records of a few aircraft flying straight over Finnmark."""
    records = []
    for k, (nation, lon, lat, heading, vertices, day, minute, alt) in enumerate(draw_seed):
        prefix, callsign = CALLSIGNS[nation]
        t0 = DAY0 + dt.timedelta(days=day, minutes=minute)
        for i in range(vertices):
            d = i * 0.08  # degrees per 30 s, about 250 m/s east-west at 70°N
            records.append(
                {
                    "timestamp": int((t0 + dt.timedelta(seconds=30 * i)).timestamp() * 1000),
                    "icao24": f"{prefix}{k:02x}",
                    "callsign": f"{callsign}{k}",
                    "latitude": round(lat + d * math.cos(heading) * 0.35, 6),
                    "longitude": round(lon + d * math.sin(heading), 6),
                    "altitude": None if alt is None or i % 3 == 1 else alt,
                }
            )
    return records


flight = st.tuples(
    st.sampled_from(sorted(CALLSIGNS)),
    st.floats(20.0, 31.0),
    st.floats(68.8, 71.2),
    st.floats(0, 2 * math.pi),
    st.integers(2, 60),
    st.integers(0, 2),  # 21, 22 or 23 May 2025: both sides of the amendment
    st.integers(0, 600),
    st.one_of(st.none(), st.floats(0, 12000)),
)


def _check_decisions(path: Path, tmp: Path, screener) -> dict[str, dict]:
    """What `highnorth check` decides for the same tracks: positions read and split the same
    way, written as Activity GeoJSON, read back and screened by its use case."""
    positions = pa.concat_tables(list(read_adsb(path, ReadReport())))
    identity = IdentityTable.default()
    acts = []
    for track in split_tracks(positions):
        # tracks are cut at UTC midnight by the replay's partitioning by day; these never cross it
        acts.append(track_activity(track, identity.adsb(track.ident, track.callsign)))
    return _check(acts, tmp, screener)


def _check(acts, tmp: Path, screener) -> dict[str, dict]:
    doc = {"type": "FeatureCollection", "features": [activity_feature(a) for a in acts]}
    geojson = tmp / "tracks.geojson"
    geojson.write_text(json.dumps(doc))
    screened = screen_file(geojson, screener, at=None, warn=lambda m: None)
    return {d.activity: json.loads(json.dumps(decision_json(d))) for d in screened.decisions}


def _replayed(out: Path) -> dict[str, dict]:
    t = pa.concat_tables([pq.read_table(p) for p in sorted((out / "tracks").glob("part-*.parquet"))])
    return {row["track"]: json.loads(row["decision"]) for row in t.select(["track", "decision"]).to_pylist()}


@settings(
    max_examples=12, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None
)
@given(
    flights=st.lists(flight, min_size=1, max_size=6),
    buckets=st.integers(1, 5),
    partition_rows=st.sampled_from([1, 50, 10_000]),
    workers=st.sampled_from([0, 1, 2]),
)
def test_replay_equals_check_for_any_partitioning_and_workers(
    flights, buckets, partition_rows, workers, tmp_path_factory, screener, dask_client
):
    tmp = tmp_path_factory.mktemp("replay")
    path = tmp / "flights.json"
    path.write_text(json.dumps(_flights(flights)))
    expected = _check_decisions(path, tmp, screener)
    job = Job(str(default_policy_dir()), None, str(tmp / "out"), "adsb", buckets=buckets)
    addresses = sorted(dask_client.scheduler_info()["workers"])
    client = None if workers == 0 else dask_client
    result = run_replay(
        job, [str(path)], client=client, partition_rows=partition_rows, workers=addresses[:workers] or None
    )
    assert not result.failed_partitions and not result.failed_files
    assert _replayed(tmp / "out") == expected
    assert result.summary["tracks"] == len(expected)


@pytest.mark.parametrize("on_dask", [False, True])
def test_failed_partition_is_retried_then_named(tmp_path: Path, monkeypatch, on_dask, request):
    path = EXAMPLE / "adsb-finnmark.json.gz"
    calls = {"n": 0}
    real = batch_run.screen_cells

    def flaky(job, partition, cells, pieces):
        calls["n"] += 1
        if calls["n"] == 1:
            raise OSError("worker lost")
        if partition == 1:
            raise RuntimeError("always fails")
        return real(job, partition, cells, pieces)

    monkeypatch.setattr(batch_run, "screen_cells", flaky)
    job = Job(str(default_policy_dir()), None, str(tmp_path), "adsb", buckets=4)
    client = request.getfixturevalue("dask_client") if on_dask else None
    result = run_replay(job, [str(path), str(tmp_path / "missing.json")], client=client, partition_rows=1, retries=1)
    assert result.partitions >= 2
    assert len(result.failed_partitions) == 1 and result.failed_partitions[0].startswith("partition 1 (day=")
    assert "always fails" in result.failed_partitions[0]
    assert result.report.counts["unreadable_file"] == 1
    assert any(p.startswith(f"{tmp_path / 'missing.json'}: no such file") for p in result.report.problems)
    assert result.summary["tracks"] > 0  # the other partitions are written


def test_unknown_actor_fails_closed(tmp_path: Path):
    records = [
        {
            "timestamp": int((DAY0 + dt.timedelta(seconds=30 * i)).timestamp() * 1000),
            "icao24": "f00001",
            "callsign": "",
            "latitude": 70.2,
            "longitude": 27.0 + i * 0.05,
            "altitude": 9000,
        }
        for i in range(10)
    ]
    path = tmp_path / "x.json"
    path.write_text(json.dumps(records))
    job = Job(str(default_policy_dir()), None, str(tmp_path / "out"), "adsb", traffic="all")
    run_replay(job, [str(path)])
    t = pq.read_table(next((tmp_path / "out" / "tracks").glob("*.parquet")))
    assert t["nation"].to_pylist() == ["XXX"] and t["identity"].to_pylist() == ["address in no known block"]
    assert t["outcome"].to_pylist()[0] in ("referred", "denied")  # east of 24°E, foreign, allied with nobody
    job = Job(str(default_policy_dir()), None, str(tmp_path / "out2"), "adsb", traffic="state")
    assert run_replay(job, [str(path)]).summary["counts"]["not_state"] == 1
    # no track screened: the tables and the GeoPackage layers exist all the same, empty
    import pyogrio

    from highnorth.formats.compliance import to_geopackage

    parts = sorted((tmp_path / "out2" / "exposures").glob("*.parquet"))
    assert pq.read_table(parts[0]).num_rows == 0
    to_geopackage(parts, tmp_path / "x.gpkg", "exposures", "Point")
    assert dict(pyogrio.list_layers(tmp_path / "x.gpkg")) == {"exposures": "Point"}


def test_cli_replay_writes_geoparquet_geopackage_csv_and_report(tmp_path: Path, capsys):
    out = tmp_path / "out"
    code = main(
        [
            "replay",
            str(EXAMPLE / "adsb-finnmark.json.gz"),
            "--format",
            "adsb",
            "--out",
            str(out),
            "--workers",
            "0",
            "--also",
            "gpkg,csv",
        ]
    )
    assert code == 0, capsys.readouterr().err
    tracks = pq.read_table(out / "tracks")
    assert tracks.num_rows >= 4 and set(tracks["outcome"].to_pylist()) >= {"denied", "conditional", "referred"}
    # the 2025 amendment: the same US tanker pattern denied on 21 May, conditional on 23 May
    by_day = {
        (r["start"].date().isoformat(), r["outcome"])
        for r in tracks.select(["start", "outcome", "nation"]).to_pylist()
        if r["nation"] == "USA"
    }
    assert ("2025-05-21", "denied") in by_day and ("2025-05-23", "conditional") in by_day
    for name, gtype in (("tracks", "LineString"), ("exposures", "Point")):
        part = next((out / name).glob("part-*.parquet"))
        geo = json.loads(pq.read_schema(part).metadata[b"geo"])
        assert geo["version"] == "1.1.0" and geo["primary_column"] == "geometry"
        assert geo["columns"]["geometry"]["encoding"] == "WKB" and geo["columns"]["geometry"]["geometry_types"] == [
            gtype
        ]
        geoms = shapely.from_wkb(pq.read_table(part)["geometry"].to_numpy(zero_copy_only=False))
        assert set(shapely.get_type_id(geoms)) == {1 if gtype == "LineString" else 0}
        bbox = geo["columns"]["geometry"]["bbox"]
        assert list(shapely.total_bounds(geoms)) == pytest.approx(bbox)
    import pyogrio

    layers = dict(pyogrio.list_layers(out / "replay.gpkg"))
    assert layers == {"tracks": "LineString", "exposures": "Point"}
    assert pyogrio.read_info(out / "replay.gpkg", layer="tracks")["features"] == tracks.num_rows
    header = (out / "exposures.csv").read_text().splitlines()[0].split(",")
    assert header[:3] == ["track", "nation", "kind"] and header[-1] == "geometry_wkt"
    html = (out / "report.html").read_text()
    for png in ("map.png", "timeline.png", "zones.png", "nations.png"):
        assert f'src="{png}"' in html and (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((out / "summary.json").read_text())
    assert summary["by_outcome"]["denied"] >= 2 and summary["read"]["counts"]["null_position"] == 2
    try:
        import geopandas
    except ImportError:
        return
    assert len(geopandas.read_parquet(next((out / "tracks").glob("part-*.parquet")))) == tracks.num_rows


def test_cli_replay_ais_names_bad_lines_and_at_judges_by_one_version(tmp_path: Path, capsys):
    out = tmp_path / "ais"
    code = main(
        [
            "replay",
            str(EXAMPLE / "ais-finnmark.nmea"),
            "--format",
            "ais-nmea",
            "--out",
            str(out),
            "--workers",
            "0",
            "--no-report",
        ]
    )
    assert code == 0
    err = " ".join(capsys.readouterr().err.split())  # the console wraps long lines
    assert "ais-finnmark.nmea:11: checksum does not match" in err
    tracks = pq.read_table(out / "tracks")
    assert sorted(tracks["nation"].to_pylist()) == ["GBR", "RUS", "USA"]  # the fishing vessel is not a state ship
    code = main(
        [
            "replay",
            str(EXAMPLE / "adsb-finnmark.json.gz"),
            "--format",
            "adsb",
            "--out",
            str(tmp_path / "at"),
            "--workers",
            "0",
            "--no-report",
            "--at",
            "2025-05-21",
        ]
    )
    t = pq.read_table(tmp_path / "at" / "tracks")
    usa = {r["outcome"] for r in t.select(["nation", "outcome"]).to_pylist() if r["nation"] == "USA"}
    assert usa == {"denied"}  # by the rules before the amendment, the 23 May flights too


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "adsbb"], "--format: unknown format `adsbb`; did you mean `adsb`?"),
        (["--format", "adsb", "--also", "shp"], "--also: unknown output `shp`"),
        (["--format", "adsb", "--at", "yesterday"], "--at: "),
    ],
)
def test_cli_replay_bad_options_exit_2(tmp_path: Path, capsys, args, message):
    code = main(["replay", str(EXAMPLE / "adsb-finnmark.json.gz"), "--out", str(tmp_path), "--workers", "0", *args])
    assert code == 2
    assert message in " ".join(capsys.readouterr().err.split())


def test_service_replays_on_an_existing_scheduler(tmp_path: Path, dask_client):
    from highnorth.service.config import Settings
    from highnorth.service.replay import replay_archive

    seen: list[str | None] = []
    done = replay_archive(
        [EXAMPLE / "ais-finnmark.nmea"],
        format="ais-nmea",
        out=tmp_path,
        settings=Settings.from_env(limits=False),
        scheduler=dask_client.scheduler.address,
        report=False,
        warn=lambda m: None,
        on_cluster=seen.append,
        progress=lambda stage, done, total: seen.append(f"{stage} {done}/{total}"),
    )
    assert done.result.workers == 2 and done.result.summary["tracks"] == 3
    assert "read 1/1" in seen and any(s and s.startswith("screen ") for s in seen)
    assert json.loads((tmp_path / "summary.json").read_text())["read"]["counts"]["bad_line"] == 2
    assert dask_client.status == "running"  # the shared cluster is left as it was


def test_replay_equals_check_on_ais_tracks(tmp_path: Path, screener):
    from highnorth.formats.traffic.ais import read_nmea

    path = EXAMPLE / "ais-finnmark.nmea"
    positions = pa.concat_tables(list(read_nmea(path, ReadReport())))
    identity = IdentityTable.default()
    acts = [
        track_activity(t, who) for t in split_tracks(positions) if (who := identity.ais(t.ident, t.ship_type)).state
    ]
    assert {a.kind for a in acts} == {"naval_transit"} and {a.altitude for a in acts} == {(0.0, 0.0)}
    expected = _check(acts, tmp_path, screener)
    job = Job(str(default_policy_dir()), None, str(tmp_path / "out"), "ais-nmea", buckets=2)
    run_replay(job, [str(path)], partition_rows=100)
    assert _replayed(tmp_path / "out") == expected and len(expected) == 3
