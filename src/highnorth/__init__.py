"""highnorth: versioned, geographic, explainable policy-as-code for foreign military activity."""

from .engine import Screener, screen
from .model import (
    Activity,
    ActivityInputError,
    Actor,
    Decision,
    Exposure,
    HighnorthError,
    InputError,
    Policy,
    PolicyDataError,
    Reason,
    Zone,
)
from .rules.loading.loader import load_policy

__all__ = [
    "Activity",
    "ActivityInputError",
    "Actor",
    "Decision",
    "Exposure",
    "HighnorthError",
    "InputError",
    "Policy",
    "PolicyDataError",
    "Reason",
    "Screener",
    "Zone",
    "__version__",
    "load_policy",
    "screen",
]

from ._version import __version__
