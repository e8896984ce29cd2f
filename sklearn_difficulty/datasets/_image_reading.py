"""Reading image files from elsewhere: a pixel limit, and one size for all.

An image file is opened lazily (:func:`PIL.Image.open` reads its header), its
size is checked against ``max_pixels`` before a pixel is decoded, and only
then is it loaded: a 20,000 x 20,000 PNG of a few kilobytes is one clear
error, not gigabytes. :func:`common_size` reads the header of every file of
a data set (one open per file, about 30 to 100 microseconds each for small
PNGs on a local disk) and stops at the first two files of different sizes.
:class:`ItemShapes` checks, as items are read, that every item has the shape
of the first one, for sizes a transform decides. Needs pillow, not torch.
"""

from __future__ import annotations

import threading
import warnings
from collections.abc import Sequence
from typing import Any, NamedTuple

from PIL import Image

from ._image_listing import DEFAULT_MAX_PIXELS

__all__ = [
    "DEFAULT_MAX_PIXELS",
    "ItemShapes",
    "check_max_pixels",
    "common_size",
    "open_image",
    "read_image",
]

_PILLOW_LIMIT = threading.Lock()

_RESIZE = (
    "give the data set a transform that makes every image one size, such as "
    "torchvision.transforms.Compose([torchvision.transforms.Resize((h, w)), "
    "torchvision.transforms.ToTensor()])"
)


def check_max_pixels(max_pixels: Any) -> None:
    """``max_pixels`` is a positive int or None."""
    if max_pixels is None:
        return
    if isinstance(max_pixels, bool) or not isinstance(max_pixels, int):
        raise TypeError(f"max_pixels must be an int or None; got {max_pixels!r}.")
    if max_pixels < 1:
        raise ValueError(f"max_pixels must be at least 1; got {max_pixels}.")


def _too_large(path: str, size: str, max_pixels: int) -> ValueError:
    return ValueError(
        f"image {path} has {size}, more than max_pixels={max_pixels:,}: it "
        "would take gigabytes, or is a decompression bomb. Pass a larger "
        "max_pixels (or None for no limit) to the data set if the file is trusted."
    )


def open_image(path: str, max_pixels: int | None) -> Image.Image:
    """``path`` opened lazily (its header read), with at most ``max_pixels`` pixels.

    Pillow's own guard (``PIL.Image.MAX_IMAGE_PIXELS``: a warning above it,
    an error above twice it) yields to ``max_pixels``: its warning is not
    raised, its error becomes this ValueError, and when ``max_pixels`` is
    above twice Pillow's limit (or None) the limit is lifted only while the
    header is read, under a lock, and then restored.

    Raises
    ------
    ValueError
        When the image has more than ``max_pixels`` pixels; naming the file,
        its size and ``max_pixels``.
    OSError
        When the file is not an image Pillow can read; naming the file.
    """
    pillow_limit = Image.MAX_IMAGE_PIXELS
    lift = pillow_limit is not None and (
        max_pixels is None or max_pixels > 2 * pillow_limit
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            if lift:
                with _PILLOW_LIMIT:
                    saved, Image.MAX_IMAGE_PIXELS = Image.MAX_IMAGE_PIXELS, None
                    try:
                        image = Image.open(path)
                    finally:
                        Image.MAX_IMAGE_PIXELS = saved
            else:
                image = Image.open(path)
    except Image.DecompressionBombError as error:  # above twice Pillow's limit
        assert max_pixels is not None  # else the limit was lifted
        raise _too_large(
            path, f"more pixels than Pillow allows ({error})", max_pixels
        ) from error
    except (OSError, SyntaxError, ValueError) as error:
        raise OSError(f"cannot read image {path}: {error}") from error
    width, height = image.size
    if max_pixels is not None and width * height > max_pixels:
        image.close()
        raise _too_large(
            path, f"{width} x {height} = {width * height:,} pixels", max_pixels
        )
    return image


def read_image(
    path: str,
    mode: str,
    max_pixels: int | None,
    expected: _Sized | None = None,
) -> Image.Image:
    """The image of ``path`` in ``mode``, checked before its pixels are decoded.

    ``expected`` (a file and its (width, height)) makes an image of another
    size a ValueError naming both files.
    """
    image = open_image(path, max_pixels)
    with image:
        if expected is not None and image.size != expected.size:
            raise mixed_sizes(expected, _Sized(path, image.size))
        try:
            return image.convert(mode)
        except (OSError, SyntaxError, ValueError) as error:
            raise OSError(f"cannot read image {path}: {error}") from error


class _Sized(NamedTuple):
    """A file and its image's (width, height), or its item's shape."""

    path: str
    size: tuple[int, ...]
    transformed: bool = False  # size is the shape of the item after a transform


def mixed_sizes(first: _Sized, other: _Sized) -> ValueError:
    """The error of two images of different sizes, naming both and a remedy."""

    def described(sized: _Sized) -> str:
        if sized.transformed:
            return f"{sized.path} gives shape {sized.size} after the transform"
        return f"{sized.path} is {sized.size[0]} x {sized.size[1]} pixels"

    return ValueError(
        f"the images of a data set must all have one size: {described(first)} "
        f"and {described(other)}; {_RESIZE}."
    )


def common_size(paths: Sequence[str], max_pixels: int | None) -> _Sized | None:
    """The first readable file and its (width, height), the same for every file.

    Reads the header of each file, in order (no pixel is decoded), and stops
    at the first file of another size. A file whose header cannot be read is
    passed over here: reading it raises an OSError naming it.

    Raises
    ------
    ValueError
        When two files have different sizes (naming both), or one has more
        than ``max_pixels`` pixels.
    """
    first = None
    for path in paths:
        try:
            image = open_image(path, max_pixels)
        except OSError:
            continue
        with image:
            sized = _Sized(path, image.size)
        if first is None:
            first = sized
        elif sized.size != first.size:
            raise mixed_sizes(first, sized)
    return first


class ItemShapes:
    """Checks that every item read has the shape of the first item read.

    For sizes a transform decides, which no header tells: the first item
    with a ``shape`` sets it, any later one of another shape is a ValueError
    naming both files (before a DataLoader's collate fails on it).
    """

    def __init__(self) -> None:
        self.first: _Sized | None = None

    def check(self, path: str, item: Any) -> None:
        """``item`` (read from ``path``) has the first item's shape."""
        shape = getattr(item, "shape", None)
        if shape is None:
            return
        sized = _Sized(path, tuple(int(size) for size in shape), transformed=True)
        if self.first is None:
            self.first = sized
        elif sized.size != self.first.size:
            raise mixed_sizes(self.first, sized)
