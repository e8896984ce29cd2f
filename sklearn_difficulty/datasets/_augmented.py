"""A data set whose members train on randomly transformed images."""

from __future__ import annotations

import numpy as np
from torch.utils.data import Dataset

from .._inputs import dataset_labels

__all__ = ["Augmented"]


class Augmented(Dataset):
    """A data set whose training examples go through a random transform.

    Members train on ``transform(image)``; the recording pass reads
    ``dataset``, the plain images, so no recorded prediction comes from an
    augmented image. Make it with
    :func:`sklearn_difficulty.datasets.augmented`.
    """

    augments_training = True

    def __init__(self, dataset, transform):
        if not callable(transform):
            raise TypeError(f"transform must be callable; got {transform!r}.")
        self.dataset = dataset
        self.transform = transform

    @property
    def targets(self) -> np.ndarray:
        return dataset_labels(self.dataset)

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        image, label = self.dataset[index][:2]
        return self.transform(image), label
