"""Loaders, on small files that the tests write in each data set's real format."""

import gzip
import pickle
import struct

import numpy as np
import pytest

from sklearn_difficulty.datasets import (
    CIFAR100_SUPERCLASSES,
    load_cifar10,
    load_cifar100,
    load_cifar100_superclass,
    load_digits_images,
    load_mnist,
)

RNG = np.random.RandomState(0)


def write_idx(path, array, compress=False):
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim)
    header += struct.pack(">" + "I" * array.ndim, *array.shape)
    data = header + array.astype(np.uint8).tobytes()
    opener = gzip.open if compress else open
    with opener(path, "wb") as handle:
        handle.write(data)


def test_digits_images():
    data = load_digits_images()
    assert data.images.shape == (1797, 1, 8, 8)
    assert data.images.dtype == np.float32
    assert 0 <= data.images.min() and data.images.max() == 1
    assert list(data.target_names) == [str(k) for k in range(10)]


@pytest.mark.parametrize("compress", [False, True])
@pytest.mark.parametrize("folder", [".", "MNIST/raw"])
def test_mnist_from_idx_files(tmp_path, compress, folder):
    base = tmp_path / folder
    base.mkdir(parents=True, exist_ok=True)
    images = RNG.randint(0, 256, (7, 28, 28))
    labels = RNG.randint(0, 10, 7)
    suffix = ".gz" if compress else ""
    write_idx(base / f"t10k-images-idx3-ubyte{suffix}", images, compress)
    write_idx(base / f"t10k-labels-idx1-ubyte{suffix}", labels, compress)
    X, y = load_mnist(tmp_path, subset="test", return_X_y=True)
    assert X.shape == (7, 1, 28, 28) and X.dtype == np.float32
    np.testing.assert_allclose(X[:, 0] * 255, images, atol=1e-4)
    np.testing.assert_array_equal(y, labels)
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte"):
        load_mnist(tmp_path, subset="train")


def test_mnist_with_mismatched_or_broken_files(tmp_path):
    write_idx(tmp_path / "train-images-idx3-ubyte", RNG.randint(0, 256, (3, 28, 28)))
    write_idx(tmp_path / "train-labels-idx1-ubyte", RNG.randint(0, 10, 4))
    with pytest.raises(ValueError, match="do not match"):
        load_mnist(tmp_path)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"\x00\x00\x0d\x01")
    with pytest.raises(ValueError, match="not an IDX file"):
        load_mnist(tmp_path)
    with pytest.raises(ValueError, match="subset"):
        load_mnist(tmp_path, subset="valid")


def test_missing_files_name_what_is_missing_and_where(tmp_path):
    with pytest.raises(FileNotFoundError) as error:
        load_cifar10(tmp_path)
    message = str(error.value)
    assert "data_batch_1.bin" in message and "cifar-10-batches-py" in message
    assert "download=True" in message
    with pytest.raises(FileNotFoundError, match="train.bin"):
        load_cifar100_superclass(tmp_path)


def cifar10_binary(tmp_path, n=4):
    folder = tmp_path / "cifar-10-batches-bin"
    folder.mkdir()
    expected = {}
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        labels = RNG.randint(0, 10, n).astype(np.uint8)
        pixels = RNG.randint(0, 256, (n, 3072)).astype(np.uint8)
        records = np.column_stack([labels, pixels])
        (folder / f"{name}.bin").write_bytes(records.tobytes())
        expected[name] = pixels, labels
    return expected


def test_cifar10_binary(tmp_path):
    expected = cifar10_binary(tmp_path)
    X, y = load_cifar10(tmp_path, return_X_y=True)
    assert X.shape == (20, 3, 32, 32)
    pixels = np.concatenate([expected[f"data_batch_{i}"][0] for i in range(1, 6)])
    np.testing.assert_allclose(X.reshape(20, -1) * 255, pixels, atol=1e-3)
    np.testing.assert_array_equal(
        y, np.concatenate([expected[f"data_batch_{i}"][1] for i in range(1, 6)])
    )
    test = load_cifar10(tmp_path, subset="test")
    np.testing.assert_array_equal(test.target, expected["test_batch"][1])
    assert test.target_names[3] == "cat"


def write_python_batch(path, batch):
    with open(path, "wb") as handle:
        pickle.dump(batch, handle, protocol=2)


def test_cifar10_python_version(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    pixels = RNG.randint(0, 256, (3, 3072)).astype(np.uint8)
    labels = [1, 5, 9]
    for name in ["test_batch"]:
        write_python_batch(
            folder / name,
            {b"batch_label": b"testing", b"labels": labels, b"data": pixels},
        )
    X, y = load_cifar10(tmp_path, subset="test", return_X_y=True)
    np.testing.assert_array_equal(y, labels)
    np.testing.assert_allclose(X.reshape(3, -1) * 255, pixels, atol=1e-3)


class Exploit:
    def __reduce__(self):
        import os

        return (os.system, ("echo owned",))


def test_python_batches_cannot_run_code(tmp_path):
    folder = tmp_path / "cifar-10-batches-py"
    folder.mkdir()
    write_python_batch(folder / "test_batch", {"data": Exploit(), "labels": []})
    with pytest.raises(pickle.UnpicklingError, match="refusing to load"):
        load_cifar10(tmp_path, subset="test")


def cifar100_fixture(tmp_path, kind):
    n = 60
    coarse = RNG.randint(0, 20, n)
    coarse[:10] = 16  # some small mammals for sure
    fine = np.array([c * 5 + RNG.randint(0, 5) for c in coarse])  # 5 fine per coarse
    pixels = RNG.randint(0, 256, (n, 3072)).astype(np.uint8)
    fine_names = [f"fine{k}" for k in range(100)]
    if kind == "binary":
        folder = tmp_path / "cifar-100-binary"
        folder.mkdir()
        records = np.column_stack([coarse, fine, pixels]).astype(np.uint8)
        (folder / "train.bin").write_bytes(records.tobytes())
        (folder / "fine_label_names.txt").write_text("\n".join(fine_names) + "\n")
    else:
        folder = tmp_path / "cifar-100-python"
        folder.mkdir()
        write_python_batch(
            folder / "train",
            {
                b"data": pixels,
                b"fine_labels": fine.tolist(),
                b"coarse_labels": coarse.tolist(),
            },
        )
        write_python_batch(folder / "meta", {b"fine_label_names": fine_names})
    return pixels, coarse, fine


@pytest.mark.parametrize("kind", ["binary", "python"])
def test_cifar100_fine_coarse_and_superclasses(tmp_path, kind):
    pixels, coarse, fine = cifar100_fixture(tmp_path, kind)
    data = load_cifar100(tmp_path)
    np.testing.assert_array_equal(data.target, fine)
    assert data.target_names[7] == "fine7"
    np.testing.assert_array_equal(
        load_cifar100(tmp_path, label="coarse").target, coarse
    )

    mammals = load_cifar100_superclass(tmp_path, "small_mammals")
    keep = coarse == CIFAR100_SUPERCLASSES.index("small_mammals")
    assert mammals.images.shape == (keep.sum(), 3, 32, 32)
    np.testing.assert_allclose(
        mammals.images.reshape(keep.sum(), -1) * 255, pixels[keep], atol=1e-3
    )
    present = np.unique(fine[keep])
    np.testing.assert_array_equal(present[mammals.target], fine[keep])
    assert list(mammals.target_names) == [f"fine{k}" for k in present]
    with pytest.raises(ValueError, match="unknown CIFAR-100 super-class"):
        load_cifar100_superclass(tmp_path, "mammals")
    with pytest.raises(ValueError, match="label must be"):
        load_cifar100(tmp_path, label="medium")


def test_download_goes_through_torchvision(tmp_path, monkeypatch):
    datasets = pytest.importorskip(
        "torchvision.datasets", reason="the torch extra is not installed"
    )
    calls = []

    class FakeMNIST:
        def __init__(self, root, train, download):
            calls.append((root, train, download))
            raw = tmp_path / "MNIST" / "raw"
            raw.mkdir(parents=True)
            write_idx(raw / "train-images-idx3-ubyte", np.zeros((2, 28, 28)))
            write_idx(raw / "train-labels-idx1-ubyte", np.array([3, 4]))

    monkeypatch.setattr(datasets, "MNIST", FakeMNIST)
    X, y = load_mnist(tmp_path, download=True, return_X_y=True)
    assert calls == [(str(tmp_path), True, True)]
    np.testing.assert_array_equal(y, [3, 4])
    load_mnist(tmp_path, download=True)  # files present now: no second download
    assert len(calls) == 1
