"""The grouped-convolution engine: N of the paper's networks as one.

The members' channels sit side by side (member n owns channels
n*C..(n+1)*C-1), so convolutions run with ``groups=N`` and dense layers as
one batched product, on 4-D activations that can be channels-last, which
``torch.func.vmap`` (the other engine, :mod:`.vmapped`) cannot run under.
The paper's networks are plain sequences of convolutions, padding,
activations, pooling, dropout, flattening and dense layers, which is what
this engine runs.
"""

from __future__ import annotations

import torch
from torch import nn

from ..modules import is_paper_network
from .dropout import keep_mask

__all__ = ["GroupedConvNet"]


class GroupedConvNet:
    """N members of one of the paper's networks as grouped convolutions.

    Parameters
    ----------
    template : torch module
        One member's network (its layers; the weights come with each call).
    n_members : int
    keys : tensor of int64 of shape (n_members, 2)
        Each member's dropout seed and training step (the trainer moves the
        step on).
    channels_last : bool, default=True
        Run on channels-last activations.

    Examples
    --------
    >>> import torch
    >>> from torch.func import stack_module_state
    >>> from sklearn_difficulty.nets import MNISTNet
    >>> from sklearn_difficulty.nets.vectorised.grouped_conv import GroupedConvNet
    >>> _ = torch.manual_seed(0)
    >>> members = [MNISTNet((1, 8, 8), 3).eval() for _ in range(2)]
    >>> params, buffers = stack_module_state(members)
    >>> net = GroupedConvNet(members[0], 2, torch.zeros(2, 2, dtype=torch.int64))
    >>> net.train(False)
    >>> x = torch.rand(5, 1, 8, 8)
    >>> logits = net.shared(params, buffers, x)  # (members, batch, classes)
    >>> logits.shape, torch.allclose(logits[1], members[1](x), atol=1e-6)
    (torch.Size([2, 5, 3]), True)
    """

    def __init__(
        self, template: nn.Module, n_members: int, keys, *, channels_last=True
    ):
        if not is_paper_network(template):
            raise ValueError(
                "channels_last=True runs the paper's networks (st_vgg, small_st_vgg, "
                f"mnist) as grouped convolutions; got {type(template).__name__}."
            )
        self.layers = [
            (f"{part}.{name}", layer)
            for part in ("features", "classifier")
            for name, layer in template.get_submodule(part).named_children()
        ]
        self.n_members = n_members
        self.keys = keys
        self.channels_last = channels_last
        self.training = True
        self.dropout_layers = {  # numbered as the vmap engine numbers them
            name: i
            for i, name in enumerate(
                name for name, layer in self.layers if isinstance(layer, nn.Dropout)
            )
        }

    def train(self, mode: bool = True) -> None:
        """Training mode (dropout on) or not, as ``nn.Module.train``."""
        self.training = mode

    def batched(self, params, buffers, x):
        """Each member its own batch: ``x`` of shape (N, B, C, H, W)."""
        members, batch = x.shape[:2]
        return self._run(params, x.transpose(0, 1).reshape(batch, -1, *x.shape[3:]))

    def shared(self, params, buffers, x):
        """One batch for all members: ``x`` of shape (B, C, H, W)."""
        return self._run(params, x.repeat(1, self.n_members, 1, 1))

    def _dropout(self, x, p: float, layer: int):
        """Each member's own keyed mask, as the member's own layout numbers it."""
        n = self.n_members
        if x.dim() == 4:  # (batch, members * channels, height, width)
            member_shape = (x.shape[0], x.shape[1] // n, *x.shape[2:])
        else:  # (batch, members, features)
            member_shape = (x.shape[0], x.shape[2])
        keep = keep_mask(self.keys, layer, member_shape, p, x.device)
        keep = keep.transpose(0, 1).reshape(x.shape)  # members beside each other
        return x * keep / (1 - p)

    def _run(self, params, x):
        n = self.n_members
        if self.channels_last:
            x = x.contiguous(memory_format=torch.channels_last)
        for name, layer in self.layers:
            weight, bias = params.get(f"{name}.weight"), params.get(f"{name}.bias")
            if isinstance(layer, nn.Conv2d):
                x = nn.functional.conv2d(
                    x,
                    weight.flatten(0, 1),
                    None if bias is None else bias.flatten(),
                    stride=layer.stride,
                    padding=layer.padding,
                    dilation=layer.dilation,
                    groups=n,
                )
            elif isinstance(layer, nn.Flatten):
                x = x.reshape(x.shape[0], n, -1)
            elif isinstance(layer, nn.Linear):
                x = torch.einsum("bni,noi->bno", x, weight)
                if bias is not None:
                    x = x + bias
            elif isinstance(layer, nn.Dropout):
                if self.training:
                    x = self._dropout(x, layer.p, self.dropout_layers[name])
            else:  # padding, activations and pooling work channel by channel
                x = layer(x)
        return x.transpose(0, 1)  # (members, batch, classes)
