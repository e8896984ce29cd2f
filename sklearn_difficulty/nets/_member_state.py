"""A network member as bytes for the per-member cache: tensors and JSON, no pickle.

The skorch and vectorised recorders save a member's weights (its module's
``state_dict``) and its training history with :func:`torch.save`, and load
them with ``torch.load(..., weights_only=True)``, which builds tensors and
plain containers only: nothing in a cache entry can run. The network itself
is rebuilt from the user's estimator, seeded as the member.
"""

from __future__ import annotations

import io
import json
from typing import NamedTuple

import numpy as np
import torch

__all__ = ["MemberState", "dump_state", "load_state"]


class MemberState(NamedTuple):
    """What a cached network member holds.

    Attributes
    ----------
    weights : dict of str to tensor
        Its module's ``state_dict``, on the CPU.
    history : list
        Its training history (JSON values).
    """

    weights: dict
    history: list


def _plain(value):
    """numpy scalars as Python numbers, for JSON; anything else is refused."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a {type(value).__name__} in the history cannot be saved")


def dump_state(module: torch.nn.Module, history) -> bytes:
    """A member's weights and history, as :func:`load_state` reads them."""
    weights = {
        name: tensor.detach().cpu().clone()
        for name, tensor in module.state_dict().items()
    }
    buffer = io.BytesIO()
    torch.save(
        {"weights": weights, "history": json.dumps(list(history), default=_plain)},
        buffer,
    )
    return buffer.getvalue()


def load_state(data) -> MemberState:
    """The weights and history of :func:`dump_state`; a ValueError if it is not that.

    Read with ``weights_only=True``: tensors and plain containers only.
    """
    try:
        state = torch.load(
            io.BytesIO(bytes(data)), map_location="cpu", weights_only=True
        )
    except Exception as error:
        raise ValueError(
            f"its weights cannot be read safely ({type(error).__name__})"
        ) from None
    if (
        not isinstance(state, dict)
        or set(state) != {"weights", "history"}
        or not isinstance(state["weights"], dict)
        or not all(
            isinstance(name, str) and isinstance(tensor, torch.Tensor)
            for name, tensor in state["weights"].items()
        )
        or not isinstance(state["history"], str)
    ):
        raise ValueError("its weights are not a member's state")
    history = json.loads(state["history"])
    if not isinstance(history, list):
        raise ValueError("its history is not a list")
    return MemberState(state["weights"], history)
