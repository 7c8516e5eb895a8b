"""Building API test clients: the default policy with a fresh store and one user of each role."""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI
from fastapi.testclient import TestClient

from highnorth.api.app import create_app
from highnorth.service.config import Settings
from highnorth.service.context import Service
from highnorth.store import Store

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = json.loads((ROOT / "examples" / "nordic-response" / "activities.geojson").read_text())
USERS = {
    "requester": ("us-liaison", "USA"),
    "requester_gbr": ("uk-liaison", "GBR"),
    "approver": ("nor-approver", None),
    "airspace_manager": ("caoc-asm", None),
    "viewer": ("public", None),
    "policy_owner": ("policy-owner", None),
    "admin": ("admin", None),
}


def example(activity_id: str, new_id: str | None = None) -> dict:
    """One feature of the Nordic Response example, optionally under a new id."""
    feature = copy.deepcopy(next(f for f in EXAMPLE["features"] if f["id"] == activity_id))
    if new_id:
        feature["id"] = new_id
    return feature


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    service: Service
    tokens: dict[str, str] = field(default_factory=dict)

    def auth(self, role: str | None) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"} if role else {}

    def call(self, method: str, path: str, role: str | None, **kwargs):
        headers = {**self.auth(role), **kwargs.pop("headers", {})}
        return self.client.request(method, path, headers=headers, **kwargs)


def make_service(config: Settings, policy, screener) -> tuple[Service, dict[str, str]]:
    """A service on `config`'s database with one user of each role, and their tokens by role."""
    service = Service(config, policy, screener, Store(config.database_url))
    tokens = {}
    for role, (name, nation) in USERS.items():
        service.store.add_user(name, role.removesuffix("_gbr"), nation)
        tokens[role] = service.store.create_token(name)
    return service, tokens


def make_api(database_url: str, policy, screener, **limits) -> Api:
    config = Settings.from_env(database_url=database_url, **limits)
    service, tokens = make_service(config, policy, screener)
    app = create_app(config, service)
    return Api(app, TestClient(app), service, tokens)
