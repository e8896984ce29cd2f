"""Curriculum learning against vanilla training, anti-curriculum and random curriculum.

Hacohen & Weinshall, "On the Power of Curriculum Learning in Training Deep
Networks" (ICML 2019), as their code runs it (``GuyHacohen/
curriculum_learning``, ``main_reproduce_paper.py``): every condition trains
the same network for the same number of optimiser steps; a curriculum
draws each batch of 100 from the easiest examples that the fixed
exponential pacing allows at that step (``sklearn_difficulty.curriculum.
CurriculumSampler``, the vectorised trainer's ``sampler``).

Conditions (the orders balanced across classes, as the authors'
``balance_order``):

- vanilla: a new permutation of the training set every epoch;
- curriculum / anti: easiest first / hardest first, scored by transfer
  (the learning speed, mean consistency over epochs, of 5 ``VectorisedMLP
  ((100,), max_iter=20)`` trained on the flattened inputs of the same
  training set: another architecture) and, "(self)", self-taught (the
  learning speed over the steps, ``learning_speed_steps``, of the vanilla
  run of the same network on the same labels at the full budget);
- random: a random fixed order (one per setting, not balanced: the
  authors shuffled their balanced order), under the same pacing.

Pacing: the authors' fixed exponential pacing with their published
``starting_percent=0.04`` and ``increase=1.9``; their ``step_length`` (100
steps, with 25 steps an epoch and 3,500 steps in all: the whole set is
reached at step 600, 17% of training) is scaled to our shorter runs:
``step_length = max(1, round(steps * 100 / 3500))``, so that the whole set
is reached after the same share of training (``--pace-fraction``). Where
4% of the set is smaller than a batch (the digits), the first batches hold
that pool and repeats from it (the sampler's rule). Every condition trains
with the network's recipe (no per-condition learning rates, unlike the
paper's tuned ones).

Data sets and networks (all through ``VectorisedCNN``, the 5 seeds one
``EnsembleDifficulty(..., n_estimators=5)``; the same ensemble seed in
every condition, so each member starts from the same weights in each:
paired; test accuracy after the recorded steps from the record's eval set):

- digits: scikit-learn's 8x8 images (1,257 training, 540 test, stratified),
  the paper's MNIST network (``VectorisedCNN("mnist")``: AdaDelta, lr 1,
  batches of 100), 12 epochs (156 steps);
- MNIST-1D (``mnist1d``, generated locally: 4,000 training, 1,000 test
  signals of length 40, standardised): a 1-D CNN (three convolutions of 32
  channels, kernels 5, 3, 3, stride 2, ReLU, and a linear layer, as the
  MNIST-1D paper's ConvBase) run by the vmap engine (any module class),
  Adam, lr 0.01, batches of 100, 12 epochs (480 steps);
- CIFAR-100 small mammals (super-class 16; 2,500 training, 500 test), the
  paper's st-VGG with its recipe, when the files are under ``--cifar-root``
  (skipped with a message otherwise; on a CPU give ``--cifar-epochs``).

Settings: "full" (the budget above), "short" (``--short`` of the epochs,
a quarter by default), "noisy" (the full budget, 20% of the training
labels flipped uniformly to another class, ``_label_noise_data.
flip_labels``; test labels clean; both scorers see the noisy labels).

Output (``benchmarks/results/curriculum.md``, ``.json``, ``.png``; with
``--quick`` ``curriculum_quick.*``): per data set and setting, each
condition's final test accuracy (mean over the 5 seeds with a 95%
Student-t interval), its paired difference from vanilla (95% t-interval),
and the accuracy at the recorded steps nearest 1/6 (where the pacing
reaches the whole set), 1/3 and 1/2 of the steps; the learning curves
with their intervals in the figure. Run::

    python benchmarks/bench_curriculum.py            # 9.4 min (4.6 CPU-min)
    python benchmarks/bench_curriculum.py --quick    # 2.1 min (80 s CPU)
    python benchmarks/bench_curriculum.py --replot   # tables, figure from the JSON

(wall times on 2 cores shared with other jobs, one torch thread).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from _label_noise_data import flip_labels
from scipy import stats
from torch import nn

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.curriculum import (
    CurriculumSampler,
    curriculum_order,
    fixed_exponential_pacing,
    order_from_record,
)
from sklearn_difficulty.nets import VectorisedCNN, VectorisedMLP

RESULTS = Path(__file__).parent / "results"
BATCH = 100
CONDITIONS = (
    "vanilla",
    "curriculum",
    "anti",
    "random",
    "curriculum (self)",
    "anti (self)",
)
PACING = fixed_exponential_pacing  # starting_percent 0.04, increase 1.9: the paper's
NETWORKS = {  # what each data set trains, for the tables
    "digits": "the paper's MNIST network",
    "mnist1d": "1-D CNN (3 conv of 32, Adam 0.01)",
    "cifar100_small_mammals": "the paper's st-VGG",
}
AT = (1 / 6, 1 / 3, 1 / 2)  # where the tables read the curves (whole set at ~1/6)


class Conv1D(nn.Module):
    """A 1-D CNN for MNIST-1D: 3 strided convolutions of 32 channels, a linear layer.

    Takes rows of features (the signal), as ``VectorisedCNN(channels=None)``
    gives them.
    """

    adapts_to_data = True  # VectorisedCNN passes input_shape and n_classes

    def __init__(self, input_shape, n_classes, channels: int = 32):
        super().__init__()
        (length,) = input_shape
        self.features = nn.Sequential(
            nn.Conv1d(1, channels, 5, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv1d(channels, channels, 3, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        with torch.no_grad():
            width = self.features(torch.zeros(1, 1, length)).shape[1]
        self.head = nn.Linear(width, n_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x.unsqueeze(-2)))


@dataclass
class Task:
    name: str
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    network: dict  # VectorisedCNN's parameters, max_epochs and sampler apart
    epochs: int
    notes: str = ""
    settings: dict = field(default_factory=dict)


def digits_task(epochs: int) -> Task:
    from sklearn.model_selection import train_test_split

    from sklearn_difficulty.datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    X, X_test, y, y_test = train_test_split(
        X, y, test_size=0.3, random_state=0, stratify=y
    )
    return Task("digits", X, y, X_test, y_test, {"module": "mnist"}, epochs,
                NETWORKS["digits"])  # fmt: skip


def mnist1d_task(epochs: int) -> Task:
    from mnist1d.data import get_dataset_args, make_dataset

    data = make_dataset(get_dataset_args())  # 4,000 + 1,000, seeded (seed 42)
    X, X_test = np.asarray(data["x"]), np.asarray(data["x_test"])
    mean, std = X.mean(), X.std()
    network = {
        "module": Conv1D, "channels": None, "optimizer": "adam", "lr": 0.01,
        "lr_step": None, "batch_size": BATCH,
    }  # fmt: skip
    return Task(
        "mnist1d", ((X - mean) / std).astype(np.float32), np.asarray(data["y"]),
        ((X_test - mean) / std).astype(np.float32), np.asarray(data["y_test"]),
        network, epochs, NETWORKS["mnist1d"],
    )  # fmt: skip


def cifar_task(root: str, epochs: int, device: str) -> Task | None:
    from sklearn_difficulty.datasets import load_cifar100_superclass

    try:
        X, y = load_cifar100_superclass(root, "small_mammals", return_X_y=True)
        X_test, y_test = load_cifar100_superclass(
            root, "small_mammals", subset="test", return_X_y=True
        )
    except FileNotFoundError as error:
        print(f"CIFAR-100 small mammals skipped: {error}".splitlines()[0])
        return None
    network = {"module": "st_vgg", "device": device}
    return Task("cifar100_small_mammals", X, y, X_test, y_test, network, epochs,
                NETWORKS["cifar100_small_mammals"])  # fmt: skip


# Training -------------------------------------------------------------------------


def steps_of(task: Task, epochs: int) -> int:
    return epochs * -(-len(task.y) // BATCH)


def recorded_steps(total: int, points: int) -> np.ndarray:
    return np.unique(np.round(np.linspace(0, total, points + 1)[1:]).astype(int))


def whole_set_at(n_examples: int, step_length: int) -> int:
    """The first step whose pool is the whole training set."""
    step = 0
    while PACING(step, n_examples, step_length=step_length) < n_examples:
        step += step_length
    return step


def train(task: Task, y, epochs: int, order, args) -> EnsembleDifficulty:
    """5 (``--seeds``) members of the task's network, recorded along training."""
    total = steps_of(task, epochs)
    sampler = None
    if order is not None:
        length = max(1, round(total * args.pace_fraction))
        sampler = CurriculumSampler(
            order, batch_size=BATCH, pacing="fixed_exponential",
            pacing_params={"starting_percent": 0.04, "increase": 1.9,
                           "step_length": length},
        )  # fmt: skip
    network = VectorisedCNN(**task.network, max_epochs=epochs, sampler=sampler)
    return EnsembleDifficulty(
        network, n_estimators=args.seeds, random_state=args.seed, n_jobs=1,
        record_every=recorded_steps(total, args.points),
    ).fit(task.X, y, eval_set={"test": (task.X_test, task.y_test)})  # fmt: skip


def transfer_record(task: Task, y, args):
    """The record of 5 scikit-learn-style MLPs on the flattened training inputs."""
    flat = task.X.reshape(len(task.X), -1)
    return EnsembleDifficulty(
        VectorisedMLP((100,), max_iter=args.mlp_epochs), n_estimators=5,
        random_state=args.seed, n_jobs=1,
    ).fit(flat, y).record_  # fmt: skip


def curve(ensemble: EnsembleDifficulty) -> tuple[np.ndarray, np.ndarray]:
    """The recorded steps and each member's test accuracy there (members, stages)."""
    record = ensemble.record_
    predictions, targets = record.scored_set("test")
    return np.asarray(record.steps), (predictions == targets).mean(axis=2)


def orders_for(task: Task, y, self_record, args) -> dict[str, np.ndarray]:
    """Each curriculum condition's order of the training examples, easiest first."""
    transfer = transfer_record(task, y, args)
    orders = {}
    for kind in ("curriculum", "anti"):
        orders[kind] = order_from_record(transfer, y, score="learning_speed", kind=kind)
        orders[f"{kind} (self)"] = order_from_record(
            self_record, y, score="learning_speed_steps", kind=kind
        )
    orders["random"] = curriculum_order(
        np.zeros(len(y)), kind="random", balance=False, random_state=args.seed
    )
    return orders


def run_setting(task: Task, setting: str, args, log) -> dict:
    epochs = (
        task.epochs if setting != "short" else max(1, round(task.epochs * args.short))
    )
    y = task.y
    if setting == "noisy":
        y, _ = flip_labels(task.y, args.noise, "uniform", args.seed)
    curves, seconds = {}, {}
    length = max(1, round(steps_of(task, epochs) * args.pace_fraction))
    start = time.perf_counter()
    vanilla = train(task, y, epochs, None, args)
    seconds["vanilla"] = time.perf_counter() - start
    # Self-taught scores: a vanilla run at the full budget on the same labels.
    if setting == "short":
        if "full" not in task.settings:
            task.settings["full"] = train(task, y, task.epochs, None, args).record_
        self_record = task.settings["full"]
    else:
        self_record = vanilla.record_
    if setting == "full":
        task.settings["full"] = vanilla.record_
    steps, curves["vanilla"] = curve(vanilla)
    orders = orders_for(task, y, self_record, args)
    for condition in args.conditions:
        if condition == "vanilla":
            continue
        start = time.perf_counter()
        steps_c, curves[condition] = curve(
            train(task, y, epochs, orders[condition], args)
        )
        seconds[condition] = time.perf_counter() - start
        assert np.array_equal(steps, steps_c)
    log(f"{task.name} {setting}: " + ", ".join(
        f"{c} {curves[c][:, -1].mean():.3f} ({seconds[c]:.0f} s)" for c in curves
    ))  # fmt: skip
    return {
        "network": task.notes,
        "epochs": epochs,
        "steps": steps.tolist(),
        "step_length": length,
        "whole_set_at": whole_set_at(len(y), length),
        "accuracy": {c: a.tolist() for c, a in curves.items()},
        "seconds": seconds,
    }


# Summaries ------------------------------------------------------------------------


def interval(values, confidence: float = 0.95) -> tuple[float, float]:
    """Mean and half-width of the Student-t interval over seeds (nan for one)."""
    values = np.asarray(values, float)
    if values.size < 2:
        return float(values.mean()), float("nan")
    half = stats.t.ppf((1 + confidence) / 2, values.size - 1) * values.std(ddof=1)
    return float(values.mean()), float(half / np.sqrt(values.size))


def nearest(steps, share: float) -> int:
    """The position of the recorded step nearest to ``share`` of the steps."""
    steps = np.asarray(steps)
    return int(np.abs(steps - share * steps[-1]).argmin())


def table(result: dict) -> list[str]:
    """The markdown table of one data set and setting."""
    steps, curves = result["steps"], result["accuracy"]
    at = [nearest(steps, share) for share in AT]
    heads = [f"step {steps[i]} ({100 * steps[i] / steps[-1]:.0f}%)" for i in at]
    lines = [
        "| condition | final test accuracy | vs vanilla (paired) | "
        + " | ".join(heads)
        + " |",
        "|---" * (3 + len(AT)) + "|",
    ]
    base = np.asarray(curves["vanilla"])[:, -1]
    for condition, accuracy in curves.items():
        accuracy = np.asarray(accuracy)
        mean, half = interval(accuracy[:, -1])
        cells = [f"{mean:.3f} ± {half:.3f}"]
        if condition == "vanilla":
            cells.append("")
        else:
            d, dh = interval(accuracy[:, -1] - base)
            cells.append(f"{d:+.3f} ± {dh:.3f}")
        for i in at:
            m, h = interval(accuracy[:, i])
            cells.append(f"{m:.3f} ± {h:.3f}")
        lines.append(f"| {condition} | " + " | ".join(cells) + " |")
    return lines


def whole(result: dict) -> int:
    # 0.04 * 1.9 ** 6 > 1 > 0.04 * 1.9 ** 5: the whole set after 6 step lengths
    return int(result.get("whole_set_at", 6 * result["step_length"]))


def report(results: dict, args, wall: float, command: str) -> str:
    lines = [
        "# Curriculum learning: curriculum against vanilla, anti and random",
        "",
        f"`{command}`",
        "",
        f"{args.seeds} seeds (members of one ensemble, the same seeds in every "
        "condition); mean test accuracy ± the half-width of its 95% Student-t "
        'interval over seeds; "vs vanilla": the paired difference in final '
        "accuracy. Fixed exponential pacing (starting_percent 0.04, increase "
        f"1.9, step_length = {args.pace_fraction:.4f} of the steps). Transfer "
        "scores: learning speed of 5 VectorisedMLP((100,)) on the flattened "
        'inputs; "(self)": learning speed (over steps) of the vanilla run of '
        f"the same network at the full budget on the same labels. Wall time "
        f"{wall / 60:.1f} min (torch threads: {args.threads}).",
    ]
    for name, per_setting in results.items():
        for setting, result in per_setting.items():
            lines += [
                "",
                f"## {name}, {setting}: {result.get('network', NETWORKS.get(name))}, "
                f"{result['epochs']} epochs, "
                f"{result['steps'][-1]} steps, step_length {result['step_length']} "
                f"(whole set from step {whole(result)})"
                + (
                    f", {int(100 * args.noise)}% flipped training labels"
                    if setting == "noisy"
                    else ""
                ),  # fmt: skip
                "",
                *table(result),
            ]
    return "\n".join(lines) + "\n"


def figure(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(results)
    settings = max((list(r) for r in results.values()), key=len)
    fig, axes = plt.subplots(
        len(names), len(settings), figsize=(4.2 * len(settings), 3.4 * len(names)),
        squeeze=False,
    )  # fmt: skip
    for row, name in enumerate(names):
        for col, setting in enumerate(settings):
            ax = axes[row, col]
            result = results[name].get(setting)
            if result is None:
                ax.set_visible(False)
                continue
            steps = np.asarray(result["steps"])
            for condition, accuracy in result["accuracy"].items():
                accuracy = np.asarray(accuracy)
                bounds = [interval(accuracy[:, i]) for i in range(accuracy.shape[1])]
                mean = np.array([m for m, _ in bounds])
                half = np.nan_to_num(np.array([h for _, h in bounds]))
                style = "--" if "self" in condition else "-"
                (line,) = ax.plot(steps, mean, style, label=condition, lw=1.4)
                ax.fill_between(steps, mean - half, mean + half,
                                color=line.get_color(), alpha=0.15)  # fmt: skip
            final = min(
                np.asarray(a)[:, -1].mean() for a in result["accuracy"].values()
            )
            ax.set_ylim(max(0.0, final - 0.45), min(1.0, final + 0.1))
            ax.axvline(whole(result), color="grey", ls=":", lw=1)
            ax.set_title(f"{name}, {setting}", fontsize=10)
            ax.set_xlabel("optimiser step")
            ax.set_ylabel("test accuracy")
            ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8, loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# Command line ---------------------------------------------------------------------


def parse(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--quick",
        action="store_true",
        help="short budgets (under 2 minutes); writes curriculum_quick.*",
    )
    parser.add_argument("--datasets", default="digits,mnist1d,cifar")
    parser.add_argument(
        "--settings",
        default=None,
        help="default full,short,noisy (--quick: full,noisy)",
    )
    parser.add_argument("--conditions", default=",".join(CONDITIONS))
    parser.add_argument("--seeds", type=int, default=5, help="members (seeds)")
    parser.add_argument(
        "--seed",
        type=int,
        default=0,
        help="the ensembles' random_state and the flips' seed",
    )
    parser.add_argument("--digits-epochs", type=int, default=12)
    parser.add_argument("--mnist1d-epochs", type=int, default=12)
    parser.add_argument("--cifar-epochs", type=int, default=140)
    parser.add_argument("--cifar-root", default=os.environ.get(
        "CIFAR_ROOT", str(Path.home() / "scikit_learn_data" / "cifar")))  # fmt: skip
    parser.add_argument("--device", default="cpu", help="for CIFAR's st-VGG")
    parser.add_argument(
        "--short",
        type=float,
        default=0.25,
        help="the short budget, a share of the epochs",
    )
    parser.add_argument("--noise", type=float, default=0.2)
    parser.add_argument(
        "--pace-fraction",
        type=float,
        default=100 / 3500,
        help="step_length as a share of the steps (the paper's 100/3500)",
    )
    parser.add_argument(
        "--points",
        type=int,
        default=12,
        help="recorded steps along training (besides step 0)",
    )
    parser.add_argument("--mlp-epochs", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="torch threads")
    parser.add_argument("--out", default=None, help="results stem (default by mode)")
    parser.add_argument(
        "--replot",
        action="store_true",
        help="rewrite the tables and figure from the saved JSON",
    )
    args = parser.parse_args(argv)
    if args.quick:
        args.digits_epochs, args.mnist1d_epochs = 3, 2
        args.cifar_epochs, args.points, args.mlp_epochs = 2, 4, 10
        args.settings = args.settings or "full,noisy"
    args.settings = args.settings or "full,short,noisy"
    args.conditions = [c.strip() for c in args.conditions.split(",")]
    if "vanilla" not in args.conditions:
        args.conditions.insert(0, "vanilla")
    unknown = set(args.conditions) - set(CONDITIONS)
    if unknown:
        parser.error(f"unknown conditions {sorted(unknown)}; of {CONDITIONS}")
    return args


def write(stem: Path, results: dict, args, wall: float, command: str) -> None:
    """The markdown tables of the run and its figure."""
    stem.with_suffix(".md").write_text(report(results, args, wall, command))
    figure(results, stem.with_suffix(".png"))
    print(stem.with_suffix(".md").read_text())


def main(argv=None) -> None:
    args = parse(argv)
    stem = RESULTS / (args.out or ("curriculum_quick" if args.quick else "curriculum"))
    if args.replot:  # the tables and figure again, from the run's JSON
        saved = json.loads(stem.with_suffix(".json").read_text())
        vars(args).update(saved["args"])
        command = saved.get("command", "python benchmarks/bench_curriculum.py")
        write(stem, saved["results"], args, saved["wall_s"], command)
        return
    torch.set_num_threads(args.threads)
    RESULTS.mkdir(parents=True, exist_ok=True)
    builders = {
        "digits": lambda: digits_task(args.digits_epochs),
        "mnist1d": lambda: mnist1d_task(args.mnist1d_epochs),
        "cifar": lambda: cifar_task(args.cifar_root, args.cifar_epochs, args.device),
    }
    settings = [s.strip() for s in args.settings.split(",")]
    print(f"torch {torch.__version__}, {args.threads} thread(s); settings {settings}")
    start = time.perf_counter()

    def log(message: str) -> None:
        print(f"[{time.perf_counter() - start:6.0f} s] {message}", flush=True)

    results: dict[str, dict] = {}
    for name in args.datasets.split(","):
        task = builders[name.strip()]()
        if task is None:
            continue
        results[task.name] = {s: run_setting(task, s, args, log) for s in settings}
    wall = time.perf_counter() - start
    command = " ".join(["python benchmarks/bench_curriculum.py", *sys.argv[1:]])
    stem.with_suffix(".json").write_text(json.dumps(
        {"command": command, "args": vars(args), "wall_s": wall,
         "results": results}, indent=1))  # fmt: skip
    write(stem, results, args, wall, command)
    log(f"done; wrote {stem}.md, .json, .png")


if __name__ == "__main__":
    main()
