"""Who may do what: the roles and the one permission table every interface enforces.

| role             | may                                                                            |
|------------------|--------------------------------------------------------------------------------|
| requester        | screen; submit, see, cancel, complete and re-screen its own nation's requests;  |
|                  | its own nation's reservations                                                  |
| approver         | screen; see every request; approve, reject and re-screen; reservations; audit   |
| airspace_manager | screen; see every request; allocate, edit volumes, publish, activate, release,  |
|                  | expire and complete; reservations, conflicts, NOTAMs; zone import              |
| viewer           | the public views: decision maps, zones, policy versions; the published daily    |
|                  | airspace plan                                                                  |
| policy_owner     | screen; see every request; approve and publish policy releases; the audit log   |
| admin            | everything: policy validation, proposing policy releases, webhooks              |

Policy releases (docs/policy-releases.md): admins propose; another admin or a policy owner
approves (the two-person rule, `Settings.policy_two_person`, is checked by the store); admins
and policy owners publish. The event feed is for staff and requesters, a requester seeing only
its own nation's requests' events.

A requester is bound to one nation and never learns that another nation's request exists: the
API answers 404 for it, not 403. Everyone may read the public things (maps, zones, policy
versions, health); with the server's public views on (the default) so may a caller without a token:

>>> may_anonymously("public", public_views=True).allowed, may_anonymously("public", public_views=False).allowed
(True, False)
>>> may_anonymously("screen", public_views=True).reason
'this needs an API token: send `Authorization: Bearer <token>`'

>>> can(Principal("ann", "requester", "USA"), "approve")
False
>>> sees(Principal("ann", "requester", "USA"), "GBR"), sees(Principal("bo", "approver", None), "GBR")
(False, True)

The checks the use cases make return the decision with its reason (`Access`), so a face can say
why, and a denial that must not reveal anything is marked `hidden` (answered as "not found"):

>>> may_file(Principal("ann", "requester", "USA"), ["GBR", "USA"])
Access(allowed=False, reason='a requester for `USA` cannot file for `GBR`', hidden=False)
>>> may_see(Principal("ann", "requester", "USA"), "GBR").hidden
True
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "PERMISSIONS",
    "ROLES",
    "Access",
    "Principal",
    "Role",
    "bound_nation",
    "can",
    "may",
    "may_anonymously",
    "may_file",
    "may_see",
    "sees",
]

Role = Literal["requester", "approver", "airspace_manager", "viewer", "policy_owner", "admin"]
ROLES: tuple[str, ...] = get_args(Role)

_ALL = frozenset(ROLES)
_STAFF = frozenset({"requester", "approver", "airspace_manager", "policy_owner", "admin"})
#: permission -> the roles that hold it (admin holds every permission)
PERMISSIONS: dict[str, frozenset[str]] = {
    "public": _ALL,  # the public views: decision maps and their diff, zones, policy versions
    "self.read": _ALL,  # who the token's user is, and what their role may do (`GET /me`)
    "screen": _STAFF,
    "policy.read": _STAFF,
    "policy.validate": frozenset({"admin", "approver", "policy_owner"}),
    "policy.releases.read": frozenset({"admin", "approver", "policy_owner"}),
    "policy.propose": frozenset({"admin"}),
    "policy.approve": frozenset({"admin", "policy_owner"}),
    "policy.publish": frozenset({"admin", "policy_owner"}),
    "events.read": _STAFF,
    "webhooks.manage": frozenset({"admin"}),
    "zones.import": frozenset({"admin", "airspace_manager"}),
    "request.submit": frozenset({"requester", "admin"}),
    "request.read": _STAFF,
    "request.approve": frozenset({"approver", "admin"}),
    "request.reject": frozenset({"approver", "admin"}),
    "request.rescreen": frozenset({"requester", "approver", "admin"}),
    "request.cancel": frozenset({"requester", "admin"}),
    "request.complete": frozenset({"requester", "airspace_manager", "admin"}),
    "request.allocate": frozenset({"airspace_manager", "admin"}),
    "request.reserve": frozenset({"airspace_manager", "admin"}),  # the old name of allocate
    "request.publish": frozenset({"airspace_manager", "admin"}),
    "request.activate": frozenset({"airspace_manager", "admin"}),
    "request.release": frozenset({"airspace_manager", "admin"}),
    "request.expire": frozenset({"airspace_manager", "admin"}),
    "volumes.edit": frozenset({"airspace_manager", "admin"}),
    "reservations.read": frozenset({"approver", "airspace_manager", "admin"}),
    "audit.read": frozenset({"approver", "policy_owner", "admin"}),
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


@dataclass(frozen=True)
class Access:
    """An allow or deny with its reason; a `hidden` denial must look like "no such thing"."""

    allowed: bool
    reason: str
    hidden: bool = False


def may(principal: Principal, permission: str) -> Access:
    """Whether the principal's role holds `permission`, and why not."""
    if can(principal, permission):
        return Access(True, f"the role `{principal.role}` holds `{permission}`")
    return Access(False, f"the role `{principal.role}` may not do this (it needs `{permission}`)")


def may_anonymously(permission: str, *, public_views: bool) -> Access:
    """Whether a caller without a token may do this: read the public views, when the server
    serves them publicly (the setting `public_views`)."""
    if permission == "public" and public_views:
        return Access(True, "the public views are served without a token")
    return Access(False, "this needs an API token: send `Authorization: Bearer <token>`")


def may_file(principal: Principal, nations: Iterable[str]) -> Access:
    """Whether the principal may file requests for these nations: a requester only for its own."""
    if principal.role != "requester":
        return Access(True, f"the role `{principal.role}` files for any nation")
    others = sorted(set(nations) - {principal.nation})
    if others:
        return Access(
            False, f"a requester for `{principal.nation}` cannot file for {', '.join(f'`{n}`' for n in others)}"
        )
    return Access(True, f"a requester files for its own nation `{principal.nation}`")


def may_see(principal: Principal, nation: str) -> Access:
    """Whether the principal may see a request of `nation`; a denial is hidden, so a requester
    cannot learn what other nations filed."""
    if sees(principal, nation):
        return Access(True, "staff see every nation" if principal.role != "requester" else "its own nation")
    return Access(False, f"a requester for `{principal.nation}` does not see `{nation}` requests", hidden=True)


def bound_nation(principal: Principal) -> str | None:
    """The one nation whose requests the principal sees, or None when it sees all."""
    return principal.nation if principal.role == "requester" else None
