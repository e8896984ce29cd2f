"""Per-example results as a table: one row per example of a scored set."""

from __future__ import annotations

import numpy as np

from .record import record_of
from .scores import (
    consensus,
    consistency,
    heldout_consistency,
    majority_label,
    mean_over_training,
)

__all__ = ["example_table", "record_frame"]


def example_table(
    record, *, scored_set: str = "train", average: str = "stages"
) -> dict[str, np.ndarray]:
    """Columns of per-example results, as a dict of equal-length arrays.

    Columns: ``index``, ``label``, ``learning_speed``, ``final_consistency``,
    ``final_consensus``, ``majority_label`` (at the last stage), and
    ``heldout_consistency`` (at the last stage) for the training set of an
    ensemble whose members trained on subsets.

    Parameters
    ----------
    record : PredictionRecord or fitted EnsembleDifficulty
    scored_set : str, default="train"
    average : {"stages", "steps"}, default="stages"
        The learning speed's average over the training stages: the mean, or
        the area over the optimiser steps (see
        :func:`~sklearn_difficulty.scores.learning_speed`).

    Returns
    -------
    table : dict of str to ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.frames import example_table
    >>> record = PredictionRecord(  # 1 member: example 0 learnt at step 10
    ...     predictions={"train": np.array([[[0, 1], [0, 1], [1, 1]]], np.uint8)},
    ...     targets={"train": np.array([1, 1])}, classes=np.array(["a", "b"]),
    ...     stages=np.array([1, 2, 10]), stage_kind="step")
    >>> example_table(record)["learning_speed"].round(3).tolist()
    [0.333, 1.0]
    >>> example_table(record, average="steps")["learning_speed"].round(3).tolist()
    [0.593, 1.0]
    """
    record = record_of(record)
    if record is None:
        raise TypeError(
            "record must be a PredictionRecord or a fitted EnsembleDifficulty."
        )
    _, targets = record.scored_set(scored_set)
    scores = consistency(record, scored_set=scored_set)
    table = {
        "index": np.arange(targets.size),
        "label": record.classes[targets],
        "learning_speed": mean_over_training(
            scores, record.stages, steps=record.steps, average=average
        ),
        "final_consistency": scores[-1],
        "final_consensus": consensus(record, scored_set=scored_set)[-1],
        "majority_label": record.classes[
            majority_label(record, scored_set=scored_set)[-1]
        ],
    }
    if scored_set == "train" and record.in_bag is not None:
        table["heldout_consistency"] = heldout_consistency(record)[-1]
    return table


def record_frame(record, *, scored_set: str = "train", average: str = "stages"):
    """The per-example results of :func:`example_table` as a pandas DataFrame.

    ``average`` is that of :func:`example_table`.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.frames import record_frame
    >>> record = PredictionRecord(
    ...     predictions={"train": np.array([[[0, 1, 1]], [[0, 0, 1]]], np.uint8)},
    ...     targets={"train": np.array([0, 1, 0])}, classes=np.array(["a", "b"]),
    ...     stages=np.array([1]))
    >>> frame = record_frame(record)
    >>> frame["learning_speed"].tolist(), frame["majority_label"].tolist()
    ([1.0, 0.5, 0.0], ['a', 'a', 'b'])
    """
    try:
        import pandas as pd
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ImportError("record_frame needs pandas: pip install pandas") from error
    table = example_table(record, scored_set=scored_set, average=average)
    return pd.DataFrame(table).set_index("index")
