"""Who is it: transponder identity to actor, from a table kept as data with its sources
(`highnorth/data/identity/identity.yaml`; a user's file of the same layout replaces it).

- AIS: the MMSI's maritime identification digits (MID) give the flag state; the ship type
  says whether it is a state ship (35 military operations: Navy; 55 law enforcement).
- ADS-B: a military operator's callsign prefix (``RCH123``) gives nation and service; else
  the 24-bit address: a military range gives a state aircraft of that nation, the state's
  block its state of registry.
- No entry: the nation is `XXX` (unknown), which no policy knows: foreign, allied with nobody,
  so the rules judge it as strictly as they judge anyone (fails closed).

>>> table = IdentityTable.default()
>>> table.adsb("ae1234", "RCH871")
Identity(nation='USA', service='Air Force', state=True, how='callsign prefix `RCH`', basis='reported')
>>> table.ais("257123456", 35).nation, table.ais("257123456", 35).state, table.ais("999123456", 70).nation
('NOR', True, 'XXX')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from ...model.errors import InputError

__all__ = ["UNKNOWN_NATION", "Identity", "IdentityTable"]

UNKNOWN_NATION = "XXX"
_CALLSIGN = re.compile(r"^([A-Z]{3})\d")
_NATION = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True, slots=True)
class Identity:
    """The actor a transponder stands for: nation (ISO 3166-1 alpha-3, or `XXX`), service,
    whether it is a state (military, naval or law-enforcement) aircraft or ship, how it was
    found and on what basis."""

    nation: str
    service: str | None
    state: bool
    how: str
    basis: str


@dataclass
class IdentityTable:
    """The identity mapping; `default()` is the packaged one, `load(path)` a user's."""

    source: str
    mid: dict[int, str] = field(default_factory=dict)
    mid_source: tuple[str, str] = ("", "")
    ship_types: dict[int, str] = field(default_factory=dict)
    ship_source: tuple[str, str] = ("", "")
    blocks: list[tuple[int, int, str]] = field(default_factory=list)
    block_source: tuple[str, str] = ("", "")
    military_blocks: list[tuple[int, int, str]] = field(default_factory=list)
    military_source: tuple[str, str] = ("", "")
    callsigns: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    callsign_source: tuple[str, str] = ("", "")

    @classmethod
    def default(cls) -> IdentityTable:
        path = resources.files("highnorth") / "data" / "identity" / "identity.yaml"
        return cls.parse(path.read_text(encoding="utf-8"), "identity.yaml")

    @classmethod
    def load(cls, path: Path) -> IdentityTable:
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise InputError(f"--identity: cannot read `{path}`: {exc.strerror or exc}") from None
        return cls.parse(text, str(path))

    @classmethod
    def parse(cls, text: str, name: str) -> IdentityTable:
        """Read the YAML layout of the packaged file; errors name the file and the section."""
        try:
            doc = yaml.safe_load(text) or {}
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            line = f":{mark.line + 1}" if mark else ""
            raise InputError(f"{name}{line}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
        if not isinstance(doc, dict):
            raise InputError(
                f"{name}: expected a mapping with mid, ship_types, icao_blocks, military_icao_blocks, military_callsigns"
            )
        table = cls(source=name)
        try:
            sec = doc.get("mid") or {}
            table.mid_source = (str(sec.get("source", "")), str(sec.get("basis", "")))
            for nation, codes in (sec.get("codes") or {}).items():
                for code in codes:
                    table.mid[int(code)] = _nation(nation, name, "mid.codes")
            sec = doc.get("ship_types") or {}
            table.ship_source = (str(sec.get("source", "")), str(sec.get("basis", "")))
            for code, entry in (sec.get("state") or {}).items():
                table.ship_types[int(code)] = str(entry.get("service", "Navy"))
            for key, attr in (("icao_blocks", "blocks"), ("military_icao_blocks", "military_blocks")):
                sec = doc.get(key) or {}
                setattr(
                    table,
                    "block_source" if attr == "blocks" else "military_source",
                    (str(sec.get("source", "")), str(sec.get("basis", ""))),
                )
                rows = sorted(
                    (int(lo, 16), int(hi, 16), _nation(n, name, key)) for n, lo, hi in sec.get("blocks") or []
                )
                setattr(table, attr, rows)
            sec = doc.get("military_callsigns") or {}
            table.callsign_source = (str(sec.get("source", "")), str(sec.get("basis", "")))
            for prefix, entry in (sec.get("prefixes") or {}).items():
                table.callsigns[str(prefix).upper()] = (
                    _nation(entry["nation"], name, "military_callsigns"),
                    entry.get("service"),
                )
        except (TypeError, ValueError, KeyError, AttributeError) as exc:
            raise InputError(
                f"{name}: {exc}; expected the layout of the packaged identity.yaml (docs/replay.md)"
            ) from None
        return table

    def adsb(self, icao24: str, callsign: str = "") -> Identity:
        """The actor of an aircraft by address and callsign."""
        m = _CALLSIGN.match(callsign.strip().upper())
        if m and m.group(1) in self.callsigns:
            nation, service = self.callsigns[m.group(1)]
            return Identity(nation, service, True, f"callsign prefix `{m.group(1)}`", self.callsign_source[1])
        try:
            address = int(icao24, 16)
        except ValueError:
            return Identity(UNKNOWN_NATION, None, False, f"address `{icao24}` is not hexadecimal", "")
        military = _in_blocks(self.military_blocks, address)
        if military:
            return Identity(military, "Air Force", True, "military address range", self.military_source[1])
        registry = _in_blocks(self.blocks, address)
        if registry:
            return Identity(registry, None, False, "address block of the state of registry", self.block_source[1])
        return Identity(UNKNOWN_NATION, None, False, "address in no known block", "")

    def ais(self, mmsi: str, ship_type: int = -1) -> Identity:
        """The actor of a vessel by MMSI and ship type."""
        digits = mmsi.strip()
        mid = _mid_of(digits)
        nation = self.mid.get(mid, UNKNOWN_NATION) if mid is not None else UNKNOWN_NATION
        service = self.ship_types.get(ship_type)
        how = f"MID {mid}" if nation != UNKNOWN_NATION else f"MMSI `{digits}` has no known MID"
        if service:
            how += f", ship type {ship_type}"
        return Identity(nation, service, service is not None, how, self.mid_source[1] if mid in self.mid else "")


def _nation(value: Any, name: str, section: str) -> str:
    code = str(value)
    if not _NATION.match(code):
        raise InputError(f"{name}: `{section}`: `{code}` is not an ISO 3166-1 alpha-3 code; expected e.g. `NOR`")
    return code


def _in_blocks(blocks: list[tuple[int, int, str]], address: int) -> str | None:
    """The nation of the narrowest block that holds the address (a table has a few hundred)."""
    holding = [(hi - lo, nation) for lo, hi, nation in blocks if lo <= address <= hi]
    return min(holding)[1] if holding else None


def _mid_of(mmsi: str) -> int | None:
    """The MID of a 9-digit MMSI: ship MIDXXXXXX, coast station 00MIDXXXX, SAR aircraft 111MIDXXX,
    handheld 8MIDXXXXX, craft with a parent ship 98MIDXXXX; devices (970, 972, 974) have none."""
    if len(mmsi) != 9 or not mmsi.isdigit():
        return None
    if mmsi.startswith(("970", "972", "974")):
        return None
    if mmsi.startswith("00"):
        return int(mmsi[2:5])
    if mmsi.startswith("111"):
        return int(mmsi[3:6])
    if mmsi.startswith("98"):
        return int(mmsi[2:5])
    if mmsi.startswith("8"):
        return int(mmsi[1:4])
    if mmsi[0] in "234567":
        return int(mmsi[:3])
    return None
