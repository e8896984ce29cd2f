"""Loaders, on small files that the tests write in each data set's real format."""

import gzip
import pickle
import struct
from pathlib import Path

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


# Lazy torch Datasets ----------------------------------------------------------


def torch_and_pil():
    torch = pytest.importorskip("torch", reason="the torch extra is not installed")
    pytest.importorskip("PIL", reason="the torch extra is not installed")
    return torch


def save_png(path, pixels):
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(pixels, dtype=np.uint8)).save(path)


def image_folder(tmp_path, layout):
    """Writes layout {class: n_images} as PNGs of random pixels; returns them."""
    root = tmp_path / "images"
    written = {}
    for name, n in layout.items():
        for k in range(n):
            pixels = RNG.randint(0, 256, (5, 7, 3))
            save_png(root / name / f"img{k}.png", pixels)
            written[root / name / f"img{k}.png"] = pixels
    return root, written


def test_image_folder_labels_order_and_exact_pixels(tmp_path):
    torch = torch_and_pil()
    from sklearn_difficulty.datasets import ImageFolderDataset, load_image_folder

    root, written = image_folder(tmp_path, {"zebra": 2, "ant": 3, "cow": 1})
    (root / "ant" / "notes.txt").write_text("not an image")
    save_png(root / "cow" / "nested" / "deep.PNG", np.zeros((5, 7, 3)))
    dataset = load_image_folder(root)
    assert isinstance(dataset, ImageFolderDataset)
    assert isinstance(dataset, torch.utils.data.Dataset)
    assert dataset.classes == ["ant", "cow", "zebra"]
    assert dataset.class_to_idx == {"ant": 0, "cow": 1, "zebra": 2}
    assert dataset.targets.dtype == np.int64
    np.testing.assert_array_equal(dataset.targets, [0, 0, 0, 1, 1, 2, 2])
    assert len(dataset) == 7
    paths = [path for path, _ in dataset.samples]
    assert paths[3:5] == [
        str(root / "cow" / "img0.png"),
        str(root / "cow" / "nested" / "deep.PNG"),
    ]
    for index, (path, label) in enumerate(dataset.samples):
        image, got_label = dataset[index]
        assert got_label == label and isinstance(got_label, int)
        assert image.dtype == torch.float32 and image.shape == (3, 5, 7)
        expected = written.get(Path(path), np.zeros((5, 7, 3)))
        np.testing.assert_array_equal(
            image.numpy(), expected.transpose(2, 0, 1).astype(np.float32) / 255
        )


def test_image_folder_agrees_with_torchvision(tmp_path):
    torch_and_pil()
    torchvision = pytest.importorskip("torchvision")
    from sklearn_difficulty.datasets import load_image_folder

    root, _ = image_folder(tmp_path, {"b": 2, "a-x": 1, "a": 2})
    save_png(root / "a" / "sub" / "z.jpg", np.zeros((5, 7, 3)))
    save_png(root / "a" / "sub-2" / "y.png", np.zeros((5, 7, 3)))
    ours = load_image_folder(root)
    theirs = torchvision.datasets.ImageFolder(str(root))
    assert ours.classes == theirs.classes
    assert ours.samples == theirs.samples
    np.testing.assert_array_equal(ours.targets, theirs.targets)


def test_image_folder_classes_extensions_and_mode(tmp_path):
    torch_and_pil()
    from sklearn_difficulty.datasets import load_image_folder

    root = tmp_path / "images"
    grey = RNG.randint(0, 256, (4, 6))
    save_png(root / "a" / "0.png", grey)
    save_png(root / "b" / "0.bmp.png", grey)
    from PIL import Image

    Image.fromarray(grey.astype(np.uint8)).save(root / "b" / "1.bmp")
    with pytest.raises(FileNotFoundError, match=r"no image files \(\.bmp\) in .*'a'"):
        load_image_folder(root, extensions=".bmp")
    dataset = load_image_folder(root, classes=["b", "a"], extensions=(".PNG",))
    assert dataset.classes == ["b", "a"]
    np.testing.assert_array_equal(dataset.targets, [0, 1])
    rgb, _ = dataset[1]  # a grey file, converted to three equal channels
    np.testing.assert_array_equal(
        rgb.numpy(), np.stack([grey / 255] * 3).astype(np.float32)
    )
    one_channel, _ = load_image_folder(root, mode="L")[0]
    assert one_channel.shape == (1, 4, 6)
    np.testing.assert_array_equal(
        one_channel[0].numpy(), (grey / np.float32(255)).astype(np.float32)
    )
    with pytest.raises(ValueError, match="mode must be one of"):
        load_image_folder(root, mode="CMYK")
    with pytest.raises(ValueError, match="classes must be a non-empty"):
        load_image_folder(root, classes=[])


def test_transform_gets_the_pil_image(tmp_path):
    torch = torch_and_pil()
    from PIL import Image

    from sklearn_difficulty.datasets import load_image_folder

    root, _ = image_folder(tmp_path, {"a": 1, "b": 1})
    seen = []

    def transform(image):
        seen.append((type(image), image.mode, image.size))
        return torch.full((2, 2), 7.0)

    dataset = load_image_folder(root, transform=transform)
    assert seen == []  # listing the files opens no image
    image, label = dataset[1]
    assert label == 1 and torch.equal(image, torch.full((2, 2), 7.0))
    assert len(seen) == 1 and issubclass(seen[0][0], Image.Image)
    assert seen[0][1:] == ("RGB", (7, 5))


def test_data_loader_batches(tmp_path):
    torch = torch_and_pil()
    from sklearn_difficulty.datasets import as_dataset, load_image_folder

    root, _ = image_folder(tmp_path, {"a": 3, "b": 3})
    batches = list(torch.utils.data.DataLoader(load_image_folder(root), batch_size=4))
    assert [images.shape for images, _ in batches] == [(4, 3, 5, 7), (2, 3, 5, 7)]
    assert batches[0][1].dtype == torch.int64
    assert batches[0][1].tolist() == [0, 0, 0, 1]

    arrays = as_dataset((np.zeros((5, 1, 8, 8)), np.arange(5) % 2))
    images, labels = next(iter(torch.utils.data.DataLoader(arrays, batch_size=4)))
    assert images.shape == (4, 1, 8, 8) and images.dtype == torch.float32
    assert labels.tolist() == [0, 1, 0, 1]


def write_tiny_imagenet(root, wnids=("n02", "n09", "n01"), n_train=2):
    root.mkdir(parents=True, exist_ok=True)
    (root / "wnids.txt").write_text("\n".join(wnids) + "\n")
    (root / "words.txt").write_text("n01\tgoldfish, Carassius auratus\nn09\tbee\n")
    for wnid in wnids:
        for k in range(n_train):
            save_png(
                root / "train" / wnid / "images" / f"{wnid}_{k}.JPEG",
                RNG.randint(0, 256, (64, 64, 3)),
            )
        (root / "train" / wnid / f"{wnid}_boxes.txt").write_text("boxes\n")
    val_labels = ["n09", "n01", "n02", "n09"]
    lines = []
    for k, wnid in enumerate(val_labels):
        save_png(
            root / "val" / "images" / f"val_{k}.JPEG", RNG.randint(0, 256, (64, 64))
        )
        lines.append(f"val_{k}.JPEG\t{wnid}\t0\t1\t60\t62")
    (root / "val" / "val_annotations.txt").write_text("\n".join(lines) + "\n")
    return val_labels


def test_tiny_imagenet_train_and_val(tmp_path):
    torch_and_pil()
    from sklearn_difficulty.datasets import load_tiny_imagenet

    root = tmp_path / "tiny-imagenet-200"
    val_labels = write_tiny_imagenet(root)
    train = load_tiny_imagenet(root)
    assert train.classes == ["n01", "n02", "n09"]  # sorted, as ImageFolder
    assert train.class_names == ["goldfish, Carassius auratus", "n02", "bee"]
    np.testing.assert_array_equal(train.targets, [0, 0, 1, 1, 2, 2])
    assert train.samples[2] == (
        str(root / "train" / "n02" / "images" / "n02_0.JPEG"),
        1,
    )
    image, label = train[5]
    assert image.shape == (3, 64, 64) and label == 2

    val = load_tiny_imagenet(root, subset="val")
    assert val.classes == train.classes
    np.testing.assert_array_equal(
        val.targets, [train.class_to_idx[w] for w in val_labels]
    )
    assert [Path(path).name for path, _ in val.samples] == [
        f"val_{k}.JPEG" for k in range(4)
    ]
    image, label = val[1]  # a grey file, converted to RGB
    assert image.shape == (3, 64, 64) and label == 0
    assert pickle.loads(pickle.dumps(val)).targets.tolist() == val.targets.tolist()


def test_tiny_imagenet_errors_name_what_is_missing(tmp_path):
    torch_and_pil()
    from sklearn_difficulty.datasets import load_tiny_imagenet

    root = tmp_path / "tiny"
    with pytest.raises(
        FileNotFoundError, match=f"tiny ImageNet folder {root} does not exist"
    ):
        load_tiny_imagenet(root)
    write_tiny_imagenet(root)
    with pytest.raises(ValueError, match="subset must be 'train' or 'val'"):
        load_tiny_imagenet(root, subset="test")

    annotations = root / "val" / "val_annotations.txt"
    text = annotations.read_text()
    annotations.write_text(text + "val_9.JPEG\tn77\t0\t0\t1\t1\n")
    with pytest.raises(
        ValueError, match=r"val_annotations.txt, line 5: 'n77' is not one"
    ):
        load_tiny_imagenet(root, subset="val")
    annotations.write_text(text + "val_9.JPEG\tn01\t0\t0\t1\t1\n")
    with pytest.raises(
        FileNotFoundError, match=f"not in {root / 'val' / 'images'}: val_9.JPEG"
    ):
        load_tiny_imagenet(root, subset="val")
    annotations.unlink()
    with pytest.raises(FileNotFoundError, match=f"{annotations}, do not exist"):
        load_tiny_imagenet(root, subset="val")

    (root / "wnids.txt").write_text("n01\nn02\nn09\nn05\n")
    with pytest.raises(
        FileNotFoundError, match=f"{root / 'train' / 'n05'} does not exist"
    ):
        load_tiny_imagenet(root)
    (root / "wnids.txt").unlink()
    with pytest.raises(FileNotFoundError, match=f"{root / 'wnids.txt'} does not exist"):
        load_tiny_imagenet(root)


def test_imagenet_folders_train_and_val(tmp_path):
    torch_and_pil()
    from sklearn_difficulty.datasets import load_imagenet_folders

    root = tmp_path / "imagenet"
    for wnid, n in [("n01443537", 2), ("n01440764", 1), ("n01484850", 1)]:
        for k in range(n):
            save_png(
                root / "train" / wnid / f"{wnid}_{k}.JPEG",
                RNG.randint(0, 256, (6, 8, 3)),
            )
    for wnid in ["n01484850", "n01440764", "n01443537"]:
        save_png(
            root / "val" / wnid / "ILSVRC2012_val_0.JPEG", RNG.randint(0, 256, (6, 8))
        )
    train = load_imagenet_folders(root)
    assert train.classes == ["n01440764", "n01443537", "n01484850"]
    np.testing.assert_array_equal(train.targets, [0, 1, 1, 2])
    val = load_imagenet_folders(root, subset="val")
    assert val.classes == train.classes
    np.testing.assert_array_equal(val.targets, [0, 1, 2])
    assert val[2][0].shape == (3, 6, 8)

    (root / "train" / "n09999999").mkdir()
    with pytest.raises(
        FileNotFoundError, match=f"{root / 'train' / 'n09999999'}, the folder"
    ):
        load_imagenet_folders(root)
    with pytest.raises(
        FileNotFoundError, match=f"{root / 'val' / 'n09999999'} does not exist"
    ):
        load_imagenet_folders(root, subset="val")
    with pytest.raises(
        FileNotFoundError, match=f"val folder of ImageNet, {tmp_path / 'x' / 'val'}"
    ):
        (tmp_path / "x").mkdir()
        load_imagenet_folders(tmp_path / "x", subset="val")


def test_image_folder_errors_name_the_path(tmp_path):
    torch_and_pil()
    from sklearn_difficulty.datasets import load_image_folder

    missing = tmp_path / "nowhere"
    with pytest.raises(
        FileNotFoundError, match=f"image folder {missing} does not exist"
    ):
        load_image_folder(missing)
    (tmp_path / "file").write_text("x")
    with pytest.raises(
        NotADirectoryError, match=f"{tmp_path / 'file'} is not a folder"
    ):
        load_image_folder(tmp_path / "file")
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "loose.png").write_bytes(b"")
    with pytest.raises(FileNotFoundError, match=f"no class folders in {empty}"):
        load_image_folder(empty)
    (empty / "cats").mkdir()
    (empty / "cats" / "readme.txt").write_text("x")
    with pytest.raises(
        FileNotFoundError, match=f"no image files .* in {empty / 'cats'}"
    ):
        load_image_folder(empty)
    with pytest.raises(FileNotFoundError, match=f"{empty / 'dogs'} does not exist"):
        load_image_folder(empty, classes=["dogs"])


def test_broken_image_names_the_file(tmp_path):
    torch_and_pil()
    from sklearn_difficulty.datasets import load_image_folder

    root, _ = image_folder(tmp_path, {"a": 1})
    broken = root / "a" / "broken.png"
    broken.write_bytes(b"\x89PNG\r\n\x1a\n not really")
    truncated = root / "a" / "truncated.png"
    truncated.write_bytes((root / "a" / "img0.png").read_bytes()[:60])
    dataset = load_image_folder(root)  # listing opens no image
    assert len(dataset) == 3
    for index, path in [(0, broken), (2, truncated)]:
        with pytest.raises(OSError, match=f"cannot read image {path}"):
            dataset[index]


def test_pickles_small_for_many_files_and_lists_them_again(tmp_path):
    torch_and_pil()
    import io

    from PIL import Image

    from sklearn_difficulty.datasets import load_image_folder

    buffer = io.BytesIO()
    Image.new("RGB", (1, 1), (10, 20, 30)).save(buffer, format="PNG")
    png = buffer.getvalue()
    root = tmp_path / "many"
    for name in ("a", "b", "c", "d"):
        (root / name).mkdir(parents=True)
        for k in range(5000):
            (root / name / f"{k:05d}.png").write_bytes(png)
    dataset = load_image_folder(root)
    assert len(dataset) == 20_000
    size = len(pickle.dumps(dataset))
    assert size < 1_000, size
    copy = pickle.loads(pickle.dumps(dataset))
    assert copy._files is None  # not listed until used
    assert len(copy) == 20_000
    np.testing.assert_array_equal(copy.targets, dataset.targets)
    assert copy.samples == dataset.samples
    assert len(pickle.dumps(copy)) == size  # and still small once listed again
    image, label = copy[19_999]
    assert label == 3 and image[:, 0, 0].mul(255).round().tolist() == [10, 20, 30]

    moved = pickle.loads(pickle.dumps(dataset))
    (root / "d" / "00000.png").unlink()
    with pytest.raises(RuntimeError, match="changed after the dataset was made"):
        len(moved)


def test_array_datasets_wrap_the_array_loaders(tmp_path):
    torch = torch_and_pil()
    from sklearn_difficulty.datasets import ArrayImageDataset, as_dataset

    images = RNG.rand(4, 1, 28, 28).astype(np.float32)
    write_idx(tmp_path / "t10k-images-idx3-ubyte", (images[:, 0] * 255).round())
    write_idx(tmp_path / "t10k-labels-idx1-ubyte", np.array([3, 1, 4, 1]))
    mnist = load_mnist(tmp_path, subset="test")
    dataset = as_dataset(mnist)
    assert isinstance(dataset, ArrayImageDataset)
    assert isinstance(dataset, torch.utils.data.Dataset)
    assert dataset.classes == [str(k) for k in range(10)]
    assert dataset.targets.dtype == np.int64
    np.testing.assert_array_equal(dataset.targets, [3, 1, 4, 1])
    image, label = dataset[2]
    assert label == 4
    np.testing.assert_array_equal(image.numpy(), mnist.images[2])
    X, y = load_mnist(tmp_path, subset="test", return_X_y=True)  # unchanged
    assert isinstance(X, np.ndarray) and X.shape == (4, 1, 28, 28)

    flipped = as_dataset((X, y), transform=lambda image: image.flip(-1))
    np.testing.assert_array_equal(flipped[0][0].numpy(), X[0][..., ::-1])
    assert pickle.loads(pickle.dumps(as_dataset((X, y)))).targets.tolist() == [
        3,
        1,
        4,
        1,
    ]

    with pytest.raises(ValueError, match="one label per image: 4 images"):
        ArrayImageDataset(X, y[:3])
    with pytest.raises(
        ValueError, match=r"shape \(n_samples, channels, height, width\)"
    ):
        ArrayImageDataset(X[:, 0], y)
    with pytest.raises(ValueError, match="integer labels"):
        ArrayImageDataset(X, y - 5)
    with pytest.raises(ValueError, match="classes names 2 classes"):
        ArrayImageDataset(X, y, classes=["a", "b"])
    with pytest.raises(TypeError, match="tuple"):
        as_dataset(X)


def test_datasets_module_imports_without_torch(monkeypatch):
    import sys

    import sklearn_difficulty.datasets as datasets

    monkeypatch.setitem(sys.modules, "torch", None)
    for module in ("_file_datasets", "_array_dataset"):  # the modules importing torch
        monkeypatch.delitem(sys.modules, f"{datasets.__name__}.{module}", raising=False)
        monkeypatch.delattr(datasets, module, raising=False)
    assert datasets.load_digits_images(return_X_y=True)[0].shape == (1797, 1, 8, 8)
    with pytest.raises(ImportError, match=r'pip install "sklearn-difficulty\[torch\]"'):
        datasets.load_image_folder(".")
    with pytest.raises(ImportError, match=r"sklearn-difficulty\[torch\]"):
        datasets.ImageFolderDataset  # noqa: B018
    with pytest.raises(ImportError, match=r"sklearn-difficulty\[torch\]"):
        datasets.as_dataset(datasets.load_digits_images())
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        datasets.nothing  # noqa: B018


#: The public names of sklearn_difficulty.datasets (its ``__all__``) ...
PUBLIC_NAMES = [
    "CIFAR100_SUPERCLASSES",
    "DEFAULT_MAX_PIXELS",
    "IMAGE_EXTENSIONS",
    "as_dataset",
    "augmented",
    "load_cifar10",
    "load_cifar100",
    "load_cifar100_superclass",
    "load_digits_images",
    "load_image_folder",
    "load_imagenet_folders",
    "load_mnist",
    "load_tiny_imagenet",
]
#: ... and those it gives besides: the torch Datasets (imported when first
#: asked for), CIFAR-10's class names and what a listing hook returns.
TORCH_DATASET_NAMES = [
    "ArrayImageDataset",
    "Augmented",
    "ImageFilesDataset",
    "ImageFolderDataset",
    "ImageNetFoldersDataset",
    "TinyImageNetDataset",
]
OTHER_NAMES = ["CIFAR10_CLASSES", "ImageFiles"]


def test_public_names_importable_from_datasets():
    import importlib

    datasets = importlib.import_module("sklearn_difficulty.datasets")
    assert sorted(datasets.__all__) == sorted(PUBLIC_NAMES)
    for name in PUBLIC_NAMES + TORCH_DATASET_NAMES + OTHER_NAMES:
        assert getattr(datasets, name) is not None, name
        assert name in dir(datasets), name
    namespace: dict = {}
    exec("from sklearn_difficulty.datasets import *", namespace)
    assert set(PUBLIC_NAMES) <= set(namespace)
    from sklearn_difficulty.datasets import ArrayImageDataset, ImageFolderDataset

    assert issubclass(ImageFolderDataset, datasets.ImageFilesDataset)
    assert ArrayImageDataset.__name__ == "ArrayImageDataset"
    assert datasets.IMAGE_EXTENSIONS[:2] == (".jpg", ".jpeg")


def test_importing_datasets_does_not_import_torch():
    import os
    import subprocess
    import sys

    import sklearn_difficulty

    code = (
        "import sys\n"
        "import sklearn_difficulty.datasets as datasets\n"
        "datasets.load_digits_images(return_X_y=True)\n"
        "dir(datasets)\n"
        "print(sorted(name for name in sys.modules\n"
        "             if name.split('.')[0] in ('torch', 'torchvision', 'PIL')))\n"
    )
    package_root = os.path.dirname(os.path.dirname(sklearn_difficulty.__file__))
    env = {**os.environ, "PYTHONPATH": package_root}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    assert result.stdout.strip() == "[]", result.stdout
