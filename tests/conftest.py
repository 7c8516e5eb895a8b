"""Shared fixtures: the default policy, a screener, a small synthetic policy, the shared data."""

from __future__ import annotations

import datetime as dt
import json
import os
import tempfile
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from highnorth.engine import Screener
from highnorth.rules.loading.loader import load_policy

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_POLICY = ROOT / "src" / "highnorth" / "data" / "default"
SHARED_DATA = ROOT.parent / "shared" / "data"
UTC = dt.UTC

# the CLI's zone cache goes to a folder of the test run, never the user's home
os.environ.setdefault("HIGHNORTH_CACHE_DIR", tempfile.mkdtemp(prefix="highnorth-cache-"))

# CI runs property tests derandomized (same examples every run); locally they explore
hypothesis_settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
hypothesis_settings.register_profile("dev", deadline=None)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "dev")


def shared(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"shared data not present: {path}")
    return path


@pytest.fixture(scope="session")
def default_policy():
    return load_policy(DEFAULT_POLICY).policy


@pytest.fixture(scope="session")
def screener(default_policy):
    return Screener(default_policy)


GRID_POLICY = """
id: grid
title: Grid test policy
jurisdiction: NOR
timezone: UTC
default_effect: permit
frame: {lon0: 1.5, lat0: 0.0}
extent: [-5, -5, 10, 5]
versions:
  - {version: "1", effective: "2020-01-01T00:00:00Z", rules: [rules.yaml]}
  - {version: "2", effective: "2025-01-01T00:00:00Z", rules: [rules2.yaml]}
"""
GRID_ACTORS = """
nations:
  - {code: NOR, name: Norway, memberships: [{org: NATO, from: 1949-04-04}]}
  - {code: USA, name: United States, memberships: [{org: NATO, from: 1949-04-04}]}
  - {code: FIN, name: Finland, memberships: [{org: NATO, from: "2023-04-04T00:00:00Z"}]}
  - {code: RUS, name: Russia}
"""
GRID_ZONES = """
zones:
  - id: box
    geometry: {type: Polygon, coordinates: [[[1, -1], [2, -1], [2, 1], [1, 1], [1, -1]]]}
    basis: assumption
    source: test
  - id: high
    geometry: {type: Polygon, coordinates: [[[1, -1], [2, -1], [2, 1], [1, 1], [1, -1]]]}
    lower: {value: 1000, ref: AMSL}
    upper: {value: 3000, ref: AMSL}
    basis: assumption
    source: test
  - id: east
    derive: {east_of: 3.0}
    basis: assumption
    source: test
"""
GRID_RULES = """
rules:
  - id: box-foreign
    title: foreign activity in the box needs clearance
    effect: condition
    actor: foreign
    zones: [box]
    obligations: [{type: clearance, notice_days: 7}]
    basis: assumption
    source: test
  - id: high-deny
    title: no allied flight in the high box
    effect: deny
    kinds: [flight]
    actor: allied
    zones: [high]
    basis: assumption
    source: test
  - id: east-refer
    title: east of 3 is case by case
    effect: refer
    actor: foreign
    zones: [east]
    conditions: [{attr: troops, op: ge, value: 100}]
    basis: assumption
    source: test
"""


def write_policy(
    root: Path,
    *,
    policy: str = GRID_POLICY,
    actors: str = GRID_ACTORS,
    zones: str = GRID_ZONES,
    rules: str = GRID_RULES,
    rules2: str | None = None,
) -> Path:
    """Write a small policy directory; any file can be replaced to test error reporting."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "policy.yaml").write_text(textwrap.dedent(policy).lstrip())
    (root / "actors.yaml").write_text(textwrap.dedent(actors).lstrip())
    (root / "zones.yaml").write_text(textwrap.dedent(zones).lstrip())
    (root / "rules.yaml").write_text(textwrap.dedent(rules).lstrip())
    (root / "rules2.yaml").write_text(textwrap.dedent(rules2 if rules2 is not None else rules).lstrip())
    return root


@pytest.fixture()
def grid_dir(tmp_path: Path) -> Path:
    return write_policy(tmp_path / "grid")


@pytest.fixture(scope="session")
def grid_policy(tmp_path_factory):
    return load_policy(write_policy(tmp_path_factory.mktemp("grid") / "grid")).policy


def feature(fid: str, geometry: dict, **props) -> dict:
    """An Activity GeoJSON feature with sensible defaults."""
    base = {
        "kind": "flight",
        "actor": {"nation": "USA"},
        "start": "2025-06-01T10:00:00Z",
        "end": "2025-06-01T11:00:00Z",
    }
    base.update(props)
    return {"type": "Feature", "id": fid, "geometry": geometry, "properties": base}


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def write_geojson(path: Path, doc: dict) -> Path:
    path.write_text(json.dumps(doc))
    return path


# --- databases: every store and API contract test runs on SQLite and on PostgreSQL -------------

POSTGRES_ENV = "HIGHNORTH_TEST_POSTGRES_URL"  # set by scripts/test_postgres.sh (and .ci/run)


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A fresh, empty database: a SQLite file, or a new PostgreSQL database dropped afterwards."""
    if request.param == "sqlite":
        from highnorth.store import sqlite_url

        yield sqlite_url(tmp_path / "highnorth.db")
        return
    base = os.environ.get(POSTGRES_ENV)
    if not base and os.environ.get("HIGHNORTH_REQUIRE_POSTGRES"):
        pytest.fail(f"HIGHNORTH_REQUIRE_POSTGRES is set but {POSTGRES_ENV} is not")
    if not base:
        pytest.skip(f'PostgreSQL not configured: `eval "$(scripts/test_postgres.sh start)"` sets {POSTGRES_ENV}')
    import uuid

    import sqlalchemy as sa

    name = "hn_" + uuid.uuid4().hex[:12]
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield base.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        admin.dispose()


def screenshot_path(name: str) -> Path:
    """Where a browser test saves a screenshot: docs/screenshots/ (the README's pictures) with
    HIGHNORTH_UPDATE_SCREENSHOTS=1 (`make screenshots`), else a temporary folder, so that running
    the tests leaves the checkout as it was."""
    import os
    import tempfile

    if os.environ.get("HIGHNORTH_UPDATE_SCREENSHOTS"):
        folder = Path(__file__).parent.parent / "docs" / "screenshots"
    else:
        folder = Path(tempfile.gettempdir()) / "highnorth-screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@pytest.fixture(scope="session")
def dask_client():
    """One small Dask cluster for the whole run (the replay tests): two single-threaded workers
    in this process, no dashboard. Tests pick one or both workers with `workers=`."""
    distributed = pytest.importorskip("distributed")
    cluster = distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None, silence_logs=40
    )
    client = distributed.Client(cluster)
    yield client
    client.close()
    cluster.close()
