"""The request state machine (DESIGN.md §2), as one table.

::

    submit ──► screened ────────────────┐          (permitted or conditional: cleared by the rules)
           ├─► referred ─approve─► approved ──reserve─► reserved ──complete─► completed
           │           └─reject──► rejected    │
           └─► rejected                        └──complete─► completed      (denied by the rules)

    cancel: from screened, referred, approved or reserved ─► cancelled
    rescreen: from screened, referred, approved or reserved; the new outcome decides the state

A request is screened when it is submitted, in the same transaction, so `submitted` is never
seen at rest. `published` (a reservation announced by NOTAM) belongs to NOTAM publication, which
is not built yet, so no transition leads there.

>>> transition("referred", "approve")
'approved'
>>> transition("screened", "approve")
Traceback (most recent call last):
...
highnorth.workflow.states.TransitionError: cannot approve a request that is `screened`; approve applies to `referred` requests
"""

from __future__ import annotations

from typing import Literal, get_args

from ..model.decision import Outcome
from ..model.errors import ConflictError

__all__ = [
    "ACTIONS",
    "OPEN_STATES",
    "STATES",
    "Action",
    "State",
    "TransitionError",
    "after_screening",
    "rejected_by_rules",
    "transition",
]

State = Literal["screened", "referred", "approved", "rejected", "reserved", "completed", "cancelled"]
Action = Literal["approve", "reject", "reserve", "complete", "cancel", "rescreen"]
STATES: tuple[str, ...] = get_args(State)
ACTIONS: tuple[str, ...] = get_args(Action)
#: the states a newly published policy release re-judges: not yet decided, or decided and still ahead
OPEN_STATES: tuple[str, ...] = ("screened", "referred", "approved", "reserved")


def rejected_by_rules(state: str, outcome: str) -> bool:
    """A request the rules alone rejected: `rejected` with the outcome `denied` (a person rejects
    only referred or screened requests, whose outcome stays referred or cleared).

    >>> rejected_by_rules("rejected", "denied"), rejected_by_rules("rejected", "referred")
    (True, False)
    """
    return state == "rejected" and outcome == "denied"


# action -> the states it applies to -> the state it leads to (rescreen: decided by the new outcome
# in `transition`)
_TABLE: dict[str, dict[str, str]] = {
    "approve": {"referred": "approved"},
    "reject": {"referred": "rejected", "screened": "rejected"},
    "reserve": {"screened": "reserved", "approved": "reserved"},
    "complete": {"screened": "completed", "approved": "completed", "reserved": "completed"},
    "cancel": {"screened": "cancelled", "referred": "cancelled", "approved": "cancelled", "reserved": "cancelled"},
    "rescreen": {"screened": "", "referred": "", "approved": "", "reserved": ""},
}


class TransitionError(ConflictError):
    """The action does not apply to the request's state (HTTP 409)."""


def after_screening(outcome: Outcome) -> State:
    """The state a newly submitted request takes from its decision."""
    match outcome:
        case "denied":  # the rules refuse it; nobody needs to decide
            return "rejected"
        case "referred":  # case by case: an approver decides
            return "referred"
        case _:  # permitted or conditional: cleared by the rules, obligations still apply
            return "screened"


def transition(state: str, action: str, outcome: Outcome | None = None) -> State:
    """The state `action` leads to from `state`; for `rescreen`, `outcome` is the new decision's.

    Re-screening keeps an approval while the rules still refer the request (the approver decided
    that case), sends a cleared request to the approver when the rules now refer it, rejects it
    when they now deny it, and leaves an approved or reserved request where it is when the rules
    now clear it.
    """
    if action not in _TABLE:
        raise TransitionError(f"unknown action `{action}`; expected one of {', '.join(ACTIONS)}")
    allowed = _TABLE[action]
    if state not in allowed:
        froms = ", ".join(f"`{s}`" for s in allowed)
        raise TransitionError(f"cannot {action} a request that is `{state}`; {action} applies to {froms} requests")
    if action != "rescreen":
        return allowed[state]  # type: ignore[return-value]
    if outcome is None:
        raise ValueError("rescreen needs the new outcome")
    new = after_screening(outcome)
    if new == "rejected" or state == "screened":
        return new
    if state == "referred":
        return new
    # approved or reserved: an approval stands for a referred outcome, and clearance keeps it
    return state  # type: ignore[return-value]
