"""Reading policy data files: validation errors as problems with file:line, times, validity."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from ...model.errors import PolicyDataError, Problem, did_you_mean
from ...model.time import EPOCH, FAR_FUTURE, Interval, parse_time
from . import schema
from .yamlio import where

__all__ = ["parse_model", "read_time", "read_validity", "short"]


def _validation_problems(exc: ValidationError, data: Any, label: str) -> list[Problem]:
    """Pydantic errors as problems with file:line and the path of the field."""
    problems = []
    for err in exc.errors():
        node, parent, last = data, data, None
        for part in err["loc"]:
            parent, last = node, part
            try:
                node = node[part]
            except (KeyError, IndexError, TypeError):
                break
        loc = where(parent, last, label)
        path = ".".join(str(p) for p in err["loc"])
        msg = err["msg"]
        msg = msg[0].lower() + msg[1:]
        if err["type"] == "extra_forbidden":
            allowed = _fields_at(exc.title, err["loc"])
            msg = f"unknown field `{err['loc'][-1]}`{did_you_mean(str(err['loc'][-1]), allowed)}"
        elif "input" in err and err["type"] != "missing":
            msg = f"{msg}, got `{short(err['input'])}`"
        problems.append(Problem(loc, f"`{path}`", msg))
    return problems


def _fields_at(model_name: str, loc: tuple) -> list[str]:
    """Field names that were allowed where an unknown field was found (for did-you-mean)."""
    names: set[str] = set()
    for model in (
        schema.ZoneSpec,
        schema.RuleSpec,
        schema.PolicyFile,
        schema.VersionSpec,
        schema.NationSpec,
        schema.MembershipSpec,
        schema.ConditionSpec,
        schema.ObligationSpec,
        schema.Limit,
        schema.Validity,
    ):
        for name, info in model.model_fields.items():
            names.add(info.alias or name)
    return sorted(names)


def short(value: Any) -> str:
    text = json.dumps(value, default=str) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


def parse_model(model: type[BaseModel], data: Any, label: str) -> Any:
    if data is None:
        raise PolicyDataError([Problem(label, "", "the file is empty")])
    if not isinstance(data, Mapping):
        got = (
            "list"
            if isinstance(data, list)
            else "single value"
            if isinstance(data, str | int | float | bool)
            else "value"
        )
        raise PolicyDataError([Problem(label, "", f"expected a mapping of keys to values at the top, got a {got}")])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise PolicyDataError(_validation_problems(exc, data, label)) from None


def read_time(value: Any, tz: str, loc: str, what: str) -> dt.datetime:
    try:
        return parse_time(value, local_zone=tz)
    except ValueError as exc:
        raise PolicyDataError([Problem(loc, what, str(exc))]) from None


def read_validity(spec: schema.Validity | None, tz: str, loc: str) -> Interval | None:
    if spec is None:
        return None
    start = read_time(spec.from_, tz, loc, "`valid.from`") if spec.from_ is not None else EPOCH
    end = read_time(spec.until, tz, loc, "`valid.until`") if spec.until is not None else FAR_FUTURE
    if end <= start:
        raise PolicyDataError([Problem(loc, "`valid`", f"ends ({spec.until}) before it starts ({spec.from_})")])
    return Interval(start, end)
