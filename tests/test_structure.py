"""The shape of the package: no import loops, small modules, a curated public API.

The import direction between layers is in test_architecture.py; this file checks what holds
inside and across them (docs/architecture.md).
"""

from __future__ import annotations

import ast
import importlib
import importlib.util
import types
from pathlib import Path

import highnorth

PKG = Path(highnorth.__file__).parent
MAX_LINES = 500


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(PKG.parent).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


MODULES = _modules()


def _targets(path: Path, name: str) -> set[str]:
    """The highnorth modules a file imports (anywhere in it), `from pkg import module` resolved
    to the module."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                module = ".".join([*base, node.module] if node.module else base)
            else:
                module = node.module or ""
            subs = {f"{module}.{a.name}" for a in node.names} & MODULES.keys()
            out |= subs or {module}
    return {m for m in out if m in MODULES and m != name}


def test_no_module_imports_itself_through_others():
    graph = {name: _targets(path, name) for name, path in MODULES.items()}
    # a package's __init__ importing its own submodules to re-export them is not a loop
    graph = {n: {m for m in ms if not m.startswith(n + ".")} for n, ms in graph.items()}
    loops = []
    state: dict[str, int] = {}  # 1: on the stack, 2: done

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                loops.append([*stack[stack.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert not loops, "import loops: " + "; ".join(" -> ".join(loop) for loop in loops)


def test_every_module_is_under_500_lines():
    long = {name: n for name, path in MODULES.items() if (n := len(path.read_text().splitlines())) >= MAX_LINES}
    assert not long, f"modules of {MAX_LINES} lines or more: {long}"


def test_public_api_is_exactly_all():
    """Every public name of `highnorth` is in `__all__` and `__all__` is sorted: a name exported by
    accident fails here (as httpx's tests/test_exported_members.py does)."""
    public = sorted(
        name
        for name, value in vars(highnorth).items()
        if (not name.startswith("_") or name == "__version__") and not isinstance(value, types.ModuleType)
    )
    assert highnorth.__all__ == sorted(highnorth.__all__)
    assert highnorth.__all__ == public


def test_every_all_names_something_that_exists():
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text())
        declared = [
            node
            for node in tree.body
            if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in node.targets)
        ]
        if not declared or importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        missing = [n for n in module.__all__ if not hasattr(module, n)]
        assert not missing, f"{name}.__all__ names what it does not define: {missing}"


#: what the faces (API, CLI) leave to the use cases in `service/`: geometry, policy loading,
#: reservation volumes and the store's tables
FACE_FORBIDDEN = (
    "highnorth.geo",
    "highnorth.rules.loading",
    "highnorth.workflow.reservations",
    "highnorth.store.tables",
)


def test_faces_reach_geometry_loading_and_volumes_only_through_the_service():
    for name, path in MODULES.items():
        if not name.startswith(("highnorth.api", "highnorth.cli", "highnorth.web")):
            continue
        bad = {m for m in _targets(path, name) if m.startswith(FACE_FORBIDDEN)}
        assert not bad, f"{name} imports {sorted(bad)}; call a use case in highnorth.service instead"
