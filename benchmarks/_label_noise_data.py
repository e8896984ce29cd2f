"""The data sets, label noise and preprocessing of ``bench_label_noise.py``.

Every data set is a function of no argument returning ``(X, y)``: raw
features as float64 (preprocessing is a candidate of the benchmark, not
fixed here) and labels 0..K-1. All are bundled with scikit-learn or
generated with a fixed seed; nothing is downloaded. They come in two groups:

- "choose", where the defaults are chosen: ``digits`` (8x8 images, 1,797),
  ``wine`` (tabular, 178), ``mnist1d`` (signals of length 40, 4,000, from
  the ``mnist1d`` package), ``synth_choose`` (``make_classification``: 20
  features, 10 informative, 5 classes, 2,000);
- "confirm", where the defaults are only confirmed, never tuned on:
  ``breast_cancer`` (tabular, binary, 569, features of very different
  scales), ``digits16`` (3,000 digits images pasted at random offsets of 0
  to 4 pixels into a 16x16 zero canvas: many pixels constant or
  near-constant),
  ``waveforms`` (2,400 noisy signals of length 64, 6 shapes) and
  ``synth_confirm`` (``make_classification``: 30 features, 6 informative,
  6 redundant, 4 classes, 2,000, each feature scaled by a random power of
  ten, plus 3 near-constant features).
"""

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.signal import chirp, sawtooth, square
from sklearn.datasets import (
    load_breast_cancer,
    load_digits,
    load_wine,
    make_classification,
)
from sklearn.preprocessing import MinMaxScaler, QuantileTransformer, StandardScaler

from sklearn_difficulty.selection import FlooredScaler


def _labels(y) -> np.ndarray:
    return np.unique(y, return_inverse=True)[1].astype(np.int64)


def digits():
    """scikit-learn's digits: 1,797 images of 8x8 pixels in 0..16, 10 classes."""
    X, y = load_digits(return_X_y=True)
    return X.astype(np.float64), _labels(y)


def wine():
    """scikit-learn's wine: 178 examples, 13 chemical measurements, 3 classes."""
    X, y = load_wine(return_X_y=True)
    return X.astype(np.float64), _labels(y)


def mnist1d(samples: int = 4000):
    """MNIST-1D's training signals (length 40, 10 classes), generated locally."""
    from mnist1d.data import get_dataset_args, make_dataset

    args = get_dataset_args()
    args.num_samples = int(samples / args.train_split)
    data = make_dataset(args)  # seeded by args.seed = 42 (numpy's global one)
    return np.asarray(data["x"], np.float64), _labels(data["y"])


def synth_choose():
    """``make_classification``: 2,000 examples, 20 features (10 informative), 5
    classes; ``flip_y=0`` so that the benchmark's flips are the only noise."""
    X, y = make_classification(
        n_samples=2000, n_features=20, n_informative=10, n_redundant=2,
        n_classes=5, flip_y=0.0, random_state=0,
    )  # fmt: skip
    return X.astype(np.float64), _labels(y)


def breast_cancer():
    """scikit-learn's breast cancer: 569 examples, 30 features, 2 classes."""
    X, y = load_breast_cancer(return_X_y=True)
    return X.astype(np.float64), _labels(y)


def digits16(samples: int = 3000, seed: int = 16, max_offset: int = 4):
    """Digits images (drawn with replacement) pasted at a random offset (0 to
    ``max_offset`` pixels down and right) into a 16x16 zero canvas.

    Of the 256 pixels, 118 are constant (zero) and about 20 more are
    near-constant (a standard deviation under a tenth of the median
    pixel's): StandardScaler turns a pixel lit in a single image into
    |x| = 54.8. A larger ``max_offset`` leaves fewer constant pixels but makes
    the task much harder for an MLP (8: cleanlab's PR-AUC at 20% uniform
    noise 0.48 against 0.76 at 4 and 0.92 at 2)."""
    images, y = load_digits(return_X_y=True)
    rng = np.random.RandomState(seed)
    drawn = rng.randint(0, len(y), samples)
    offsets = rng.randint(0, max_offset + 1, (samples, 2))
    canvas = np.zeros((samples, 16, 16))
    for i, (image, (row, col)) in enumerate(zip(images[drawn], offsets, strict=True)):
        canvas[i, row : row + 8, col : col + 8] = image.reshape(8, 8)
    return canvas.reshape(samples, 256), _labels(y[drawn])


WAVES = ("sine", "square", "sawtooth", "triangle", "chirp", "pulse")


def waveforms(per_class: int = 400, length: int = 64, seed: int = 64):
    """Six wave shapes (sine, square, sawtooth, triangle, chirp, Gaussian pulse)
    of random frequency (2 to 3 cycles), phase, amplitude (0.5 to 1.5) and
    vertical shift (sd 0.3), plus Gaussian noise (sd 0.25): 2,400 signals of
    length 64. An MLP of 30 epochs gets about 0.7 of clean labels right out
    of fold (sine and triangle are the hardest pair)."""
    rng = np.random.RandomState(seed)
    t = np.linspace(0, 1, length, endpoint=False)
    X, y = [], []
    for label, shape in enumerate(WAVES):
        for _ in range(per_class):
            freq, phase = rng.uniform(2.0, 3.0), rng.uniform(0, 2 * np.pi)
            angle = 2 * np.pi * freq * t + phase
            if shape == "sine":
                wave = np.sin(angle)
            elif shape == "square":
                wave = square(angle)
            elif shape == "sawtooth":
                wave = sawtooth(angle)
            elif shape == "triangle":
                wave = sawtooth(angle, width=0.5)
            elif shape == "chirp":
                wave = chirp(t, f0=freq / 2, t1=1, f1=3 * freq, phi=np.degrees(phase))
            else:
                centre, width = rng.uniform(0.2, 0.8), rng.uniform(0.03, 0.12)
                wave = 2 * np.exp(-0.5 * ((t - centre) / width) ** 2) - 1
            amplitude, shift = rng.uniform(0.5, 1.5), rng.normal(0, 0.3)
            X.append(amplitude * wave + shift + rng.normal(0, 0.25, length))
            y.append(label)
    return np.asarray(X), np.asarray(y, np.int64)


def synth_confirm(seed: int = 30):
    """``make_classification``: 2,000 examples, 30 features (6 informative, 6
    redundant), 4 classes, each feature times a random power of ten (1e-3 to
    1e3); plus 3 near-constant features (zero but for 0.5% of the examples)."""
    X, y = make_classification(
        n_samples=2000, n_features=30, n_informative=6, n_redundant=6,
        n_classes=4, flip_y=0.0, random_state=seed,
    )  # fmt: skip
    rng = np.random.RandomState(seed)
    X = X * 10.0 ** rng.randint(-3, 4, X.shape[1])
    rare = np.zeros((X.shape[0], 3))
    for column in range(3):
        rows = rng.choice(X.shape[0], 10, replace=False)
        rare[rows, column] = rng.uniform(1, 5, rows.size)
    return np.hstack([X, rare]), _labels(y)


@dataclass(frozen=True)
class DataSet:
    load: Callable[[], tuple[np.ndarray, np.ndarray]]
    group: str  # "choose" or "confirm"
    kind: str  # "images", "tabular" or "signals"


DATASETS = {
    "digits": DataSet(digits, "choose", "images"),
    "wine": DataSet(wine, "choose", "tabular"),
    "mnist1d": DataSet(mnist1d, "choose", "signals"),
    "synth_choose": DataSet(synth_choose, "choose", "tabular"),
    "breast_cancer": DataSet(breast_cancer, "confirm", "tabular"),
    "digits16": DataSet(digits16, "confirm", "images"),
    "waveforms": DataSet(waveforms, "confirm", "signals"),
    "synth_confirm": DataSet(synth_confirm, "confirm", "tabular"),
}
GROUPS = ("choose", "confirm")


def group_of(name: str) -> str:
    return DATASETS[name].group


# Label noise ----------------------------------------------------------------------

# (kind, level): uniform 10% and 20%, class-dependent 20% (multi-class only).
NOISE = (("uniform", 0.1), ("uniform", 0.2), ("class", 0.2))


def flip_labels(y, level: float, kind: str, seed: int):
    """Noisy labels and the mask of the flipped examples.

    Exactly ``round(level * n)`` examples, drawn uniformly, are flipped:
    "uniform" to one of the other K - 1 classes uniformly, "class" from c to
    (c + 1) mod K (a permutation noise matrix; for K = 2 the same as uniform).
    """
    rng = np.random.RandomState(seed)
    n_classes = int(y.max()) + 1
    flipped = np.zeros(y.size, bool)
    flipped[rng.choice(y.size, int(round(level * y.size)), replace=False)] = True
    noisy = y.copy()
    shift = rng.randint(1, n_classes, flipped.sum()) if kind == "uniform" else 1
    noisy[flipped] = (y[flipped] + shift) % n_classes
    return noisy, flipped


# Preprocessing --------------------------------------------------------------------


def floored_standardise(X, cap: float = 10.0) -> np.ndarray:
    """The default scorer's preprocessing: ``selection.FlooredScaler(cap)``.

    ``(x - mean_j) / max(std_j, (max_j - min_j) / cap)``: every training value
    lands in [-cap, cap]; an ordinary feature is standardised exactly as by
    StandardScaler, a near-constant one squashed instead of growing to |x| =
    50 and more.
    """
    return FlooredScaler(cap=cap).fit_transform(np.asarray(X, np.float64))


def _with_estimator(make) -> Callable[[np.ndarray], np.ndarray]:
    return lambda X: make(X).fit_transform(X)


PREPROCESSING: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "raw": lambda X: X,
    "standard": _with_estimator(lambda X: StandardScaler()),
    "minmax": _with_estimator(lambda X: MinMaxScaler()),
    "quantile": _with_estimator(
        lambda X: QuantileTransformer(
            output_distribution="normal", n_quantiles=min(1000, len(X))
        )
    ),
    "floor": floored_standardise,
    "floor5": lambda X: floored_standardise(X, cap=5.0),
}
"""Preprocessing by name: fitted on the whole training set (as the scorer sees
it), then applied to it. "floor" and "floor5": :func:`floored_standardise`
with ``cap`` 10 and 5."""


def preprocess(name: str, X) -> np.ndarray:
    if name not in PREPROCESSING:
        raise ValueError(
            f"unknown preprocessing {name!r}; one of {list(PREPROCESSING)}"
        )
    return PREPROCESSING[name](X)
