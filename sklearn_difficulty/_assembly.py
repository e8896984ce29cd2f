"""Assembling the members' records into one prediction record.

:func:`build_record` puts every member's stages on one stage grid
(:func:`align_stages`), in the plan's label dtype, in memory or in
memory-mapped files of a record folder.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from ._files import writable_folder
from ._record_files import new_npy_memmap
from .exceptions import IdenticalMembersWarning
from .record import PredictionRecord
from .recorders import MemberPlan, MemberRecord

__all__ = [
    "align_stages",
    "build_record",
    "check_record_folder",
    "grid_positions",
    "open_record_folder",
    "stage_positions",
    "warn_if_identical",
]


def align_stages(
    member_stages: Sequence[np.ndarray], step: int, *, union: bool = False
) -> np.ndarray:
    """The common stage grid of all members.

    Stage 0 when the members recorded it, every ``step``-th stage up to the
    last stage any member reached, and that last stage; with ``union``
    (stages after optimiser steps), every stage any member recorded.
    Members that stopped early (early stopping, a perfect fit) predict at
    later stages what their final model predicts.
    """
    if union:
        return np.unique(np.concatenate([np.asarray(s) for s in member_stages]))
    last = max(int(stages[-1]) for stages in member_stages)
    first = min(int(stages[0]) for stages in member_stages)
    grid = np.arange(step, last + 1, step)
    if grid.size == 0 or grid[-1] != last:
        grid = np.append(grid, last)
    if first == 0 and grid[0] != 0:
        grid = np.insert(grid, 0, 0)
    return grid


def stage_positions(stages: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Position in a member's ``stages`` of its prediction at each grid stage."""
    return np.searchsorted(stages, grid, side="right") - 1


def grid_positions(results: Sequence[MemberRecord], grid: np.ndarray):
    """The steps and epochs of each grid stage, from the members that recorded it.

    Each grid stage takes the position that the first member recording it
    gives it; None, None unless every member gives positions and they
    increase along the grid (members whose epochs have different numbers
    of steps could give other positions).
    """
    if any(result.steps is None for result in results):
        return None, None
    steps = np.full(grid.size, -1, dtype=np.int64)
    epochs = np.full(grid.size, np.nan)
    for result in results:
        index = np.minimum(np.searchsorted(grid, result.stages), grid.size - 1)
        new = (grid[index] == result.stages) & (steps[index] < 0)
        steps[index[new]] = np.asarray(result.steps)[new]
        epochs[index[new]] = np.asarray(result.epochs)[new]
    if (steps < 0).any() or (np.diff(steps) < 0).any() or (np.diff(epochs) < 0).any():
        return None, None
    return steps, epochs


def build_record(
    results: Sequence[MemberRecord],
    *,
    plan: MemberPlan,
    classes: np.ndarray,
    stage_kind: str,
    seeds: np.ndarray,
    folder=None,
    load: Callable[[int], MemberRecord] | None = None,
) -> PredictionRecord:
    """Put the members' records on one stage grid, in the plan's label dtype.

    With ``folder``, the predictions are written into memory-mapped files
    there (the folder format of :meth:`PredictionRecord.save`) instead of
    memory, and the record reads them back memory-mapped. A member given as
    a receipt (its stages and their positions, no predictions) is read
    whole by ``load(member)`` when its turn comes, so that only one member's
    predictions are held at a time.
    """
    stages = align_stages(
        [result.stages for result in results],
        plan.step,
        union=plan.schedule is not None,
    )
    steps, epochs = grid_positions(results, stages)
    n_members = len(results)
    shapes = {
        name: (n_members, stages.size, len(target))
        for name, target in zip(plan.names, plan.targets, strict=True)
    }
    if folder is None:
        predictions = {
            name: np.empty(shape, dtype=plan.label_dtype)
            for name, shape in shapes.items()
        }
        outputs = {
            kind: {
                name: np.empty(shape, dtype=plan.output_dtype)
                for name, shape in shapes.items()
            }
            for kind in plan.outputs
        }
    else:
        predictions = open_record_folder(folder, shapes, plan.label_dtype)
        outputs = {
            kind: open_record_folder(
                folder, shapes, plan.output_dtype, prefix=f"outputs_{kind}"
            )
            for kind in plan.outputs
        }
    subsets = plan.n_draw is not None
    in_bag = np.zeros((n_members, len(plan.targets[0])), dtype=bool)
    for member, result in enumerate(results):
        if not result.predictions:  # a receipt: the member is in a folder
            if load is None:
                raise ValueError(f"member {member} is a receipt, and nothing loads it.")
            result = load(member)
        if result.stages[0] > stages[0]:
            raise ValueError(
                f"member {member} recorded no stage {stages[0]} while others did."
            )
        positions = stage_positions(result.stages, stages)
        for name, labels in zip(plan.names, result.predictions, strict=True):
            predictions[name][member] = labels[positions]
        for kind, per_set in outputs.items():
            for name, values in zip(plan.names, result.outputs[kind], strict=True):
                per_set[name][member] = values[positions]
        if subsets:
            in_bag[member, result.indices] = True
    record = PredictionRecord(
        predictions=predictions,
        targets=dict(zip(plan.names, plan.targets, strict=True)),
        classes=classes,
        stages=stages,
        stage_kind=stage_kind,
        in_bag=in_bag if subsets else None,
        seeds=seeds,
        outputs=outputs,
        steps=steps,
        epochs=epochs,
    )
    if folder is None:
        return record
    for array in [
        *predictions.values(),
        *(a for per_set in outputs.values() for a in per_set.values()),
    ]:
        array.flush()  # type: ignore[attr-defined]  # a memmap
    record.save(folder)
    return PredictionRecord.load(folder, mmap_mode="r")


def check_record_folder(folder) -> Path:
    """``record_folder`` made and checked writable, before any member trains.

    Raises
    ------
    ValueError
        When it is a file, or cannot be made or written into.
    """
    try:
        return writable_folder(folder)
    except NotADirectoryError as error:
        raise ValueError(
            f"record_folder {str(folder)!r} is a file, not a folder; give a "
            "folder (new, or one a previous record was written to)."
        ) from error
    except OSError as error:
        raise ValueError(f"record_folder: {error}") from error


def open_record_folder(folder, shapes: dict, dtype, prefix="predictions") -> dict:
    """Memory-mapped .npy files, one per scored set, for a record being built.

    Each file is created anew: whatever the folder already holds under that
    name (a previous run's file, someone else's, a symbolic link) is
    removed, never read, followed nor reused, and a record still mapping a
    previous run's file keeps its own data. An earlier ``metadata.json`` is
    removed too, so that a fit killed before the record is saved leaves a
    folder that does not load, rather than an earlier record's metadata over
    new files.
    """
    folder = check_record_folder(
        folder
    ).resolve()  # the memory maps name the files a save skips
    metadata = folder / "metadata.json"  # an earlier record's, until saved anew:
    if metadata.is_symlink() or metadata.is_file():  # a killed fit leaves none
        metadata.unlink()
    return {
        name: new_npy_memmap(folder / f"{prefix}_{index}.npy", shape, dtype)
        for index, (name, shape) in enumerate(shapes.items())
    }


def warn_if_identical(train_predictions: np.ndarray, estimator) -> None:
    """An IdenticalMembersWarning when every member predicted the same labels."""
    first = train_predictions[0]
    if train_predictions.shape[0] > 1 and all(
        np.array_equal(first, other) for other in train_predictions[1:]
    ):
        warnings.warn(
            f"all {train_predictions.shape[0]} members of {type(estimator).__name__} "
            "predicted the same labels at every stage, so every consistency score "
            "is 0 or 1. A deterministic learner gives the same model on the same "
            "data whatever its seed: train members on random subsets with "
            "max_samples=... or bootstrap=True.",
            IdenticalMembersWarning,
            stacklevel=3,
        )
