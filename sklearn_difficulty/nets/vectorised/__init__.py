"""Train N networks as one: a vectorised ensemble trainer.

Each training step of one small network is far too small to keep a GPU (or
even a CPU) busy. :class:`VectorisedCNN` stacks the parameters of N members
(``torch.func.stack_module_state``) and runs them as one batched model
(``torch.func.vmap`` over ``functional_call``), so each step does the work of
N members in one set of kernels, with no Python work per member per step.

Every random stream of a member derives from its own seed alone (see
:mod:`sklearn_difficulty._random`): its initial weights (built on the CPU
from its "init" stream, with torch's generator forked), its mini-batch
order (a generator of its own, from its "order" stream) and its dropout
masks, which are counter-based random numbers keyed by the member's
"dropout" stream, the training step and the layer
(:func:`~sklearn_difficulty._random.keyed_uniform`), not draws from a
generator shared by the group. A member therefore trains the same alone,
in any group (``member_chunk``), beside any other members, with any
``n_jobs`` or backend, up to the rounding of batched kernels. The optimiser
(SGD with momentum and weight decay, AdaDelta or Adam) works element-wise,
so each member's update is exactly its own.

The package, one step a module:

- ``images``: the images by index (an array on the device, or a Dataset
  streamed through DataLoaders);
- ``dropout``: the keyed dropout masks;
- ``vmapped`` and ``grouped_conv``: the two engines that run a group forward
  (vmap over the stacked state, for any module; grouped convolutions on
  channels-last activations, for the paper's networks);
- ``trainer``: the training settings, group sizes, and :class:`GroupTrainer`,
  one method per step;
- ``estimator``: :class:`VectorisedCNN` (and what it shares with the MLP);
  ``mlp``: :class:`VectorisedMLP`, scikit-learn's multi-layer perceptron N
  at a time; ``recorder``: the "vectorised" recorder, which reaches either
  through its public methods.
"""

from .estimator import VectorisedCNN
from .mlp import VectorisedMLP
from .recorder import VectorisedRecorder

__all__ = ["VectorisedCNN", "VectorisedMLP", "VectorisedRecorder"]
