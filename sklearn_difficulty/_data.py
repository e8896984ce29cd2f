"""Data that members train on: arrays, DataFrames, sparse matrices or torch Datasets.

A map-style ``torch.utils.data.Dataset`` of ``(image, label)`` pairs is
recognised without importing torch, so the core works without the torch
extra. A data set's labels are read without opening its images where the
data set allows it (``targets``, ``samples``, or a ``Subset`` of such a data
set), else in one pass over it.
"""

from __future__ import annotations

import numpy as np
from sklearn.utils import _safe_indexing
from sklearn.utils.validation import _num_samples

#: File name endings read as images (those of torchvision's ImageFolder).
IMAGE_EXTENSIONS = (
    ".jpg", ".jpeg", ".png", ".ppm", ".bmp", ".pgm", ".tif", ".tiff", ".webp",
)  # fmt: skip

__all__ = [
    "IMAGE_EXTENSIONS",
    "dataset_labels",
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
