"""The request workflow, pure: states and transitions, reservations and their conflicts, and the
audit hash chain. Storage (`highnorth.store`) and the HTTP API (`highnorth.api`) build on it."""

from .access import PERMISSIONS, ROLES, Principal, Role, can, sees
from .audit import GENESIS, AuditEntry, ChainBreak, entry_hash, verify_chain
from .conflicts import Conflict, conflicts
from .reservations import Limit, Volume, parse_volume, volume_of
from .states import ACTIONS, STATES, Action, State, TransitionError, after_screening, transition

__all__ = [
    "ACTIONS",
    "GENESIS",
    "PERMISSIONS",
    "ROLES",
    "STATES",
    "Action",
    "AuditEntry",
    "ChainBreak",
    "Conflict",
    "Limit",
    "Principal",
    "Role",
    "State",
    "TransitionError",
    "Volume",
    "after_screening",
    "can",
    "conflicts",
    "entry_hash",
    "parse_volume",
    "sees",
    "transition",
    "verify_chain",
    "volume_of",
]
