"""The one vocabulary of what rules say: effects (what one rule does) and outcomes (what the
decision is), both ordered by severity, and the mapping between them.

| effect (a rule)  | outcome (a decision) | severity |
|------------------|----------------------|----------|
| `permit`         | `permitted`          | 0        |
| `condition`      | `conditional`        | 1        |
| `refer`          | `referred`           | 2        |
| `deny`           | `denied`             | 3        |

Both are `StrEnum`s: they compare equal to their text, serialise as it, and order by severity
(not alphabetically):

>>> Effect.REFER > Effect.CONDITION, max(Outcome.DENIED, Outcome.PERMITTED)
(True, <Outcome.DENIED: 'denied'>)
>>> Effect("deny").outcome, Outcome.REFERRED.effect
(<Outcome.DENIED: 'denied'>, <Effect.REFER: 'refer'>)
>>> Outcome.most_severe(["conditional", "referred"])
<Outcome.REFERRED: 'referred'>
"""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Any

__all__ = ["Effect", "Outcome"]


class _Ordered(StrEnum):
    """A StrEnum ordered by declaration (severity); text is coerced to a member first."""

    @property
    def severity(self) -> int:
        return _SEVERITY[self]

    def _other(self, other: Any) -> int | None:
        """The severity of `other` (a member or its text), or None when it is neither."""
        try:
            return type(self)(other).severity
        except ValueError:
            return None

    def __lt__(self, other: Any) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.severity < o

    def __le__(self, other: Any) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.severity <= o

    def __gt__(self, other: Any) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.severity > o

    def __ge__(self, other: Any) -> bool:
        o = self._other(other)
        return NotImplemented if o is None else self.severity >= o

    __hash__ = StrEnum.__hash__  # equal to its text, so hashed as it


class Effect(_Ordered):
    """What one rule does, least to most severe."""

    PERMIT = "permit"
    CONDITION = "condition"  # permit with obligations
    REFER = "refer"  # case by case: a named authority decides
    DENY = "deny"

    @property
    def outcome(self) -> Outcome:
        return _OUTCOMES[self.severity]


class Outcome(_Ordered):
    """What a decision says, least to most severe."""

    PERMITTED = "permitted"
    CONDITIONAL = "conditional"
    REFERRED = "referred"
    DENIED = "denied"

    @property
    def effect(self) -> Effect:
        return _EFFECTS[self.severity]

    @classmethod
    def most_severe(cls, outcomes: Iterable[str], default: Outcome | None = None) -> Outcome:
        """The most severe of `outcomes` (text or members); `default` (permitted) when empty."""
        return max((cls(o) for o in outcomes), default=default or cls.PERMITTED)


_SEVERITY: dict[_Ordered, int] = {m: i for enum in (Effect, Outcome) for i, m in enumerate(enum)}
_OUTCOMES, _EFFECTS = tuple(Outcome), tuple(Effect)
