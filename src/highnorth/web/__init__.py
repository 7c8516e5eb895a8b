"""The web application: a map of the decisions, served by `highnorth serve` at `/`.

A face beside `api/` and `cli/`: static files (`static/index.html`, ES modules, CSS, MapLibre GL
JS vendored by `scripts/vendor_maplibre.sh`) read the public API from the browser; no bundler.
What the page needs beyond the API comes from `highnorth.service` use cases: the land under the
map (`service.maps.basemap_file`) and the policy's nations (`service.policies.nations`).

Every answer of the application carries `CSP`: scripts, workers, styles and data from this
server only, nothing inline (the API's `/docs` page, which needs its own inline script, is not
under it). docs/web.md says what the page does and why.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import FileResponse, JSONResponse
from starlette.routing import Match, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ..service.maps import basemap_file
from ..service.policies import nations

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


class PageRoute(Route):
    """A view's page. Where the API also routes the same path (`POST /screen`, `GET /requests`),
    the page answers only a request that accepts HTML (a browser's navigation); any other request
    goes on to the API's routes, so the API answers as its document says (a 405 for `GET /screen`,
    the list for `GET /requests`)."""

    api_path: bool | None = None

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        match, child = super().matches(scope)
        if match is Match.NONE or scope["type"] != "http":
            return match, child
        accept = dict(scope.get("headers", [])).get(b"accept", b"").decode("latin-1")
        if "text/html" not in accept and self.in_api(scope["app"]):
            return Match.NONE, {}
        return match, child

    def in_api(self, app: FastAPI) -> bool:
        """Whether the API's OpenAPI document has this path (read once: it does not change)."""
        if self.api_path is None:
            self.api_path = self.path in app.openapi().get("paths", {})
        return self.api_path


#: the application's views: path -> page (each an HTML file in `static/` with its own module);
#: a view whose page is not there yet is not served
PAGES = {
    "/": "index.html",
    "/diff": "diff.html",
    "/screen": "screen.html",
    "/requests": "requests.html",
    "/reservations": "reservations.html",
    "/audit": "audit.html",
}


def mount(app: FastAPI) -> None:
    """Serve the views (`PAGES`), their files under `/app/`, all under `CSP`."""
    app.mount("/app", WithHeaders(StaticFiles(directory=STATIC)), name="web")

    def page(file: Path) -> Callable[[Request], Awaitable[FileResponse]]:
        async def serve_page(request: Request) -> FileResponse:
            return FileResponse(file, headers={**HEADERS, "Cache-Control": "no-cache"})

        return serve_page

    for path, name in PAGES.items():
        if (STATIC / name).is_file():
            app.router.routes.append(
                PageRoute(path, page(STATIC / name), methods=["GET", "HEAD"], include_in_schema=False)
            )

    async def basemap(request: Request) -> FileResponse:
        return FileResponse(basemap_file(), media_type="application/geo+json", headers=HEADERS)

    async def nation_list(request: Request) -> JSONResponse:
        return JSONResponse({"nations": nations(request.app.state.service.policy)}, headers=HEADERS)

    app.add_route("/web/basemap.geojson", basemap, methods=["GET"], include_in_schema=False)
    app.add_route("/web/nations.json", nation_list, methods=["GET"], include_in_schema=False)
