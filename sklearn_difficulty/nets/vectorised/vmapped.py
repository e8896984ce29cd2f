"""The vmap engine: any module, N members at once over their stacked state.

``torch.func.vmap`` over ``functional_call`` runs one copy of the module
(on the meta device: it holds no weights) with each member's parameters and
buffers, taken from the members' stacked state (``torch.func.
stack_module_state``). Its ``nn.Dropout`` layers become keyed ones
(:mod:`.dropout`), each member reading its own key; any other draw from a
shared generator is an error (``randomness="error"``).
"""

from __future__ import annotations

import copy

from torch import nn
from torch.func import functional_call, vmap

from .dropout import keyed_dropouts

__all__ = ["VmappedNet"]


class VmappedNet:
    """N members of any module as one batched model, through ``torch.func.vmap``.

    Parameters
    ----------
    template : torch module
        One member's network (its structure; the weights come with each
        call). It is copied, not changed.
    keys : tensor of int64 of shape (n_members, 2)
        Each member's dropout seed and training step (the trainer moves the
        step on), given to the keyed dropout layers as a buffer.

    Examples
    --------
    >>> import torch
    >>> from torch.func import stack_module_state
    >>> from sklearn_difficulty.nets.vectorised.vmapped import VmappedNet
    >>> _ = torch.manual_seed(0)
    >>> members = [torch.nn.Linear(4, 3) for _ in range(2)]
    >>> params, buffers = stack_module_state(members)
    >>> net = VmappedNet(members[0], torch.zeros(2, 2, dtype=torch.int64))
    >>> x = torch.rand(5, 4)
    >>> logits = net.shared(params, buffers, x)  # (members, batch, classes)
    >>> logits.shape, torch.allclose(logits[1], members[1](x))
    (torch.Size([2, 5, 3]), True)
    """

    def __init__(self, template: nn.Module, keys):
        module = copy.deepcopy(template)
        self.keys = {f"{name}.key": keys for name in keyed_dropouts(module)}
        self.module = module.to("meta")
        self._batched = vmap(self._forward, in_dims=(0, 0, 0), randomness="error")
        self._shared = vmap(self._forward, in_dims=(0, 0, None), randomness="error")

    def _forward(self, params, buffers, x):
        return functional_call(self.module, (params, buffers), (x,))

    def train(self, mode: bool = True) -> None:
        """Training mode (dropout on) or not, as ``nn.Module.train``."""
        self.module.train(mode)

    def batched(self, params, buffers, x):
        """Each member its own batch: ``x`` of shape (N, B, C, H, W)."""
        return self._batched(params, {**buffers, **self.keys}, x)

    def shared(self, params, buffers, x):
        """One batch for all members: ``x`` of shape (B, C, H, W)."""
        return self._shared(params, {**buffers, **self.keys}, x)
