"""A pruned training set from a run: which examples to keep, in an ``.npz`` file.

:func:`prune` scores the training examples of a run folder by a registered
score, keeps a fraction of them after dropping the easiest, the hardest or
random ones (:func:`~sklearn_difficulty.pruning_curve.kept_examples`, the
rule of the pruning curves), and writes the kept indices (into the run's
training set, in the order the run's data give them), their scores and the
settings to an ``.npz`` file of plain arrays: :func:`load_subset` (or
``numpy.load(path)``, pickle off) reads it back. The command line's
``prune`` calls it.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .. import __version__
from .._files import write_atomically
from .._validation import check_choice, check_fraction
from ..pruning_curve import DROPS, kept_examples
from ..scores import resolve_score, score_examples
from .folders import RunFolder

__all__ = ["PrunedSubset", "load_subset", "prune"]

SUBSET_FORMAT = "sklearn-difficulty pruned subset"
SUBSET_VERSION = 1


@dataclass(frozen=True, eq=False)
class PrunedSubset:
    """The training examples a pruning keeps, as written by :func:`prune`.

    Attributes
    ----------
    path : Path
        The ``.npz`` file.
    indices : ndarray of int
        Sorted indices of the kept examples in the run's training set.
    scores : ndarray of float
        Their scores (higher is easier).
    settings : dict
        The run, the score, ``keep``, ``drop``, ``stage``, ``per_class``,
        ``random_state``, the numbers of examples (``n_train``, ``n_kept``),
        the format and the package's version.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.runs import PrunedSubset
    >>> settings = {"run": "runs/cnn", "score": "el2n", "drop": "hardest",
    ...             "n_kept": 2, "n_train": 4}
    >>> subset = PrunedSubset("kept.npz", np.array([0, 3]), np.array([0.9, 0.7]),
    ...                       settings)
    >>> print(subset.describe())  # doctest: +NORMALIZE_WHITESPACE
    kept 2 of 4 training examples of runs/cnn (dropped the hardest by el2n);
    written to kept.npz
    """

    path: Path
    indices: np.ndarray
    scores: np.ndarray
    settings: dict[str, Any]

    def describe(self) -> str:
        """One sentence: what was kept, and where it was written."""
        s = self.settings
        by = "" if s["drop"] == "random" else f" by {s['score']}"
        which = "at random" if s["drop"] == "random" else f"the {s['drop']}"
        return (
            f"kept {s['n_kept']} of {s['n_train']} training examples of "
            f"{s['run']} (dropped {which}{by}); written to {self.path}"
        )


def prune(
    source,
    *,
    out,
    keep: float,
    drop: str = "hardest",
    score: str = "auto",
    stage: int | None = None,
    per_class: bool = False,
    random_state: int | None = 0,
    overwrite: bool = False,
) -> PrunedSubset:
    """Keep a fraction of a run's training examples; write them to an ``.npz`` file.

    Parameters
    ----------
    source : RunFolder, str or path-like
        A finished run folder.
    out : str or path-like
        The ``.npz`` file to write.
    keep : float in (0, 1]
        Fraction of the training examples kept.
    drop : {"hardest", "easiest", "random"}, default="hardest"
        Which examples go.
    score : str, default="auto"
        The registered score that ranks them
        (:func:`~sklearn_difficulty.scores.score_examples`).
    stage : int, default=None
        The stage of a score taken at one stage.
    per_class : bool, default=False
        Keep the fraction within each class.
    random_state : int or None, default=0
        The seed of ``drop="random"``.
    overwrite : bool, default=False
        Replace ``out`` if it exists.

    Returns
    -------
    subset : PrunedSubset

    Raises
    ------
    FileExistsError
        If ``out`` exists and ``overwrite`` is False.
    ValueError
        For a bad fraction, end, score or stage, an ``out`` not ending in
        ``.npz``, or an unfinished run.

    Examples
    --------
    >>> import tempfile, os
    >>> from sklearn_difficulty.runs import run
    >>> from sklearn_difficulty.runs.subsets import prune
    >>> folder = run(data="digits", model="adaboost", members=2, rounds=3,
    ...              max_samples=0.8, n_jobs=1, out=tempfile.mkdtemp(), verbose=0)
    >>> subset = prune(folder, keep=0.7, drop="hardest",
    ...                out=os.path.join(tempfile.mkdtemp(), "subset.npz"))
    >>> subset.settings["n_kept"], subset.settings["n_train"]
    (943, 1347)
    """
    path = Path(out)
    if path.suffix != ".npz":
        raise ValueError(f"out must name an .npz file; got {str(out)!r}.")
    if path.is_dir():
        raise IsADirectoryError(f"{path} is a folder; name the subset's .npz file.")
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(
            f"{path} already exists; pass overwrite=True (--overwrite) to replace it."
        )
    keep = check_fraction(keep, "keep", closed="right")
    check_choice(drop, "drop", DROPS)
    folder = source if isinstance(source, RunFolder) else RunFolder.open(source)
    record = folder.record
    scores = score_examples(record, score=score, stage=stage)
    labels = record.classes[record.scored_set("train")[1]]
    kept = kept_examples(scores, labels, keep=keep, drop=drop, per_class=per_class,
                         random_state=random_state)  # fmt: skip
    settings = {
        "format": SUBSET_FORMAT, "version": SUBSET_VERSION,
        "package_version": __version__, "run": str(folder.path.resolve()),
        "data": folder.summary.get("data"), "model": folder.summary.get("model"),
        "score": resolve_score(record, score), "stage": stage, "keep": keep,
        "drop": drop, "per_class": bool(per_class), "random_state": random_state,
        "n_train": int(scores.size), "n_kept": int(kept.size),
    }  # fmt: skip
    return _write_subset(path, kept, scores[kept], settings)


def _write_subset(path: Path, indices, scores, settings: dict) -> PrunedSubset:
    """Write the subset's arrays and its settings (as JSON text) to ``path``."""
    arrays = {
        "indices": indices.astype(np.int64),
        "scores": scores,
        "settings": np.array(json.dumps(settings)),
    }
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(temporary: Path) -> None:
        with open(temporary, "wb") as file:
            np.savez(file, **arrays)

    write_atomically(path, write)
    return PrunedSubset(path, arrays["indices"], scores, settings)


def load_subset(path) -> PrunedSubset:
    """The subset that :func:`prune` wrote (read without pickle).

    Raises
    ------
    ValueError
        If the file is not such a subset.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_difficulty.runs import load_subset, prune, run
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = run(out=Path(tmp, "run"), model="adaboost", members=2, rounds=3,
    ...                  max_samples=0.8, n_jobs=1, verbose=0)
    ...     _ = prune(folder, keep=0.5, drop="easiest", out=Path(tmp, "kept.npz"))
    ...     subset = load_subset(Path(tmp, "kept.npz"))
    >>> subset.indices[:5], subset.settings["n_kept"], subset.settings["score"]
    (array([ 1,  7,  9, 11, 13]), 673, 'learning_speed')
    """
    with np.load(path, allow_pickle=False) as content:
        if not {"indices", "scores", "settings"} <= set(content.files):
            raise ValueError(f"{path} is not a pruned subset of sklearn-difficulty.")
        settings = json.loads(str(content["settings"]))
        indices, scores = content["indices"], content["scores"]
    if not isinstance(settings, dict) or settings.get("format") != SUBSET_FORMAT:
        raise ValueError(f"{path} is not a pruned subset of sklearn-difficulty.")
    _check_subset(path, indices, scores, settings)
    return PrunedSubset(Path(path), indices, scores, settings)


def _check_subset(path, indices, scores, settings: dict) -> None:
    """Every value of a subset file checked: it may come from someone else."""
    n_train = settings.get("n_train")
    if not isinstance(n_train, int) or isinstance(n_train, bool) or n_train < 1:
        raise ValueError(f"{path}: n_train must be a positive integer.")
    if indices.ndim != 1 or indices.dtype.kind not in "iu" or indices.size == 0:
        raise ValueError(f"{path}: indices must be a non-empty 1-D integer array.")
    if indices[0] < 0 or indices[-1] >= n_train or np.any(np.diff(indices) <= 0):
        raise ValueError(
            f"{path}: indices must be increasing, without repeats, within the "
            f"{n_train} training examples."
        )
    if settings.get("n_kept") != indices.size:
        raise ValueError(f"{path}: n_kept does not match the indices.")
    if scores.shape != indices.shape or scores.dtype.kind != "f":
        raise ValueError(f"{path}: scores must be floats, one per kept example.")
    if not np.isfinite(scores).all():
        raise ValueError(f"{path}: scores hold NaN or infinity.")
