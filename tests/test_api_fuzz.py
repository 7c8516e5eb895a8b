"""schemathesis against the API's own OpenAPI document: no answer is a server error, and every
answer matches the document (status code, content type, body schema, headers).

One default check is left out: `positive_data_acceptance` expects every schema-valid body to be
accepted, but the Activity GeoJSON schema cannot say everything the reader checks (a known
nation, end after start, a real date, one time per vertex), so such bodies rightly get 422."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from api_helpers import make_service
from highnorth.api.app import create_app
from highnorth.service.config import Settings
from highnorth.store import sqlite_url

# the document is read from the application before any policy is loaded; the service (policy,
# store, users) is put in place by the fixture
CONFIG = Settings.from_env(database_url=sqlite_url(Path(tempfile.mkdtemp(prefix="highnorth-fuzz-")) / "fuzz.db"))
APP = create_app(CONFIG)
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
# policy release archives (`POST /policies/releases`): arbitrary bytes, which must be refused cleanly
for media_type in ("application/gzip", "application/zip"):
    schemathesis.openapi.media_type(media_type, st.binary(max_size=512))


@pytest.fixture(scope="module")
def admin_headers(default_policy, screener):
    service, tokens = make_service(CONFIG, default_policy, screener)
    APP.state.service = service
    yield {"Authorization": f"Bearer {tokens['admin']}"}
    APP.state.service = None
    service.store.close()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_and_answers_match_the_document(case, admin_headers):
    case.call_and_validate(headers=admin_headers, excluded_checks=[schemathesis.checks.positive_data_acceptance])
