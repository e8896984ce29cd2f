"""Seeds, subsets and the random streams that belong to each member.

Every random choice made for a member derives from the member's own seed
alone, through one named stream per purpose, so a member trains the same
whether it is fitted alone, in any group of members, with any ``n_jobs`` or
joblib backend:

==========  =================================================================
stream      what it seeds
==========  =================================================================
estimator   every ``random_state`` parameter of the member's estimator
subset      the training examples drawn for the member (``max_samples``)
order       the order of its training examples or mini-batches, every epoch
init        its initial weights (networks)
dropout     its dropout masks (networks), through :func:`keyed_uniform`
==========  =================================================================

Streams are derived with :class:`numpy.random.SeedSequence` (the member's
seed as entropy, the stream's index as spawn key), so they are independent
of each other and of the order in which they are used.
"""

from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral

import numpy as np
from sklearn.utils.random import sample_without_replacement

__all__ = [
    "MAX_SEED",
    "STREAMS",
    "MemberStreams",
    "draw_member_seeds",
    "draw_training_indices",
    "keyed_uniform",
    "n_drawn",
    "seed_estimator",
]

MAX_SEED = np.iinfo(np.int32).max

STREAMS = ("estimator", "subset", "order", "init", "dropout")


def draw_member_seeds(random_state: np.random.RandomState, n_members: int):
    """One seed per member, drawn once; member k's seed does not depend on N."""
    return random_state.randint(MAX_SEED, size=n_members)


@dataclass(frozen=True)
class MemberStreams:
    """The seeds of one member's random streams, derived from its seed alone.

    Examples
    --------
    >>> from sklearn_difficulty._random import MemberStreams
    >>> a, b = MemberStreams.from_seed(7), MemberStreams.from_seed(7)
    >>> a == b, a.init != a.dropout, a.init != MemberStreams.from_seed(8).init
    (True, True, True)
    """

    seed: int
    estimator: int
    subset: int
    order: int
    init: int
    dropout: int

    @classmethod
    def from_seed(cls, seed) -> MemberStreams:
        seed = int(seed)
        derived = {
            name: int(
                np.random.SeedSequence(seed, spawn_key=(index,)).generate_state(1)[0]
                % MAX_SEED
            )
            for index, name in enumerate(STREAMS)
        }
        return cls(seed=seed, **derived)

    def random_state(self, stream: str) -> np.random.RandomState:
        """A numpy generator for one of the streams."""
        return np.random.RandomState(getattr(self, stream))


def seed_estimator(estimator, random_state: np.random.RandomState) -> None:
    """Give every ``random_state`` parameter of ``estimator`` its own seed.

    Nested parameters (``estimator__random_state`` of a boosting model, the
    steps of a pipeline) are seeded too, in a fixed order, so the same
    ``random_state`` gives the same member.
    """
    seeds = {
        key: random_state.randint(MAX_SEED)
        for key in sorted(estimator.get_params(deep=True))
        if key == "random_state" or key.endswith("__random_state")
    }
    if seeds:
        estimator.set_params(**seeds)


def n_drawn(max_samples, bootstrap: bool, n_samples: int) -> int | None:
    """Training examples drawn for each member; None when each gets them all.

    ``max_samples`` is an int (that many), a float in (0, 1] (that fraction
    of ``n_samples``) or None (all of them, or as many drawn with replacement
    with ``bootstrap``).

    Examples
    --------
    >>> from sklearn_difficulty._random import n_drawn
    >>> n_drawn(None, False, 10), n_drawn(0.5, False, 10), n_drawn(None, True, 10)
    (None, 5, 10)
    """
    if max_samples is None:
        n_draw = n_samples
    elif isinstance(max_samples, Integral):
        if int(max_samples) > n_samples and not bootstrap:
            raise ValueError(
                f"max_samples={max_samples} is larger than the "
                f"{n_samples} training examples; lower it, or set "
                "bootstrap=True to draw with replacement."
            )
        n_draw = int(max_samples)
    else:
        n_draw = max(1, int(round(max_samples * n_samples)))
    if n_draw == n_samples and not bootstrap:
        return None
    return n_draw


def draw_training_indices(
    random_state: np.random.RandomState,
    n_samples: int,
    n_draw: int | None,
    bootstrap: bool,
) -> np.ndarray | None:
    """Indices of the training examples of one member; None for all of them."""
    if bootstrap:
        return random_state.randint(0, n_samples, n_draw or n_samples)
    if n_draw is None or n_draw == n_samples:
        return None
    return np.sort(
        sample_without_replacement(n_samples, n_draw, random_state=random_state)
    )


# Counter-based random numbers -------------------------------------------------

_MASK32 = 0xFFFFFFFF


def _mul32(x, constant: int):
    """``x * constant`` modulo 2**32 for 32-bit ``x``, exact in int64 arithmetic."""
    low, high = constant & 0xFFFF, constant >> 16
    return (x * low + (((x * high) & 0xFFFF) << 16)) & _MASK32


def _mix32(x):
    """A 32-bit integer hash (Wellons' lowbias32), as int64 operations."""
    x = x ^ (x >> 16)
    x = _mul32(x, 0x7FEB352D)
    x = x ^ (x >> 15)
    x = _mul32(x, 0x846CA68B)
    return x ^ (x >> 16)


def keyed_uniform(key, counter, index):
    """Uniform numbers in [0, 1) that are a pure function of their coordinates.

    A counter-based generator: the number at ``(key, counter, index)`` hashes
    the three integers, so it does not depend on which other numbers are
    drawn, nor in which order, nor on which device. ``key`` is a member's
    stream seed, ``counter`` says which draw (a training step and a layer),
    ``index`` which element (below 2**32). The arguments broadcast against
    each other and may be numpy arrays or torch tensors of int64 (any mix of
    the same library); the result has 24 random bits, as float64 for numpy
    arrays and float32 for tensors. ``key`` and ``counter`` are hashed
    first, so a draw of many elements costs one hash round per element.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty._random import keyed_uniform
    >>> u = keyed_uniform(np.int64(5), np.int64(0), np.arange(100_000))
    >>> bool(0.49 < u.mean() < 0.51), bool(u.min() >= 0), bool(u.max() < 1)
    (True, True, True)
    >>> bool((keyed_uniform(np.int64(5), np.int64(0), np.arange(3))
    ...       == u[:3]).all())
    True
    """
    base = _mix32((key & _MASK32) ^ 0x9E3779B9)
    base = _mix32(base ^ (counter & _MASK32))
    base = _mix32(base ^ ((counter >> 32) & _MASK32))
    bits = _mix32(base ^ (index & _MASK32)) >> 8
    if hasattr(bits, "to"):  # a torch tensor
        import torch

        return bits.to(torch.float32) * (1.0 / (1 << 24))
    return bits * (1.0 / (1 << 24))
