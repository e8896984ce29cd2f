"""What a folder's summary holds, computed from a record when it is written.

A run's ``summary.json`` holds, besides what was run: the position (step
and epoch, where known), accuracy, bi-modality and phase per stage
(:func:`stage_table`), the split-half reliability of the learning speed
(:func:`learning_speed_reliability`, :func:`reliability_summary`) and the
easiest and hardest training examples by a registered score
(:func:`rank_examples`). :func:`write_scores` writes a run's
``scores.csv``, one row per example. A comparison's ``comparison.json``
holds the matched stages and the correlations of the two learning speeds
(:func:`comparison_summary`). Everything here returns plain
JSON values: the report and the text a person reads are made from them
without computing anything again.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.utils import Bunch

from ..compare import RecordComparison
from ..frames import example_table
from ..phases import bimodality, learning_phases
from ..record import PredictionRecord
from ..reliability import members_needed, split_half_reliability
from ..scores import get_score, member_accuracy, score_examples, score_names

__all__ = [
    "DEFAULT_RANK_BY",
    "N_EXAMPLES",
    "RELIABILITY_SPLITS",
    "RELIABILITY_TARGET",
    "check_ranking",
    "comparison_summary",
    "learning_speed_reliability",
    "rank_examples",
    "reliability_summary",
    "stage_table",
    "write_scores",
]

# The split-half reliability of the learning speed in a run's summary: few
# splits keep a run quick; the members needed are for this target.
RELIABILITY_SPLITS = 10
RELIABILITY_TARGET = 0.95
N_EXAMPLES = 16  # easiest and hardest examples kept for the report
DEFAULT_RANK_BY = "learning_speed"  # the score that ranks them (the paper's)


def stage_table(record: PredictionRecord) -> list[dict]:
    """Per stage: its position, mean train (and test) accuracy, bi-modality, phase.

    Each row holds the stage's label ("stage"), then, where the record
    knows them (:attr:`PredictionRecord.steps
    <sklearn_difficulty.PredictionRecord>` and ``epochs``), the optimiser
    steps taken before it ("step") and the epochs completed, as a fraction
    ("epoch"); then the accuracies, the bi-modality measure and the phase.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.runs import stage_table
    >>> record = PredictionRecord(  # 2 members, recorded after steps 0, 3 and 6
    ...     predictions={"train": np.array([[[1, 1], [0, 1], [0, 1]],
    ...                                     [[0, 0], [0, 0], [0, 1]]])},
    ...     targets={"train": np.array([0, 1])}, classes=np.array([0, 1]),
    ...     stages=np.array([0, 3, 6]), stage_kind="step",
    ...     steps=np.array([0, 3, 6]), epochs=np.array([0, 0.5, 1]))
    >>> [(row["step"], row["epoch"], row["train_accuracy"])
    ...  for row in stage_table(record)]
    [(0, 0.0, 0.5), (3, 0.5, 0.75), (6, 1.0, 1.0)]
    """
    train_accuracy = member_accuracy(record).mean(axis=0)
    test_name = next((n for n in record.set_names if n != "train"), None)
    test_accuracy = (
        member_accuracy(record, scored_set=test_name).mean(axis=0)
        if test_name
        else None
    )
    measure = bimodality(record)
    phases = learning_phases(record, ordered=True)
    return [
        {
            "stage": int(stage),
            **_position(record, i),
            "train_accuracy": float(train_accuracy[i]),
            "test_accuracy": None if test_accuracy is None else float(test_accuracy[i]),
            "bimodality": float(measure[i]),
            "phase": str(phases[i]),
        }
        for i, stage in enumerate(record.stages)
    ]


def _position(record: PredictionRecord, i: int) -> dict:
    """Stage ``i``'s step and epoch, those the record knows."""
    position: dict[str, int | float] = {}
    if record.steps is not None:
        position["step"] = int(record.steps[i])
    if record.epochs is not None:
        position["epoch"] = float(record.epochs[i])
    return position


def learning_speed_reliability(record: PredictionRecord) -> Bunch | None:
    """The split-half reliability of the learning speed; None for one member.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> record = PredictionRecord(  # 4 members, 2 epochs, 5 examples
    ...     predictions={"train": np.array([[[0, 1, 1, 0, 0], [0, 1, 1, 1, 0]],
    ...                                     [[0, 1, 0, 0, 1], [0, 1, 1, 1, 0]],
    ...                                     [[0, 1, 1, 0, 1], [0, 1, 1, 1, 1]],
    ...                                     [[1, 1, 0, 0, 0], [0, 1, 1, 0, 1]]])},
    ...     targets={"train": np.array([0, 1, 1, 1, 1])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]))
    >>> from sklearn_difficulty.runs import learning_speed_reliability
    >>> result = learning_speed_reliability(record)
    >>> result.n_members, result.n_half, round(float(result.reliability), 3)
    (4, 2, 0.796)
    """
    if record.n_members < 2:
        return None
    return split_half_reliability(
        record, "learning_speed", n_splits=RELIABILITY_SPLITS, random_state=0
    )


def reliability_summary(result: Bunch | None) -> dict | None:
    """The split-half reliability of a run as plain JSON values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> record = PredictionRecord(  # 4 members, 2 epochs, 5 examples
    ...     predictions={"train": np.array([[[0, 1, 1, 0, 0], [0, 1, 1, 1, 0]],
    ...                                     [[0, 1, 0, 0, 1], [0, 1, 1, 1, 0]],
    ...                                     [[0, 1, 1, 0, 1], [0, 1, 1, 1, 1]],
    ...                                     [[1, 1, 0, 0, 0], [0, 1, 1, 0, 1]]])},
    ...     targets={"train": np.array([0, 1, 1, 1, 1])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]))
    >>> from sklearn_difficulty.runs import (
    ...     learning_speed_reliability, reliability_summary)
    >>> summary = reliability_summary(learning_speed_reliability(record))
    >>> summary["n_half"], round(summary["split_half"], 3), summary["members_needed"]
    (2, 0.661, 20)
    >>> reliability_summary(None) is None
    True
    """
    if result is None:
        return None
    try:
        needed: int | None = members_needed(result, RELIABILITY_TARGET)
    except ValueError:  # the halves do not agree: no number of members will do
        needed = None
    return {
        "score": result.score,
        "n_splits": len(result.correlations),
        "n_members": result.n_members,
        "n_half": result.n_half,
        "split_half": _finite_or_none(result.half),
        "reliability": _finite_or_none(result.reliability),
        "target": RELIABILITY_TARGET,
        "members_needed": needed,
    }


def _finite_or_none(value) -> float | None:
    """A float for JSON, None for NaN or infinity."""
    value = float(value)
    return value if np.isfinite(value) else None


# The examples a run keeps -----------------------------------------------------------


def rank_examples(
    record: PredictionRecord,
    score: str = DEFAULT_RANK_BY,
    *,
    n_examples: int = N_EXAMPLES,
) -> dict[str, Any]:
    """The easiest and hardest training examples by a registered score.

    Examples are ordered by :func:`~sklearn_difficulty.scores.score_examples`
    (higher is easier; ties: lower index first). Each kept example is a row
    of :func:`~sklearn_difficulty.frames.example_table`, with a column for
    the score's raw value when the table has none of that name.

    Parameters
    ----------
    record : PredictionRecord
    score : str, default="learning_speed"
        A registered score (:func:`~sklearn_difficulty.scores.score_names`).
    n_examples : int, default=16
        How many of the easiest, and of the hardest, to keep.

    Returns
    -------
    ranking : dict
        "score" and "description" (the score's, from the registry),
        "easiest" and "hardest" (lists of rows, each a dict of the table's
        columns, "index" first), all plain JSON values.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.runs import rank_examples
    >>> record = PredictionRecord(  # 2 members, 1 epoch, 3 examples
    ...     predictions={"train": np.array([[[0, 1, 1]], [[0, 0, 1]]])},
    ...     targets={"train": np.array([0, 1, 0])}, classes=np.array([0, 1]),
    ...     stages=np.array([1]))
    >>> ranking = rank_examples(record, n_examples=2)
    >>> [row["index"] for row in ranking["easiest"]], ranking["hardest"][0]["index"]
    ([0, 1], 2)
    """
    definition = get_score(score)
    values = score_examples(record, score=score)
    order = np.argsort(-values, kind="stable")
    table = example_table(record)
    if score not in table:
        table[score] = values if definition.easy == "high" else -values
    picks = {"easiest": order[:n_examples], "hardest": order[::-1][:n_examples]}
    return {
        "score": definition.name,
        "description": definition.description,
        **{
            kind: [
                {
                    column: np.asarray(values[row]).item()
                    for column, values in table.items()
                }
                for row in rows
            ]
            for kind, rows in picks.items()
        },
    }


def check_ranking(score: str, *, subsets: bool) -> None:
    """A clear error, before any training, if ``score`` cannot rank a run.

    Parameters
    ----------
    score : str
        A registered score (:func:`~sklearn_difficulty.scores.score_names`).
    subsets : bool
        Whether each member trains on a subset of the training set: a score
        measured over the members that held each example out
        (``needs_subsets``, as "heldout_consistency") needs them.

    Raises
    ------
    ValueError
        For a name that is not registered, or a score that needs subsets
        in a run without them.

    Examples
    --------
    >>> from sklearn_difficulty.runs import check_ranking
    >>> check_ranking("learning_speed", subsets=False)
    >>> check_ranking("heldout_consistency", subsets=False)
    Traceback (most recent call last):
    ...
    ValueError: cannot rank the examples of this run by 'heldout_consistency' ...
    """
    if score not in score_names():
        raise ValueError(
            f"unknown score {score!r} to rank the examples by; use one of: "
            f"{', '.join(score_names())}."
        )
    if get_score(score).needs_subsets and not subsets:
        raise ValueError(
            f"cannot rank the examples of this run by {score!r} (rank_by, "
            "--rank-by): it is measured over the members that did not train on "
            "each example; train the members on subsets with max_samples "
            "(--max-samples)."
        )


# A comparison -----------------------------------------------------------------------


def comparison_summary(
    comparison: RecordComparison, *, runs, tolerance: float, bootstraps: int
) -> dict[str, Any]:
    """What ``comparison.json`` holds about two runs, as plain JSON values.

    Parameters
    ----------
    comparison : RecordComparison
        From :func:`~sklearn_difficulty.compare.compare_records`.
    runs : pair of str or path-like
        The two run folders.
    tolerance : float
        The accuracy tolerance the stages were matched with.
    bootstraps : int
        Resamples of the members behind the interval of Pearson's r (0: none).

    Returns
    -------
    summary : dict

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.compare import compare_records
    >>> from sklearn_difficulty.runs import comparison_summary
    >>> targets, classes = {"train": np.array([0, 1, 1, 0])}, np.array([0, 1])
    >>> a = PredictionRecord(  # 2 members, 2 epochs, 4 examples
    ...     predictions={"train": np.array([[[0, 0, 1, 1], [0, 1, 1, 0]],
    ...                                     [[0, 1, 0, 1], [0, 1, 1, 0]]])},
    ...     targets=targets, classes=classes, stages=np.array([1, 2]))
    >>> b = PredictionRecord(  # 2 members, 1 round
    ...     predictions={"train": np.array([[[0, 1, 1, 1]], [[0, 0, 1, 1]]])},
    ...     targets=targets, classes=classes, stages=np.array([1]))
    >>> comparison = compare_records(a, b, tolerance=0.2, names=("cnn", "adaboost"))
    >>> summary = comparison_summary(comparison, runs=("runs/cnn", "runs/adaboost"),
    ...                              tolerance=0.2, bootstraps=0)
    >>> summary["pairs"], summary["unmatched_stages_a"]
    ([{'stage_a': 1, 'stage_b': 1, 'accuracy_a': 0.5, 'accuracy_b': 0.625}], [2])
    >>> summary["names"], round(summary["pearson"]["r"], 3)
    (['cnn', 'adaboost'], 0.853)
    """
    return {
        "runs": [str(path) for path in runs],
        "names": list(comparison.names),
        "pairs": [
            {
                "stage_a": int(comparison.stages_a[i]),
                "stage_b": int(comparison.stages_b[j]),
                "accuracy_a": float(comparison.accuracy_a[i]),
                "accuracy_b": float(comparison.accuracy_b[j]),
            }
            for i, j in comparison.pairs
        ],
        "unmatched_stages_a": comparison.stages_a[comparison.unmatched].tolist(),
        "pearson": {
            "r": comparison.pearson[0],
            "p": comparison.pearson[1],
            "ci": [_finite_or_none(v) for v in comparison.pearson_ci]
            if bootstraps
            else None,
            "confidence_level": comparison.confidence_level,
            "n_bootstraps": bootstraps,
        },
        "spearman": {"rho": comparison.spearman[0], "p": comparison.spearman[1]},
        "tolerance": tolerance,
    }


# The scores of every example ------------------------------------------------------


def write_scores(record: PredictionRecord, path: Path) -> None:
    """One CSV row per example of every scored set.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.runs import write_scores
    >>> record = PredictionRecord(  # 2 members, 2 epochs, 3 examples
    ...     predictions={"train": np.array([[[0, 1, 1], [0, 1, 0]],
    ...                                     [[0, 0, 1], [0, 1, 1]]])},
    ...     targets={"train": np.array([0, 1, 0])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     write_scores(record, Path(tmp, "scores.csv"))
    ...     print(Path(tmp, "scores.csv").read_text(), end="")
    set,index,label,learning_speed,final_consistency,final_consensus,majority_label
    train,0,0,1.0,1.0,1.0,0
    train,1,1,0.75,1.0,1.0,1
    train,2,0,0.25,0.5,0.5,0
    """
    tables = {name: example_table(record, scored_set=name) for name in record.set_names}
    columns = ["set", *tables["train"]]  # the training set has every column
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        for name, table in tables.items():
            for row in range(len(table["index"])):
                writer.writerow(
                    {"set": name, **{c: _plain(v[row]) for c, v in table.items()}}
                )


def _plain(value):
    value = np.asarray(value).item()
    return round(value, 6) if isinstance(value, float) else value
