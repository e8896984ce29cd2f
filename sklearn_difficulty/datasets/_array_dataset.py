"""Images held in an array as a torch Dataset: what ``as_dataset`` returns.

Needs the ``torch`` extra; re-exported by :mod:`sklearn_difficulty.datasets`,
which imports this module only when it is first used.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import torch
from torch.utils.data import Dataset

__all__ = ["ArrayImageDataset"]


class ArrayImageDataset(Dataset):
    """Images held in an array, as a map-style torch Dataset of ``(image, label)``.

    Wraps what the array loaders of :mod:`sklearn_difficulty.datasets` return
    (see :func:`~sklearn_difficulty.datasets.as_dataset`). Pickled, it carries
    its arrays (which joblib memory-maps for its workers).

    Parameters
    ----------
    images : array-like of shape (n_samples, channels, height, width)
        Stored as float32.
    targets : array-like of int of shape (n_samples,)
    classes : sequence of str, default=None
        The class names, label k being ``classes[k]``; None names the labels
        ``"0"`` to ``str(targets.max())``.
    transform : callable, default=None
        Applied to each image, a float32 CxHxW tensor; None returns it as is.

    Attributes
    ----------
    images : ndarray of float32 of shape (n_samples, channels, height, width)
    targets : ndarray of int64 of shape (n_samples,)
    classes : list of str
    class_to_idx : dict of str to int

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.datasets import ArrayImageDataset
    >>> dataset = ArrayImageDataset(np.zeros((3, 1, 2, 2)), [0, 2, 1])
    >>> len(dataset), dataset.classes, dataset[1][0].shape, dataset[1][1]
    (3, ['0', '1', '2'], torch.Size([1, 2, 2]), 2)
    """

    def __init__(
        self,
        images: Any,
        targets: Any,
        *,
        classes: Sequence[str] | None = None,
        transform: Callable[[Any], Any] | None = None,
    ):
        images = np.asarray(images, dtype=np.float32)
        targets = np.asarray(targets)
        if images.ndim != 4:
            raise ValueError(
                "images must be an array of shape (n_samples, channels, height, "
                f"width); got shape {images.shape}."
            )
        if targets.shape != (len(images),):
            raise ValueError(
                f"targets must hold one label per image: {len(images)} images, "
                f"targets of shape {targets.shape}."
            )
        if targets.size and (
            not np.issubdtype(targets.dtype, np.integer) or targets.min() < 0
        ):
            raise ValueError(
                "targets must be integer labels 0, 1, ...; got dtype "
                f"{targets.dtype}, smallest {targets.min()!r}."
            )
        self.images = images
        self.targets = targets.astype(np.int64)
        n_classes = int(self.targets.max()) + 1 if self.targets.size else 0
        self.classes = (
            [str(k) for k in range(n_classes)]
            if classes is None
            else [str(name) for name in classes]
        )
        if len(self.classes) < n_classes:
            raise ValueError(
                f"classes names {len(self.classes)} classes, but targets has label "
                f"{n_classes - 1}."
            )
        self.transform = transform

    @property
    def class_to_idx(self) -> dict[str, int]:
        return {name: label for label, name in enumerate(self.classes)}

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int) -> tuple[Any, int]:
        image = torch.from_numpy(np.ascontiguousarray(self.images[index]))
        if self.transform is not None:
            image = self.transform(image)
        return image, int(self.targets[index])

    def __repr__(self) -> str:
        return (
            f"{type(self).__name__}(<{len(self)} images of shape "
            f"{self.images.shape[1:]}>, transform={self.transform!r})"
        )
