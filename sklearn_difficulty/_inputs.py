"""The examples an ensemble fits or predicts, checked once into one object.

Arrays, sparse matrices, DataFrames and map-style torch Datasets of
``(image, label)`` pairs all become an :class:`Inputs` at the top of
``fit`` (and of ``predict_proba``): its number of examples, the shape of one
example, its labels, and the forms the members and the recording passes
need. Nothing after that asks which kind of data it holds; a new kind of
input is one more subclass here.

A Dataset is recognised without importing torch, so the core works without
the torch extra. Its labels are read without opening its images where the
data set allows it (``targets``, ``samples``, or a ``Subset`` of such a data
set), else in one pass over it. Members learn class indices: a Dataset goes
to them with its labels replaced by theirs (a ``Relabelled`` view, which
needs torch), and the recording passes read the plain images of an
augmented data set.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

import numpy as np
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import (
    _check_method_params,
    _check_sample_weight,
    _num_samples,
    check_consistent_length,
    column_or_1d,
    validate_data,
)

__all__ = [
    "ArrayInputs",
    "DatasetInputs",
    "EvalSet",
    "Inputs",
    "LabelledInputs",
    "check_eval_sets",
    "check_inputs",
    "check_training_inputs",
    "dataset_labels",
    "first_example_shape",
    "is_augmented",
    "is_torch_dataset",
    "n_samples",
    "take",
    "unaugmented",
]


def is_torch_dataset(X) -> bool:
    """Whether ``X`` is a ``torch.utils.data.Dataset`` (without importing torch)."""
    return any(
        cls.__name__ == "Dataset" and cls.__module__.startswith("torch.utils.data")
        for cls in type(X).__mro__
    )


def n_samples(X) -> int:
    """Number of examples of arrays, DataFrames, sparse matrices or a Dataset."""
    return len(X) if is_torch_dataset(X) else _num_samples(X)


def take(X, indices):
    """The examples ``indices`` of ``X``: a ``Subset`` of a Dataset, else rows."""
    if is_torch_dataset(X):
        from torch.utils.data import Subset

        return Subset(X, np.asarray(indices).tolist())
    return _safe_indexing(X, indices)


def first_example_shape(dataset) -> tuple[int, ...]:
    """The shape of the first example of a Dataset (its image, for pairs)."""
    if len(dataset) == 0:
        raise ValueError("the data set has no examples.")
    first = dataset[0]
    image = first[0] if isinstance(first, tuple | list) else first
    return tuple(int(size) for size in getattr(image, "shape", ()))


def dataset_labels(dataset) -> np.ndarray:
    """The label of every example of a Dataset, opening as few images as it can.

    In this order: the data set's ``targets`` (torchvision's data sets, and
    those of :mod:`sklearn_difficulty.datasets`), its ``samples`` (pairs of
    path and label, as ``ImageFolder``), the labels of the data set a
    ``Subset`` takes its examples from, and else one pass that reads every
    example (``dataset[i][1]``), images included.
    """
    targets = getattr(dataset, "targets", None)
    if targets is not None:
        labels = np.asarray(targets)
    elif getattr(dataset, "samples", None) is not None:
        labels = np.asarray([label for _, label in dataset.samples])
    elif hasattr(dataset, "dataset") and hasattr(dataset, "indices"):  # a Subset
        labels = dataset_labels(dataset.dataset)[np.asarray(dataset.indices)]
    else:
        labels = np.asarray([_label(dataset[i]) for i in range(len(dataset))])
    if labels.shape != (len(dataset),):
        raise ValueError(
            f"the data set {type(dataset).__name__} has {len(dataset)} examples "
            f"but {labels.shape} labels."
        )
    return labels


def _label(item):
    if not isinstance(item, tuple | list) or len(item) < 2:
        raise ValueError(
            "a data set for EnsembleDifficulty yields (image, label) pairs; one "
            f"of its examples is a {type(item).__name__}."
        )
    label = item[1]
    return label.item() if hasattr(label, "item") else label


def unaugmented(X):
    """The plain data set of an augmented one (the recording pass reads it)."""
    return X.dataset if getattr(X, "augments_training", False) else X


def is_augmented(X) -> bool:
    """Whether members train on randomly transformed examples of ``X``."""
    while X is not None:
        if getattr(X, "augments_training", False):
            return True
        X = getattr(X, "dataset", None)
    return False


# One checked object per set of examples ---------------------------------------------


class Inputs:
    """A checked set of examples, whatever kind of data holds them.

    Attributes
    ----------
    data : object
        The examples as the caller gave them, checked: what a member's
        ``predict`` takes (a DataFrame stays a DataFrame).
    n_samples : int
        Number of examples.
    sample_shape : tuple of int
        The shape of one example: ``(n_features,)``, or one image's.
    """

    described_as = "X has samples"  # in errors

    def __init__(self, data, *, n_samples: int, sample_shape: tuple[int, ...]):
        self.data = data
        self.n_samples = n_samples
        self.sample_shape = sample_shape

    def labels(self, y) -> np.ndarray:
        """The labels of these examples: ``y``, checked against them."""
        y = column_or_1d(y, warn=True)
        check_consistent_length(np.empty(self.n_samples), y)
        return y

    def for_members(self, codes, *, learns_codes: bool, reader: str):
        """The examples as members train on them, labelled by class ``codes``.

        ``learns_codes`` says whether the members learn class indices (the
        networks' recorders); ``reader`` names the recorder, for errors.
        """
        return self.data

    def for_scoring(self, codes):
        """The examples as a recording pass reads them (plain, never augmented)."""
        return self.data

    def sample_params(self, fit_params: Mapping, sample_weight=None) -> dict:
        """Fit parameters of the members, those of one value per example checked."""
        rows = self._rows()
        params = _check_method_params(rows, dict(fit_params))
        if sample_weight is not None:
            params["sample_weight"] = _check_sample_weight(sample_weight, rows)
        return params

    def _rows(self):
        return np.empty((self.n_samples, 0))


class ArrayInputs(Inputs):
    """Arrays, sparse matrices or DataFrames, checked by scikit-learn's rules."""

    def __init__(self, data, checked):
        super().__init__(
            data, n_samples=_num_samples(checked), sample_shape=checked.shape[1:]
        )
        self.checked = checked

    def _rows(self):
        return self.checked


class DatasetInputs(Inputs):
    """A map-style torch Dataset of ``(image, label)`` pairs, read lazily."""

    described_as = "the data set has images"

    def __init__(self, dataset):
        super().__init__(
            dataset,
            n_samples=len(dataset),
            sample_shape=first_example_shape(dataset),
        )

    def labels(self, y) -> np.ndarray:
        """``y``, or the data set's own labels when it is None."""
        if y is None:
            return dataset_labels(self.data)
        y = column_or_1d(y)
        check_consistent_length(np.empty(self.n_samples), y)
        return y

    def for_members(self, codes, *, learns_codes: bool, reader: str):
        if not learns_codes:
            raise ValueError(
                "a torch Dataset is read by networks (the recorders that learn "
                f"class indices); this estimator is recorded by {reader!r}: give "
                "it arrays."
            )
        from ._torch_data import relabelled

        return relabelled(self.data, codes)

    def for_scoring(self, codes):
        from ._torch_data import relabelled

        return relabelled(unaugmented(self.data), codes)


def check_inputs(estimator, X, *, reset: bool) -> Inputs:
    """Check ``X`` for ``estimator`` (``fit`` with ``reset``, else ``predict``).

    Sets ``n_features_in_``, ``sample_shape_`` (and ``feature_names_in_``)
    on ``estimator`` when ``reset``; otherwise checks that ``X`` matches
    them.
    """
    if is_torch_dataset(X):
        inputs: Inputs = DatasetInputs(X)
        if reset:
            shape = inputs.sample_shape
            estimator.n_features_in_ = shape[0] if shape else 1
    else:
        checked = validate_data(estimator, X, reset=reset, **_ARRAY_RULES)
        inputs = ArrayInputs(_members_form(X, checked), checked)
    _check_sample_shape(estimator, inputs, reset)
    return inputs


class LabelledInputs(NamedTuple):
    """The training examples and their labels, checked."""

    inputs: Inputs
    y: np.ndarray


def check_training_inputs(estimator, X, y) -> LabelledInputs:
    """Check the training examples and labels; set the estimator's input attributes.

    Only a Dataset may come without ``y``: it brings its own labels.
    """
    if is_torch_dataset(X):
        inputs = check_inputs(estimator, X, reset=True)
        return LabelledInputs(inputs, inputs.labels(y))
    if y is None:
        raise ValueError(
            f"{type(estimator).__name__} requires y to be passed, but the target y "
            "is None (only a torch Dataset brings its own labels)."
        )
    checked, y = validate_data(estimator, X, y, reset=True, **_ARRAY_RULES)
    inputs = ArrayInputs(_members_form(X, checked), checked)
    _check_sample_shape(estimator, inputs, True)
    return LabelledInputs(inputs, y)


class EvalSet(NamedTuple):
    """One evaluation set: its name, its examples and their class indices."""

    name: str
    inputs: Inputs
    codes: np.ndarray


def check_eval_sets(estimator, eval_set, classes: np.ndarray) -> list[EvalSet]:
    """The evaluation sets of ``fit``, checked against the fitted inputs.

    ``eval_set`` is a list of (X, y) pairs, named "eval_0", "eval_1", ...,
    or a dict of names to pairs; its labels must all be in ``classes``.
    """
    if eval_set is None:
        return []
    if isinstance(eval_set, Mapping):
        items = list(eval_set.items())
    elif isinstance(eval_set, list):
        items = [(f"eval_{i}", pair) for i, pair in enumerate(eval_set)]
    else:
        raise TypeError(
            "eval_set must be a list of (X, y) pairs or a dict of names to "
            f"(X, y) pairs, e.g. eval_set=[(X_test, y_test)]; got "
            f"{type(eval_set).__name__}."
        )
    checked, names = [], set()
    for name, pair in items:
        if not isinstance(name, str) or name == "train" or name in names:
            raise ValueError(
                f"eval_set names must be distinct strings other than 'train'; "
                f"got {name!r}."
            )
        names.add(name)
        if not isinstance(pair, tuple | list) or len(pair) != 2:
            raise TypeError(f"eval_set {name!r} must be an (X, y) pair.")
        try:
            inputs = check_inputs(estimator, pair[0], reset=False)
            y = inputs.labels(pair[1])
        except ValueError as error:
            error.add_note(f"(in the evaluation set {name!r})")
            raise
        unseen = ~np.isin(y, classes)
        if unseen.any():
            raise ValueError(
                f"the evaluation set {name!r} has labels never seen in "
                f"training: {np.unique(y[unseen])[:10].tolist()}. "
                f"The training labels are {classes[:10].tolist()}"
                f"{'...' if classes.size > 10 else ''}."
            )
        checked.append(EvalSet(name, inputs, np.asarray(np.searchsorted(classes, y))))
    return checked


# What scikit-learn's validation accepts for the members' examples.
_ARRAY_RULES: dict[str, Any] = dict(
    accept_sparse=["csr", "csc"], dtype=None, ensure_all_finite=False, allow_nd=True
)


def _members_form(X, checked):
    """What members get: a DataFrame stays one (its column names), else the check."""
    is_dataframe = hasattr(X, "columns") and hasattr(X, "iloc")
    return X if is_dataframe else checked


def _check_sample_shape(estimator, inputs: Inputs, reset: bool) -> None:
    """Images and other n-d samples must keep the shape seen in fit."""
    if reset:
        estimator.sample_shape_ = inputs.sample_shape
    elif inputs.sample_shape != estimator.sample_shape_:
        raise ValueError(
            f"{inputs.described_as} of shape {inputs.sample_shape}, but "
            f"{type(estimator).__name__} was fitted on samples of shape "
            f"{estimator.sample_shape_}."
        )
