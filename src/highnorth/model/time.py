"""Time: one normaliser for every time highnorth reads, and half-open intervals.

Every time is timezone-aware. A time without an offset is an error, never guessed. A bare date
(``2025-05-22``) is midnight local to the jurisdiction's time zone (Europe/Oslo by default).
Internally times are UTC; intervals are half-open ``[start, end)``.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import re
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

__all__ = ["EPOCH", "FAR_FUTURE", "Interval", "format_time", "parse_time", "parse_times", "to_utc"]

UTC = dt.UTC
#: date, `T` (or a space), time with optional fraction, and optionally an offset (checked later)
_RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}:\d{2})?$")
#: the common case of `parse_times`: whole RFC 3339 with an offset, at most microseconds, nothing
#: around it; one line per time
_LINES = re.compile(r"(?:\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?(?:Z|[+-]\d{2}:\d{2})\n)*")
EPOCH = dt.datetime(1900, 1, 1, tzinfo=UTC)
FAR_FUTURE = dt.datetime(9999, 1, 1, tzinfo=UTC)


def to_utc(value: dt.datetime) -> dt.datetime:
    """An aware datetime in UTC; a naive one is an error."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"`{value.isoformat()}` has no time-zone offset")
    return value.astimezone(UTC)


def parse_time(value: object, *, local_zone: str = "Europe/Oslo", allow_date: bool = True) -> dt.datetime:
    """Read a time: an RFC 3339 string with an offset, an aware datetime, or a date.

    A date means 00:00 in `local_zone`; it is only accepted where `allow_date` is true (policy
    data), not for activity times. Raises ValueError with a message that says what was expected.

    >>> parse_time("2025-05-22T10:00:00+02:00").isoformat()
    '2025-05-22T08:00:00+00:00'
    >>> parse_time("2025-05-22").isoformat()
    '2025-05-21T22:00:00+00:00'
    >>> parse_time("2025-05-22T10:00:00")
    Traceback (most recent call last):
    ...
    ValueError: expected an RFC 3339 time with an offset (like `2025-05-22T10:00:00+02:00`), got `2025-05-22T10:00:00` without one
    """
    if isinstance(value, dt.date) and not 1900 <= value.year <= 9000:
        raise ValueError(f"`{value}` is outside the years 1900 to 9000 that highnorth works with")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            raise ValueError(f"expected a time with an offset, got `{value.isoformat()}` without one")
        return value.astimezone(UTC)
    if isinstance(value, dt.date):
        if not allow_date:
            raise ValueError(f"expected an RFC 3339 time with an offset, got the date `{value}`")
        return dt.datetime.combine(value, dt.time(0), tzinfo=ZoneInfo(local_zone)).astimezone(UTC)
    if not isinstance(value, str):
        raise ValueError(f"expected an RFC 3339 time string, got {type(value).__name__} `{value}`")
    text = value.strip()
    if allow_date and len(text) == 10:
        try:
            return parse_time(dt.date.fromisoformat(text), local_zone=local_zone)
        except ValueError:
            pass
    if not _RFC3339.match(text):
        raise ValueError(f"expected an RFC 3339 time with an offset (like `2025-05-22T10:00:00+02:00`), got `{value}`")
    try:
        parsed = dt.datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError:
        raise ValueError(
            f"expected an RFC 3339 time with an offset (like `2025-05-22T10:00:00+02:00`), got `{value}`"
        ) from None
    if parsed.tzinfo is None:
        raise ValueError(
            f"expected an RFC 3339 time with an offset (like `2025-05-22T10:00:00+02:00`), got `{value}` without one"
        )
    if not 1900 <= parsed.year <= 9000:
        raise ValueError(f"`{value}` is outside the years 1900 to 9000 that highnorth works with")
    return parsed.astimezone(UTC)


def parse_times(values: list) -> list[dt.datetime] | None:
    """Many activity times at once (a track's per-vertex times), as `parse_time` with
    `allow_date=False` reads each — or None when one of them is not in the common form
    (`2025-05-22T08:00:00Z`, `…T10:00:00.5+02:00`, a space for the `T`), so the caller reads them
    one by one and names the one that is wrong. One regular-expression pass checks them all and
    `datetime.fromisoformat` reads them in C: about ten times faster than one by one.

    >>> [t.isoformat() for t in parse_times(["2025-05-22T10:00:00+02:00", "2025-05-22 08:00:01.5Z"])]
    ['2025-05-22T08:00:00+00:00', '2025-05-22T08:00:01.500000+00:00']
    >>> parse_times(["2025-05-22T10:00:00"]) is None, parse_times([" 2025-05-22T10:00:00Z"]) is None
    (True, True)
    """
    if not all(type(v) is str for v in values):
        return None
    text = "\n".join(values) + "\n"
    if _LINES.fullmatch(text) is None:
        return None
    if not values or not (min(values)[:4] >= "1900" and max(values)[:4] <= "9000"):
        return None  # the years are the first four characters: outside 1900..9000, one by one says which
    try:  # a date or time that does not exist (`2025-02-30`, `25:00`): one by one says which
        return list(
            map(dt.datetime.astimezone, map(dt.datetime.fromisoformat, values), itertools.repeat(UTC, len(values)))
        )
    except ValueError:
        return None


def format_time(value: dt.datetime) -> str:
    """RFC 3339 in UTC with a `Z`, to the second when whole, else to the millisecond.

    >>> format_time(parse_time("2025-05-22T10:00:00+02:00"))
    '2025-05-22T08:00:00Z'
    """
    return _format_utc(to_utc(value))


@lru_cache(maxsize=1 << 16)  # a batch's decisions repeat the same few times (starts, ends, cuts)
def _format_utc(value: dt.datetime) -> str:
    if value.microsecond:
        return value.isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return value.isoformat(timespec="seconds").replace("+00:00", "Z")


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """A half-open time interval ``[start, end)`` in UTC.

    >>> a = Interval(parse_time("2025-01-01T00:00Z"), parse_time("2025-01-03T00:00Z"))
    >>> b = Interval(parse_time("2025-01-02T00:00Z"), parse_time("2025-01-04T00:00Z"))
    >>> a.overlaps(b), (a & b).duration.days
    (True, 1)
    """

    start: dt.datetime
    end: dt.datetime

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"interval ends ({self.end}) before it starts ({self.start})")

    @property
    def duration(self) -> dt.timedelta:
        return self.end - self.start

    def contains(self, t: dt.datetime) -> bool:
        return self.start <= t < self.end

    def overlaps(self, other: Interval) -> bool:
        """True when the two share a moment; an empty interval overlaps one that holds its instant."""
        if self.start == self.end:
            return other.start <= self.start < other.end or other.start == self.start
        if other.start == other.end:
            return self.start <= other.start < self.end
        return self.start < other.end and other.start < self.end

    def __and__(self, other: Interval) -> Interval | None:
        start, end = max(self.start, other.start), min(self.end, other.end)
        if end < start or (end == start and not self.overlaps(other)):
            return None
        return Interval(start, end)

    def split(self, cuts: list[dt.datetime]) -> list[Interval]:
        """This interval cut at every time of `cuts` (sorted) strictly inside it, in order."""
        lo = bisect.bisect_right(cuts, self.start)
        hi = bisect.bisect_left(cuts, self.end)
        if lo >= hi:
            return [self]
        bounds = [self.start, *sorted(set(cuts[lo:hi])), self.end]
        return [Interval(a, b) for a, b in itertools.pairwise(bounds)]
