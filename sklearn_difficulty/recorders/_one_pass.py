"""One pass: a scikit-learn member's labels read off the values of its outputs.

With outputs, the values they are computed from are there anyway
(``decision_function``'s where the margin uses it, else ``predict_proba``'s;
the staged ones for boosting rounds), and a classifier's ``predict`` is most
often the class of the largest of them, through ``classes_`` (scikit-learn's
linear models and boosting for the first, ``MLPClassifier`` and
``CalibratedClassifierCV`` for the second). A member then records its
labels from that one pass instead of calling ``predict`` too.

The record stays exactly what ``predict`` gives:

- at a member's first recorded stage both are computed on each scored set
  and compared; the member reads its labels off the values on that set from
  then on only if they are equal (a member whose ``predict`` differs,
  ``SVC(probability=True)`` or a classifier of one's own, keeps calling
  ``predict`` at every stage);
- after that, the rows of a near tie (the two largest values within 1e-6,
  relative to the largest when it exceeds 1), where a value rounded
  otherwise could change the argmax, and rows holding a NaN still get
  ``predict``'s labels, computed on those rows alone (for boosting rounds,
  in one more ``staged_predict`` pass over those rows).

The ``final`` recorder has one stage, the one checked, so it saves nothing;
``staged_predict`` then runs only up to the first recorded round.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import _safe_indexing

__all__ = ["LabelReader", "StagedLabels"]


class StagedLabels:
    """``staged_predict``'s labels on one scored set, computed only as far as asked.

    :meth:`at` advances the generator to a round (never back); :meth:`later`
    notes rows whose labels ``staged_predict`` must give at a round, all
    given by :meth:`fill_near_ties` in one more staged pass over those rows.
    """

    def __init__(self, estimator, X) -> None:
        self.estimator, self.X = estimator, X
        self._labels = estimator.staged_predict(X)
        self._round, self._current = 0, None
        self._previous: tuple = (0, None)
        self._later: dict[int, np.ndarray] = {}

    def at(self, stage: int):
        """The labels of round ``stage`` (None past the last round).

        The round before the current one is kept too: the last round is
        known to be the last only once the next one is found missing.
        """
        while self._round < stage:
            self._previous = (self._round, self._current)
            self._current = next(self._labels, None)
            self._round += 1
        if stage == self._round:
            return self._current
        if stage == self._previous[0]:
            return self._previous[1]
        raise ValueError(f"round {stage} of staged_predict was passed already.")

    def later(self, stage: int, rows: np.ndarray) -> None:
        self._later[stage] = rows

    def fill_near_ties(self, kept: list) -> None:
        """Put ``staged_predict``'s labels in the rows :meth:`later` noted."""
        if not self._later:
            return
        union = np.unique(np.concatenate(list(self._later.values())))
        labels = {stage: labels for stage, labels, _ in kept}
        subset = _safe_indexing(self.X, union)
        for stage, predicted in enumerate(self.estimator.staged_predict(subset), 1):
            rows = self._later.get(stage)
            if rows is not None:
                labels[stage][rows] = np.asarray(predicted)[
                    np.searchsorted(union, rows)
                ]


class LabelReader:
    """Where one member's labels come from: one pass, or ``predict``.

    See the module documentation. One reader per member, kept over its
    stages; ``agrees`` says, per scored set, whether the first recorded
    stage found ``predict`` equal to the argmax of the values.
    """

    def __init__(self) -> None:
        self.agrees: dict[int, bool] = {}

    def labels(self, set_index: int, values, classes, predict):
        """A member's labels on one scored set at one stage.

        ``values`` are the member's own values (one column per class of
        ``classes``; a binary ``decision_function`` one value, as the
        scores ``(0, value)``), None for none; ``predict(rows)`` gives
        ``predict``'s labels on ``rows`` (None: every row), or None when it
        puts them in place later (a staged recorder).
        """
        if values is None or self.agrees.get(set_index) is False:
            return predict(None)
        read, near = _argmax_labels(values, classes)
        if read is None or set_index not in self.agrees:
            predicted = predict(None)
            self.agrees[set_index] = read is not None and np.array_equal(
                read, np.asarray(predicted)
            )
            return predicted
        if near.size:
            predicted = predict(near)
            if predicted is not None:
                read[near] = predicted
        return read


_NEAR_TIE = 1e-6


def _argmax_labels(values, classes) -> tuple:
    """``classes[argmax]`` of a member's values, and the rows of near ties.

    ``(None, None)`` when the values do not have one column per class.
    """
    classes = np.asarray(classes)
    values = np.asarray(values, dtype=np.float64)
    if values.ndim == 1:  # a binary decision_function: the scores (0, value)
        values = np.column_stack([np.zeros_like(values), values])
    if values.ndim != 2 or values.shape[1] != classes.size:
        return None, None
    read = classes[values.argmax(axis=1)]
    if classes.size < 2:
        return read, np.flatnonzero(np.isnan(values).any(axis=1))
    second, first = np.moveaxis(np.partition(values, -2, axis=1)[:, -2:], 1, 0)
    near = first - second <= _NEAR_TIE * np.maximum(1.0, np.abs(first))
    return read, np.flatnonzero(near | np.isnan(values).any(axis=1))
