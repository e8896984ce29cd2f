"""torch Dataset wrappers the members train on (imported only with torch)."""

from __future__ import annotations

import numpy as np
from torch.utils.data import Dataset

from .record import label_dtype


class Relabelled(Dataset):
    """A Dataset whose labels are replaced by class indices 0..n_classes-1.

    Members learn class indices whatever the data set's own labels; the
    images come from the wrapped data set, untouched. Pickled (when a member
    task goes to a worker), it carries the wrapped data set as that data set
    pickles itself (a description, for the data sets of
    :mod:`sklearn_difficulty.datasets`) and the indices in the smallest
    integer dtype.
    """

    def __init__(self, dataset, codes):
        codes = np.asarray(codes)
        if codes.shape != (len(dataset),):
            raise ValueError(
                f"{len(dataset)} examples but {codes.shape} labels for them."
            )
        self.dataset = dataset
        self.codes = codes.astype(label_dtype(int(codes.max(initial=0)) + 1))

    @property
    def targets(self) -> np.ndarray:
        return self.codes

    def __len__(self) -> int:
        return len(self.dataset)

    def __getitem__(self, index):
        item = self.dataset[index]
        image = item[0] if isinstance(item, tuple | list) else item
        return image, int(self.codes[index])


def relabelled(dataset, codes) -> Relabelled:
    """The data set with each example's label replaced by its class index."""
    return Relabelled(dataset, codes)
