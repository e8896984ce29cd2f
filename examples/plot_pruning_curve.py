"""Pruning curves on digits with 20% flipped labels: drop the hard end, not at random.

20% of the digits' training labels are flipped. 5 multi-layer perceptrons,
recorded after each of 20 epochs with their margins, score every training
example by AUM (Pleiss et al. 2020; "auto" picks it when margins are
recorded). A 1-nearest-neighbour classifier and a logistic regression are
then retrained on what is kept after dropping the hardest, the easiest or
random examples, from 90% kept down to 10%, 3 seeds each, and scored on the
clean test set: one pruning curve per downstream model, with 95% Student-t
intervals and the score of training on every example.
``python examples/plot_pruning_curve.py [--out figures]``, about 40 seconds on 2
cores.
"""

import matplotlib.pyplot as plt
import numpy as np
from _shared import output_folder
from sklearn.datasets import load_digits
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.neighbors import KNeighborsClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.experiments import flip_labels
from sklearn_difficulty.plotting import PruningCurveDisplay
from sklearn_difficulty.pruning_curve import pruning_curve


def main():
    out = output_folder(__doc__.splitlines()[0])
    X, y = load_digits(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=0
    )
    scaler = StandardScaler().fit(X_train)
    X_train, X_test = scaler.transform(X_train), scaler.transform(X_test)
    noisy, flipped = flip_labels(y_train, fraction=0.2, random_state=0)
    ensemble = EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(100,), max_iter=20),
        n_estimators=5,
        record_outputs=("margin",),
        n_jobs=-1,
        random_state=0,
    ).fit(X_train, noisy)
    figure, axes = plt.subplots(1, 2, figsize=(10, 4), sharey=True)
    models = {
        "1-nearest neighbour": KNeighborsClassifier(n_neighbors=1),
        "logistic regression": LogisticRegression(max_iter=300),
    }
    for ax, (name, model) in zip(axes, models.items(), strict=True):
        curve = pruning_curve(
            model, X_train, noisy, X_test, y_test, scores=ensemble, n_repeats=3,
            n_jobs=-1, random_state=0,
        )  # fmt: skip
        _print(name, curve, flipped)
        PruningCurveDisplay.from_curve(curve, ax=ax)
        ax.set_title(f"{name}, {ax.get_title()}", fontsize=9)
    figure.tight_layout()
    figure.savefig(out / "pruning_curve.png", dpi=120)
    print(f"saved {out / 'pruning_curve.png'}")


def _print(name, curve, flipped):
    low, high = curve.interval
    print(
        f"{name} ({int(flipped.sum())} of {flipped.size} labels flipped; "
        f"trained on all: {curve.full_mean:.3f})"
    )
    print("  kept  " + "".join(f"{'drop ' + end:>22s}" for end in curve.drop))
    for f, keep in enumerate(curve.keep):
        cells = "".join(
            f"{curve.mean[d, f]:10.3f} [{low[d, f]:.3f}, {high[d, f]:.3f}]"
            if np.isfinite(low[d, f])
            else f"{curve.mean[d, f]:22.3f}"
            for d in range(len(curve.drop))
        )
        print(f"  {keep:4.0%}  {cells}")


if __name__ == "__main__":
    main()
