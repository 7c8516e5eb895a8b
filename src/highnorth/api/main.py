"""`uvicorn highnorth.api.main:app_from_env --factory`: the application in a worker process of
`highnorth serve --workers N`. The settings come from the parent serialised once
(`HIGHNORTH_SERVER_SETTINGS`, `Settings.to_json`); started by hand, from the environment."""

from __future__ import annotations

import os

from fastapi import FastAPI

from ..runtime import keep_freed_memory
from ..service.config import SERVER_SETTINGS_ENV, Settings
from .app import create_app


def worker_settings() -> Settings:
    """The settings `highnorth serve` handed over, else the environment's."""
    text = os.environ.get(SERVER_SETTINGS_ENV)
    return Settings.from_json(text) if text else Settings.from_env()


def app_from_env() -> FastAPI:
    keep_freed_memory()  # as `highnorth` does in its own process (runtime.py)
    return create_app(worker_settings())
