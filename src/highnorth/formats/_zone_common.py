"""What the zone readers and writers share: zone ids made from names, and vertical limits as text.

Vertical limits as text (OpenAir `AL`/`AH`, the `lower`/`upper` properties of zone GeoJSON) are
read by `parse_limit`. Feet are converted to metres with `highnorth.model.zone.FT` and kept to the
millimetre; a number without a unit is feet (the OpenAir convention); a height without a
reference is above mean sea level; a height of `UNLIMITED_SENTINEL` (99999) or more, in feet or
metres, is unlimited (exports such as luftrom's write `999999ft` or `99999` m for UNL; no real
airspace limit is anywhere near 30 km):

>>> [str(parse_limit(t)) for t in ("GND", "FL 95", "1500ft MSL", "2000 ft AGL", "300 m", "unl")]
['SFC', 'FL95', '457.2 m AMSL', '609.6 m AGL', '300 m AMSL', 'UNL']
"""

from __future__ import annotations

import re
import unicodedata

from ..model.zone import FT, SFC, UNL, Reference, VerticalLimit

__all__ = ["LIMIT_EXAMPLES", "UNLIMITED_SENTINEL", "IdMaker", "feet", "parse_limit", "slugify"]

LIMIT_EXAMPLES = "`SFC`, `FL95`, `1500ft AMSL`, `2000ft AGL`, `600 m AMSL` or `UNL`"

UNLIMITED_SENTINEL = 99999
_SURFACE = {"SFC", "GND", "SURFACE"}
_UNLIMITED = {"UNL", "UNLTD", "UNLIM", "UNLIMITED"}
_FL = re.compile(r"FL\s*(\d{1,3}(?:\.\d+)?)")
_HEIGHT = re.compile(r"(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>FT|F|M)?\s*(?P<ref>AMSL|MSL|ASL|ALT|AGL|AGND|GND|SFC)?")
_ABOVE_GROUND = {"AGL", "AGND", "GND", "SFC"}
_TRANSLIT = str.maketrans({"æ": "ae", "ø": "o", "œ": "oe", "ß": "ss", "đ": "d", "ð": "d", "ł": "l", "þ": "th"})


def feet(value: float, reference: str = "AMSL") -> VerticalLimit:
    """A height in feet as a VerticalLimit in metres, kept to the millimetre.

    >>> feet(1500)
    VerticalLimit(value=457.2, reference='AMSL')
    """
    return VerticalLimit(round(value * FT, 3), reference)  # type: ignore[arg-type]


def parse_limit(text: str) -> VerticalLimit:
    """A vertical limit from text such as `SFC`, `FL95`, `1500ft AMSL`, `2000 ft AGL`, `UNL`.

    Raises ValueError saying what was expected.

    >>> [parse_limit(t).reference for t in ("0 ft AGL", "FL095", "999999ft AMSL")]
    ['SFC', 'FL', 'UNL']
    >>> parse_limit("high")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: expected an altitude like `SFC`, `FL95`, ... or `UNL`, got `high`
    """
    norm = " ".join(text.upper().split())
    if norm in _SURFACE:
        return SFC
    if norm in _UNLIMITED:
        return UNL
    if m := _FL.fullmatch(norm):
        return VerticalLimit(float(m.group(1)), "FL")
    m = _HEIGHT.fullmatch(norm)
    if m is None:
        raise ValueError(f"expected an altitude like {LIMIT_EXAMPLES}, got `{text}`")
    value = float(m.group("num"))
    if value >= UNLIMITED_SENTINEL:
        return UNL
    reference: Reference = "AGL" if m.group("ref") in _ABOVE_GROUND else "AMSL"
    if reference == "AGL" and value == 0:
        return SFC
    if m.group("unit") == "M":
        return VerticalLimit(value, reference)
    return feet(value, reference)


def slugify(name: str) -> str:
    """A zone id from a name: lowercase ASCII letters, digits and hyphens.

    >>> slugify("ENR 409 Barents 1"), slugify("Bodø TMA (Ørland)"), slugify("***")
    ('enr-409-barents-1', 'bodo-tma-orland', 'zone')
    """
    text = unicodedata.normalize("NFKD", name.lower().translate(_TRANSLIT))
    text = text.encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-") or "zone"


class IdMaker:
    """Unique zone ids: the slug of a name, with `-2`, `-3`, ... when it was taken before.

    >>> ids = IdMaker()
    >>> ids("Pasvik"), ids("PASVIK"), ids("pasvik-2"), ids("Pasvik")
    ('pasvik', 'pasvik-2', 'pasvik-2-2', 'pasvik-3')
    """

    def __init__(self) -> None:
        self.used: set[str] = set()

    def take(self, wanted: str) -> str:
        """`wanted` itself if free, else `wanted-2`, `wanted-3`, ...; marks the result used."""
        out, n = wanted, 1
        while out in self.used:
            n += 1
            out = f"{wanted}-{n}"
        self.used.add(out)
        return out

    def __call__(self, name: str) -> str:
        return self.take(slugify(name))
