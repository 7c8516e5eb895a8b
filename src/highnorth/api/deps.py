"""Authentication and the permission check: the one place every route goes through.

A route names the permission it needs (`Allowed("request.approve")`); this module reads the
bearer token, finds its user and checks the role against `highnorth.workflow.access`. Requests
of a nation a requester may not see are answered 404 by `visible`, never 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..model.errors import AuthError, ForbiddenError, InputError, NotFoundError, did_you_mean
from ..store import RequestRecord
from ..workflow.access import Principal, can, sees
from .service import Service

__all__ = ["Allowed", "get_service", "known_query", "visible"]

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
    return request.app.state.service


def _principal(
    request: Request, credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]
) -> Principal:
    if credentials is None:
        raise AuthError("this needs an API token: send `Authorization: Bearer <token>`")
    return get_service(request).store.principal(credentials.credentials)


class Allowed:
    """A dependency that yields the caller when their role holds `permission`."""

    def __init__(self, permission: str) -> None:
        self.permission = permission

    def __call__(self, principal: Annotated[Principal, Depends(_principal)]) -> Principal:
        if not can(principal, self.permission):
            raise ForbiddenError(f"the role `{principal.role}` may not do this (it needs `{self.permission}`)")
        return principal


def visible(principal: Principal, record: RequestRecord) -> RequestRecord:
    """The record if the caller may see it; otherwise the same 404 as for a request that does not
    exist, so a requester cannot learn what other nations filed."""
    if not sees(principal, record.nation):
        raise NotFoundError(f"no request `{record.id}`")
    return record
