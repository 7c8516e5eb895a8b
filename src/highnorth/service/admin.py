"""Administering a server's database as use cases: users and their roles, API tokens, verifying
the audit chain, migrating the schema. Each opens the store the settings name."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ..model.errors import InputError, did_you_mean
from ..model.rule import Policy
from ..store import Store, Verification
from ..workflow.access import PERMISSIONS, Principal, can
from ..workflow.audit import AuditEntry
from .config import Settings

__all__ = [
    "add_user",
    "audit_entries",
    "create_token",
    "redact",
    "revoke_tokens",
    "tokens",
    "upgrade_schema",
    "users",
    "verify_audit",
    "who_am_i",
]


def _store(settings: Settings) -> Store:
    return Store(settings.database_url)


def add_user(settings: Settings, name: str, role: str, nation: str | None, policy: Callable[[], Policy]) -> None:
    """Add a user; a requester's nation must be one the policy knows (`policy` loads it only then)."""
    store = _store(settings)
    if nation is not None:
        nations = list(policy().actors.nations)
        if nation not in nations:
            raise InputError(f"--nation: unknown nation `{nation}`{did_you_mean(nation, nations)}")
    store.add_user(name, role, nation)


def users(settings: Settings) -> list[tuple[str, str, str | None]]:
    return _store(settings).users()


def create_token(settings: Settings, user: str, label: str) -> str:
    return _store(settings).create_token(user, label)


def tokens(settings: Settings, user: str | None) -> list[dict[str, Any]]:
    return _store(settings).tokens(user)


def revoke_tokens(settings: Settings, token_id: int | None, user: str | None) -> int:
    return _store(settings).revoke_tokens(token_id=token_id, user=user)


def verify_audit(source: Store | Settings) -> Verification:
    """Walk the whole audit chain (of the server's store, or of the database the settings name)."""
    return (source if isinstance(source, Store) else _store(source)).verify()


def audit_entries(
    store: Store,
    *,
    after: int,
    limit: int,
    request_id: str | None,
    before: int | None = None,
    newest_first: bool = False,
) -> Sequence[AuditEntry]:
    """A page of the audit log: entries between `after` and `before` (sequence numbers, both
    excluded), oldest first or newest first."""
    return store.audit(after=after, before=before, limit=limit, request_id=request_id, newest_first=newest_first)


def upgrade_schema(settings: Settings) -> None:
    """Create or migrate the schema (opening the store does it)."""
    _store(settings).close()


def redact(url: str) -> str:
    """A URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        creds, host = rest.rsplit("@", 1)
        return f"{scheme}://{creds.split(':', 1)[0]}:***@{host}"
    return url


def who_am_i(principal: Principal) -> dict[str, Any]:
    """The signed-in user: name, role, the nation a requester acts for, and every permission the
    role holds (what a face may offer them; the server still checks each call)."""
    held = sorted(p for p in PERMISSIONS if can(principal, p))
    return {"name": principal.name, "role": principal.role, "nation": principal.nation, "permissions": held}
