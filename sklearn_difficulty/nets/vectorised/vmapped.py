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
