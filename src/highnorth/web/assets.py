"""The application's files, gzipped once: every page load asks for MapLibre (1.1 MB and 0.5 MB of
JavaScript) and the land (1 MB of GeoJSON); compressing them on each request (the API's
`GZipMiddleware`) cost the server ~50–80 ms of CPU per page load, on the path of the page's
first draw (docs/performance.md "Web map"). Here a file is compressed on its first request and
kept in memory, keyed by its path, size and modification time; the answer says
`Content-Encoding: gzip`, so the middleware leaves it alone.
"""

from __future__ import annotations

import gzip
import os
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, Response
from starlette.staticfiles import NotModifiedResponse, StaticFiles
from starlette.types import Scope

__all__ = ["GzipStatic", "gzipped_file"]

COMPRESSIBLE = {".js", ".mjs", ".css", ".html", ".svg", ".json", ".geojson", ".txt"}
MIN_SIZE = 1024  # as the API's GZipMiddleware: smaller answers are sent as they are

_cache: dict[tuple[str, int, int], bytes] = {}
_conditional = StaticFiles(directory=Path(__file__).parent / "static")  # its If-None-Match / If-Modified-Since check


def _accepts_gzip(scope: Scope) -> bool:
    return "gzip" in Headers(scope=scope).get("accept-encoding", "")


def _gzipped(path: Path, stat: os.stat_result) -> bytes:
    key = (str(path), stat.st_size, stat.st_mtime_ns)
    found = _cache.get(key)
    if found is None:  # two first requests at once compress it twice: harmless
        found = _cache[key] = gzip.compress(path.read_bytes(), compresslevel=9, mtime=0)
    return found


def gzipped_file(
    path: Path, scope: Scope, *, media_type: str | None = None, headers: dict[str, str] | None = None
) -> Response:
    """`path` as a response: gzipped from memory when the client accepts it and it is worth it,
    else the file as it is (the API's middleware says `Vary`); 304 when the client has this version (ETag, Last-Modified)."""
    stat = path.stat()
    plain = FileResponse(path, stat_result=stat, media_type=media_type, headers=headers)
    request = Headers(scope=scope)
    if path.suffix not in COMPRESSIBLE or stat.st_size < MIN_SIZE or not _accepts_gzip(scope):
        if _conditional.is_not_modified(plain.headers, request):
            return NotModifiedResponse(plain.headers)
        return plain
    body = _gzipped(path, stat)
    etag = plain.headers["etag"].rstrip('"') + '-gz"'  # another representation: another ETag
    kept = {k: v for k, v in plain.headers.items() if k not in ("content-length", "etag")}
    answer = Response(body, headers={**kept, "ETag": etag, "Content-Encoding": "gzip", "Vary": "Accept-Encoding"})
    if _conditional.is_not_modified(answer.headers, request):
        return NotModifiedResponse(answer.headers)
    return answer


class GzipStatic(StaticFiles):
    """StaticFiles whose files are sent gzipped from memory (`gzipped_file`)."""

    def file_response(
        self, full_path: os.PathLike[str] | str, stat_result: os.stat_result, scope: Scope, status_code: int = 200
    ) -> Response:
        if status_code != 200:  # a 404 page, say: as StaticFiles sends it
            return super().file_response(full_path, stat_result, scope, status_code)
        return gzipped_file(Path(full_path), scope)
