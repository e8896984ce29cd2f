"""CurriculumSampler: a torch sampler drawing each batch from the easiest pool."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from numbers import Integral

import numpy as np
import torch
from sklearn.utils import check_random_state
from torch.utils.data import Sampler

from ._pacing import resolve_pacing

__all__ = ["CurriculumSampler"]


class CurriculumSampler(Sampler[int]):
    """Batches drawn from the easiest examples, a pool that grows with the steps.

    At optimiser step ``s`` (from 0), the batch is ``batch_size`` indices
    drawn without replacement from ``order[:pacing(s, len(order),
    **pacing_params)]``, each batch independently of the others, as the
    authors' ``generate_random_batch`` (Hacohen & Weinshall, 2019). When
    the pool is smaller than a batch, the batch holds the whole pool, the
    rest drawn from it with replacement, so that batches keep their size.

    Two ways to use it:

    - as a torch / skorch sampler (``iterator_train__sampler=sampler``,
      ``iterator_train__shuffle=False``, the same ``batch_size`` as the
      net): one epoch (one iteration over the sampler) is
      ``ceil(len(order) / batch_size)`` steps, ``len(sampler)`` indices; the
      step counter goes on across epochs, and :meth:`reset` starts it again
      at 0. :class:`~sklearn_difficulty.nets.SkorchCNN` resets it whenever
      it is initialised (every ``fit``; ``partial_fit`` goes on), with a
      seed from its own batch-order stream when it has a ``random_state``.
      With a plain skorch net, call :meth:`reset` before each ``fit``.
    - as the ``sampler`` parameter of
      :class:`~sklearn_difficulty.nets.VectorisedCNN` and
      :class:`~sklearn_difficulty.nets.VectorisedMLP`: the trainer calls
      :meth:`batch` for each member and step, with the member's own
      batch-order generator; the sampler's own state is not used.

    Parameters
    ----------
    order : array-like of int of shape (n_samples,)
        The training examples' indices, easiest first (a permutation of
        ``range(n_samples)``, e.g. from
        :func:`~sklearn_difficulty.curriculum.curriculum_order`).
    batch_size : int
    pacing : str or callable, default="fixed_exponential"
        A name of :data:`~sklearn_difficulty.curriculum.PACING_FUNCTIONS`,
        or a function ``f(step, n_examples, **pacing_params) -> int``.
    pacing_params : dict, default=None
        The pacing function's keyword arguments (None: its defaults).
    random_state : int, RandomState instance or None, default=None
        The seed of the batches when iterated as a sampler. None: the seed
        given to :meth:`reset` (SkorchCNN gives one from its own streams),
        else one drawn from torch's global generator at the reset, i.e. at
        the start of a fit (``torch.manual_seed`` makes it reproducible).
        An int: the same batches at every fit (and for every member of an
        ensemble).

    Attributes
    ----------
    step_ : int
        The step of the next batch drawn by iteration.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.curriculum import CurriculumSampler
    >>> sampler = CurriculumSampler(np.arange(2500), batch_size=100, random_state=0)
    >>> sampler.steps_per_epoch, len(sampler), sampler.pool_size(100)
    (25, 2500, 190)
    >>> first_epoch = np.array(list(sampler)).reshape(25, 100)
    >>> int(first_epoch.max()) < 100, sampler.step_
    (True, 25)
    """

    def __init__(
        self, order, *, batch_size, pacing="fixed_exponential", pacing_params=None,
        random_state=None,
    ):  # fmt: skip
        self.order = order
        self.batch_size = batch_size
        self.pacing = pacing
        self.pacing_params = pacing_params
        self.random_state = random_state
        self._validate()
        self.step_ = 0
        self._generator: torch.Generator | None = None
        self._on_device: dict[torch.device, torch.Tensor] = {}

    def _validate(self) -> None:
        order = np.asarray(self.order)
        if order.ndim != 1 or order.size == 0 or order.dtype.kind not in "iu":
            raise ValueError(
                "order must be a non-empty 1-D array of example indices; got "
                f"shape {order.shape} and dtype {order.dtype}."
            )
        if order.min() < 0 or np.unique(order).size != order.size:
            raise ValueError("order must hold distinct non-negative indices.")
        if not isinstance(self.batch_size, Integral) or self.batch_size < 1:
            raise ValueError(
                f"batch_size must be a positive integer; got {self.batch_size!r}."
            )
        if self.pacing_params is not None and not isinstance(
            self.pacing_params, Mapping
        ):
            raise ValueError("pacing_params must be a dict or None.")
        self._order = torch.as_tensor(order.astype(np.int64))
        self._pacing = resolve_pacing(self.pacing)
        self.pool_size(0)  # the pacing's parameters, checked

    # What a step draws ------------------------------------------------------------

    @property
    def n_examples(self) -> int:
        """The number of examples in the order."""
        return int(self._order.numel())

    @property
    def steps_per_epoch(self) -> int:
        """Steps in one iteration: ``ceil(len(order) / batch_size)``."""
        return -(-self.n_examples // int(self.batch_size))

    def pool_size(self, step: int) -> int:
        """How many of the easiest examples step ``step`` may draw from."""
        size = self._pacing(int(step), self.n_examples, **(self.pacing_params or {}))
        if not isinstance(size, Integral) or not 1 <= size <= self.n_examples:
            raise ValueError(
                f"the pacing function gave {size!r} at step {step}; it must give "
                f"an integer in [1, {self.n_examples}]."
            )
        return int(size)

    def check_n_samples(self, n_samples: int) -> None:
        """A clear error unless the order is a permutation of ``range(n_samples)``."""
        if self.n_examples != n_samples or int(self._order.max()) >= n_samples:
            raise ValueError(
                f"the curriculum order holds {self.n_examples} indices up to "
                f"{int(self._order.max())}, but the training set has {n_samples} "
                "examples: the order must be a permutation of its indices."
            )

    def batch(self, step: int, generator: torch.Generator) -> torch.Tensor:
        """The indices of step ``step``'s batch, drawn with ``generator``.

        Returns a tensor of int64 of shape (batch_size,), on the generator's
        device.
        """
        device = generator.device
        if device not in self._on_device:
            self._on_device[device] = self._order.to(device)
        pool = self._on_device[device][: self.pool_size(step)]
        size, n = int(self.batch_size), pool.numel()
        if n >= size:
            drawn = torch.randperm(n, generator=generator, device=device)[:size]
            return pool[drawn]
        whole = pool[torch.randperm(n, generator=generator, device=device)]
        extra = torch.randint(n, (size - n,), generator=generator, device=device)
        return torch.cat([whole, pool[extra]])

    # As a torch sampler --------------------------------------------------------------

    def reset(self, seed: int | None = None) -> CurriculumSampler:
        """Start again at step 0 with a new generator (see ``random_state``)."""
        if self.random_state is not None:
            if isinstance(self.random_state, Integral):
                seed = int(self.random_state)
            else:
                seed = int(check_random_state(self.random_state).randint(2**31 - 1))
        elif seed is None:
            seed = int(torch.randint(2**62, (1,)).item())
        self._generator = torch.Generator().manual_seed(int(seed))
        self.step_ = 0
        return self

    def __iter__(self) -> Iterator[int]:
        if self._generator is None:
            self.reset()
        assert self._generator is not None
        for _ in range(self.steps_per_epoch):
            indices = self.batch(self.step_, self._generator)
            self.step_ += 1
            yield from indices.tolist()

    def __len__(self) -> int:
        return self.steps_per_epoch * int(self.batch_size)

    # Copies and pickles hold the settings only: a copy starts a new fit.

    def __getstate__(self):
        state = dict(vars(self))
        state.update(step_=0, _generator=None, _on_device={})
        return state

    def __repr__(self) -> str:
        pacing = getattr(self.pacing, "__name__", self.pacing)
        return (
            f"CurriculumSampler(<order of {self.n_examples}>, batch_size="
            f"{self.batch_size}, pacing={pacing!r}, pacing_params="
            f"{self.pacing_params!r}, random_state={self.random_state!r})"
        )
