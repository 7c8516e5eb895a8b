"""Pure types: zones, actors, activities, rules, decisions and errors."""

from .activity import KINDS, Activity
from .actor import Actor, ActorRegistry, Membership, Nation
from .decision import Decision, Exposure, Reason
from .errors import (
    ActivityInputError,
    FormatError,
    GeometryError,
    HighnorthError,
    InputError,
    PolicyDataError,
    Problem,
)
from .rule import Condition, Obligation, Policy, PolicyVersion, Rule, Selector
from .time import Interval, parse_time
from .zone import VerticalLimit, Zone

__all__ = [
    "KINDS",
    "Activity",
    "ActivityInputError",
    "Actor",
    "ActorRegistry",
    "Condition",
    "Decision",
    "Exposure",
    "FormatError",
    "GeometryError",
    "HighnorthError",
    "InputError",
    "Interval",
    "Membership",
    "Nation",
    "Obligation",
    "Policy",
    "PolicyDataError",
    "PolicyVersion",
    "Problem",
    "Reason",
    "Rule",
    "Selector",
    "VerticalLimit",
    "Zone",
    "parse_time",
]
