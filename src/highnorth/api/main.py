"""`uvicorn highnorth.api.main:app_from_env --factory`: the application configured from the
environment (what `highnorth serve --workers N` starts in each worker process)."""

from __future__ import annotations

from fastapi import FastAPI

from ..runtime import keep_freed_memory
from .app import create_app
from .config import ServerConfig


def app_from_env() -> FastAPI:
    keep_freed_memory()  # as `highnorth` does in its own process (runtime.py)
    return create_app(ServerConfig.from_env())
