"""The one error hierarchy of highnorth.

::

    HighnorthError                 anything highnorth raises on purpose
    ├── InputError                 the user's input is wrong (CLI exit 2, HTTP 422)
    │   ├── ActivityInputError     Activity GeoJSON failed validation; carries every problem
    │   │   └── ExercisePlanError  an exercise plan (header or activities) failed validation
    │   ├── PolicyDataError        policy, zone or actor data failed validation; file:line
    │   └── FormatError            a standard format (OpenAir, GeoJSON, ...) could not be read
    ├── GeometryError              a geometry is invalid and repair was not allowed
    ├── NotFoundError              no such thing, or not one the caller may see (HTTP 404)
    ├── ConflictError              the thing changed or is in the wrong state (HTTP 409)
    │   └── TransitionError        (highnorth.workflow) the action does not apply to the state
    ├── AuthError                  no valid API token (HTTP 401)
    ├── ForbiddenError             the caller's role may not do this (HTTP 403)
    ├── TooLargeError              the request body exceeds the limit (HTTP 413)
    └── EvaluationError            a rule could not be evaluated (turned into `refer`, never raised
                                   out of the engine)

Messages follow one style: lowercase, no trailing period, user input in backticks, context
chained with colons, a "did you mean" hint where one exists, and file:line for data files.
`exit_code` and `http_status` map each class to the CLI and the API in one place.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass

__all__ = [
    "ActivityInputError",
    "AuthError",
    "ConflictError",
    "EvaluationError",
    "ExercisePlanError",
    "ForbiddenError",
    "FormatError",
    "GeometryError",
    "HighnorthError",
    "InputError",
    "NotFoundError",
    "PolicyDataError",
    "Problem",
    "TooLargeError",
    "did_you_mean",
    "exit_code",
    "http_status",
]


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with one item of input: which item, which field, what was expected."""

    item: str
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.item}: " if self.item else ""
        field = f"{self.field}: " if self.field else ""
        return f"{where}{field}{self.message}"


class HighnorthError(Exception):
    """Base class of every error highnorth raises on purpose."""


class InputError(HighnorthError):
    """The input given by the user is wrong; the message says where and what was expected."""


class ActivityInputError(InputError):
    """Activity GeoJSON failed validation; `problems` lists every problem found, not the first."""

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        self.problems = list(problems)
        self.source = source
        head = f"{source}: " if source else ""
        count = len(self.problems)
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} in the activities"]
        lines += [f"  {p}" for p in self.problems]
        super().__init__("\n".join(lines))


class ExercisePlanError(ActivityInputError):
    """An exercise plan failed validation: its header, phases, participants or activities; every
    problem names the part and the field."""

    def __init__(self, problems: Iterable[Problem], source: str = "") -> None:
        super().__init__(problems, source)
        head = f"{source}: " if source else ""
        count = len(self.problems)
        lines = [f"{head}{count} problem{'s' if count != 1 else ''} in the exercise plan"]
        lines += [f"  {p}" for p in self.problems]
        self.args = ("\n".join(lines),)


class PolicyDataError(InputError):
    """Policy, zone or actor data failed validation; `problems` carry file:line locations."""

    def __init__(self, problems: Iterable[Problem] | str) -> None:
        if isinstance(problems, str):
            problems = [Problem("", "", problems)]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class FormatError(InputError):
    """A file in a standard format (OpenAir, GeoJSON, NMEA, ...) could not be read."""


class GeometryError(HighnorthError):
    """A geometry is invalid and repair was not allowed (or failed)."""


class NotFoundError(HighnorthError):
    """No such thing, or not one the caller may see (a requester never learns of another nation's)."""


class ConflictError(HighnorthError):
    """The thing changed since the caller read it, or is in a state the action does not apply to."""


class AuthError(HighnorthError):
    """No API token, or one that is unknown or revoked."""


class ForbiddenError(HighnorthError):
    """The caller's role does not hold the permission the action needs."""


class TooLargeError(HighnorthError):
    """The request body is larger than the server accepts."""


class EvaluationError(HighnorthError):
    """A rule could not be evaluated; the engine turns this into `refer` with the cause."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """A "; did you mean `x`?" suffix for an unknown name, or "" when nothing is close.

    >>> did_you_mean("finmark-east", ["finnmark-east", "troms"])
    '; did you mean `finnmark-east`?'
    >>> did_you_mean("zzz", ["finnmark-east"])
    ''
    """
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return f"; did you mean `{close[0]}`?" if close else ""


def exit_code(error: BaseException) -> int:
    """The CLI exit code for an error: 2 for bad input, 1 for anything else.

    >>> exit_code(FormatError("x")), exit_code(RuntimeError("x"))
    (2, 1)
    """
    match error:
        case InputError() | GeometryError():
            return 2
        case _:
            return 1


def http_status(error: BaseException) -> int:
    """The HTTP status for an error: 422 for bad input, 500 for anything unexpected.

    >>> http_status(PolicyDataError("x")), http_status(ConflictError("x"))
    (422, 409)
    """
    match error:
        case InputError() | GeometryError():
            return 422
        case NotFoundError():
            return 404
        case ConflictError():
            return 409
        case AuthError():
            return 401
        case ForbiddenError():
            return 403
        case TooLargeError():
            return 413
        case _:
            return 500
