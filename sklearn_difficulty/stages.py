"""Stages finer than an epoch: when members are recorded, and where a stage lies.

A member is recorded after every epoch by default. ``EnsembleDifficulty``'s
``record_every`` records it after optimiser steps instead (a step is one
training batch: one update of the weights), so that learning that happens
inside the first epoch (the paper's MNIST recipe reaches most of its
accuracy there) is seen:

- an ``int`` k: after every k-th step (and after the last one);
- :class:`LogSpacedSteps` (``"log"`` for its defaults): densely at first,
  at log-spaced steps through the first epochs, then after every epoch;
- an array of step numbers: after those steps (and after the last one).

A stage then carries its position: the optimiser step and the epoch as a
fraction (:attr:`PredictionRecord.steps <sklearn_difficulty.PredictionRecord>`
and ``epochs``). :func:`stage_weights` gives each stage its share of the
steps, for averages over training that do not depend on how densely it was
recorded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "LogSpacedSteps",
    "StepSchedule",
    "check_positions",
    "check_record_every",
    "stage_weights",
    "step_schedule",
]


@dataclass(frozen=True)
class LogSpacedSteps:
    """Record densely at first, then after every epoch.

    ``n_dense`` steps spaced evenly on a log scale from step 1 to the end of
    epoch ``dense_epochs``, then the end of every epoch: the stages fall
    where the scores change fastest (learning is fast at first, and slows).
    Which steps these are depends on the number of steps in an epoch, known
    only to the member: each member works them out when it starts training.

    Parameters
    ----------
    n_dense : int, default=24
        Stages in the first ``dense_epochs`` epochs (fewer when the epochs
        have fewer steps than that: each step is then recorded).
    dense_epochs : float, default=1.0
        How many epochs the dense stages span.

    Examples
    --------
    >>> from sklearn_difficulty.stages import LogSpacedSteps
    >>> LogSpacedSteps(n_dense=6).steps(steps_per_epoch=100, n_epochs=3).tolist()
    [1, 3, 6, 16, 40, 100, 200, 300]
    """

    n_dense: int = 24
    dense_epochs: float = 1.0

    def __post_init__(self):
        if (
            not isinstance(self.n_dense, Integral)
            or isinstance(self.n_dense, bool)
            or self.n_dense < 1
        ):
            raise ValueError(
                f"n_dense must be a positive integer; got {self.n_dense!r}."
            )
        if (
            not isinstance(self.dense_epochs, Real)
            or isinstance(self.dense_epochs, bool)
            or not np.isfinite(self.dense_epochs)
            or self.dense_epochs <= 0
        ):
            raise ValueError(
                f"dense_epochs must be a positive number; got {self.dense_epochs!r}."
            )

    def steps(self, steps_per_epoch: int, n_epochs: int) -> NDArray[np.int64]:
        """The steps after which a member is recorded (the last one included)."""
        total = steps_per_epoch * n_epochs
        dense_end = max(1, min(total, round(self.dense_epochs * steps_per_epoch)))
        dense = np.geomspace(1, dense_end, self.n_dense)
        epochs = np.arange(1, n_epochs + 1) * steps_per_epoch
        steps = np.concatenate([np.rint(dense), epochs[epochs > dense_end]])
        return np.unique(np.append(steps, total).astype(np.int64))


class StepSchedule:
    """A checked ``record_every`` that records after optimiser steps.

    What a member asks of it, once it knows its number of steps per epoch
    and of epochs: :meth:`steps`, the steps after which it is recorded,
    increasing, from 1 to its last step, which is always one of them.

    Parameters
    ----------
    every : int, LogSpacedSteps or ndarray of int
        What ``record_every`` said (see :func:`check_record_every`).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.stages import StepSchedule
    >>> StepSchedule(4).steps(steps_per_epoch=5, n_epochs=2)  # the last step too
    array([ 4,  8, 10])
    >>> StepSchedule(np.array([1, 3, 30])).steps(steps_per_epoch=5, n_epochs=2)
    array([ 1,  3, 10])
    """

    def __init__(self, every):
        self.every = every

    def __repr__(self) -> str:
        return f"StepSchedule({self.every!r})"

    def __eq__(self, other) -> bool:
        if not isinstance(other, StepSchedule):
            return NotImplemented
        if isinstance(self.every, np.ndarray) or isinstance(other.every, np.ndarray):
            return np.array_equal(self.every, other.every)
        return self.every == other.every

    def __hash__(self) -> int:
        every = self.every
        return hash(tuple(every.tolist()) if isinstance(every, np.ndarray) else every)

    def steps(self, steps_per_epoch: int, n_epochs: int) -> NDArray[np.int64]:
        """The steps recorded in ``n_epochs`` epochs of ``steps_per_epoch`` steps."""
        if steps_per_epoch < 1 or n_epochs < 1:
            raise ValueError(
                "a member that records after optimiser steps needs at least one "
                f"step per epoch and one epoch; it has {steps_per_epoch} steps per "
                f"epoch and {n_epochs} epochs."
            )
        total = int(steps_per_epoch) * int(n_epochs)
        every = self.every
        if isinstance(every, LogSpacedSteps):
            return every.steps(int(steps_per_epoch), int(n_epochs))
        if isinstance(every, np.ndarray):
            steps = every[every <= total]
        else:
            steps = np.arange(every, total + 1, every, dtype=np.int64)
        return np.unique(np.append(steps, total)).astype(np.int64)


def check_record_every(record_every) -> StepSchedule | None:
    """``record_every`` checked: None for "epoch", else a :class:`StepSchedule`.

    Raises
    ------
    ValueError
        For anything but "epoch", "log", a positive int, a
        :class:`LogSpacedSteps`, or a non-empty 1-D array of strictly
        increasing positive step numbers; the message names what is wrong.

    Examples
    --------
    >>> from sklearn_difficulty.stages import check_record_every
    >>> check_record_every("epoch") is None, check_record_every(4)
    (True, StepSchedule(4))
    >>> check_record_every([1, 2, 8]).steps(steps_per_epoch=5, n_epochs=2)
    array([ 1,  2,  8, 10])
    >>> check_record_every([3, 2])
    Traceback (most recent call last):
    ...
    ValueError: record_every as steps must hold strictly increasing steps from 1 on \
(step 0, the untrained members, is record_initial's); got [3, 2].
    """
    if isinstance(record_every, str):
        if record_every == "epoch":
            return None
        if record_every == "log":
            return StepSchedule(LogSpacedSteps())
        raise ValueError(
            "record_every must be 'epoch', 'log', a number of optimiser steps, "
            f"a LogSpacedSteps or an array of steps; got {record_every!r}."
        )
    if isinstance(record_every, LogSpacedSteps):
        return StepSchedule(record_every)
    if isinstance(record_every, bool | np.bool_):
        raise ValueError(
            f"record_every must be a number of steps, not a bool; got {record_every!r}."
        )
    if isinstance(record_every, Integral):
        if record_every < 1:
            raise ValueError(
                "record_every must be a positive number of optimiser steps; got "
                f"{record_every!r}."
            )
        return StepSchedule(int(record_every))
    if isinstance(record_every, Sequence | np.ndarray):
        steps = np.asarray(record_every)
        if steps.ndim != 1 or steps.size == 0 or steps.dtype.kind not in "iu":
            raise ValueError(
                "record_every as steps must be a non-empty 1-D array of integers "
                f"(the optimiser steps after which to record); got {steps.dtype} "
                f"of shape {steps.shape}."
            )
        if steps.min() < 1 or (np.diff(steps) <= 0).any():
            raise ValueError(
                "record_every as steps must hold strictly increasing steps from 1 "
                "on (step 0, the untrained members, is record_initial's); got "
                f"{steps.tolist()[:10]}{'...' if steps.size > 10 else ''}."
            )
        return StepSchedule(steps.astype(np.int64))
    raise ValueError(
        "record_every must be 'epoch', 'log', a number of optimiser steps, a "
        f"LogSpacedSteps or an array of steps; got {type(record_every).__name__}."
    )


def check_positions(name: str, values, n_stages: int) -> NDArray:
    """A record's ``steps`` or ``epochs``, checked: one per stage, in order.

    Returns int64 steps or float64 epochs.

    Raises
    ------
    ValueError
        Unless ``values`` holds ``n_stages`` finite, non-negative,
        non-decreasing numbers (integers for "steps").

    Examples
    --------
    >>> from sklearn_difficulty.stages import check_positions
    >>> check_positions("steps", [0, 4, 8], 3)
    array([0, 4, 8])
    >>> check_positions("epochs", [0, 0.5, 1], 3)
    array([0. , 0.5, 1. ])
    >>> check_positions("epochs", [0.0, 1.0, 0.5], 3)
    Traceback (most recent call last):
    ...
    ValueError: epochs must be numbers of shape (3,) (one per stage), finite, \
non-negative and non-decreasing; got float64 of shape (3,).
    """
    integers = name == "steps"
    array = np.asarray(values)
    if (
        array.shape != (n_stages,)
        or array.dtype.kind not in ("iu" if integers else "fiu")
        or not np.isfinite(array).all()
        or (array.size and array.min() < 0)
        or (np.diff(array) < 0).any()
    ):
        raise ValueError(
            f"{name} must be {'integers' if integers else 'numbers'} of shape "
            f"({n_stages},) (one per stage), finite, non-negative and "
            f"non-decreasing; got {array.dtype} of shape {array.shape}."
        )
    return array.astype(np.int64 if integers else np.float64)


def step_schedule(record_every, *, recorder, stage_step: int) -> StepSchedule | None:
    """``record_every`` checked, and against the recorder and ``stage_step``.

    Raises
    ------
    ValueError
        For a ``record_every`` that :func:`check_record_every` refuses, one
        that records after steps with a recorder that does not count them
        (boosting rounds, models recorded once), or with a ``stage_step``
        other than 1.

    Examples
    --------
    >>> from sklearn_difficulty.recorders import get_recorder
    >>> from sklearn_difficulty.stages import step_schedule
    >>> step_schedule(10, recorder=get_recorder("partial_fit"), stage_step=1)
    StepSchedule(10)
    >>> step_schedule(10, recorder=get_recorder("staged_predict"), stage_step=1)
    Traceback (most recent call last):
    ...
    ValueError: record_every=10 records after optimiser steps, which the recorder \
'staged_predict' does not count (its stages are of the kind 'round'); use \
record_every='epoch', and stage_step to keep every k-th round.
    """
    schedule = check_record_every(record_every)
    if schedule is None:
        return None
    if not recorder.records_steps:
        raise ValueError(
            f"record_every={record_every!r} records after optimiser steps, which "
            f"the recorder {recorder.name!r} does not count (its stages are of "
            f"the kind {recorder.kind!r}); use record_every='epoch'"
            + (
                ", and stage_step to keep every k-th round."
                if recorder.kind == "round"
                else "."
            )
        )
    if stage_step != 1:
        raise ValueError(
            f"stage_step={stage_step} keeps every k-th epoch, but record_every="
            f"{record_every!r} records after steps: give one or the other "
            "(record_every=k records every k steps)."
        )
    return schedule


def stage_weights(positions: ArrayLike) -> NDArray[np.float64]:
    """Each stage's share of training, from the positions of the stages (steps).

    The trapezoidal rule's weights over the stages' positions, each end
    extended by half its gap, so that every stage stands for the steps
    halfway to its neighbours: with evenly spaced stages every weight is the
    same, and a weighted mean is the plain mean. Normalised to sum to 1.

    Parameters
    ----------
    positions : array-like of shape (n_stages,)
        Increasing positions (optimiser steps, or epochs) of the stages.

    Returns
    -------
    weights : ndarray of shape (n_stages,)

    Examples
    --------
    >>> from sklearn_difficulty.stages import stage_weights
    >>> stage_weights([10, 20, 30, 40]).tolist()
    [0.25, 0.25, 0.25, 0.25]
    >>> stage_weights([1, 2, 4, 100]).round(3).tolist()
    [0.007, 0.01, 0.332, 0.651]
    """
    positions = np.asarray(positions, dtype=np.float64)
    if positions.ndim != 1 or positions.size == 0:
        raise ValueError("positions must be a non-empty 1-D array.")
    if positions.size == 1:
        return np.ones(1)
    gaps = np.diff(positions)
    if (gaps <= 0).any() or not np.isfinite(positions).all():
        raise ValueError("the positions of the stages must be finite and increasing.")
    padded = np.concatenate([gaps[:1], gaps, gaps[-1:]])
    weights = (padded[:-1] + padded[1:]) / 2
    return weights / weights.sum()
