"""The import direction of DESIGN.md §5, and the curated public API."""

from __future__ import annotations

import ast
from pathlib import Path

import highnorth

PKG = Path(highnorth.__file__).parent
CORE = ("model", "geo", "rules", "engine.py", "exercise", "workflow")
INTERFACES = (
    "typer",
    "rich",
    "click",
    "fastapi",
    "uvicorn",
    "sqlalchemy",
    "alembic",
    "dask",
    "distributed",
    "starlette",
)
LAYERS = [
    "model",
    "geo",
    "rules",
    "engine",
    "exercise",  # pure: exercise-level duties, alternatives, the report as data
    "formats",
    "scenarios",
    "runtime",
    "workflow",
    "store",
    "batch",  # archive replay on Dask: the engine mapped over partitions; service schedules it
    "service",
    "web",  # a face, mounted by the API's application
    "api",
    "cli",
]


def imports_of(path: Path) -> set[str]:
    """Absolute module names imported by a file (relative imports resolved)."""
    tree = ast.parse(path.read_text())
    pkg = path.relative_to(PKG.parent).with_suffix("").parts[:-1]
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = pkg[: len(pkg) - node.level + 1]
                out.add(".".join([*base, node.module] if node.module else base))
            else:
                out.add(node.module or "")
    return out


def core_files():
    for name in CORE:
        path = PKG / name
        yield from ([path] if path.is_file() else path.rglob("*.py"))


def test_core_imports_no_interface_or_store():
    for path in core_files():
        bad = {m for m in imports_of(path) if m.split(".")[0] in INTERFACES}
        assert not bad, f"{path.relative_to(PKG)} imports {sorted(bad)}"


def test_imports_point_inward_only():
    for layer_index, layer in enumerate(LAYERS):
        path = PKG / layer
        files = [path] if (PKG / f"{layer}.py").is_file() and not path.is_dir() else list(path.rglob("*.py"))
        if (PKG / f"{layer}.py").is_file():
            files = [PKG / f"{layer}.py"]
        outer = {f"highnorth.{name}" for name in LAYERS[layer_index + 1 :]}
        for f in files:
            bad = {m for m in imports_of(f) if any(m == o or m.startswith(o + ".") for o in outer)}
            assert not bad, f"{f.relative_to(PKG)} (layer {layer}) imports outer layers {sorted(bad)}"


def test_public_api_is_exported_once():
    """Every name in `__all__` exists and is listed once (ruff's RUF022 keeps the lists sorted)."""
    import highnorth.model as model

    for module in (highnorth, model):
        assert len(module.__all__) == len(set(module.__all__))
        for name in module.__all__:
            assert hasattr(module, name), f"{module.__name__}.{name}"
    assert {"Screener", "load_policy", "screen", "Decision", "Activity"} <= set(highnorth.__all__)


def test_no_route_imports_another_route():
    """Routes are thin faces over `highnorth.service`: what two routes share lives there."""
    routes = PKG / "api" / "routes"
    names = {f"highnorth.api.routes.{p.stem}" for p in routes.glob("*.py") if p.stem != "__init__"}
    for path in routes.glob("*.py"):
        bad = {m for m in imports_of(path) if m in names and m != f"highnorth.api.routes.{path.stem}"}
        assert not bad, f"{path.relative_to(PKG)} imports {sorted(bad)}"
