"""ICAO NOTAM text (Annex 15, Doc 8126 format) in and out: `Notam` records, `format_notam` and
`parse_notams` (a file of many, as feeds deliver them).

Reading tolerates what real feeds do (docs/formats.md "NOTAM"): Q-line fields padded with
spaces (``I /NBO/A /``), ``EST`` after item C, ``PERM``, several locations in item A, a Q line
without a radius, feed lines after item E (``CREATED:``, ``SOURCE:``), and an item D it cannot
read (kept as text, and the NOTAM taken as active from B to C, with a warning). What it cannot
read at all goes to the quarantine with the reason and its first line, never a guessed record.

Writing is canonical: the same record always gives the same bytes, and reading them gives the
same record back.

>>> text = '''A0001/26 NOTAMN
... Q) ENOR/QRTCA/IV/BO/W/000/095/6945N02330E025
... A) ENOR B) 2606010800 C) 2606011600
... E) TEMPO RESTRICTED AREA ACTIVATED
... F) SFC G) FL095'''
>>> read = parse_notams(text)
>>> n = read.notams[0]
>>> n.id, n.code, n.lower, n.upper, n.centre, n.radius_nm, n.start.isoformat()
('A0001/26', 'QRTCA', 0, 95, (69.75, 23.5), 25, '2026-06-01T08:00:00+00:00')
>>> format_notam(n) == text
True
>>> parse_notams("Q) garbage").quarantine[0].reason
'no NOTAM header (`A1234/18 NOTAMN`) before this line'
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

__all__ = ["Notam", "NotamRead", "Quarantined", "format_notam", "item_d_windows", "parse_notams", "whole_minutes"]

HEADER = re.compile(r"^\s*([A-Z])(\d{4})/(\d{2})\s+NOTAM([NRC])(?:\s+([A-Z]\d{4}/\d{2}))?\s*$")
ITEM = re.compile(r"(?:^|\s)([A-G])\)\s?")
QLINE = re.compile(r"^(\d{2})(\d{2})([NS])(\d{3})(\d{2})([EW])(\d{3})?$")
STAMP = re.compile(r"^\d{10}$")
QSTART = re.compile(r"^\s*Q\)\s*(.*)$", re.MULTILINE)
FEED = re.compile(r"^(CREATED|SOURCE):")
SNOWTAM = re.compile(r"^\s*SW[A-Z]{2}\d{4}\b")
MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN")


@dataclass(frozen=True)
class Notam:
    """One NOTAM's fields. `lower`/`upper` are the Q line's flight levels; `centre` is (lat, lon)
    in degrees at whole minutes; `radius_nm` is None when the Q line gives none; `end` is None
    for ``PERM``."""

    series: str
    number: int
    year: int
    kind: str  # N new, R replacing, C cancelling
    fir: str
    code: str  # Q code, e.g. QRTCA
    traffic: str
    purpose: str
    scope: str
    lower: int
    upper: int
    centre: tuple[float, float]
    radius_nm: int | None
    locations: tuple[str, ...]
    start: dt.datetime
    end: dt.datetime | None
    text: str
    replaces: str | None = None
    estimated: bool = False
    schedule: str | None = None
    lower_text: str | None = None  # item F
    upper_text: str | None = None  # item G
    warnings: tuple[str, ...] = field(default=(), compare=False)

    @property
    def id(self) -> str:
        return f"{self.series}{self.number:04d}/{self.year:02d}"


@dataclass(frozen=True)
class Quarantined:
    """A NOTAM that could not be read: why, where (line number, 1-based) and its first line."""

    reason: str
    line: int
    text: str


@dataclass
class NotamRead:
    notams: list[Notam] = field(default_factory=list)
    quarantine: list[Quarantined] = field(default_factory=list)


def whole_minutes(value: float) -> float:
    """`value` (degrees) rounded to whole minutes, as the Q line reads back (the same float).

    >>> whole_minutes(5.8666), whole_minutes(-0.51)
    (5.866666666666667, -0.5166666666666667)
    """
    m = round(abs(value) * 60)
    return (m // 60 + (m % 60) / 60) * (1 if value >= 0 else -1)


def _stamp(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%y%m%d%H%M")


def _coord(lat: float, lon: float) -> str:
    la, lo = round(abs(lat) * 60), round(abs(lon) * 60)
    return f"{la // 60:02d}{la % 60:02d}{'N' if lat >= 0 else 'S'}{lo // 60:03d}{lo % 60:02d}{'E' if lon >= 0 else 'W'}"


def format_notam(n: Notam) -> str:
    """The NOTAM as ICAO text: header, Q line, items A to G (D, F and G when present)."""
    head = f"{n.id} NOTAM{n.kind}" + (f" {n.replaces}" if n.replaces else "")
    radius = f"{n.radius_nm:03d}" if n.radius_nm is not None else ""
    q = f"Q) {n.fir}/{n.code}/{n.traffic}/{n.purpose}/{n.scope}/{n.lower:03d}/{n.upper:03d}/"
    q += _coord(*n.centre) + radius
    end = "PERM" if n.end is None else _stamp(n.end) + (" EST" if n.estimated else "")
    lines = [head, q, f"A) {' '.join(n.locations)} B) {_stamp(n.start)} C) {end}"]
    if n.schedule:
        lines.append(f"D) {n.schedule}")
    lines.append(f"E) {n.text}")
    if n.lower_text is not None or n.upper_text is not None:
        lines.append(f"F) {n.lower_text or 'SFC'} G) {n.upper_text or 'UNL'}")
    return "\n".join(lines)


def _time(value: str, item: str) -> dt.datetime:
    if not STAMP.match(value):
        raise ValueError(f"item {item}: `{value}` is not a time YYMMDDhhmm")
    try:  # YYMMDDhhmm, 20YY (what strptime's %y would make of it, without its cost)
        y, mo, d, h, mi = (int(value[k : k + 2]) for k in range(0, 10, 2))
        return dt.datetime(2000 + y if y < 69 else 1900 + y, mo, d, h, mi, tzinfo=dt.UTC)
    except ValueError:
        raise ValueError(f"item {item}: `{value}` is not a valid date and time") from None


def _qline(text: str) -> dict[str, object]:
    fields = [f.strip() for f in text.split("/")]
    if len(fields) != 8:
        raise ValueError(f"Q line: expected 8 fields separated by `/`, got {len(fields)} in `{text.strip()}`")
    fir, code, traffic, purpose, scope, lower, upper, where = fields
    if not re.fullmatch(r"[A-Z]{4}", fir):
        raise ValueError(f"Q line: `{fir}` is not a FIR (4 letters)")
    if not re.fullmatch(r"Q[A-Z]{4}", code):
        raise ValueError(f"Q line: `{code}` is not a Q code (Q and 4 letters)")
    if not (lower.isdigit() and upper.isdigit() and len(lower) == 3 and len(upper) == 3):
        raise ValueError(f"Q line: the limits `{lower}`/`{upper}` are not flight levels of 3 digits")
    m = QLINE.match(where.replace(" ", ""))
    if not m:
        raise ValueError(f"Q line: `{where}` is not a position DDMMN DDDMME with an optional radius")
    lat = (int(m[1]) + int(m[2]) / 60) * (1 if m[3] == "N" else -1)
    lon = (int(m[4]) + int(m[5]) / 60) * (1 if m[6] == "E" else -1)
    if int(lower) > int(upper):
        raise ValueError(f"Q line: the lower limit `{lower}` is above the upper limit `{upper}`")
    return {
        "fir": fir,
        "code": code,
        "traffic": traffic,
        "purpose": purpose,
        "scope": scope,
        "lower": int(lower),
        "upper": int(upper),
        "centre": (lat, lon),
        "radius_nm": int(m[7]) if m[7] else None,
    }


def _items(body: str) -> dict[str, str]:
    """Items A to G of a NOTAM's body (after the Q line), each its text stripped."""
    found: dict[str, str] = {}
    marks = [(m.start(1), m.end(), m[1]) for m in ITEM.finditer(body)]
    for k, (_at, after, letter) in enumerate(marks):
        if "E" in found and letter not in "FG":
            continue  # "A)" or "H)" inside item E's text: part of it
        if letter in found:
            raise ValueError(f"item {letter}) appears twice")
        end = marks[k + 1][0] if k + 1 < len(marks) else len(body)
        if letter == "E":  # E runs to F) or G) (or the end); the letters inside its text are text
            rest = [m for m in marks[k + 1 :] if m[2] in "FG"]
            end = rest[0][0] if rest else len(body)
        found[letter] = body[after:end].strip()
    return found


def _one(block: str) -> Notam:
    lines = [line.rstrip() for line in block.strip().splitlines() if not FEED.match(line)]
    head = HEADER.match(lines[0])
    assert head is not None
    series, number, year, kind, replaces = head.groups()
    if kind in "RC" and not replaces:
        raise ValueError(f"a NOTAM{kind} must name the NOTAM it {'replaces' if kind == 'R' else 'cancels'}")
    rest = "\n".join(lines[1:])
    q = QSTART.search(rest)
    if not q:
        raise ValueError("no Q line")
    qfields = _qline(q.group(1))
    body = rest[q.end() :]
    items = _items(body)
    for letter in "ABE":
        if letter not in items:
            raise ValueError(f"no item {letter})")
    locations = tuple(items["A"].split())
    if not locations or any(not re.fullmatch(r"[A-Z]{4}", x) for x in locations):
        raise ValueError(f"item A: `{items['A']}` is not one or more ICAO location indicators")
    start = _time(items["B"], "B")
    c = items.get("C", "PERM").split()
    estimated = c[1:] == ["EST"]
    if not c or (c[1:] and not estimated):
        raise ValueError(f"item C: `{items.get('C')}` is not a time YYMMDDhhmm with an optional EST, or PERM")
    end = None if c[0] == "PERM" else _time(c[0], "C")
    if end is not None and end <= start:
        raise ValueError(f"item C: `{items['C']}` is not after item B `{items['B']}`")
    schedule = " ".join(items["D"].split()) if items.get("D") else None
    warnings = []
    if schedule is not None and end is not None:
        try:
            item_d_windows(schedule, start, end)
        except ValueError as exc:
            warnings.append(f"{exc}: the NOTAM is taken as active from item B to item C")
    return Notam(
        series=series,
        number=int(number),
        year=int(year),
        kind=kind,
        replaces=replaces,
        locations=locations,
        start=start,
        end=end,
        estimated=estimated,
        schedule=schedule,
        text=items["E"],
        lower_text=items.get("F"),
        upper_text=items.get("G"),
        warnings=tuple(warnings),
        **qfields,  # type: ignore[arg-type]
    )


def parse_notams(text: str) -> NotamRead:
    """Every NOTAM of a text (a feed or a file of many): each block starts at a header line
    ``A1234/18 NOTAMN``; what cannot be read is quarantined with the reason and its line."""
    out = NotamRead()
    lines = text.replace("\r\n", "\n").split("\n")
    starts = [i for i, line in enumerate(lines) if HEADER.match(line) or SNOWTAM.match(line)]
    first_content = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first_content is not None and (not starts or first_content < starts[0]):
        out.quarantine.append(
            Quarantined("no NOTAM header (`A1234/18 NOTAMN`) before this line", first_content + 1, lines[first_content])
        )
    for k, at in enumerate(starts):
        end = starts[k + 1] if k + 1 < len(starts) else len(lines)
        block = "\n".join(lines[at:end])
        if SNOWTAM.match(lines[at]):
            out.quarantine.append(
                Quarantined("a SNOWTAM (runway state report), not a NOTAM", at + 1, lines[at].strip())
            )
            continue
        try:
            out.notams.append(_one(block))
        except ValueError as exc:
            out.quarantine.append(Quarantined(str(exc), at + 1, lines[at].strip()))
    return out


def _ranges(text: str, where: str) -> list[tuple[int, int]]:
    out = []
    for part in text.split():
        m = re.fullmatch(r"(\d{2})(\d{2})-(\d{2})(\d{2})", part)
        if not m or int(m[1]) > 24 or int(m[3]) > 24 or int(m[2]) > 59 or int(m[4]) > 59:
            raise ValueError(f"item D: `{where}` is not a schedule highnorth reads")
        out.append((int(m[1]) * 60 + int(m[2]), int(m[3]) * 60 + int(m[4])))
    if not out:
        raise ValueError(f"item D: `{where}` has no time range")
    return out


def item_d_windows(schedule: str, start: dt.datetime, end: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """The UTC windows within [start, end) of an item D in one of the forms highnorth writes and
    reads: ``DAILY 0800-1600`` (several ranges allowed), ``MON TUE FRI 0800-1600`` or
    ``MON-FRI 0800-1600``, ``H24``, and dated ``JUN 01 0800-1600, JUN 03 0900-1200``. A range
    whose end is not after its start runs past midnight. ValueError for anything else.

    >>> t = lambda d, h: dt.datetime(2025, 6, d, h, tzinfo=dt.UTC)
    >>> [(a.day, a.hour, b.day, b.hour) for a, b in item_d_windows("DAILY 1930-0500", t(1, 0), t(3, 0))]
    [(1, 19, 2, 5), (2, 19, 3, 0)]
    >>> len(item_d_windows("MON-FRI 0800-1600", t(1, 0), t(15, 0)))  # 1 June 2025 is a Sunday
    10
    """
    text = " ".join(schedule.upper().split())
    if text == "H24":
        return [(start, end)]
    days: set[int] | None = None
    dated: list[tuple[dt.date, str]] = []
    m = re.fullmatch(r"DAILY ((?:\d{4}-\d{4} ?)+)", text)
    if m:
        ranges = _ranges(m[1], text)
    elif m := re.fullmatch(
        r"((?:(?:MON|TUE|WED|THU|FRI|SAT|SUN)(?:-(?:MON|TUE|WED|THU|FRI|SAT|SUN))? ?)+) ((?:\d{4}-\d{4} ?)+)", text
    ):
        days = set()
        for token in m[1].split():
            a, _, b = token.partition("-")
            i, j = DAYS.index(a), DAYS.index(b or a)
            days |= set(range(i, j + 1)) if i <= j else set(range(i, 7)) | set(range(0, j + 1))
        ranges = _ranges(m[2], text)
    else:
        month = None
        for part in (p.strip() for p in text.split(",")):
            mm = re.fullmatch(r"(?:([A-Z]{3}) )?(\d{2}) (\d{4}-\d{4})", part)
            if not mm or (mm[1] is not None and mm[1] not in MONTHS) or (mm[1] is None and month is None):
                raise ValueError(f"item D: `{schedule}` is not a schedule highnorth reads")
            month = MONTHS.index(mm[1]) + 1 if mm[1] else month
            assert month is not None
            year = start.year if month >= start.month else start.year + 1
            try:
                dated.append((dt.date(year, month, int(mm[2])), mm[3]))
            except ValueError:
                raise ValueError(f"item D: `{part}` is not a date") from None
        ranges = []
    out = []
    if dated:
        for day, span in dated:
            (a, b), *_ = _ranges(span, text)
            base = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
            out.append((base + dt.timedelta(minutes=a), base + dt.timedelta(minutes=b if b > a else b + 1440)))
    else:
        day = start.date()  # the first period starts on B's day
        while dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) < end:
            if days is None or day.weekday() in days:
                base = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
                for a, b in ranges:
                    out.append((base + dt.timedelta(minutes=a), base + dt.timedelta(minutes=b if b > a else b + 1440)))
            day += dt.timedelta(days=1)
    clipped = [(max(a, start), min(b, end)) for a, b in out]
    return sorted((a, b) for a, b in clipped if a < b)
