"""The application's files are gzipped once and sent from memory: the same bytes as the file,
their own ETag, 304 on a match, the file as it is for a client that does not accept gzip."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api_helpers import make_api
from highnorth.service.maps import basemap_file
from highnorth.web import assets

STATIC = Path(assets.__file__).parent / "static"


@pytest.fixture()
def client(database_url, default_policy, screener) -> TestClient:
    api = make_api(database_url, default_policy, screener)
    yield api.client
    api.service.store.close()


@pytest.mark.parametrize(
    ("url", "path"),
    [
        ("/app/vendor/maplibre-gl/maplibre-gl.mjs", STATIC / "vendor/maplibre-gl/maplibre-gl.mjs"),
        ("/app/app.js", STATIC / "app.js"),
        ("/web/basemap.geojson", basemap_file()),
    ],
)
def test_a_file_is_sent_gzipped_from_memory_with_its_own_etag(client, url, path) -> None:
    zipped = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert zipped.status_code == 200 and zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == path.read_bytes()  # httpx decodes: the same bytes as the file
    assert zipped.headers["vary"] == "Accept-Encoding"
    assert "default-src 'self'" in zipped.headers["content-security-policy"]
    etag = zipped.headers["etag"]
    assert etag.endswith('-gz"')
    again = client.get(url, headers={"Accept-Encoding": "gzip", "If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and "content-encoding" not in plain.headers
    assert plain.content == path.read_bytes() and plain.headers["etag"] != etag
    assert plain.headers["vary"] == "Accept-Encoding"
    assert client.get(url, headers={"Accept-Encoding": "identity", "If-None-Match": etag}).status_code == 200


def test_a_file_is_compressed_once_and_again_when_it_changes(tmp_path) -> None:
    path = tmp_path / "app.js"
    path.write_text("const x = 1;\n" * 200)
    scope = {"type": "http", "headers": [(b"accept-encoding", b"gzip, br")]}
    first = assets.gzipped_file(path, scope)
    assert gzip.decompress(first.body) == path.read_bytes()
    assert assets.gzipped_file(path, scope).body is first.body  # from memory
    path.write_text("const y = 2;\n" * 300)
    changed = assets.gzipped_file(path, scope)
    assert gzip.decompress(changed.body) == path.read_bytes() and changed.headers["etag"] != first.headers["etag"]


def test_small_and_binary_files_are_sent_as_they_are(client) -> None:
    icon = client.get("/app/favicon.svg", headers={"Accept-Encoding": "gzip"})  # under 1 KB
    assert icon.status_code == 200 and "content-encoding" not in icon.headers
    missing = client.get("/app/nope.js", headers={"Accept-Encoding": "gzip"})
    assert missing.status_code == 404
