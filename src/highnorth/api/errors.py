"""The one JSON error shape of the API, and the handlers that produce it.

Every error answer, whatever raised it, is::

    {"error": {"status": 422, "code": "invalid_input", "message": "...",
               "problems": [{"item": "feature 0", "field": "properties.start", "message": "..."}]}}

`problems` is present when the input had itemised problems. A 500 says only that something went
wrong on the server (and is logged); bad input never produces one.
"""

from __future__ import annotations

import logging
import re

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from ..model.errors import ActivityInputError, HighnorthError, PolicyDataError, Problem, http_status

__all__ = ["CODES", "error_response", "install"]

log = logging.getLogger("highnorth.api")

CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    500: "internal_error",
}


def error_response(status: int, message: str, problems: list[Problem] | None = None, headers=None) -> JSONResponse:
    body: dict = {"status": status, "code": CODES.get(status, "error"), "message": message}
    if problems:
        body["problems"] = [{"item": p.item, "field": p.field, "message": p.message} for p in problems]
    if status == 401:
        headers = {**(headers or {}), "WWW-Authenticate": "Bearer"}
    return JSONResponse({"error": body}, status_code=status, headers=headers)


def _methods(app: FastAPI, path: str) -> list[str]:
    """The methods the OpenAPI document lists for the path (templates like `/requests/{request_id}`)."""
    paths = app.openapi()["paths"]
    if path in paths:  # a literal path wins over templates it also matches (`/zones/import`)
        return sorted(m.upper() for m in paths[path])
    found = set()
    for template, operations in paths.items():
        pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
        if re.match(pattern, path):
            found |= {m.upper() for m in operations}
    return sorted(found)


def install(app: FastAPI) -> None:
    @app.exception_handler(HighnorthError)
    async def _highnorth(_request: Request, exc: HighnorthError) -> JSONResponse:
        problems = exc.problems if isinstance(exc, ActivityInputError | PolicyDataError) else None
        message = str(exc).splitlines()[0] if problems else str(exc)
        return error_response(http_status(exc), message, problems)

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        if any(e.get("type") == "json_invalid" for e in exc.errors()):
            return error_response(422, "the request body: not valid JSON")
        problems = [
            Problem(
                str(e["loc"][0]) if e.get("loc") else "",
                ".".join(str(x) for x in e.get("loc", ())[1:]),
                e["msg"].lower(),
            )
            for e in exc.errors()
        ]
        return error_response(
            422, f"{len(problems)} problem{'s' if len(problems) != 1 else ''} in the request", problems
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        status = exc.status_code
        message = exc.detail if isinstance(exc.detail, str) else CODES.get(status, "error")
        headers = {k: v for k, v in (exc.headers or {}).items() if k.lower() != "allow"}
        if status == 400:  # FastAPI's "error parsing the body": bad input like any other
            status, message = 422, "the request body: not valid JSON"
        if status == 405:  # every method the path has, not only the first route's
            headers["Allow"] = ", ".join(_methods(app, request.url.path))
        return error_response(status, message.lower() if status in (404, 405) else message, headers=headers)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return error_response(500, f"internal error: {type(exc).__name__}; the server log has the details")
