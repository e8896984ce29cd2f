"""Pacing functions: how many of the easiest examples a curriculum may draw from.

A pacing function ``f(step, n_examples, **params) -> int`` gives the size of
the pool (the easiest examples of a curriculum order) that the batch of
optimiser step ``step`` (counted from 0) is drawn from. Its value is always
within [1, n_examples] and never decreases with the step.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from numbers import Integral, Real

__all__ = [
    "PACING_FUNCTIONS",
    "fixed_exponential_pacing",
    "linear_pacing",
    "resolve_pacing",
    "root_pacing",
    "single_step_pacing",
    "varied_exponential_pacing",
]

# Float noise must not add an example: 2500 * 0.04 * 1.9 is 190.00000000000003.
_TOLERANCE = 1e-9


def _check_step(step, n_examples) -> tuple[int, int]:
    if not isinstance(step, Integral) or step < 0:
        raise ValueError(f"step must be a non-negative integer; got {step!r}.")
    if not isinstance(n_examples, Integral) or n_examples < 1:
        raise ValueError(f"n_examples must be a positive integer; got {n_examples!r}.")
    return int(step), int(n_examples)


def _check_fraction(name: str, value) -> float:
    if not isinstance(value, Real) or not 0 < float(value) <= 1:
        raise ValueError(f"{name} must be in (0, 1]; got {value!r}.")
    return float(value)


def _check_positive(name: str, value, integer: bool = True):
    kind = Integral if integer else Real
    if not isinstance(value, kind) or float(value) <= 0:
        what = "a positive integer" if integer else "a positive number"
        raise ValueError(f"{name} must be {what}; got {value!r}.")
    return int(value) if integer else float(value)  # type: ignore[call-overload]


def _size(fraction: float, n_examples: int) -> int:
    """ceil(n_examples * fraction), within [1, n_examples]."""
    size = math.ceil(n_examples * min(fraction, 1.0) - _TOLERANCE * n_examples)
    return max(1, min(n_examples, size))


def fixed_exponential_pacing(
    step: int,
    n_examples: int,
    *,
    starting_percent: float = 0.04,
    increase: float = 1.9,
    step_length: int = 100,
) -> int:
    """Exponential pacing at a fixed interval (Hacohen & Weinshall, 2019).

    The pool starts at ``starting_percent`` of the examples and is multiplied
    by ``increase`` every ``step_length`` steps:
    ``ceil(n_examples * min(starting_percent * increase ** (step //
    step_length), 1))``, as ``exponent_data_function_generator`` of the
    authors' code (``data_limit = ceil(size_data * percent)``). The
    defaults are their published settings (``--starting_percent 100/2500
    --increase_amount 1.9 --batch_increase 100``, batches of 100).

    Parameters
    ----------
    step : int
        The optimiser step, from 0.
    n_examples : int
        The number of examples in the order.
    starting_percent : float, default=0.04
        The fraction of the examples in the first pool, in (0, 1].
    increase : float, default=1.9
        What the fraction is multiplied by at each increase, > 1 to grow.
    step_length : int, default=100
        The steps between two increases.

    Returns
    -------
    size : int
        The number of the easiest examples the batch may be drawn from.

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import fixed_exponential_pacing
    >>> [fixed_exponential_pacing(s, 2500) for s in (0, 99, 100, 200, 300, 600)]
    [100, 100, 190, 361, 686, 2500]
    """
    step, n_examples = _check_step(step, n_examples)
    start = _check_fraction("starting_percent", starting_percent)
    increase = _check_positive("increase", increase, integer=False)
    step_length = _check_positive("step_length", step_length)
    return varied_exponential_pacing(
        step, n_examples, starting_percent=start, increase=increase,
        step_lengths=(step_length,),
    )  # fmt: skip


def varied_exponential_pacing(
    step: int,
    n_examples: int,
    *,
    starting_percent: float,
    increase: float,
    step_lengths: Sequence[int],
) -> int:
    """Exponential pacing at varied intervals (Hacohen & Weinshall, 2019).

    As :func:`fixed_exponential_pacing`, but the k-th increase comes
    ``step_lengths[k]`` steps after the previous one (the first after
    ``step_lengths[0]`` steps); the last length is repeated.

    Parameters
    ----------
    step : int
    n_examples : int
    starting_percent : float
    increase : float
    step_lengths : sequence of int
        The steps between consecutive increases, the last one repeated.

    Returns
    -------
    size : int

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import varied_exponential_pacing
    >>> [varied_exponential_pacing(s, 1000, starting_percent=0.1, increase=2,
    ...                            step_lengths=[50, 10]) for s in (49, 50, 59, 60, 70)]
    [100, 200, 200, 400, 800]
    """
    step, n_examples = _check_step(step, n_examples)
    start = _check_fraction("starting_percent", starting_percent)
    increase = _check_positive("increase", increase, integer=False)
    lengths = [_check_positive("step_lengths", s) for s in step_lengths]
    if not lengths:
        raise ValueError("step_lengths must hold at least one length.")
    n_increases, boundary = 0, 0
    for length in lengths[:-1]:
        if step < boundary + length:
            break
        boundary += length
        n_increases += 1
    else:
        n_increases += (step - boundary) // lengths[-1]
    fraction = start
    for _ in range(n_increases):  # compounded as the authors', stopped at 1
        fraction = min(fraction * increase, 1.0)
        if fraction == 1.0:
            break
    return _size(fraction, n_examples)


def single_step_pacing(
    step: int, n_examples: int, *, starting_percent: float, step_length: int
) -> int:
    """One step: ``starting_percent`` of the examples, then all from ``step_length``.

    Parameters
    ----------
    step : int
    n_examples : int
    starting_percent : float
    step_length : int
        The first step that draws from every example.

    Returns
    -------
    size : int

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import single_step_pacing
    >>> [single_step_pacing(s, 500, starting_percent=0.2, step_length=30)
    ...  for s in (0, 29, 30)]
    [100, 100, 500]
    """
    step, n_examples = _check_step(step, n_examples)
    start = _check_fraction("starting_percent", starting_percent)
    step_length = _check_positive("step_length", step_length)
    return n_examples if step >= step_length else _size(start, n_examples)


def _grown(step, n_examples, starting_percent, full_at, power: float) -> int:
    step, n_examples = _check_step(step, n_examples)
    start = _check_fraction("starting_percent", starting_percent)
    full_at = _check_positive("full_at", full_at)
    index_start = start * n_examples
    rate = (n_examples - index_start) / full_at**power
    return max(1, min(n_examples, int(rate * step**power + index_start)))


def linear_pacing(
    step: int, n_examples: int, *, starting_percent: float, full_at: int
) -> int:
    """Linear pacing (Wu, Dyer & Neyshabur, 2021).

    ``int(b * N + (N - b * N) * step / full_at)``, within [1, N], as
    ``get_pacing_function`` of google-research/understanding-curricula with
    ``b = starting_percent`` and ``full_at = a * total_steps``: the step at
    which the pool holds every example (given as a step count here, so that
    the function does not need the length of the training).

    Parameters
    ----------
    step : int
    n_examples : int
    starting_percent : float
        ``b``: the fraction of the examples in the first pool.
    full_at : int
        The first step that draws from every example.

    Returns
    -------
    size : int

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import linear_pacing
    >>> [linear_pacing(s, 1000, starting_percent=0.2, full_at=100)
    ...  for s in (0, 50, 100, 200)]
    [200, 600, 1000, 1000]
    """
    return _grown(step, n_examples, starting_percent, full_at, 1.0)


def root_pacing(
    step: int, n_examples: int, *, starting_percent: float, full_at: int
) -> int:
    """Square-root pacing (Wu, Dyer & Neyshabur, 2021).

    ``int(b * N + (N - b * N) * sqrt(step / full_at))``, within [1, N]: as
    :func:`linear_pacing` with the root of the step.

    Parameters
    ----------
    step : int
    n_examples : int
    starting_percent : float
    full_at : int
        The first step that draws from every example.

    Returns
    -------
    size : int

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import root_pacing
    >>> [root_pacing(s, 1000, starting_percent=0.2, full_at=100)
    ...  for s in (0, 25, 100)]
    [200, 600, 1000]
    """
    return _grown(step, n_examples, starting_percent, full_at, 0.5)


PACING_FUNCTIONS: dict[str, Callable[..., int]] = {
    "fixed_exponential": fixed_exponential_pacing,
    "varied_exponential": varied_exponential_pacing,
    "single_step": single_step_pacing,
    "linear": linear_pacing,
    "root": root_pacing,
}


def resolve_pacing(pacing) -> Callable[..., int]:
    """The pacing function of a name of :data:`PACING_FUNCTIONS`, or a callable.

    Examples
    --------
    >>> from sklearn_difficulty.curriculum import resolve_pacing
    >>> resolve_pacing("linear").__name__
    'linear_pacing'
    """
    if callable(pacing):
        return pacing
    if pacing in PACING_FUNCTIONS:
        return PACING_FUNCTIONS[pacing]
    raise ValueError(
        f"pacing must be a callable or one of {sorted(PACING_FUNCTIONS)}; "
        f"got {pacing!r}."
    )
