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


def example_table(record, *, scored_set: str = "train") -> dict[str, np.ndarray]:
    """Columns of per-example results, as a dict of equal-length arrays.

    Columns: ``index``, ``label``, ``learning_speed``, ``final_consistency``,
    ``final_consensus``, ``majority_label`` (at the last stage), and
    ``heldout_consistency`` (at the last stage) for the training set of an
    ensemble whose members trained on subsets.

    Parameters
    ----------
    record : PredictionRecord or fitted EnsembleDifficulty
    scored_set : str, default="train"

    Returns
    -------
    table : dict of str to ndarray
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
        "learning_speed": mean_over_training(scores, record.stages),
        "final_consistency": scores[-1],
        "final_consensus": consensus(record, scored_set=scored_set)[-1],
        "majority_label": record.classes[
            majority_label(record, scored_set=scored_set)[-1]
        ],
    }
    if scored_set == "train" and record.in_bag is not None:
        table["heldout_consistency"] = heldout_consistency(record)[-1]
    return table


def record_frame(record, *, scored_set: str = "train"):
    """The per-example results of :func:`example_table` as a pandas DataFrame.

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
    return pd.DataFrame(example_table(record, scored_set=scored_set)).set_index("index")
