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
    shapes : dict
        What the net learnt from its data before building its module
        (:data:`DATA_ATTRIBUTES`: a :class:`SkorchCNN`'s input shape and
        number of classes), those it has.
    """

    weights: dict
    history: list
    shapes: dict


DATA_ATTRIBUTES = ("input_shape_", "n_classes_")
"""A net's attributes, set by ``fit`` from the data, that its module is built from."""


def _plain(value):
    """numpy scalars as Python numbers, for JSON; anything else is refused."""
    if isinstance(value, np.generic):
        return value.item()
    raise TypeError(f"a {type(value).__name__} in the history cannot be saved")


def dump_state(module: torch.nn.Module, history, net=None) -> bytes:
    """A member's weights and history, as :func:`load_state` reads them.

    With ``net``, its :data:`DATA_ATTRIBUTES` are kept too.
    """
    shapes = {
        name: _plain_shape(getattr(net, name))
        for name in DATA_ATTRIBUTES
        if net is not None and hasattr(net, name)
    }
    weights = {
        name: tensor.detach().cpu().clone()
        for name, tensor in module.state_dict().items()
    }
    buffer = io.BytesIO()
    torch.save(
        {
            "weights": weights,
            "history": json.dumps(list(history), default=_plain),
            "shapes": json.dumps(shapes),
        },
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
        or set(state) != {"weights", "history", "shapes"}
        or not isinstance(state["weights"], dict)
        or not all(
            isinstance(name, str) and isinstance(tensor, torch.Tensor)
            for name, tensor in state["weights"].items()
        )
        or not isinstance(state["history"], str)
        or not isinstance(state["shapes"], str)
    ):
        raise ValueError("its weights are not a member's state")
    history = json.loads(state["history"])
    if not isinstance(history, list):
        raise ValueError("its history is not a list")
    return MemberState(state["weights"], history, _checked_shapes(state["shapes"]))


def _plain_shape(value):
    """An int, or a shape as a list of ints (JSON)."""
    return int(value) if np.ndim(value) == 0 else [int(v) for v in value]


def _checked_shapes(text: str) -> dict:
    """The data attributes of :func:`dump_state`: known names, ints or int lists."""
    shapes = json.loads(text)
    if not isinstance(shapes, dict) or not set(shapes) <= set(DATA_ATTRIBUTES):
        raise ValueError("its data shapes are not a member's")
    for name, value in shapes.items():
        values = value if isinstance(value, list) else [value]
        if not all(type(v) is int and v > 0 for v in values):
            raise ValueError(f"its {name} is not a positive int or shape")
    return {
        name: tuple(value) if isinstance(value, list) else value
        for name, value in shapes.items()
    }
