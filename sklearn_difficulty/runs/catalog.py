"""The catalog of what a run can name: data sets and models, one registry each.

``DATA_SETS`` maps a name to a :class:`DataSource` (a loader and a line of
help); ``MODELS`` maps a name to a :class:`ModelSource` (a factory and a line
of help). :func:`load_data` and :func:`build_model` read them, and so do the
command line's help, the documentation and the error messages, so a data set
or a model is added in one place (:func:`register_data`,
:func:`register_model`). Beyond the registered names, a model may be any of
torchvision's classification models or the import path of a scikit-learn
classifier, and data may be an ``.npz`` file of arrays.

:mod:`sklearn_difficulty.registries` re-exports every name of this module,
where they were first documented. The other registries live beside what
they register: recorders in :mod:`sklearn_difficulty.recorders`, scores in
:mod:`sklearn_difficulty.scores`.
"""

from __future__ import annotations

import ast
import importlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np

__all__ = [
    "DATA_SETS",
    "MODELS",
    "DataSource",
    "ModelSource",
    "RunData",
    "build_model",
    "data_names",
    "load_data",
    "model_names",
    "parse_params",
    "register_data",
    "register_model",
]


class RunData(NamedTuple):
    """The data of a run: arrays, or torch Datasets of image files.

    ``y_train`` and ``y_test`` are None for Datasets, which bring their
    labels; ``images`` says whether the samples are images.

    Examples
    --------
    >>> from sklearn_difficulty.runs.catalog import load_data
    >>> data = load_data("digits")
    >>> data.X_train.shape, data.X_test.shape, data.images
    ((1347, 1, 8, 8), (450, 1, 8, 8), True)
    """

    X_train: Any
    y_train: Any
    X_test: Any
    y_test: Any
    class_names: np.ndarray
    images: bool


@dataclass(frozen=True)
class DataSource:
    """A registered data set.

    Attributes
    ----------
    load : callable
        ``load(argument, data_dir, random_state) -> RunData``; ``argument``
        is what follows the name's colon (``cifar100:fish`` gives "fish"),
        else None.
    help : str
        One line for the command line's help and the errors.
    argument : str or None
        The name of the part after a colon, for names that take one.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.runs.catalog import (
    ...     DATA_SETS, DataSource, RunData, load_data, register_data)
    >>> def blobs(argument, data_dir, random_state):
    ...     X = np.random.RandomState(random_state).randn(20, int(argument))
    ...     y = (X[:, 0] > 0).astype(int)
    ...     return RunData(X, y, None, None, np.array(["neg", "pos"]), False)
    >>> _ = register_data("blobs:", DataSource(blobs, "Gaussian blobs", "dims"))
    >>> load_data("blobs:3").X_train.shape
    (20, 3)
    >>> _ = DATA_SETS.pop("blobs:")  # leave the catalog as it was
    """

    load: Callable[[str | None, str, int], RunData]
    help: str
    argument: str | None = None


@dataclass(frozen=True)
class ModelSource:
    """A registered model.

    Attributes
    ----------
    build : callable
        ``build(params, epochs=..., rounds=..., device=...) -> estimator``.
    help : str
        One line for the command line's help.
    images : bool
        Whether it takes images (networks) rather than flat vectors.

    Examples
    --------
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_difficulty.runs.catalog import (
    ...     MODELS, ModelSource, build_model, register_model)
    >>> def knn(params, *, epochs, rounds, device):
    ...     return KNeighborsClassifier(**{"n_neighbors": 3, **params})
    >>> _ = register_model("knn", ModelSource(knn, "3 nearest neighbours"))
    >>> build_model("knn", ["n_neighbors=5"])
    (KNeighborsClassifier(), False)
    >>> _ = MODELS.pop("knn")  # leave the catalog as it was
    """

    build: Callable[..., Any]
    help: str
    images: bool = False


DATA_SETS: dict[str, DataSource] = {}
"""Data sets by name (a name ending in ":" takes an argument after it)."""

MODELS: dict[str, ModelSource] = {}
"""Models by name."""


def register_data(name: str, source: DataSource) -> DataSource:
    """Add (or replace) a data set; a name ending in ":" takes an argument.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.runs.catalog import (
    ...     DATA_SETS, DataSource, RunData, data_names, register_data)
    >>> def xor(argument, data_dir, random_state):
    ...     X, y = np.array([[0, 0], [0, 1], [1, 0], [1, 1]]), np.array([0, 1, 1, 0])
    ...     return RunData(X, y, None, None, np.array(["0", "1"]), False)
    >>> _ = register_data("xor", DataSource(xor, "the four points of XOR"))
    >>> data_names()[-2:]
    ['xor', 'FILE.npz']
    >>> _ = DATA_SETS.pop("xor")  # leave the catalog as it was
    """
    DATA_SETS[name] = source
    return source


def register_model(name: str, source: ModelSource) -> ModelSource:
    """Add (or replace) a model.

    Examples
    --------
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_difficulty.runs.catalog import (
    ...     MODELS, ModelSource, model_names, register_model)
    >>> def logistic(params, *, epochs, rounds, device):
    ...     return LogisticRegression(**params)
    >>> _ = register_model("logistic", ModelSource(logistic, "logistic regression"))
    >>> model_names()[-3:]
    ['logistic', 'a torchvision model (resnet18, ...)', 'an import path']
    >>> _ = MODELS.pop("logistic")  # leave the catalog as it was
    """
    MODELS[name] = source
    return source


def data_names() -> list[str]:
    """The data names as a person types them (``cifar100:<super-class>``).

    Examples
    --------
    >>> from sklearn_difficulty.runs.catalog import data_names
    >>> data_names()  # doctest: +NORMALIZE_WHITESPACE
    ['digits', 'mnist', 'cifar10', 'cifar100', 'cifar100:<super-class>',
     'imagefolder:<PATH>', 'tiny-imagenet', 'imagenet', 'FILE.npz']
    """
    return [
        f"{name}<{source.argument}>" if name.endswith(":") else name
        for name, source in DATA_SETS.items()
    ] + ["FILE.npz"]


def model_names() -> list[str]:
    """The registered model names, then what else a model may be.

    Examples
    --------
    >>> from sklearn_difficulty.runs.catalog import model_names
    >>> model_names()  # doctest: +NORMALIZE_WHITESPACE
    ['mnist', 'small_st_vgg', 'st_vgg', 'adaboost',
     'a torchvision model (resnet18, ...)', 'an import path']
    """
    return [*MODELS, "a torchvision model (resnet18, ...)", "an import path"]


def load_data(name: str, data_dir: str | None = None, random_state: int = 0):
    """The data of a run named ``name`` (see :data:`DATA_SETS`).

    Raises
    ------
    ValueError
        For a name that is not registered, naming the registered ones.

    Examples
    --------
    >>> from sklearn_difficulty.runs.catalog import load_data
    >>> data = load_data("digits", random_state=0)
    >>> data.X_train.shape, data.y_train[:5], data.class_names[:3]
    ((1347, 1, 8, 8), array([7, 3, 6, 6, 7]), array(['0', '1', '2'], dtype='<U21'))
    >>> load_data("digts")
    Traceback (most recent call last):
    ...
    ValueError: unknown data set 'digts'; use one of: digits, mnist, cifar10, ...
    """
    if name.endswith(".npz"):
        return _npz_file(Path(name))
    prefix, colon, argument = name.partition(":")
    source = DATA_SETS.get(prefix + colon) if colon else DATA_SETS.get(name)
    if source is None:
        raise ValueError(
            f"unknown data set {name!r}; use one of: {', '.join(data_names())}."
        )
    return source.load(argument if colon else None, data_dir or ".", random_state)


def _npz_file(path: Path) -> RunData:
    if not path.is_file():
        raise FileNotFoundError(f"data file {path} does not exist.")
    with np.load(path, allow_pickle=False) as data:
        missing = [k for k in ("X_train", "y_train") if k not in data.files]
        if missing:
            raise ValueError(
                f"{path} must hold arrays named X_train and y_train (and "
                f"optionally X_test, y_test); it lacks {', '.join(missing)}."
            )
        arrays = {k: data[k] for k in data.files}
    return RunData(
        arrays["X_train"],
        arrays["y_train"],
        arrays.get("X_test"),
        arrays.get("y_test"),
        np.unique(arrays["y_train"]).astype(str),
        arrays["X_train"].ndim == 4,
    )


def _digits(argument, data_dir, random_state) -> RunData:
    from sklearn.model_selection import train_test_split

    from ..datasets import load_digits_images

    X, y = load_digits_images(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=0.25, stratify=y, random_state=random_state
    )
    return RunData(X_train, y_train, X_test, y_test, np.arange(10).astype(str), True)


def _arrays(loader_name: str):
    def load(argument, data_dir, random_state) -> RunData:
        from .. import datasets

        load = getattr(datasets, loader_name)
        extra = () if argument is None else (argument,)
        train = load(data_dir, *extra, subset="train")
        test = load(data_dir, *extra, subset="test")
        return RunData(
            train.images, train.target, test.images, test.target,
            train.target_names, True,
        )  # fmt: skip

    return load


def _files(loader_name: str, test_subset: str = "val"):
    def load(argument, data_dir, random_state) -> RunData:
        from .. import datasets

        load = getattr(datasets, loader_name)
        train, test = load(data_dir, subset="train"), load(data_dir, subset=test_subset)
        return RunData(train, None, test, None, np.asarray(train.classes), True)

    return load


def _image_folder(argument, data_dir, random_state) -> RunData:
    """``PATH/train`` and ``PATH/test`` (or ``val``) if they exist, else PATH."""
    from ..datasets import load_image_folder

    path = Path(argument)
    test_folder = next(
        (path / sub for sub in ("test", "val") if (path / sub).is_dir()), None
    )
    train = load_image_folder(path / "train" if (path / "train").is_dir() else path)
    test = (
        None
        if test_folder is None
        else load_image_folder(test_folder, classes=train.classes)
    )
    return RunData(train, None, test, None, np.asarray(train.classes), True)


register_data(
    "digits",
    DataSource(_digits, "scikit-learn's digits as 8x8 images, split 75/25 (built in)"),
)
register_data("mnist", DataSource(_arrays("load_mnist"), "MNIST from --data-dir"))
register_data(
    "cifar10", DataSource(_arrays("load_cifar10"), "CIFAR-10 from --data-dir")
)
register_data(
    "cifar100", DataSource(_arrays("load_cifar100"), "CIFAR-100 from --data-dir")
)
register_data(
    "cifar100:",
    DataSource(
        _arrays("load_cifar100_superclass"),
        "one CIFAR-100 super-class (small_mammals, fish, ...) from --data-dir",
        argument="super-class",
    ),
)
register_data(
    "imagefolder:",
    DataSource(
        _image_folder,
        "a folder of class folders of images (with train/ and test/ or val/)",
        argument="PATH",
    ),
)
register_data(
    "tiny-imagenet",
    DataSource(_files("load_tiny_imagenet"), "tiny ImageNet's files in --data-dir"),
)
register_data(
    "imagenet",
    DataSource(
        _files("load_imagenet_folders"), "ImageNet's train/ and val/ in --data-dir"
    ),
)


# Models -----------------------------------------------------------------------------


def parse_params(items) -> dict:
    """``key=value`` strings as a dict; values are Python literals, else strings.

    Examples
    --------
    >>> from sklearn_difficulty.runs.catalog import parse_params
    >>> parse_params(["C=10", "kernel=rbf", "max_depth=None"])
    {'C': 10, 'kernel': 'rbf', 'max_depth': None}
    """
    if isinstance(items, dict):
        return dict(items)
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise ValueError(f"a model parameter is key=value; got {item!r}.")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def _network(name: str):
    def build(params, *, epochs, rounds, device):
        from ..nets import SkorchCNN

        defaults: dict[str, object] = {"device": device}
        if epochs is not None:
            defaults["max_epochs"] = epochs
        return SkorchCNN(name, **{**defaults, **params})

    return build


def _adaboost(params, *, epochs, rounds, device):
    from sklearn.ensemble import AdaBoostClassifier
    from sklearn.tree import DecisionTreeClassifier

    params = dict(params)
    depth = params.pop("max_depth", 2)
    return AdaBoostClassifier(
        DecisionTreeClassifier(max_depth=depth), **{"n_estimators": rounds, **params}
    )


for _name, _help in (
    ("mnist", "the paper's MNIST network (AdaDelta, 12 epochs)"),
    ("small_st_vgg", "the paper's small st-VGG (SGD, 140 epochs)"),
    ("st_vgg", "the paper's st-VGG (SGD, 140 epochs)"),
):
    register_model(_name, ModelSource(_network(_name), _help, images=True))
register_model(
    "adaboost",
    ModelSource(_adaboost, "AdaBoost on depth-2 trees, --rounds rounds"),
)


def _is_torchvision_model(name: str) -> bool:
    if "." in name or not name.isidentifier():
        return False
    try:
        import torchvision
    except ImportError:
        return False
    return name in torchvision.models.list_models(module=torchvision.models)


def build_model(
    name: str,
    params=None,
    *,
    epochs: int | None = None,
    rounds: int = 50,
    device: str = "cpu",
):
    """The estimator a model name stands for, and whether it takes images.

    A registered name (:data:`MODELS`); a torchvision classification model
    (``resnet18``, ``vgg16``...) as a :class:`~sklearn_difficulty.nets.SkorchCNN`;
    or the import path of a classifier (``sklearn.svm.SVC``). A network
    trains with the paper's recipe for it for ``epochs`` epochs (None: the
    recipe's); ``params`` win over both.

    Returns
    -------
    estimator : estimator
    images : bool

    Examples
    --------
    >>> from sklearn_difficulty.runs.catalog import build_model
    >>> build_model("adaboost", {"max_depth": 1}, rounds=5)
    (AdaBoostClassifier(estimator=DecisionTreeClassifier(max_depth=1),
                       n_estimators=5), False)
    >>> build_model("sklearn.svm.SVC", ["C=10", "kernel='linear'"])
    (SVC(C=10, kernel='linear'), False)
    """
    params = parse_params(params)
    kwargs = {"epochs": epochs, "rounds": rounds, "device": device}
    if name in MODELS:
        source = MODELS[name]
        return source.build(params, **kwargs), source.images
    if _is_torchvision_model(name):
        return _network(name)(params, **kwargs), True
    module_name, _, class_name = name.rpartition(".")
    if not module_name:
        raise ValueError(
            f"unknown model {name!r}; use one of {', '.join(model_names())} "
            "(sklearn.svm.SVC, say)."
        )
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise ValueError(f"cannot import the model {name!r}: {error}.") from error
    try:
        return cls(**params), False
    except TypeError as error:
        raise ValueError(f"bad parameters for {name}: {error}.") from error
