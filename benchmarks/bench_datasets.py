"""Members streaming an image folder against the plain torch loop a user would write.

Writes an image folder of PNG files (32x32 RGB, 10 classes, a pattern per
class plus noise), then trains N small st-VGG members for a few epochs,
recording the training and test sets before the first epoch and after every
epoch, two ways, with the same DataLoader settings:

(a) ``EnsembleDifficulty(SkorchCNN("small_st_vgg"), ...)`` fitted on an
    ``ImageFolderDataset``: every member reads its batches from the folder
    and the recording pass streams too (``n_jobs=1``, and ``n_jobs=2``:
    members in two processes, one CPU thread each);
(b) the plain torch loop: one member after another, a DataLoader over the
    same folder (shuffled, seeded), the paper's SGD recipe, and after every
    epoch an eval-mode prediction pass over both sets.

Prints training images per second for each and the ratios, then the peak
resident memory of (a) in a fresh process for two folder sizes (10,000 and
40,000 images by default, one member, one epoch): streamed, memory should
barely grow with the data, where arrays would grow with it. Run::

    python benchmarks/bench_datasets.py --epochs 1       # about 8 minutes here
    python benchmarks/bench_datasets.py --images 2000 --sizes 2000 8000  # quick
    python benchmarks/bench_datasets.py --module resnet18 --device cuda \
        --image-size 64 --members 8 --epochs 2 --workers 8   # a GPU: also its use
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import nn
from torch.utils.data import DataLoader

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import ImageFolderDataset
from sklearn_difficulty.nets import SkorchCNN
from sklearn_difficulty.nets.modules import resolve_module
from sklearn_difficulty.nets.recipes import optimizer_class, recipe_for

CLASSES = 10


def write_folder(root: Path, n_images: int, seed: int, size: int = 32) -> Path:
    """PNG images, class k a brighter band at row 3k, plus noise."""
    rng = np.random.RandomState(seed)
    for k in range(CLASSES):
        (root / f"class_{k}").mkdir(parents=True, exist_ok=True)
    for i in range(n_images):
        k = i % CLASSES
        pixels = rng.randint(0, 120, (size, size, 3)).astype(np.uint8)
        pixels[3 * k : 3 * k + 3] += 120
        Image.fromarray(pixels).save(root / f"class_{k}" / f"{i:06d}.png")
    return root


class GpuUtilisation:
    """Mean GPU utilisation while a block runs (nvidia-smi, twice a second)."""

    def __init__(self, device: str):
        self.active = device.startswith("cuda") and shutil.which("nvidia-smi")
        self.samples: list[float] = []
        self.mean: float | None = None

    def _sample(self):
        while not self._stop.wait(0.5):
            output = subprocess.run(
                ["nvidia-smi", "--query-gpu=utilization.gpu",
                 "--format=csv,noheader,nounits"],
                capture_output=True, text=True,
            ).stdout  # fmt: skip
            self.samples += [float(v) for v in output.split() if v.strip()]

    def __enter__(self):
        if self.active:
            self._stop = threading.Event()
            self._thread = threading.Thread(target=self._sample, daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc):
        if self.active:
            self._stop.set()
            self._thread.join()
            self.mean = float(np.mean(self.samples)) if self.samples else None


def loader_settings(workers: int) -> dict:
    return {"num_workers": workers, "persistent_workers": False}


def ours(train: Path, test: Path, *, members, epochs, workers, n_jobs,
         module="small_st_vgg", device="cpu"):  # fmt: skip
    settings = {f"iterator_{kind}__{key}": value for kind in ("train", "valid")
                for key, value in loader_settings(workers).items()}  # fmt: skip
    net = SkorchCNN(module, max_epochs=epochs, device=device, **settings)
    ed = EnsembleDifficulty(net, n_estimators=members, n_jobs=n_jobs, random_state=0)
    return ed.fit(
        ImageFolderDataset(train),
        eval_set={"test": (ImageFolderDataset(test), None)},
    )


def predict(module, loaders):
    """The predicted class of every image of each loader, in eval mode."""
    module.eval()
    with torch.no_grad():
        device = next(module.parameters()).device
        return [
            torch.cat([module(x.to(device)).argmax(1).cpu() for x, _ in s])
            for s in loaders
        ]


def plain_loop(train: Path, test: Path, *, members, epochs, workers,
               module="small_st_vgg", device="cpu"):  # fmt: skip
    train_set, test_set = ImageFolderDataset(train), ImageFolderDataset(test)
    name, recipe = module, recipe_for(module)
    device = torch.device(device)
    shape = tuple(train_set[0][0].shape)
    settings = loader_settings(workers)
    scoring = [
        DataLoader(data, batch_size=100, **settings) for data in (train_set, test_set)
    ]
    records = []
    for seed in range(members):
        torch.manual_seed(seed)
        module = resolve_module(name)(input_shape=shape, n_classes=CLASSES).to(device)
        optimizer = optimizer_class(recipe.optimizer)(module.parameters(), lr=recipe.lr)
        batches = DataLoader(
            train_set, batch_size=100, shuffle=True,
            generator=torch.Generator().manual_seed(seed), **settings,
        )  # fmt: skip

        records.append(predict(module, scoring))  # untrained, as (a) records it
        for _ in range(epochs):
            module.train()
            for images, labels in batches:
                images, labels = images.to(device), labels.to(device)
                loss = nn.functional.cross_entropy(module(images), labels)
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            records.append(predict(module, scoring))
    return records


PEAK = """
import json, resource, sys
sys.path.insert(0, {here!r})
from pathlib import Path
from bench_datasets import ours
ed = ours(Path({train!r}), Path({test!r}), members=1, epochs=1, workers={workers},
          n_jobs=1, module={module!r}, device={device!r})
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"peak_mib": peak,
                  "accuracy": float(ed.member_accuracy_[:, -1].mean())}}))
"""


def peak_memory(train: Path, test: Path, workers: int, module, device) -> dict:
    script = PEAK.format(
        here=str(Path(__file__).parent), train=str(train), test=str(test),
        workers=workers, module=module, device=device,
    )  # fmt: skip
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--images", type=int, default=10_000)
    parser.add_argument("--test-images", type=int, default=2_000)
    parser.add_argument("--members", type=int, default=2)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--sizes", type=int, nargs=2, default=[10_000, 40_000])
    parser.add_argument("--module", default="small_st_vgg", help="or resnet18, ...")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--image-size", type=int, default=32)
    args = parser.parse_args()
    net = dict(module=args.module, device=args.device)
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        start = time.perf_counter()
        train = write_folder(folder / "train", args.images, 0, args.image_size)
        test = write_folder(folder / "test", args.test_images, 1, args.image_size)
        print(f"wrote {args.images} + {args.test_images} PNG files in "
              f"{time.perf_counter() - start:.0f} s")  # fmt: skip
        work = args.members * args.epochs * args.images
        times = {}
        runs = {
            "(a) ours, n_jobs=1": lambda: ours(
                train, test, members=args.members, epochs=args.epochs,
                workers=args.workers, n_jobs=1, **net),
            "(a) ours, n_jobs=2": lambda: ours(
                train, test, members=args.members, epochs=args.epochs,
                workers=args.workers, n_jobs=2, **net),
            "(b) plain torch loop": lambda: plain_loop(
                train, test, members=args.members, epochs=args.epochs,
                workers=args.workers, **net),
        }  # fmt: skip
        utilisation = {}
        for name, run in runs.items():
            with GpuUtilisation(args.device) as gpu:
                start = time.perf_counter()
                run()
                times[name] = time.perf_counter() - start
            utilisation[name] = gpu.mean
        print(
            f"{args.members} x {args.module}, {args.epochs} epochs, {args.images} "
            f"training + {args.test_images} test images streamed from PNG files, "
            f"({args.image_size}x{args.image_size}), on {args.device}, "
            f"recording both sets at epoch 0 and after every epoch; DataLoader "
            f"num_workers={args.workers}, batches of 100; torch threads "
            f"{torch.get_num_threads()} (ours: 1 per member)"
        )
        plain = work / times["(b) plain torch loop"]
        for name, seconds in times.items():
            rate = work / seconds
            gpu = utilisation[name]
            print(f"  {name:24s} {seconds:7.1f} s  {rate:7.0f} training images/s  "
                  f"{rate / plain:.2f}x of (b)"
                  + ("" if gpu is None else f"  GPU busy {gpu:.0f}%"))  # fmt: skip
        small, large = args.sizes
        peaks = {}
        for size in (small, large):
            train_n = write_folder(folder / f"train_{size}", size, 2, args.image_size)
            peaks[size] = peak_memory(train_n, test, args.workers, **net)
        print(
            f"peak resident memory of (a), 1 member, 1 epoch: {small} images "
            f"{peaks[small]['peak_mib']:.0f} MiB, {large} images "
            f"{peaks[large]['peak_mib']:.0f} MiB: "
            f"{peaks[large]['peak_mib'] / peaks[small]['peak_mib']:.2f}x "
            f"for {large / small:.0f}x the images (as float32 arrays: "
            f"{small * 3 * args.image_size**2 * 4 / 2**20:.0f} and "
            f"{large * 3 * args.image_size**2 * 4 / 2**20:.0f} MiB of pixels alone)"
        )  # fmt: skip


if __name__ == "__main__":
    main()
