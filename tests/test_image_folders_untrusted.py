"""Image folders from someone else cannot loop, hang, blow up memory or fail late.

Each test is an attack of issue 19 on the lazy image data sets: symbolic link
loops, a FIFO named as an image, a decompression bomb, images of mixed sizes.
A test that would hang on a package without the guard fails on its timeout.
"""

import os
import struct
import zlib

import numpy as np
import pytest

pytest.importorskip("torch", reason="the torch extra is not installed")
pytest.importorskip("PIL", reason="the torch extra is not installed")

import torch
from PIL import Image

from sklearn_difficulty.datasets import (
    DEFAULT_MAX_PIXELS,
    load_image_folder,
    load_imagenet_folders,
    load_tiny_imagenet,
)
from sklearn_difficulty.exceptions import DifficultyWarning

needs_symlinks_and_fifos = pytest.mark.skipif(
    not hasattr(os, "mkfifo"), reason="needs symbolic links and FIFOs (POSIX)"
)


def write_images(folder, n, size=(6, 5), start=0):
    """``n`` grey PNGs of ``size`` (width, height) in ``folder``; their paths."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for k in range(start, start + n):
        path = folder / f"{k:03d}.png"
        Image.new("L", size, k % 256).save(path)
        paths.append(path)
    return paths


def two_classes(tmp_path, n=20, size=(6, 5)):
    root = tmp_path / "images"
    write_images(root / "a", n, size)
    write_images(root / "b", n, size, start=100)
    return root


def png_header(width, height):
    """A PNG of a few bytes that declares ``width`` x ``height`` grey pixels."""

    def chunk(kind, data):
        crc = zlib.crc32(kind + data)
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    body = zlib.compress(b"\0" * 1000)  # far from the declared size
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", body)
        + chunk(b"IEND", b"")
    )


def labels_by_folder(dataset, folder=None):
    """Whether every image's label is the class of the folder it lies in."""
    folder = dataset.root if folder is None else folder
    return all(
        dataset.classes[label] == os.path.relpath(path, folder).split(os.sep)[0]
        for path, label in dataset.samples
    )


# Symbolic links --------------------------------------------------------------------


@needs_symlinks_and_fifos
@pytest.mark.timeout(20)
def test_a_link_to_another_class_neither_repeats_nor_relabels_its_images(tmp_path):
    root = two_classes(tmp_path)
    os.symlink("../b", root / "a" / "link")  # a loop: a/link/../b ... and b in a
    with pytest.warns(DifficultyWarning, match=f"listing the images of {root}"):
        dataset = load_image_folder(root)
    assert len(dataset) == 40  # 1,640 on a package that follows every link
    np.testing.assert_array_equal(np.bincount(dataset.targets), [20, 20])
    assert labels_by_folder(dataset)
    assert len({os.path.realpath(path) for path, _ in dataset.samples}) == 40


@needs_symlinks_and_fifos
@pytest.mark.timeout(20)
def test_two_link_loops_end(tmp_path):
    root = two_classes(tmp_path)
    os.symlink("../b", root / "a" / "link")
    os.symlink("..", root / "b" / "up")  # b/up/a/link/up/a/link/...
    os.symlink(".", root / "a" / "self")
    with pytest.warns(DifficultyWarning, match=r"3 link\(s\)") as record:
        dataset = load_image_folder(root)
    assert len(record) == 1  # one warning for the whole listing
    assert len(dataset) == 40 and labels_by_folder(dataset)


@needs_symlinks_and_fifos
@pytest.mark.timeout(20)
def test_imagenet_folders_with_a_loop_end(tmp_path):
    root = tmp_path / "imagenet"
    for subset in ("train", "val"):
        write_images(root / subset / "n01", 3)
        write_images(root / subset / "n02", 2)
    os.symlink("..", root / "val" / "n01" / "up")
    os.symlink("../n01", root / "val" / "n02" / "sideways")
    with pytest.warns(DifficultyWarning, match=str(root / "val")):
        val = load_imagenet_folders(root, subset="val")
    np.testing.assert_array_equal(val.targets, [0, 0, 0, 1, 1])
    assert labels_by_folder(val, root / "val")


@needs_symlinks_and_fifos
@pytest.mark.timeout(20)
def test_links_followed_once_and_only_where_they_may_go(tmp_path):
    root = two_classes(tmp_path, n=2)
    elsewhere = tmp_path / "elsewhere"
    write_images(elsewhere, 3, start=50)
    os.symlink(elsewhere, root / "a" / "more")  # outside the root: followed once
    os.symlink(elsewhere, root / "b" / "more")  # ... not a second time, for b
    os.symlink(tmp_path, root / "a" / "above")  # holds the class folders
    os.symlink(root / "b" / "100.png", root / "a" / "stolen.png")  # b's image
    with pytest.warns(DifficultyWarning, match=r"3 link\(s\)"):
        dataset = load_image_folder(root)
    assert [os.path.relpath(path, root) for path, _ in dataset.samples] == [
        "a/000.png",
        "a/001.png",
        "a/more/050.png",
        "a/more/051.png",
        "a/more/052.png",
        "b/100.png",
        "b/101.png",
    ]
    np.testing.assert_array_equal(dataset.targets, [0] * 5 + [1] * 2)

    os.symlink(root / "a", root / "c")  # two class names for one folder
    with pytest.raises(ValueError, match="classes 'a' and 'c' are one folder"):
        load_image_folder(root)


# Files that are not regular files -----------------------------------------------------


@needs_symlinks_and_fifos
@pytest.mark.timeout(20)
def test_a_fifo_named_as_an_image_is_skipped_unopened(tmp_path):
    root = two_classes(tmp_path, n=2)
    os.mkfifo(root / "a" / "x.png")  # opening it waits for a writer forever
    os.symlink(root / "nowhere.png", root / "b" / "broken.png")
    os.mkfifo(root / "b" / "not-an-image")  # not named as an image: not counted
    with pytest.warns(DifficultyWarning) as record:
        dataset = load_image_folder(root)
    assert len(record) == 1
    message = str(record[0].message)
    assert f"listing the images of {root}" in message
    assert "2 file(s) named as images that are not regular files" in message
    assert len(dataset) == 4
    for index in range(len(dataset)):  # reading every image ends
        assert dataset[index][0].shape == (3, 5, 6)


@needs_symlinks_and_fifos
@pytest.mark.timeout(20)
def test_a_tiny_imagenet_val_fifo_is_an_error_not_a_hang(tmp_path):
    root = tmp_path / "tiny"
    root.mkdir()
    (root / "wnids.txt").write_text("n01\n")
    write_images(root / "train" / "n01" / "images", 1)
    (root / "val" / "images").mkdir(parents=True)
    Image.new("L", (6, 5)).save(root / "val" / "images" / "val_0.JPEG")
    os.mkfifo(root / "val" / "images" / "val_1.JPEG")
    (root / "val" / "val_annotations.txt").write_text(
        "val_0.JPEG\tn01\t0\t0\t1\t1\nval_1.JPEG\tn01\t0\t0\t1\t1\n"
    )
    with pytest.raises(FileNotFoundError, match="val_1.JPEG .*not regular files"):
        dataset = load_tiny_imagenet(root, subset="val")
        dataset[1]  # on a package without the check: waits for a writer


# A pixel limit ------------------------------------------------------------------------


def test_the_default_limit_is_pillows_and_stops_a_bomb_from_its_header(tmp_path):
    root = two_classes(tmp_path, n=1)
    bomb = root / "a" / "bomb.png"
    bomb.write_bytes(png_header(10_000, 10_000))  # 1e8 pixels, 5 KB on disk
    assert bomb.stat().st_size < 10_000
    assert DEFAULT_MAX_PIXELS == 1024 * 1024 * 1024 // 4 // 3  # Pillow's default
    limit = Image.MAX_IMAGE_PIXELS
    match = (
        f"image {bomb} has 10000 x 10000 = 100,000,000 pixels, more than "
        "max_pixels=89,478,485.*Pass a larger max_pixels"
    )
    with pytest.raises(ValueError, match=match):
        load_image_folder(root)  # found when the folder is opened
    lazy = load_image_folder(root, transform=lambda image: torch.zeros(1, 2, 2))
    assert lazy.samples[1][0] == str(bomb)
    with pytest.raises(ValueError, match=match):
        lazy[1]  # read when indexed, from its header, before it is decoded
    giant = root / "b" / "giant.png"
    giant.write_bytes(png_header(20_000, 20_000))  # above twice Pillow's limit
    bomb.unlink()
    with pytest.raises(ValueError, match=f"image {giant} has more pixels than"):
        load_image_folder(root)
    assert Image.MAX_IMAGE_PIXELS == limit  # the process's setting is untouched


def test_max_pixels_is_a_parameter_of_every_image_data_set(tmp_path):
    root = two_classes(tmp_path, n=1, size=(200, 200))
    with pytest.raises(
        ValueError, match=r"200 x 200 = 40,000 pixels.*max_pixels=10,000"
    ):
        load_image_folder(root, max_pixels=100 * 100)
    assert len(load_image_folder(root, max_pixels=200 * 200)) == 2
    for wrong, error in [(0, ValueError), (1.5, TypeError), (True, TypeError)]:
        with pytest.raises(error, match="max_pixels must be"):
            load_image_folder(root, max_pixels=wrong)
    imagenet = tmp_path / "imagenet"
    imagenet.mkdir()
    os.rename(root, imagenet / "train")
    with pytest.raises(ValueError, match="max_pixels=1,000"):
        load_imagenet_folders(imagenet, max_pixels=1000)

    limit = Image.MAX_IMAGE_PIXELS
    giant = imagenet / "train" / "a" / "giant.png"
    giant.write_bytes(png_header(20_000, 20_000))  # trusted: Pillow's guard lifted
    with pytest.raises(ValueError, match=f"{giant} is 20000 x 20000 pixels"):
        load_imagenet_folders(imagenet, max_pixels=None)  # its header was read
    assert Image.MAX_IMAGE_PIXELS == limit


# Mixed sizes --------------------------------------------------------------------------

RESIZE = r"torchvision\.transforms\.Resize\(\(h, w\)\)"


def test_mixed_sizes_are_found_when_the_folder_is_opened(tmp_path):
    root = two_classes(tmp_path, n=3)
    odd = root / "b" / "101.png"
    Image.new("L", (7, 5)).save(odd)
    first = root / "a" / "000.png"
    match = f"{first} is 6 x 5 pixels and {odd} is 7 x 5 pixels; .*{RESIZE}"
    with pytest.raises(ValueError, match=match):
        load_image_folder(root)


def test_mixed_sizes_after_a_transform_name_both_files_before_collating(tmp_path):
    root = two_classes(tmp_path, n=3)
    odd = root / "b" / "101.png"
    Image.new("L", (7, 5)).save(odd)

    def to_tensor(image):
        return torch.from_numpy(np.asarray(image, dtype=np.float32)[None] / 255)

    dataset = load_image_folder(root, mode="L", transform=to_tensor)  # no header read
    assert dataset[0][0].shape == (1, 5, 6)
    loader = torch.utils.data.DataLoader(dataset, batch_size=6)
    match = (
        f"{root / 'a' / '000.png'} gives shape \\(1, 5, 6\\) after the transform and "
        f"{odd} gives shape \\(1, 5, 7\\) after the transform; .*{RESIZE}"
    )
    with pytest.raises(ValueError, match=match):
        list(loader)  # not torch's "stack expects each tensor to be equal size"
