"""Fig. 1-2 at a finer grain: bi-modality after every optimiser step, not every epoch.

10 of the paper's MNIST networks with its recipe (AdaDelta at learning rate 1,
batches of 100) on the digits, recorded after every step of their training
(``record_every=1``: 14 steps an epoch). Since recording never changes
training, the stages at the ends of the epochs are exactly what recording
after every epoch gives, so one fit shows both: for each random state tried
it prints the lowest Pearson bi-modality measure among the stages in the
midst of learning (mean training accuracy between 0.2 and 0.97, members not
collapsed onto a few classes), after steps and after epochs, and the phases
of learning, then draws the measure and the accuracy over the epochs (the
steps as a line, the ends of epochs as dots). ``python
examples/plot_bimodality_within_epochs.py [--out figures] [--seeds 0 1 2]``,
about 40 seconds a random state on 2 cores; ``--epochs`` and
``--members`` scale it up.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from _shared import digits

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.nets import SkorchCNN
from sklearn_difficulty.phases import (
    bimodality,
    collapsed_stages,
    phase_spans,
)
from sklearn_difficulty.runs.descriptions import format_epoch


def midst_of_learning(ensemble) -> np.ndarray:
    """Trained stages, not collapsed, at a mean accuracy between 0.2 and 0.97."""
    accuracy = ensemble.member_accuracy_.mean(axis=0)
    return (
        (ensemble.record_.steps > 0)
        & ~collapsed_stages(ensemble)
        & (accuracy >= 0.2)
        & (accuracy <= 0.97)
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default="figures")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--members", type=int, default=10)
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    X_train, X_test, y_train, y_test = digits()
    figure, axes = plt.subplots(2, 1, figsize=(7, 5), sharex=True)
    print("random state  lowest measure after steps (epoch)  after epochs  phases")
    for seed in args.seeds:
        ensemble = EnsembleDifficulty(
            SkorchCNN("mnist", iterator_valid__batch_size=500),
            n_estimators=args.members, n_epochs=args.epochs, record_every=1,
            random_state=seed, n_jobs=-1,
        ).fit(X_train, y_train, eval_set={"test": (X_test, y_test)})  # fmt: skip
        record = ensemble.record_
        epochs, measure = record.epochs, bimodality(ensemble)
        accuracy = ensemble.member_accuracy_.mean(axis=0)
        ends = epochs == np.round(epochs)  # the stages recording epochs gives
        mid = midst_of_learning(ensemble)
        lowest = np.flatnonzero(mid)[np.argmin(measure[mid])]
        by_epoch = measure[mid & ends].min(initial=np.inf)
        phases = "; ".join(
            f"{span.phase} {format_epoch(span.epochs[0])}-"
            f"{format_epoch(span.epochs[1])}"
            for span in phase_spans(ensemble)
        )
        print(
            f"{seed:12d}  {measure[lowest]:14.2f} ({format_epoch(epochs[lowest]):>4})"
            f"  {by_epoch:20.2f}  {phases}"
        )
        (line,) = axes[0].plot(epochs, measure, lw=1, label=f"random state {seed}")
        axes[0].plot(epochs[ends], measure[ends], "o", color=line.get_color())
        axes[1].plot(epochs, accuracy, lw=1, color=line.get_color())
        axes[1].plot(epochs[ends], accuracy[ends], "o", color=line.get_color())
    axes[0].axhline(0.8, color="grey", ls="--", lw=1)
    axes[0].set(ylabel="Pearson bi-modality", ylim=(0, 4))
    axes[0].legend(fontsize="small")
    axes[1].set(xlabel="epoch", ylabel="mean train accuracy")
    figure.suptitle("10 MNIST networks (AdaDelta, lr 1) on the digits, every step")
    figure.tight_layout()
    figure.savefig(out / "bimodality_within_epochs.png", dpi=120)
    print(f"saved {out / 'bimodality_within_epochs.png'}")


if __name__ == "__main__":
    main()
