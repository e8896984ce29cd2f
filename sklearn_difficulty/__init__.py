"""Measure how hard each example is by training many classifiers on it.

An implementation of Hacohen & Weinshall, "All Neural Networks are Created
Equal": fit N independently seeded classifiers, record what each predicts for
every example at every stage of training, and score each example by its
*consistency* and *consensus*.
"""

from .ensemble import EnsembleDifficulty
from .exceptions import (
    DeviceWarning,
    DifficultyWarning,
    IdenticalMembersWarning,
    MemberCacheWarning,
    MemberFailedWarning,
    MembersLostError,
)
from .record import PredictionRecord
from .reliability import members_needed, spearman_brown, split_half_reliability
from .scores import (
    aum,
    consensus,
    consistency,
    data_map,
    el2n,
    forgetting_events,
    heldout_consistency,
    learning_speed,
    member_accuracy,
)

__version__ = "0.1.0.dev0"

__all__ = [
    "DeviceWarning",
    "DifficultyWarning",
    "EnsembleDifficulty",
    "IdenticalMembersWarning",
    "MemberCacheWarning",
    "MemberFailedWarning",
    "MembersLostError",
    "PredictionRecord",
    "__version__",
    "aum",
    "consensus",
    "consistency",
    "data_map",
    "el2n",
    "forgetting_events",
    "heldout_consistency",
    "learning_speed",
    "member_accuracy",
    "members_needed",
    "spearman_brown",
    "split_half_reliability",
]
