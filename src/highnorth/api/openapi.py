"""OpenAPI pieces shared by the routes: the error answers, GeoJSON answers, and the Activity
GeoJSON request body, whose JSON Schema is the one shipped in `highnorth/schemas/` (its `$defs`
become components, so the document stays one schema)."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from fastapi.responses import JSONResponse

from .models import ErrorOut

__all__ = [
    "ACTIVITY_BODY",
    "ERRORS",
    "GEOJSON",
    "PUBLIC_VIEW",
    "ZONE_FILE_BODY",
    "GeoJSONResponse",
    "activity_components",
    "public_security",
]


class GeoJSONResponse(JSONResponse):
    """GeoJSON answers say so (RFC 7946 §12)."""

    media_type = "application/geo+json"


_ERROR_REF = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
ERRORS: dict[int | str, dict[str, Any]] = {
    # errors are application/json on every route, GeoJSON ones included
    status: {"model": ErrorOut, "description": text, "content": _ERROR_REF}
    for status, text in (
        (401, "No valid API token"),
        (403, "The role may not do this"),
        (404, "Not found (or not yours to see)"),
        (409, "Wrong state, or changed since read"),
        (413, "Body too large"),
        (422, "Invalid input; every problem listed"),
    )
}
GEOJSON: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "A GeoJSON FeatureCollection (RFC 7946)",
        "content": {"application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}}},
    }
}
ZONE_FILE_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/plain": {
                "schema": {"type": "string"},
                "example": "AC R\nAN EXAMPLE\nAL GND\nAH FL95\nDP 69:00:00 N 023:00:00 E\n",
            },
            "application/geo+json": {"schema": {"$ref": "#/components/schemas/FeatureCollection"}},
        },
    }
}
#: marks the operations of the public read-only views (`Allowed("public")`); `public_security`
#: makes their token optional in the document when the server serves them without one
PUBLIC_VIEW: dict[str, Any] = {"x-public-view": True}


def public_security(schema: dict[str, Any]) -> None:
    """The public views' token is optional (`security: [{HTTPBearer: []}, {}]`, OpenAPI 3.1 §4.8.10)."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if operation.get("x-public-view") and {} not in operation.setdefault("security", []):
                operation["security"].append({})


ACTIVITY_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ActivityCollection"}}},
    }
}


@lru_cache(maxsize=1)
def activity_components() -> dict[str, Any]:
    """The Activity GeoJSON schema as OpenAPI components (`ActivityCollection` and its parts)."""
    text = (resources.files("highnorth") / "schemas" / "activity.schema.json").read_text()
    schema = json.loads(text.replace('"#/$defs/', '"#/components/schemas/Activity_'))
    defs = schema.pop("$defs")
    for key in ("$schema", "$id"):
        schema.pop(key, None)
    components = {f"Activity_{name}": value for name, value in defs.items()}
    components["ActivityCollection"] = schema
    components["FeatureCollection"] = {
        "type": "object",
        "required": ["type", "features"],
        "properties": {
            "type": {"const": "FeatureCollection"},
            "features": {"type": "array", "items": {"type": "object"}},
        },
    }
    return components
