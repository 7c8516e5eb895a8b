"""The web application: a map of the decisions, served by `highnorth serve` at `/`.

A face beside `api/` and `cli/`: static files (`static/index.html`, ES modules, CSS, MapLibre GL
JS vendored by `scripts/vendor_maplibre.sh`) read the public API from the browser; no bundler.
The files are sent gzipped from memory (`assets.py`).
What the page needs beyond the API comes from `highnorth.service` use cases: the land under the
map (`service.maps.basemap_file`) and the policy's nations (`service.policies.nations`).

Every answer of the application carries `CSP`: scripts, workers, styles and data from this
server only, nothing inline (the API's `/docs` page, which needs its own inline script, is not
under it). docs/web.md says what the page does and why.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..service.maps import basemap_file
from ..service.policies import nations
from .assets import GzipStatic, gzipped_file

__all__ = ["CSP", "PAGES", "mount"]

STATIC = Path(__file__).parent / "static"
CSP = (
    "default-src 'self'; script-src 'self'; worker-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

# MapLibre 6 starts its worker from an .mjs file: served as anything but JavaScript it hangs silently
mimetypes.add_type("text/javascript", ".mjs")


class WithHeaders:
    """An ASGI wrapper that adds `HEADERS` to every answer of the application it wraps."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                names = {name.lower() for name, _ in message.get("headers", [])}
                extra = [
                    (k.lower().encode(), v.encode()) for k, v in HEADERS.items() if k.lower().encode() not in names
                ]
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


#: the application's views: path -> page (each an HTML file in `static/` with its own module);
#: a view whose page is not there yet is not served
PAGES = {
    "/": "index.html",
    "/diff": "diff.html",
    "/screen": "screen.html",
    "/requests": "requests.html",
    "/reservations": "reservations.html",
    "/audit": "audit.html",
    "/exercises": "exercises.html",  # the exercise report (docs/exercises.md)
}


def _accepts_html(scope: Scope) -> bool:
    accept = next((v for k, v in scope.get("headers", []) if k == b"accept"), b"")
    return b"text/html" in accept


class Pages:
    """Serves each view's page (`PAGES`) at its path. Some views share their path with the API
    (`GET /requests`, `/reservations`, `/audit`; `POST /screen`): there a browser navigating
    (`Accept: text/html`) gets the page and every other client (JSON, curl's `*/*`) the API's
    answer (for `GET /screen` the documented 405). On a path the API does not serve, the page is
    served whatever the Accept header."""

    def __init__(self, app: ASGIApp, owner: FastAPI) -> None:
        self.app = app
        self.owner = owner
        self.pages = {path: STATIC / name for path, name in PAGES.items() if (STATIC / name).is_file()}
        self._api_paths: set[str] | None = None

    def api_paths(self) -> set[str]:
        if self._api_paths is None:  # the routes are all there by the first request
            self._api_paths = set(self.owner.openapi()["paths"])  # GET /screen: the API's 405
        return self._api_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        page = self.pages.get(scope["path"]) if scope["type"] == "http" else None
        if (
            page is not None
            and scope["method"] in ("GET", "HEAD")
            and (_accepts_html(scope) or scope["path"] not in self.api_paths())
        ):
            headers = {**HEADERS, "Cache-Control": "no-cache", "Vary": "Accept"}
            await FileResponse(page, headers=headers)(scope, receive, send)
            return
        await self.app(scope, receive, send)


def mount(app: FastAPI) -> None:
    """Serve the views (`PAGES`, through `Pages`), their files under `/app/`, all under `CSP`."""
    app.mount("/app", WithHeaders(GzipStatic(directory=STATIC)), name="web")
    app.add_middleware(Pages, owner=app)

    async def basemap(request: Request) -> Response:
        return gzipped_file(basemap_file(), request.scope, media_type="application/geo+json", headers=HEADERS)

    async def nation_list(request: Request) -> JSONResponse:
        return JSONResponse({"nations": nations(request.app.state.service.policy)}, headers=HEADERS)

    app.add_route("/web/basemap.geojson", basemap, methods=["GET"], include_in_schema=False)
    app.add_route("/web/nations.json", nation_list, methods=["GET"], include_in_schema=False)
