"""Dropout masks keyed by the member, the training step and the layer.

A member's dropout masks are counter-based random numbers
(:func:`~sklearn_difficulty._random.keyed_uniform`) of its own "dropout"
stream, the training step and the layer, not draws from a generator the
group shares: element i of a member's mask depends on those and i alone,
whichever members train beside it.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from ..._random import keyed_uniform
from .._torch import replace_submodule

__all__ = ["LAYERS_PER_STEP", "KeyedDropout", "keep_mask", "keyed_dropouts"]

LAYERS_PER_STEP = 64
"""Dropout layers a network may have: a draw's counter is step * 64 + layer."""


def keep_mask(keys, layer: int, member_shape, p: float, device) -> torch.Tensor:
    """Dropout keep-masks of shape ``(members, *member_shape)``, one per member key.

    ``keys`` holds each member's dropout seed and training step; element i
    of a member's mask depends on those, the layer and i alone.

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets.vectorised.dropout import keep_mask
    >>> keys = torch.tensor([[7, 0], [7, 0], [8, 0]])  # (dropout seed, step)
    >>> keep_mask(keys, 0, (6,), 0.5, "cpu")  # the same key, the same mask
    tensor([[False, False,  True,  True,  True, False],
            [False, False,  True,  True,  True, False],
            [ True, False, False,  True,  True,  True]])
    """
    index = torch.arange(int(np.prod(member_shape)), device=device).view(member_shape)
    extra = (1,) * len(member_shape)
    seed = keys[:, 0].view(-1, *extra)
    counter = keys[:, 1].view(-1, *extra) * LAYERS_PER_STEP + layer
    return keyed_uniform(seed, counter, index) >= p


class KeyedDropout(nn.Module):
    """Dropout whose mask is keyed by the member, the step and the layer.

    Under ``vmap`` each member sees its own ``key`` buffer (dropout seed,
    step), passed in with the stacked buffers.

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets.vectorised.dropout import KeyedDropout
    >>> layer = KeyedDropout(0.5, layer=0)
    >>> layer.key[:] = torch.tensor([7, 0])  # dropout seed 7, step 0
    >>> layer(torch.ones(8))
    tensor([0., 0., 2., 2., 2., 0., 2., 0.])
    >>> layer.key[1] = 1  # the next step draws a new mask
    >>> layer(torch.ones(8))
    tensor([0., 0., 0., 0., 2., 2., 2., 2.])
    >>> layer.eval()(torch.ones(8))
    tensor([1., 1., 1., 1., 1., 1., 1., 1.])
    """

    def __init__(self, p: float, layer: int):
        super().__init__()
        self.p = p
        self.layer = layer
        self.register_buffer("key", torch.zeros(2, dtype=torch.int64))

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        counter = self.key[1] * LAYERS_PER_STEP + self.layer
        index = torch.arange(x.numel(), device=x.device).view(x.shape)
        keep = keyed_uniform(self.key[0], counter, index) >= self.p
        return x * keep / (1 - self.p)


def keyed_dropouts(module: nn.Module) -> list[str]:
    """Replace every nn.Dropout of ``module`` by a keyed one; their names.

    Other dropout layers (``nn.Dropout2d``, ...) are refused: they would
    draw from a generator the members share.

    Examples
    --------
    >>> from torch import nn
    >>> from sklearn_difficulty.nets.vectorised.dropout import keyed_dropouts
    >>> module = nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5), nn.Dropout(0.25))
    >>> keyed_dropouts(module)
    ['1', '2']
    >>> type(module[2]).__name__, module[2].p, module[2].layer
    ('KeyedDropout', 0.25, 1)
    """
    names: list[str] = []
    for name, layer in list(module.named_modules()):
        if isinstance(layer, nn.modules.dropout._DropoutNd) and not isinstance(
            layer, nn.Dropout
        ):
            raise ValueError(
                f"VectorisedCNN draws each member's own dropout masks for "
                f"nn.Dropout layers only; {name!r} is a {type(layer).__name__}. "
                "Use nn.Dropout, or train the network with SkorchCNN."
            )
        if isinstance(layer, nn.Dropout):
            replace_submodule(module, name, KeyedDropout(layer.p, len(names)))
            names.append(name)
    if len(names) > LAYERS_PER_STEP:
        raise ValueError(
            f"VectorisedCNN keys at most {LAYERS_PER_STEP} dropout layers; the "
            f"module has {len(names)}."
        )
    return names
