"""Who may do what: the roles and the one permission table every interface enforces.

| role             | may                                                                            |
|------------------|--------------------------------------------------------------------------------|
| requester        | screen; submit, see, cancel, complete and re-screen its own nation's requests   |
| approver         | screen; see every request; approve, reject and re-screen; reservations; audit   |
| airspace_manager | screen; see every request; reserve and complete; reservations and conflicts     |
| viewer           | the public decision maps and zones only                                         |
| admin            | everything, and policy validation                                               |

A requester is bound to one nation and never learns that another nation's request exists: the
API answers 404 for it, not 403. Everyone may read the public things (maps, zones, health).

>>> can(Principal("ann", "requester", "USA"), "approve")
False
>>> sees(Principal("ann", "requester", "USA"), "GBR"), sees(Principal("bo", "approver", None), "GBR")
(False, True)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

__all__ = ["PERMISSIONS", "ROLES", "Principal", "Role", "can", "sees"]

Role = Literal["requester", "approver", "airspace_manager", "viewer", "admin"]
ROLES: tuple[str, ...] = get_args(Role)

_ALL = frozenset(ROLES)
_STAFF = frozenset({"requester", "approver", "airspace_manager", "admin"})
#: permission -> the roles that hold it (admin holds every permission)
PERMISSIONS: dict[str, frozenset[str]] = {
    "public": _ALL,  # decision maps, zones
    "screen": _STAFF,
    "policy.read": _STAFF,
    "policy.validate": frozenset({"admin", "approver"}),
    "zones.import": frozenset({"admin", "airspace_manager"}),
    "request.submit": frozenset({"requester", "admin"}),
    "request.read": _STAFF,
    "request.approve": frozenset({"approver", "admin"}),
    "request.reject": frozenset({"approver", "admin"}),
    "request.rescreen": frozenset({"requester", "approver", "admin"}),
    "request.cancel": frozenset({"requester", "admin"}),
    "request.complete": frozenset({"requester", "airspace_manager", "admin"}),
    "request.reserve": frozenset({"airspace_manager", "admin"}),
    "reservations.read": frozenset({"approver", "airspace_manager", "admin"}),
    "audit.read": frozenset({"approver", "admin"}),
}


@dataclass(frozen=True)
class Principal:
    """An authenticated user: name, role, and for a requester the nation it acts for."""

    name: str
    role: str
    nation: str | None = None


def can(principal: Principal, permission: str) -> bool:
    """Whether the principal holds the permission (unknown permissions are held by nobody)."""
    return principal.role in PERMISSIONS.get(permission, frozenset())


def sees(principal: Principal, nation: str) -> bool:
    """Whether the principal may see requests of `nation`: requesters see only their own."""
    return principal.role != "requester" or principal.nation == nation
