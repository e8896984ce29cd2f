"""The vectorised trainer against loops of plain torch and of skorch nets.

The same N members, epochs, data and training recipe (the module's, from
``nets.recipes``) three ways, each recording every member's predicted labels
on the training and test sets before the first epoch and after every epoch:

(a) VectorisedCNN through EnsembleDifficulty: all members as one batched
    model (torch.func.vmap); (a') the same with ``channels_last=True``: the
    members as grouped convolutions on channels-last activations;
(b) a loop of plain torch training, one member after another;
(c) a loop of skorch nets with a callback predicting after every epoch.

Prints each time (best of --repeats), the ratios, and the fraction of the
device's peak FLOP/s reached (the peak is measured with a large matrix
product; the work is counted from the layers' multiply-adds, x3 for a
training step and x1 for each recorded prediction). Run::

    python benchmarks/bench_vectorised.py            # digits, MNIST network, CPU
    python benchmarks/bench_vectorised.py --data cifar --module st_vgg \\
        --members 100 --epochs 3 --device cuda     # the paper's setting, on a GPU
"""

import argparse
import time

import numpy as np
import torch
from skorch.callbacks import Callback
from torch import nn

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.nets import MODULES, SkorchCNN, VectorisedCNN
from sklearn_difficulty.nets.recipes import optimizer_class, recipe_for


def data(name):
    if name == "digits":
        X, y = load_digits_images(return_X_y=True)
        return X[:1347], y[:1347], X[1347:], y[1347:], 10
    rng = np.random.RandomState(0)  # CIFAR-sized stand-in: 2,500 + 3,000 images
    X = rng.rand(5500, 3, 32, 32).astype(np.float32)
    y = rng.randint(0, 5, 5500)
    return X[:2500], y[:2500], X[2500:], y[2500:], 5


def multiply_adds(module, shape):
    """Multiply-adds of one forward pass of one example."""
    total = 0

    def count(layer, inputs, output):
        nonlocal total
        if isinstance(layer, nn.Conv2d):
            total += output.numel() * layer.in_channels * np.prod(layer.kernel_size)
        elif isinstance(layer, nn.Linear):
            total += layer.in_features * layer.out_features

    hooks = [m.register_forward_hook(count) for m in module.modules()]
    with torch.no_grad():
        module(torch.zeros(1, *shape))
    for hook in hooks:
        hook.remove()
    return int(total)


def peak_flops(device):
    size = 2048 if device.type == "cpu" else 8192
    a = torch.randn(size, size, device=device)
    for _ in range(2):
        a @ a
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    runs = 5
    for _ in range(runs):
        a @ a
    if device.type == "cuda":
        torch.cuda.synchronize()
    return 2 * size**3 * runs / (time.perf_counter() - start)


def plain_torch(module_name, X, y, scored, *, members, epochs, device, n_classes):
    X_t = torch.as_tensor(X, device=device)
    y_t = torch.as_tensor(y, device=device)
    scored = [torch.as_tensor(s, device=device) for s in scored]
    records = []
    for seed in range(members):
        torch.manual_seed(seed)
        module = MODULES[module_name](X.shape[1:], n_classes).to(device)
        recipe = recipe_for(module_name)  # the same training as (a) and (c)
        optimizer = optimizer_class(recipe.optimizer)(module.parameters(), lr=recipe.lr)
        record = []
        module.eval()
        with torch.no_grad():  # the untrained network, as (a) records it
            record.append([module(s).argmax(1).cpu() for s in scored])
        for _ in range(epochs):
            module.train()
            for batch in torch.randperm(len(y_t), device=device).split(100):
                loss = nn.functional.cross_entropy(module(X_t[batch]), y_t[batch])
                optimizer.zero_grad()
                loss.backward()
                optimizer.step()
            module.eval()
            with torch.no_grad():
                record.append([module(s).argmax(1).cpu() for s in scored])
        records.append(record)
    return records


def skorch_loop(module_name, X, y, scored, *, members, epochs, device):
    class Record(Callback):
        def on_train_begin(self, net, **kwargs):  # the untrained network
            for s in scored:
                net.predict(s)

        def on_epoch_end(self, net, **kwargs):
            for s in scored:
                net.predict(s)

    for seed in range(members):
        torch.manual_seed(seed)
        SkorchCNN(
            module_name, max_epochs=epochs, device=device, callbacks=[Record()]
        ).fit(X, y)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", choices=["digits", "cifar"], default="digits")
    parser.add_argument("--module", default="mnist")
    parser.add_argument("--members", type=int, default=8)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--precision", default="float32")
    args = parser.parse_args()
    device = torch.device(args.device)
    X, y, X_test, y_test, n_classes = data(args.data)
    runs = {
        "(a) vectorised": lambda: EnsembleDifficulty(
            VectorisedCNN(
                args.module,
                max_epochs=args.epochs,
                device=args.device,
                precision=args.precision,
            ),
            n_estimators=args.members,
            random_state=0,
        ).fit(X, y, eval_set=[(X_test, y_test)]),
        "(a') grouped, channels-last": lambda: EnsembleDifficulty(
            VectorisedCNN(
                args.module,
                max_epochs=args.epochs,
                device=args.device,
                precision=args.precision,
                channels_last=True,
            ),
            n_estimators=args.members,
            random_state=0,
        ).fit(X, y, eval_set=[(X_test, y_test)]),
        "(b) plain torch loop": lambda: plain_torch(
            args.module,
            X,
            y,
            [X, X_test],
            members=args.members,
            epochs=args.epochs,
            device=device,
            n_classes=n_classes,
        ),
        "(c) skorch loop": lambda: skorch_loop(
            args.module,
            X,
            y,
            [X, X_test],
            members=args.members,
            epochs=args.epochs,
            device=args.device,
        ),
    }
    times = {name: [] for name in runs}
    for _ in range(args.repeats):
        for name, run in runs.items():
            start = time.perf_counter()
            run()
            if device.type == "cuda":
                torch.cuda.synchronize()
            times[name].append(time.perf_counter() - start)
    best = {name: min(t) for name, t in times.items()}
    module = MODULES[args.module](X.shape[1:], n_classes)
    macs = multiply_adds(module, X.shape[1:])
    work = 2 * macs * args.members * args.epochs * (3 * len(y) + len(y) + len(y_test))
    peak = peak_flops(device)
    print(
        f"{args.members} x {args.module} on {args.data} ({len(y)} train, "
        f"{len(y_test)} scored), {args.epochs} epochs, {args.device}; "
        f"best of {args.repeats}"
    )
    for name, seconds in best.items():
        print(
            f"  {name:28s} {seconds:8.2f} s   {work / seconds / 1e9:7.1f} GFLOP/s = "
            f"{work / seconds / peak:.1%} of the measured peak "
            f"({peak / 1e9:.0f} GFLOP/s)"
        )
    for name in ("(a) vectorised", "(a') grouped, channels-last"):
        label = name.split()[0]
        print(
            f"  {label} against (c): {best['(c) skorch loop'] / best[name]:.2f}x "
            f"faster, against (b): {best['(b) plain torch loop'] / best[name]:.2f}x"
        )


if __name__ == "__main__":
    main()
