"""The HTTP API: `create_app` builds the FastAPI application around one policy and one store.

The policy is loaded once at start-up (zones derived or read from the cache) by
`highnorth.service.context.load_service`; the store is migrated to the newest schema. Interactive documentation is at `/docs`, the OpenAPI 3.1 document
at `/openapi.json`; the web application (`highnorth.web`) at `/`.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.openapi.utils import get_openapi
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles
from starlette.middleware.gzip import GZipMiddleware

from .. import web
from .._version import __version__
from ..service.background import Background
from ..service.config import Settings
from ..service.context import Service, load_service
from . import errors
from .deps import known_query
from .limits import BodyLimit
from .models import Health
from .openapi import ERRORS, activity_components, public_security
from .routes import (
    airspace,
    audit,
    events,
    exercises,
    maps,
    me,
    policies,
    releases,
    requests,
    reservations,
    screening,
    zones,
)

__all__ = ["create_app"]

STATIC = Path(__file__).parent / "static"  # Swagger UI 5 (scripts/vendor_swagger_ui.sh), Apache-2.0


def create_app(settings: Settings, service: Service | None = None, *, background_threads: bool = True) -> FastAPI:
    """The application. With `service` given (tests, `highnorth serve` with one process) it is
    used as is; otherwise it is loaded from `settings` when the application starts. While it
    runs, `background_threads` reload newly published policy releases, re-judge and deliver
    webhooks (`service.background`)."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "service", None) is None:
            app.state.service = load_service(settings)
        # policy reloads, re-judging and webhook deliveries (service/background.py)
        background = Background(app.state.service).start() if background_threads else None
        yield
        if background is not None:
            background.stop()

    app = FastAPI(
        title="highnorth",
        version=__version__,
        summary="Policy-as-code for foreign military activity in Norway's High North",
        description=(
            "Screen activities against versioned, geographic rules; file them as requests; approve, "
            "reserve and audit them. Authenticate with `Authorization: Bearer <token>` (tokens from "
            '`highnorth tokens create`). Errors always have the shape `{"error": {status, code, '
            "message, problems?}}`."
        ),
        lifespan=lifespan,
        dependencies=[Depends(known_query)],
        docs_url=None,  # served below from the vendored Swagger UI: no CDN needed
        redoc_url=None,
    )
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    web.mount(app)  # the web application at `/`, under its own Content-Security-Policy
    app.state.service = service
    errors.install(app)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    # answers of 1 KB or more gzipped for clients that accept it (the decision maps, the basemap)
    app.add_middleware(GZipMiddleware, minimum_size=1024)
    for module in (
        screening,
        exercises,
        requests,
        airspace,
        reservations,
        policies,
        releases,
        zones,
        maps,
        audit,
        events,
        me,
    ):
        app.include_router(module.router)

    @app.get("/health", tags=["health"], responses={422: ERRORS[422]})
    def health(request: Request) -> Health:
        """Liveness and what is loaded: the policy, its hash and the policy release it came from
        (none: the configured folder), the reload error if the published release could not be
        loaded here, this process's id, and the database."""
        svc: Service = request.app.state.service
        running = svc.running
        with svc.store.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return Health(
            status="ok",
            version=__version__,
            policy=running.policy.id,
            policy_hash=running.hash,
            release=running.release_id,
            reload_error=svc.reload_error,
            process=os.getpid(),
            policy_load_seconds=round(running.load_seconds, 3),
            database=svc.store.engine.dialect.name,
        )

    @app.get("/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url="/openapi.json",
            title="highnorth API",
            swagger_js_url="/static/swagger-ui/swagger-ui-bundle.js",
            swagger_css_url="/static/swagger-ui/swagger-ui.css",
            swagger_favicon_url="/static/swagger-ui/favicon-32x32.png",
            swagger_ui_parameters={"persistAuthorization": True},
        )

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                summary=app.summary,
                description=app.description,
                routes=app.routes,
            )
            schema.setdefault("components", {}).setdefault("schemas", {}).update(activity_components())
            if settings.public_views:
                public_security(schema)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app
