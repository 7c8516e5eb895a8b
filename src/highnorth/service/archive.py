"""Policy archives: a policy folder packed as `.tar.gz` or `.zip`, unpacked safely and loaded.

An uploaded archive comes from someone's hands, so it is unpacked member by member and refused
as a whole (`PolicyDataError`, naming the member) when a member:

- is not a plain file or folder (symbolic and hard links, devices, FIFOs),
- would land outside the folder it is unpacked into (an absolute path, `..`),
- makes the archive hold more than `Settings.release_max_files` files or more than
  `Settings.release_max_bytes` bytes once uncompressed (counted as the bytes come, so a member
  that lies about its size is stopped too).

Tar members are then extracted with Python's `data` extraction filter (PEP 706) as a second
guard; zip members are written by this module after checking each one's resolved path. The
policy is loaded with `confine=True`, so no file it names may lie outside the archive either.
"""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path, PurePosixPath
from typing import IO

from ..engine import Screener
from ..model.errors import PolicyDataError, Problem
from ..model.rule import Policy
from ..rules.loading.loader import load_policy
from ..scenarios import ScenarioResult, find_scenarios, run_scenario
from .config import Settings

__all__ = ["ARCHIVE_TYPES", "archive_hash", "load_release_policy", "pack_folder", "unpacked", "validate_release"]

#: the media types the API accepts for an archive, by format
ARCHIVE_TYPES = {"application/gzip": "tar.gz", "application/x-gzip": "tar.gz", "application/zip": "zip"}

_CHUNK = 1 << 16


def archive_hash(data: bytes) -> str:
    """The archive's own hash (the policy's content hash is another: `Policy.hash`)."""
    import hashlib

    return "sha256:" + hashlib.sha256(data).hexdigest()


def pack_folder(folder: Path) -> bytes:
    """A policy folder as a `.tar.gz` (files in name order, no owners or times: the same folder
    packs to the same bytes). Links are followed here: the folder is the caller's own."""
    folder = Path(folder)
    if not (folder / "policy.yaml").is_file():
        raise PolicyDataError(f"{folder}: no `policy.yaml` here; expected a policy directory")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz", compresslevel=6) as tar:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            rel = path.relative_to(folder).as_posix()
            if "__pycache__" in rel or rel.endswith(".pyc"):
                continue
            data = path.read_bytes()
            info = tarfile.TarInfo(rel)
            info.size, info.mode, info.mtime = len(data), 0o644, 0
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


class _Budget:
    """The files and uncompressed bytes still allowed."""

    def __init__(self, settings: Settings) -> None:
        self.files, self.bytes = settings.release_max_files, settings.release_max_bytes
        self.max_files, self.max_bytes = settings.release_max_files, settings.release_max_bytes

    def file(self, name: str) -> None:
        self.files -= 1
        if self.files < 0:
            raise PolicyDataError([Problem(name, "", f"the archive holds more than {self.max_files:,} files")])

    def take(self, name: str, count: int) -> None:
        self.bytes -= count
        if self.bytes < 0:
            raise PolicyDataError([Problem(name, "", f"the archive unpacks to more than {self.max_bytes:,} bytes")])


def _member_path(root: Path, name: str) -> Path:
    rel = PurePosixPath(name)
    target = (root / name).resolve()
    if rel.is_absolute() or ".." in rel.parts or not target.is_relative_to(root.resolve()):
        raise PolicyDataError([Problem(name, "", "the path leads outside the archive; expected a path inside it")])
    return target


def _copy(src: IO[bytes], dst: Path, name: str, budget: _Budget) -> None:
    dst.parent.mkdir(parents=True, exist_ok=True)
    with dst.open("wb") as out:
        while True:
            chunk = src.read(_CHUNK)
            if not chunk:
                break
            budget.take(name, len(chunk))
            out.write(chunk)


def _untar(data: bytes, root: Path, budget: _Budget) -> None:
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r|*") as tar:
            for member in tar:  # a stream: each member checked before the next is read
                if not (member.isfile() or member.isdir()):
                    what = "a link" if member.issym() or member.islnk() else "not a plain file or folder"
                    raise PolicyDataError([Problem(member.name, "", f"{what}; an archive may hold only files")])
                _member_path(root, member.name)
                if member.isdir():
                    continue
                budget.file(member.name)
                budget.take(member.name, member.size)
                tar.extract(member, root, filter="data")
    except (tarfile.TarError, EOFError, OSError) as exc:
        raise PolicyDataError([Problem("archive", "", f"not a readable .tar.gz: {exc}")]) from None


def _unzip(data: bytes, root: Path, budget: _Budget) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                target = _member_path(root, info.filename)
                mode = (info.external_attr >> 16) & 0o170000
                if mode not in (0, 0o100000, 0o040000):  # only files and folders (no links, devices)
                    raise PolicyDataError(
                        [Problem(info.filename, "", "not a plain file; an archive may hold only files")]
                    )
                if info.is_dir():
                    continue
                budget.file(info.filename)
                with archive.open(info) as src:
                    _copy(src, target, info.filename, budget)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise PolicyDataError([Problem("archive", "", f"not a readable .zip: {exc}")]) from None


@contextmanager
def unpacked(data: bytes, settings: Settings) -> Iterator[Path]:
    """The archive unpacked into a temporary folder, removed afterwards; yields the policy folder
    (the archive's root, or its one top folder when `policy.yaml` is there)."""
    with tempfile.TemporaryDirectory(prefix="highnorth-release-") as tmp:
        root = Path(tmp) / "release"
        root.mkdir()
        budget = _Budget(settings)
        if data[:2] == b"\x1f\x8b":
            _untar(data, root, budget)
        elif data[:4] == b"PK\x03\x04":
            _unzip(data, root, budget)
        else:
            raise PolicyDataError([Problem("archive", "", "expected a .tar.gz or a .zip of a policy folder")])
        if (root / "policy.yaml").is_file():
            yield root
            return
        tops = [p for p in root.iterdir() if p.is_dir() and (p / "policy.yaml").is_file()]
        if len(tops) != 1:
            raise PolicyDataError([Problem("archive", "", "no `policy.yaml` at its root or in its one top folder")])
        yield tops[0]


def _relabel(exc: PolicyDataError, folder: Path) -> PolicyDataError:
    """Problems named by the archive's own paths, not by where it was unpacked."""
    prefixes = [str(folder) + os.sep, str(folder.parent) + os.sep, "release/"]

    def local(text: str) -> str:
        for prefix in prefixes:
            text = text.replace(prefix, "")
        return text

    return PolicyDataError([Problem(local(p.item), p.field, local(p.message)) for p in exc.problems])


def load_release_policy(data: bytes, settings: Settings) -> tuple[Policy, list[str]]:
    """The policy in an archive, with its loading warnings; derived zones come from the zone
    cache when the same content was derived before."""
    with unpacked(data, settings) as folder:
        try:
            result = load_policy(folder, cache_dir=settings.cache_dir, confine=True)
        except PolicyDataError as exc:
            raise _relabel(exc, folder) from None
        return result.policy, list(result.warnings)


def validate_release(data: bytes, settings: Settings) -> tuple[Policy, Screener, list[str], list[ScenarioResult]]:
    """Unpack, load (schema, references, zones that build) and, when the archive ships a
    `scenarios/` folder, run its golden scenarios against the policy. Raises PolicyDataError
    for the first two; the scenario results are returned (a failed one refuses the release,
    `service.releases`)."""
    with unpacked(data, settings) as folder:
        try:
            result = load_policy(folder, cache_dir=settings.cache_dir, confine=True)
        except PolicyDataError as exc:
            raise _relabel(exc, folder) from None
        policy = result.policy
        screener = Screener(policy).warm()
        results = []
        scenarios = folder / "scenarios"
        if scenarios.is_dir():

            def screener_for(path: Path | None) -> Screener:
                if path is not None and path.resolve() != folder.resolve():
                    raise PolicyDataError(
                        f"`{path.name}`: a shipped scenario is judged by the release's own policy; remove `policy:`"
                    )
                return screener

            results = [run_scenario(f, screener_for) for f in find_scenarios(scenarios)]
        return policy, screener, list(result.warnings), results
