"""YAML reading that remembers lines, so data errors can say `file:line`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ...model.errors import PolicyDataError, Problem

__all__ = ["LinedDict", "LinedList", "line_of", "load_yaml", "where"]


class LinedDict(dict):
    """A mapping read from YAML, with the line of the mapping and of each key (1-based)."""

    line: int = 0
    key_lines: dict[str, int]
    file: str = ""


class LinedList(list):
    """A sequence read from YAML, with its line and the line of each item."""

    line: int = 0
    item_lines: list[int]
    file: str = ""


class _Loader(yaml.SafeLoader):
    """SafeLoader whose mappings and sequences keep their lines."""

    file = ""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> LinedDict:
        self.flatten_mapping(node)
        out = LinedDict()
        out.line = node.start_mark.line + 1
        out.file = self.file
        out.key_lines = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            if key in out:
                raise yaml.constructor.ConstructorError(None, None, f"duplicate key `{key}`", key_node.start_mark)
            out[key] = self.construct_object(value_node, deep=True)
            out.key_lines[str(key)] = key_node.start_mark.line + 1
        return out

    def construct_sequence(self, node: yaml.SequenceNode, deep: bool = False) -> LinedList:
        out = LinedList(self.construct_object(child, deep=True) for child in node.value)
        out.line = node.start_mark.line + 1
        out.file = self.file
        out.item_lines = [child.start_mark.line + 1 for child in node.value]
        return out


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _Loader.construct_mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _Loader.construct_sequence)


def load_yaml(path: Path, label: str | None = None) -> Any:
    """Read a YAML file; a syntax error becomes a PolicyDataError with file:line."""
    label = label or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise PolicyDataError(f"{label}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise PolicyDataError(f"{label}: not UTF-8 text (byte {exc.start})") from None
    try:
        loader = _Loader(text)
    except yaml.YAMLError as exc:  # the reader refuses characters YAML does not allow
        raise PolicyDataError([Problem(label, "", str(exc).splitlines()[0])]) from None
    loader.file = label
    try:
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise PolicyDataError([Problem(f"{label}{line}", "", str(exc.problem or exc))]) from None
    except yaml.YAMLError as exc:  # e.g. a control character met while reading on
        raise PolicyDataError([Problem(label, "", str(exc).splitlines()[0])]) from None
    finally:
        loader.dispose()


def line_of(node: Any, key: str | int | None = None) -> int:
    """The line of `node[key]` (or of `node`) when known, else 0."""
    if key is not None:
        if isinstance(node, LinedDict):
            return node.key_lines.get(str(key), node.line)
        if isinstance(node, LinedList) and isinstance(key, int) and key < len(node.item_lines):
            return node.item_lines[key]
    return getattr(node, "line", 0)


def where(node: Any, key: str | int | None = None, fallback: str = "") -> str:
    """`file:line` of `node[key]` for error messages."""
    file = getattr(node, "file", "") or fallback
    line = line_of(node, key)
    return f"{file}:{line}" if line else file
