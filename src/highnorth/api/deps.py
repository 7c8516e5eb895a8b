"""Authentication and the permission check: the one place every route goes through.

A route names the permission it needs (`Allowed("request.approve")`); this module reads the
bearer token, finds its user and checks the role with `highnorth.workflow.access.may`. The nation
checks (a requester files and sees only its own nation's requests) are the use cases' own
(`highnorth.service.requests`). `if_match_version` reads the version an If-Match header names.
"""

from __future__ import annotations

import re
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..model.errors import AuthError, ForbiddenError, InputError, did_you_mean
from ..service.context import Service
from ..workflow.access import Principal, may, may_anonymously

__all__ = ["ANONYMOUS", "Allowed", "get_service", "if_match_version", "known_query"]

_bearer = HTTPBearer(auto_error=False, description="An API token from `highnorth tokens create`.")


def known_query(request: Request) -> None:
    """Unknown or repeated query parameters are an error, not ignored: `?natoin=USA` would
    otherwise list every nation's requests without a word, and of `?nation=USA&nation=GBR` only
    one would count."""
    route = request.scope.get("route")
    operation = request.app.openapi()["paths"].get(getattr(route, "path", ""), {}).get(request.method.lower())
    if operation is None:
        return
    known = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
    names = [k for k, _ in request.query_params.multi_items()]
    repeated = sorted({k for k in names if names.count(k) > 1})
    if repeated:
        raise InputError(f"query parameter `{repeated[0]}` is given {names.count(repeated[0])} times; expected it once")
    unknown = sorted(set(names) - known)
    if unknown:
        hint = did_you_mean(unknown[0], known)
        accepted = ", ".join(f"`{k}`" for k in sorted(known)) or "none"
        raise InputError(f"unknown query parameter `{unknown[0]}`{hint}; this endpoint takes {accepted}")


def get_service(request: Request) -> Service:
    """The service with the policy bundle it runs now, taken once for this request: a release
    published meanwhile does not change what this request is judged by."""
    pinned = getattr(request.state, "service", None)
    if pinned is None:
        pinned = request.state.service = request.app.state.service.pinned()
    return pinned


#: who reads the public views without a token (the setting `public_views`)
ANONYMOUS = Principal("anonymous", "anonymous")


def _principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal | None:
    """The token's user; None without a token (a wrong or revoked token is refused here)."""
    if credentials is None:
        return None
    return get_service(request).store.principal(credentials.credentials)


class Allowed:
    """A dependency that yields the caller when their role holds `permission` (without a token:
    `ANONYMOUS`, when the permission is public and the server serves the public views)."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def __call__(self, request: Request, principal: Annotated[Principal | None, Depends(_principal)]) -> Principal:
        if principal is None:
            anonymous = may_anonymously(self.permission, public_views=get_service(request).settings.public_views)
            if not anonymous.allowed:
                raise AuthError(anonymous.reason)
            return ANONYMOUS
        access = may(principal, self.permission)
        if not access.allowed:
            raise ForbiddenError(access.reason)
        return principal


_ETAG = re.compile(r'(?:W/)?"([0-9]{1,18})"|([0-9]{1,18})')


def if_match_version(value: str | None) -> int | None:
    """The version an If-Match header names (`"3"`, `W/"3"` or `3`); None when absent or `*`."""
    if value is None or value.strip() == "*":
        return None
    match = _ETAG.fullmatch(value.strip())
    if match is None:
        raise InputError(f'If-Match: expected the version from the ETag, like `"3"`, got `{value}`')
    return int(match.group(1) or match.group(2))
