"""Histograms of a score over the stages of a record (Fig. 1-3, 9 of the paper).

The data behind the histogram plots: for each scored set and each stage
shown, how many examples have each consistency or consensus, split by the
label most members assign when asked. :mod:`sklearn_difficulty.plotting`
draws them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from ._validation import check_stage_indices
from .phases import learning_phases, phase_stages
from .record import as_record
from .scores import consensus, consistency, majority_label

__all__ = ["ScoreHistograms", "score_edges", "score_histograms", "stage_name"]


def _epoch_text(epoch: float) -> str:
    """An epoch in few digits: 3, 0.22, 1.5, 0.0017."""
    epoch = float(epoch)
    if epoch.is_integer():
        return str(int(epoch))
    text = f"{epoch:.2f}" if epoch >= 0.1 else f"{epoch:.2g}"
    return text.rstrip("0").rstrip(".") if "." in text and "e" not in text else text


def stage_name(stage, kind: str = "stage", *, step=None, epoch=None) -> str:
    """A stage in words, by the epoch where known: "epoch 0.22 (step 4)".

    What titles of plots and reports call a stage: its epoch where the
    record knows it (a fraction for a stage recorded after optimiser steps,
    with the step in brackets), else its kind and label ("round 12").

    Parameters
    ----------
    stage : int
        The stage label (``record.stages[i]``).
    kind : str, default="stage"
        What a stage is (``record.stage_kind``): "epoch", "round", "step"...
    step : int, default=None
        Its optimiser step (``record.steps[i]``); None where unknown.
    epoch : float, default=None
        Its epoch (``record.epochs[i]``); None where unknown.

    Returns
    -------
    name : str

    Examples
    --------
    >>> from sklearn_difficulty.histograms import stage_name
    >>> stage_name(4, "step", step=4, epoch=4 / 18)
    'epoch 0.22 (step 4)'
    >>> stage_name(3, "epoch", step=54, epoch=3.0), stage_name(12, "round")
    ('epoch 3', 'round 12')
    """
    if epoch is None:
        return f"{kind} {stage}"
    name = f"epoch {_epoch_text(epoch)}"
    if kind == "step":
        name += f" (step {stage if step is None else step})"
    return name


def score_edges(n_members: int, bins: int | None = None) -> NDArray[np.float64]:
    """Histogram edges of a score over [0, 1].

    Consistency and consensus take the values k / n_members only; by
    default each of them gets a bin of its own, centred on it.

    Parameters
    ----------
    n_members : int
        Number of members; 0 when unknown.
    bins : int, default=None
        Number of equal bins over [0, 1]; None for one bin per possible
        score k / n_members (10 bins when ``n_members`` is 0).

    Returns
    -------
    edges : ndarray of shape (n_bins + 1,)

    Examples
    --------
    >>> from sklearn_difficulty.histograms import score_edges
    >>> score_edges(2)
    array([-0.25,  0.25,  0.75,  1.25])
    >>> score_edges(2, bins=2)
    array([0. , 0.5, 1. ])
    """
    if bins is None and n_members > 0:
        half = 0.5 / n_members
        return np.linspace(-half, 1 + half, n_members + 2)
    return np.linspace(0, 1, (bins or 10) + 1)


@dataclass(frozen=True, eq=False)
class ScoreHistograms:
    """Histograms of a score at some stages of the scored sets of a record.

    The result of :func:`score_histograms`.

    Attributes
    ----------
    counts : dict of str to ndarray
        For each scored set, the number of examples in each bin at each
        stage shown: shape (n_shown, n_bins); stacked by the label most
        members assign, shape (n_shown, n_labels, n_bins).
    edges : ndarray of shape (n_bins + 1,)
        The bin edges, over [0, 1].
    positions : ndarray of int of shape (n_shown,)
        Indices of the stages shown.
    stages : ndarray of shape (n_shown,)
        Labels of the stages shown.
    score : str
        "consistency" or "consensus".
    stage_kind : str
        What a stage is ("epoch", "round", "step", ...).
    labels : ndarray of shape (n_labels,) or None
        When stacked by label: the labels (from the record's classes) that
        most members assign to some example at some stage shown, in the
        order of the second axis of ``counts``; None otherwise.
    phases : ndarray of str of shape (n_shown,) or None
        The phase of learning of each stage shown, when asked for.
    steps : ndarray of int of shape (n_shown,) or None
        The optimiser steps of the stages shown; None where the record does
        not know them.
    epochs : ndarray of shape (n_shown,) or None
        The epochs of the stages shown (fractions for stages recorded after
        optimiser steps); None where the record does not know them.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.histograms import score_histograms
    >>> record = PredictionRecord(  # 2 members, recorded after steps 0, 4 and 8
    ...     predictions={"train": np.array([[[1, 0], [0, 0], [0, 1]],
    ...                                     [[1, 1], [0, 1], [0, 1]]])},
    ...     targets={"train": np.array([0, 1])}, classes=np.array([0, 1]),
    ...     stages=np.array([0, 4, 8]), stage_kind="step",
    ...     steps=np.array([0, 4, 8]), epochs=np.array([0.0, 0.5, 1.0]))
    >>> histograms = score_histograms(record, stages=[0, -1])
    >>> histograms.positions, histograms.stage_names
    (array([0, 2]), ['epoch 0 (step 0)', 'epoch 1 (step 8)'])
    >>> histograms.counts["train"]  # examples at consistency 0, 1/2, 1
    array([[1, 1, 0],
           [0, 0, 2]])
    """

    counts: dict[str, NDArray[np.intp]]
    edges: NDArray[np.float64]
    positions: NDArray[np.intp]
    stages: NDArray
    score: str
    stage_kind: str = "stage"
    labels: NDArray | None = None
    phases: NDArray[np.str_] | None = None
    steps: NDArray[np.integer] | None = None
    epochs: NDArray[np.floating] | None = None

    @property
    def stage_names(self) -> list[str]:
        """Each stage shown in words (:func:`stage_name`): "epoch 0.22 (step 4)"."""
        return [
            stage_name(
                stage,
                self.stage_kind,
                step=None if self.steps is None else self.steps[k],
                epoch=None if self.epochs is None else self.epochs[k],
            )
            for k, stage in enumerate(self.stages.tolist())
        ]


def _spread_stages(n_stages: int, n_shown: int = 6) -> NDArray[np.intp]:
    """Up to ``n_shown`` stage indices spread evenly, first and last included."""
    return np.unique(
        np.linspace(0, n_stages - 1, min(n_stages, n_shown)).round().astype(np.intp)
    )


def _shown_stages(stages, n_stages: int, phases: NDArray | None) -> NDArray[np.intp]:
    """Indices of the stages shown: those asked, the phases' first ones, or spread."""
    if isinstance(stages, str):
        if stages != "phases":
            raise ValueError(
                f"stages must be stage indices, 'phases' or None; got {stages!r}."
            )
        return phase_stages(phases)
    if stages is None:  # by index: a dense early schedule shows more early stages
        return _spread_stages(n_stages)
    return check_stage_indices(stages, n_stages).ravel()


def _bin_index(values: NDArray, edges: NDArray) -> NDArray[np.intp]:
    """The bin of each value; the last bin holds its right edge, as numpy's."""
    index = np.searchsorted(edges, values, side="right") - 1
    return np.clip(index, 0, edges.size - 2)


def _bins_and_labels(record, name, positions, score, edges, by_label):
    """Each example's bin and (with ``by_label``) majority label at each stage shown."""
    predictions, targets = record.scored_set(name)
    predictions = np.asarray(predictions[:, positions])
    values = (
        consistency(predictions, targets)
        if score == "consistency"
        else consensus(predictions)
    )
    bins = _bin_index(values, edges)
    return bins, majority_label(predictions) if by_label else np.zeros_like(bins)


def _counts(bins, layers, present, n_bins: int) -> NDArray[np.intp]:
    """Examples per stage shown, label present and bin.

    ``bins`` and ``layers`` hold each example's bin and label at each stage
    shown, of shape (n_shown, n_samples); the counts have shape (n_shown,
    n_labels, n_bins).
    """
    n_shown = bins.shape[0]
    rows = np.arange(n_shown, dtype=np.intp)[:, np.newaxis]
    cell = (rows * present.size + np.searchsorted(present, layers)) * n_bins + bins
    flat = np.bincount(cell.ravel(), minlength=n_shown * present.size * n_bins)
    return flat.reshape(n_shown, present.size, n_bins)


def score_histograms(
    source,
    *,
    score: str = "consistency",
    stages=None,
    scored_sets=None,
    bins: int | None = None,
    by_label: bool = False,
    phases: bool = False,
) -> ScoreHistograms:
    """Histograms of consistency or consensus over stages (Fig. 1-3, 9).

    For each scored set and each stage shown, the number of examples whose
    score falls in each bin; with ``by_label``, split further by the label
    most members assign to each example at that stage (Appendix C, Fig. 9).

    Parameters
    ----------
    source : PredictionRecord or fitted EnsembleDifficulty
        Where the predictions come from.
    score : {"consistency", "consensus"}, default="consistency"
        Which score.
    stages : array-like of int or "phases", default=None
        Stage indices to show (negative ones count from the end); "phases"
        for the first stage, the first stage of each later phase of
        learning and the last
        (:func:`~sklearn_difficulty.phases.phase_stages`); None for up to 6
        stages spread evenly over the recorded stages by index (as densely
        as the record early on), the first and last included.
    scored_sets : list of str, default=None
        Which scored sets, in this order; None for all.
    bins : int, default=None
        Number of equal bins over [0, 1]; None for one bin per possible
        score (:func:`score_edges`).
    by_label : bool, default=False
        Split each bin by the label most members assign
        (:func:`~sklearn_difficulty.scores.majority_label`).
    phases : bool, default=False
        Also give the phase of learning
        (:func:`~sklearn_difficulty.phases.learning_phases`,
        ``ordered=True``) of each stage shown, read off the training set
        ("train", or the first scored set of a record without one).

    Returns
    -------
    histograms : ScoreHistograms

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.histograms import score_histograms
    >>> targets = np.array([0, 1, 1, 0])
    >>> record = PredictionRecord(  # 2 members, 2 stages, 4 examples
    ...     predictions={"train": np.array([[[0, 0, 0, 0], [0, 1, 1, 0]],
    ...                                     [[1, 1, 1, 1], [0, 1, 0, 0]]])},
    ...     targets={"train": targets}, classes=np.array(["cat", "dog"]),
    ...     stages=np.array([1, 2]), stage_kind="epoch")
    >>> histograms = score_histograms(record)
    >>> histograms.counts["train"]  # consistency 0, 1/2, 1 at each epoch
    array([[0, 4, 0],
           [0, 1, 3]])
    >>> histograms.edges
    array([-0.25,  0.25,  0.75,  1.25])
    >>> by_label = score_histograms(record, stages=[-1], by_label=True)
    >>> by_label.labels
    array(['cat', 'dog'], dtype='<U3')
    >>> by_label.counts["train"][0]  # cat: 1 at 1/2, 2 at 1; dog: 1 at 1
    array([[0, 1, 2],
           [0, 0, 1]])
    """
    record = as_record(source, "source")
    if score not in ("consistency", "consensus"):
        raise ValueError(f"score must be 'consistency' or 'consensus'; got {score!r}.")
    names = list(record.set_names if scored_sets is None else scored_sets)
    for name in names:
        record.scored_set(name)  # a clear error for an unknown set
    phase_set = "train" if "train" in record.set_names else record.set_names[0]
    all_phases = None
    if phases or (isinstance(stages, str) and stages == "phases"):
        all_phases = learning_phases(record, scored_set=phase_set, ordered=True)
    positions = _shown_stages(stages, record.n_stages, all_phases)
    edges = score_edges(record.n_members, bins)
    bin_of, layer_of = {}, {}  # each example's bin and label, per set
    for name in names:
        bin_of[name], layer_of[name] = _bins_and_labels(
            record, name, positions, score, edges, by_label
        )
    present = np.unique(np.concatenate([m.ravel() for m in layer_of.values()]))
    counts = {
        name: _counts(bin_of[name], layer_of[name], present, edges.size - 1)
        for name in names
    }
    return ScoreHistograms(
        counts={name: c if by_label else c[:, 0] for name, c in counts.items()},
        edges=edges,
        positions=positions,
        stages=record.stages[positions],
        score=score,
        stage_kind=record.stage_kind,
        labels=record.classes[present] if by_label else None,
        phases=None if all_phases is None or not phases else all_phases[positions],
        steps=None if record.steps is None else record.steps[positions],
        epochs=None if record.epochs is None else record.epochs[positions],
    )
