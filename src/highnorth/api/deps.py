"""Authentication and the permission check: the one place every route goes through.

A route names the permission it needs (`Allowed("request.approve")`); this module reads the
bearer token, finds its user and checks the role against `highnorth.workflow.access`. Requests
of a nation a requester may not see are answered 404 by `visible`, never 403.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ..model.errors import AuthError, ForbiddenError, NotFoundError
from ..store import RequestRecord
from ..workflow.access import Principal, can, sees
from .service import Service

__all__ = ["Allowed", "get_service", "visible"]

_bearer = HTTPBearer(auto_error=False, description="An API token from `highnorth tokens create`.")


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
