"""scikit-learn's multi-layer perceptron in torch, and N of them run as one.

:class:`PerceptronNet` is one member's network, initialised as
``MLPClassifier`` initialises its own; :class:`ScikitLearnOptimizer` is Adam
and SGD as scikit-learn writes them; :class:`BatchedPerceptrons` is the
engine that runs a group of them forward from their stacked state, one
batched matrix product per layer (``torch.baddbmm``): what ``vmap`` would
run, without its per-call overhead, which dominates on networks this small.
"""

from __future__ import annotations

import math

import torch
from torch import nn

__all__ = ["ACTIVATIONS", "BatchedPerceptrons", "PerceptronNet", "ScikitLearnOptimizer"]

ACTIVATIONS = {
    "identity": nn.Identity,
    "logistic": nn.Sigmoid,
    "tanh": nn.Tanh,
    "relu": nn.ReLU,
}


class PerceptronNet(nn.Module):
    """A multi-layer perceptron initialised as scikit-learn's ``MLPClassifier``.

    Dense layers of ``hidden_layer_sizes`` units with ``activation``, then
    one output per class (softmax; scikit-learn gives a binary problem a
    single logistic unit instead). Every weight and bias is drawn uniformly
    from ``[-b, b]``, ``b = sqrt(f / (fan_in + fan_out))``, f = 2 for the
    logistic activation and 6 otherwise (Glorot & Bengio), from torch's
    global generator.

    Parameters
    ----------
    input_shape : tuple of int
        The shape of one example: its features (flattened if it has more axes).
    n_classes : int
    hidden_layer_sizes : tuple of int, default=(100,)
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets.vectorised.mlp import PerceptronNet
    >>> _ = torch.manual_seed(0)
    >>> net = PerceptronNet((4,), 3, hidden_layer_sizes=(5,))
    >>> net(torch.zeros(2, 4)).shape
    torch.Size([2, 3])
    """

    adapts_to_data = True

    def __init__(
        self, input_shape, n_classes, *, hidden_layer_sizes=(100,), activation="relu"
    ):
        super().__init__()
        sizes = [math.prod(int(size) for size in input_shape)]
        sizes += [int(size) for size in hidden_layer_sizes] + [int(n_classes)]
        factor = 2.0 if activation == "logistic" else 6.0
        layers: list[nn.Module] = [nn.Flatten()]
        for index, (fan_in, fan_out) in enumerate(zip(sizes, sizes[1:], strict=False)):
            linear = nn.Linear(fan_in, fan_out)
            bound = math.sqrt(factor / (fan_in + fan_out))
            with torch.no_grad():
                linear.weight.uniform_(-bound, bound)
                linear.bias.uniform_(-bound, bound)
            layers.append(linear)
            if index < len(sizes) - 2:
                layers.append(ACTIVATIONS[activation]())
        self.layers = nn.Sequential(*layers)

    def forward(self, x):
        return self.layers(x)


class BatchedPerceptrons:
    """N members of a :class:`PerceptronNet` as one model, from their stacked state.

    The same interface as the vmap engine
    (:class:`~sklearn_difficulty.nets.vectorised.vmapped.VmappedNet`); the
    parameters are those of ``torch.func.stack_module_state``, members
    first. A perceptron has no dropout and nothing that differs between
    training and evaluation.

    Parameters
    ----------
    template : PerceptronNet
        One member's network: its layers, in order.

    Examples
    --------
    >>> import torch
    >>> from torch.func import stack_module_state
    >>> from sklearn_difficulty.nets.vectorised.perceptron import (
    ...     BatchedPerceptrons, PerceptronNet)
    >>> _ = torch.manual_seed(0)
    >>> members = [PerceptronNet((4,), 3, hidden_layer_sizes=(5,)) for _ in range(2)]
    >>> params, buffers = stack_module_state(members)
    >>> x = torch.rand(2, 6, 4)  # each member its own batch of 6
    >>> logits = BatchedPerceptrons(members[0]).batched(params, buffers, x)
    >>> logits.shape, torch.allclose(logits[1], members[1](x[1]), atol=1e-6)
    (torch.Size([2, 6, 3]), True)
    """

    def __init__(self, template: PerceptronNet):
        self.layers = [
            (f"layers.{index}", layer)
            for index, layer in enumerate(template.layers)
            if not isinstance(layer, nn.Flatten)
        ]

    def train(self, mode: bool = True) -> None:
        """Nothing to switch: the same in training and evaluation."""

    def batched(self, params, buffers, x):
        """Each member its own batch: ``x`` of shape (N, B, ...) -> (N, B, K)."""
        hidden = x.flatten(2)
        for name, layer in self.layers:
            if isinstance(layer, nn.Linear):
                weight = params[f"{name}.weight"].transpose(1, 2)
                bias = params[f"{name}.bias"].unsqueeze(1)
                hidden = torch.baddbmm(bias, hidden, weight)
            else:
                hidden = layer(hidden)
        return hidden

    @torch.no_grad()
    def loss_and_gradients(self, params, x, targets):
        """Each member's mean cross-entropy on its batch; its gradients set.

        Backpropagation written out (what autograd would compute, without
        building its graph, whose cost dominates at this size): ``x`` of
        shape (N, B, ...), ``targets`` (N, B) class indices; each
        parameter's ``grad`` becomes the gradient of its member's mean loss.
        """
        hidden = [x.flatten(2)]
        for name, layer in self.layers:
            if isinstance(layer, nn.Linear):
                weight = params[f"{name}.weight"].transpose(1, 2)
                bias = params[f"{name}.bias"].unsqueeze(1)
                hidden.append(torch.baddbmm(bias, hidden[-1], weight))
            else:
                hidden.append(layer(hidden[-1]))
        log_proba = torch.log_softmax(hidden[-1], dim=2)
        picked = log_proba.gather(2, targets.unsqueeze(2)).squeeze(2)
        loss = -picked.mean(dim=1)
        delta = log_proba.exp_()
        delta.scatter_add_(
            2, targets.unsqueeze(2), torch.full_like(picked, -1.0).unsqueeze(2)
        )
        delta /= targets.shape[1]
        for index in range(len(self.layers) - 1, -1, -1):
            name, layer = self.layers[index]
            below = hidden[index]
            if isinstance(layer, nn.Linear):
                params[f"{name}.weight"].grad = torch.bmm(delta.transpose(1, 2), below)
                params[f"{name}.bias"].grad = delta.sum(dim=1)
                if index:
                    delta = torch.bmm(delta, params[f"{name}.weight"])
            else:
                delta = delta * _derivative(layer, below, hidden[index + 1])
        return loss

    def shared(self, params, buffers, x):
        """One batch for all members: ``x`` of shape (B, ...) -> (N, B, K)."""
        n_members = next(iter(params.values())).shape[0]
        rows = x.flatten(1)
        return self.batched(params, buffers, rows.expand(n_members, *rows.shape))


def _derivative(layer, inputs, outputs):
    """The activation's derivative at its inputs, from its outputs where it can."""
    if isinstance(layer, nn.ReLU):
        return (inputs > 0).to(outputs.dtype)
    if isinstance(layer, nn.Tanh):
        return 1 - outputs * outputs
    if isinstance(layer, nn.Sigmoid):
        return outputs * (1 - outputs)
    return torch.ones_like(outputs)  # identity


class ScikitLearnOptimizer:
    """Adam or SGD as scikit-learn's ``MLPClassifier`` writes them, element-wise.

    - "adam": ``p -= lr_t * m / (sqrt(v) + eps)`` with ``lr_t = lr * sqrt(1 -
      beta_2^t) / (1 - beta_1^t)``: scikit-learn adds ``eps`` to the
      uncorrected root of the second moment, where torch's ``Adam`` adds it
      to the corrected one (an ``eps`` up to 30 times smaller in the first
      steps);
    - "sgd": ``u = momentum * u - lr * g``, then ``p += momentum * u - lr *
      g`` with Nesterov's momentum, else ``p += u``.

    ``weight_decay`` adds ``weight_decay * p`` to the gradient (an L2
    penalty's gradient), per group of parameters. A plain object rather
    than a ``torch.optim.Optimizer``, whose first construction in a process
    imports torch's compiler (over a second, more than training the default
    scorer's members).

    Parameters
    ----------
    groups : list of dict
        Each with "params" (tensors) and "weight_decay".
    solver : {"adam", "sgd"}
    lr : float
    betas : tuple of float, default=(0.9, 0.999)
    eps : float, default=1e-8
    momentum : float, default=0.9
    nesterov : bool, default=True

    Examples
    --------
    >>> import torch
    >>> from sklearn_difficulty.nets.vectorised.perceptron import ScikitLearnOptimizer
    >>> weight = torch.tensor([1.0], requires_grad=True)
    >>> optimizer = ScikitLearnOptimizer(
    ...     [{"params": [weight], "weight_decay": 0.0}], solver="adam", lr=0.1)
    >>> weight.grad = torch.tensor([2.0])
    >>> optimizer.step()
    >>> round(weight.item(), 4)  # the first step moves it by about lr
    0.9
    """

    def __init__(
        self, groups, *, solver, lr, betas=(0.9, 0.999), eps=1e-8, momentum=0.9,
        nesterov=True,
    ):  # fmt: skip
        if solver not in ("adam", "sgd"):
            raise ValueError(f"solver must be 'adam' or 'sgd'; got {solver!r}.")
        self.groups = [(list(g["params"]), float(g["weight_decay"])) for g in groups]
        self.solver, self.lr, self.betas, self.eps = solver, lr, betas, eps
        self.momentum, self.nesterov = momentum, nesterov
        self.t = 0
        self.first = {id(p): torch.zeros_like(p) for p in self._params()}
        self.second = {id(p): torch.zeros_like(p) for p in self._params()}

    def _params(self):
        return [p for params, _ in self.groups for p in params]

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients."""
        for p in self._params():
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        """One update of every parameter that has a gradient (torch's foreach ops)."""
        self.t += 1
        beta_1, beta_2 = self.betas
        rate = self.lr * math.sqrt(1 - beta_2**self.t) / (1 - beta_1**self.t)
        for params, decay in self.groups:
            params = [p for p in params if p.grad is not None]
            if not params:
                continue
            grads = [p.grad for p in params]
            if decay:
                grads = list(torch._foreach_add(grads, params, alpha=decay))
            first = [self.first[id(p)] for p in params]
            if self.solver == "sgd":
                torch._foreach_mul_(first, self.momentum)
                torch._foreach_add_(first, grads, alpha=-self.lr)
                if self.nesterov:
                    torch._foreach_add_(params, first, alpha=self.momentum)
                    torch._foreach_add_(params, grads, alpha=-self.lr)
                else:
                    torch._foreach_add_(params, first)
                continue
            second = [self.second[id(p)] for p in params]
            torch._foreach_mul_(first, beta_1)
            torch._foreach_add_(first, grads, alpha=1 - beta_1)
            torch._foreach_mul_(second, beta_2)
            torch._foreach_addcmul_(second, grads, grads, value=1 - beta_2)
            denominator = torch._foreach_sqrt(second)
            torch._foreach_add_(denominator, self.eps)
            torch._foreach_addcdiv_(params, first, denominator, value=-rate)
