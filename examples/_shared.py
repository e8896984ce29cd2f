"""What the figure scripts share: the digits split, the ensembles, the output folder.

Not an example itself: the gallery skips it (``ignore_pattern`` in
``docs/conf.py``) and the scripts import it from their own folder.
"""

import argparse
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from sklearn.ensemble import AdaBoostClassifier
from sklearn.model_selection import train_test_split
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import load_digits_images


def command_line(description: str) -> argparse.ArgumentParser:
    """A parser with ``--out``, the folder for the PNG files (``figures``)."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--out", default="figures", help="folder for the PNG files")
    return parser


def cnn_command_line(description: str) -> argparse.ArgumentParser:
    """``command_line`` with ``--epochs``: 6 by default, 12 at the README's scale."""
    parser = command_line(description)
    parser.add_argument(
        "--epochs",
        type=int,
        default=6,
        help="epochs of the 10 CNNs (default: 6; the README's figures: 12)",
    )
    return parser


def output_folder(out) -> Path:
    """The folder ``out``, created if needed."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    return out


def digits():
    """Images of the digits, split 75/25: X_train, X_test, y_train, y_test."""
    X, y = load_digits_images(return_X_y=True)
    return train_test_split(X, y, test_size=0.25, stratify=y, random_state=0)


def cnns(X_train, y_train, X_test, y_test, *, epochs=12):
    """10 of the paper's MNIST networks (its recipe: AdaDelta, learning rate 1),
    recorded before the first epoch (epoch 0) and after every epoch."""
    from sklearn_difficulty.nets import SkorchCNN

    cnn = SkorchCNN("mnist", max_epochs=epochs)
    ensemble = EnsembleDifficulty(cnn, n_estimators=10, n_jobs=-1, random_state=0)
    return ensemble.fit(X_train, y_train, eval_set={"test": (X_test, y_test)})


def boosted(X_train, y_train, X_test, y_test):
    """10 AdaBoost ensembles (60 rounds, depth-2 trees) on flat images."""
    ensemble = EnsembleDifficulty(
        AdaBoostClassifier(DecisionTreeClassifier(max_depth=2), n_estimators=60),
        n_estimators=10,
        max_samples=0.8,
        n_jobs=-1,
        random_state=0,
    )
    return ensemble.fit(
        flat(X_train), y_train, eval_set={"test": (flat(X_test), y_test)}
    )


def flat(images):
    return images.reshape(len(images), -1)


def save(display_or_figure, path: Path) -> None:
    """Write the figure (or a Display's) to ``path`` as PNG, and leave it open.

    The figure stays open so that the gallery, which captures the open
    figures, shows it (``sklearn_difficulty.plotting.save_figure`` closes it).
    """
    figure = getattr(display_or_figure, "figure_", display_or_figure)
    figure.savefig(path, dpi=120)
    print(f"saved {path}")
