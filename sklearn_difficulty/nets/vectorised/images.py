"""The images a group of members trains on and is recorded on, by index."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import numpy as np
import torch
from scipy.sparse import issparse
from torch.utils.data import DataLoader

from ..._inputs import is_torch_dataset
from .._torch import images_to_nchw, loader_settings

__all__ = ["ImageLoader"]


class ImageLoader:
    """Images by index: an array moved to the device once, or a Dataset streamed.

    A Dataset is read through DataLoaders (``num_workers`` worker processes,
    pinned memory on a GPU; :func:`~sklearn_difficulty.nets._torch.
    loader_settings`): every training step loads the images the members'
    batches need, once each, whichever members share them, and the
    recording pass reads the set in order, in batches. Only a few batches of
    images are ever in memory.

    Parameters
    ----------
    data : array of images or torch Dataset
        Arrays are converted with :func:`~sklearn_difficulty.nets.
        images_to_nchw` (``channels``).
    channels : {"auto", "first", "last"} or None
        None: rows of features, taken as they are (a sparse matrix is
        made dense).
    num_workers : int
    device : torch.device

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from sklearn_difficulty.nets.vectorised.images import ImageLoader
    >>> images = np.arange(20, dtype=np.float32).reshape(5, 2, 2, 1)  # NHWC
    >>> loader = ImageLoader(
    ...     images, channels="last", num_workers=0, device=torch.device("cpu"))
    >>> [batch.shape for batch in loader.in_order(3)]
    [torch.Size([3, 1, 2, 2]), torch.Size([2, 1, 2, 2])]
    >>> batches = [torch.tensor([[0, 1], [3, 4]])]  # two members' batches
    >>> next(loader.batches(batches))[:, :, 0, 0, 0]  # their images' first pixels
    tensor([[ 0.,  4.],
            [12., 16.]])
    """

    def __init__(self, data, *, channels: str | None, num_workers: int, device):
        self.device = device
        self.num_workers = num_workers
        if is_torch_dataset(data):
            self.dataset, self.tensor = data, None
        else:
            self.dataset = None
            if channels is None:
                rows = _feature_rows(data)
            else:
                rows = images_to_nchw(data, channels)
            if not np.isfinite(rows).all():
                raise ValueError(
                    "X holds NaN or infinity: the vectorised networks need finite "
                    "inputs (impute or drop them first)."
                )
            self.tensor = torch.as_tensor(rows, device=device)

    def _loader(self, **kwargs) -> DataLoader:
        return DataLoader(
            self.dataset,
            num_workers=self.num_workers,
            **loader_settings(self.num_workers, self.device),
            **kwargs,
        )

    def _to_device(self, batch) -> torch.Tensor:
        images = batch[0] if isinstance(batch, tuple | list) else batch
        return images.to(self.device, torch.float32, non_blocking=True)

    def batches(self, batches: Iterable[torch.Tensor]) -> Iterator[torch.Tensor]:
        """The images of each step's batches, of shape (members, batch, C, H, W)."""
        if self.tensor is not None:
            for batch in batches:
                yield self.tensor[batch]
            return
        steps = [torch.unique(batch, return_inverse=True) for batch in batches]
        loader = self._loader(batch_sampler=[rows.tolist() for rows, _ in steps])
        for (_, inverse), loaded in zip(steps, loader, strict=True):
            yield self._to_device(loaded)[inverse.to(self.device)]

    def in_order(self, size: int) -> Iterator[torch.Tensor]:
        """All images in order, ``size`` at a time."""
        if self.tensor is not None:
            yield from self.tensor.split(size)
            return
        for loaded in self._loader(batch_size=size, shuffle=False):
            yield self._to_device(loaded)


def _feature_rows(data) -> np.ndarray:
    """Rows of features as a C-contiguous float32 array (sparse made dense)."""
    if issparse(data):
        data = data.toarray()
    return np.ascontiguousarray(data, dtype=np.float32)
