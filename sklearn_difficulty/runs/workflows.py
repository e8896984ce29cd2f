"""The workflows: ``run``, ``compare``, ``report`` and ``demo``.

Each is a plain function with keyword arguments that a notebook calls
directly and that returns the folder it wrote, as an object:

- :func:`run` fits an ensemble on a data set and a model of the catalog
  (:mod:`sklearn_difficulty.runs.catalog`) and writes a
  :class:`~sklearn_difficulty.runs.RunFolder`;
- :func:`compare` compares two runs, stages matched by accuracy, and writes
  a :class:`~sklearn_difficulty.runs.ComparisonFolder`;
- :func:`report` renders either as one self-contained HTML page;
- :func:`demo` does all of it on the digits: CNNs against AdaBoost.

The command line (:mod:`sklearn_difficulty.cli`) only parses arguments and
calls these.

A run checks all it can before any member trains: the output folder (it
must be writable and hold nothing but a run:
:meth:`~sklearn_difficulty.runs.RunFolder.create`), the score ``rank_by``,
``record_every`` and whether the model can be recorded so, the model and
the data. The folder is then marked as an unfinished run
while the members train (each kept in its ``memory`` as soon as it has
trained), and its summary, written last, marks it finished; :func:`report`
and :func:`compare` refuse an unfinished run and say how to resume it: the
same call again.
"""

from __future__ import annotations

import os
import time
from numbers import Integral
from pathlib import Path
from typing import Any, NamedTuple

from .._files import write_atomically
from .._inputs import is_torch_dataset, n_samples
from ..compare import compare_records
from ..ensemble import EnsembleDifficulty
from ..recorders import resolve_recorder
from ..scores import outputs_needed
from ..stages import LogSpacedSteps, check_record_every, step_schedule
from ._html import render_comparison, render_run
from .catalog import RunData, build_model, load_data, parse_params
from .clusters import check_backend, on_backend
from .folders import ComparisonFolder, RunFolder, open_folder
from .summary import DEFAULT_RANK_BY, check_ranking

__all__ = ["DEMO_CNN", "compare", "demo", "report", "run"]


class _RunInputs(NamedTuple):
    """A run's estimator and its data in the form the estimator takes."""

    estimator: Any
    X_train: Any
    y_train: Any
    eval_set: dict | None
    loaded: RunData  # as the catalog gave them (images unflattened)

    def sizes(self) -> dict[str, Any]:
        """The numbers of training and test examples and the class names."""
        X_test = None if self.eval_set is None else self.eval_set["test"][0]
        return {
            "n_train": int(n_samples(self.X_train)),
            "n_test": None if X_test is None else int(n_samples(X_test)),
            "classes": [str(c) for c in self.loaded.class_names],
        }


def _run_inputs(data: str, model: str, *, params, epochs, rounds, device, data_dir,
                random_state, record_every) -> _RunInputs:  # fmt: skip
    """Build ``model``, load ``data``, and check that one can take the other.

    The model is built first: one that cannot be recorded as
    ``record_every`` asks is refused before the data are read.
    """
    estimator, takes_images = build_model(
        model, params, epochs=epochs, rounds=rounds, device=device
    )
    _check_record_every(record_every, model, estimator)
    loaded = load_data(data, data_dir, random_state)
    X_train, y_train, X_test, y_test = loaded[:4]
    if is_torch_dataset(X_train) and not takes_images:
        raise ValueError(
            f"{data} is read image by image: choose a network (mnist, resnet18, "
            f"...), not {model}."
        )
    if not takes_images:
        X_train = X_train.reshape(len(X_train), -1)
        X_test = None if X_test is None else X_test.reshape(len(X_test), -1)
    elif not loaded.images:
        raise ValueError(f"{model} takes images; {data} holds flat vectors.")
    if y_train is None:  # a data set of image files brings its labels
        y_train = X_train.targets
    eval_set = None if X_test is None else {"test": (X_test, y_test)}
    return _RunInputs(estimator, X_train, y_train, eval_set, loaded)


def _check_record_every(record_every, model: str, estimator) -> None:
    """A clear error for a model that cannot be recorded after optimiser steps."""
    if check_record_every(record_every) is None:  # after every epoch
        return
    try:
        step_schedule(record_every, recorder=resolve_recorder(estimator), stage_step=1)
    except ValueError as error:
        raise ValueError(
            f"{model} cannot be recorded after optimiser steps (--record-every): "
            f"{error}"
        ) from None


def _record_every_summary(record_every) -> str | int | list[int]:
    """``record_every`` as the summary keeps it (JSON): a name, a number, steps."""
    if isinstance(record_every, str):
        return record_every
    if isinstance(record_every, Integral):
        return int(record_every)
    if isinstance(record_every, LogSpacedSteps):
        return repr(record_every)
    return [int(step) for step in record_every]


def _outputs_to_record(record_outputs, rank_by: str) -> str | tuple | None:
    """``record_outputs`` with what the score ``rank_by`` needs recorded added."""
    asked: str | tuple | None
    if record_outputs is None or isinstance(record_outputs, str):
        asked = record_outputs
    else:
        asked = "all" if "all" in record_outputs else tuple(record_outputs)
    needed = outputs_needed(rank_by)
    if asked == "all" or not needed:
        return asked
    kinds = () if asked is None else (asked,) if isinstance(asked, str) else asked
    return (*kinds, *(kind for kind in needed if kind not in kinds))


def _fit(ensemble, inputs: _RunInputs, asked: dict, *, backend, scheduler) -> dict:
    """Fit the ensemble on a run's data; the run's summary: what was asked, and got."""
    start = time.perf_counter()
    with on_backend(backend, scheduler):
        ensemble.fit(inputs.X_train, inputs.y_train, eval_set=inputs.eval_set)
    return {
        **asked,
        "record_outputs": list(ensemble.record_.output_kinds),
        **inputs.sizes(),
        "seconds": round(time.perf_counter() - start, 2),
        "members_from_memory": ensemble.members_from_memory_,
    }


def run(
    *, out, data: str = "digits", model: str = "mnist", members: int = 10,
    epochs: int | None = None, rounds: int = 50, max_samples: float | None = None,
    params=None, record_every="epoch", record_outputs=None,
    rank_by: str = DEFAULT_RANK_BY,
    n_jobs: int | None = -1, device: str = "cpu", random_state: int = 0,
    data_dir=None, memory="auto", overwrite: bool = False, verbose: int = 1,
    backend: str | None = None, scheduler: str | None = None,
) -> RunFolder:  # fmt: skip
    """Fit an ensemble on a data set and write the run to a folder.

    Parameters
    ----------
    out : str or path-like
        The run folder.
    data : str, default="digits"
        A registered data set (see
        :data:`~sklearn_difficulty.registries.DATA_SETS`), or an ``.npz``
        file of arrays ``X_train``, ``y_train`` (and optionally ``X_test``,
        ``y_test``).
    model : str, default="mnist"
        A registered model (:data:`~sklearn_difficulty.registries.MODELS`),
        a torchvision model, or the import path of a classifier.
    members : int, default=10
    epochs : int, default=None
        Epochs of a network (None: its recipe's).
    rounds : int, default=50
        Boosting rounds of "adaboost".
    max_samples : float, default=None
        Train each member on this fraction of the training set.
    params : dict or list of "key=value", default=None
        Parameters of the model.
    record_every : "epoch", "log", int or array-like of int, default="epoch"
        :class:`EnsembleDifficulty`'s: after every epoch, or after optimiser
        steps (networks and ``partial_fit`` members only; another model is
        refused before any training). The stages then carry their positions.
    record_outputs : None, "all" or sequence of str, default=None
        Outputs beyond the labels (see :class:`EnsembleDifficulty`); "proba"
        gives the report a data map. What ``rank_by`` needs is added.
    rank_by : str, default="learning_speed"
        The registered score (:func:`~sklearn_difficulty.scores.score_names`)
        that ranks the easiest and hardest training examples the folder
        keeps and the report shows. A score that cannot rank this run
        ("heldout_consistency" without ``max_samples``) is refused before
        any training.
    n_jobs : int, default=-1
    device : str, default="cpu"
    random_state : int, default=0
    data_dir : str, default=None
        Where MNIST, CIFAR, tiny ImageNet or ImageNet files are.
    memory : "auto", str, path-like or None, default="auto"
        Where each member is kept as soon as it has trained (the ensemble's
        ``memory``), so that the same call after a kill trains only the
        missing members: "auto" is ``out/members``
        (:attr:`RunFolder.memory_path`), a path any folder, None nowhere.
    overwrite : bool, default=False
        Replace a finished run in ``out``: only the files of the run folder
        format are removed (not the members in ``memory``: they are found by
        their key). An unfinished run is resumed without it.
    verbose : int, default=1
        1 shows the members' progress on a terminal.
    backend : {"loky", "threading", "multiprocessing", "dask", "ray"}, default=None
        Where the members train (:func:`.clusters.on_backend`; None: joblib's
        backend as set). On a cluster, ``out`` and ``memory`` must be shared.
    scheduler : str, default=None
        A dask scheduler's or Ray cluster's address; None starts a local one.

    Returns
    -------
    folder : RunFolder

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_difficulty.runs import run
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = run(out=tmp, data="digits", model="adaboost", members=2,
    ...                  rounds=3, max_samples=0.8, n_jobs=1, verbose=0)
    ...     [(row["stage"], row["phase"]) for row in folder.stages]
    [(1, 'beginning of learning'), (2, 'beginning of learning'), (3, 'bi-modality')]
    """
    check_backend(backend, scheduler)  # before anything trains
    folder = RunFolder.create(out, overwrite=overwrite)
    check_ranking(rank_by, subsets=max_samples is not None)
    check_record_every(record_every)
    inputs = _run_inputs(
        data, model, params=params, epochs=epochs, rounds=rounds, device=device,
        data_dir=data_dir, random_state=random_state, record_every=record_every,
    )  # fmt: skip
    asked = {"data": data, "model": model,
             "params": {k: repr(v) for k, v in parse_params(params).items()},
             "epochs": epochs, "rounds": rounds, "max_samples": max_samples,
             "record_every": _record_every_summary(record_every),
             "random_state": random_state}  # fmt: skip
    folder.begin(asked)  # an unfinished run until its summary is written
    ensemble = EnsembleDifficulty(
        inputs.estimator, n_estimators=members, record_every=record_every,
        max_samples=max_samples, n_jobs=n_jobs, random_state=random_state,
        record_outputs=_outputs_to_record(record_outputs, rank_by),
        verbose=verbose, memory=folder.memory_path if memory == "auto" else memory,
    )  # fmt: skip
    summary = _fit(ensemble, inputs, asked, backend=backend, scheduler=scheduler)
    images = inputs.loaded.X_train if inputs.loaded.images else None
    return folder.write(ensemble.record_, summary, images=images, rank_by=rank_by)


def _as_run(source) -> RunFolder:
    return source if isinstance(source, RunFolder) else RunFolder.open(source)


def compare(
    run_a,
    run_b,
    *,
    out,
    tolerance: float = 0.01,
    bootstraps: int = 200,
    random_state: int = 0,
    overwrite: bool = False,
) -> ComparisonFolder:
    """Compare two runs of the same data; write the comparison to a folder.

    Stages are matched where the members' mean accuracies are within
    ``tolerance`` (:func:`~sklearn_difficulty.compare.compare_records`); the
    correlation of the two learning speeds gets a bootstrap confidence
    interval over members.

    Parameters
    ----------
    run_a, run_b : RunFolder or str or path-like
    out : str or path-like
    tolerance : float, default=0.01
    bootstraps : int, default=200
        Resamples of the members for the interval of Pearson's r (0: none).
    random_state : int, default=0
    overwrite : bool, default=False

    Returns
    -------
    folder : ComparisonFolder

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_difficulty.runs import compare, run
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     boosted = run(out=Path(tmp, "adaboost"), model="adaboost", members=2,
    ...                   rounds=3, max_samples=0.8, n_jobs=1, verbose=0)
    ...     trees = run(out=Path(tmp, "tree"), params={"max_depth": 3}, members=2,
    ...                 model="sklearn.tree.DecisionTreeClassifier",
    ...                 max_samples=0.8, n_jobs=1, verbose=0)
    ...     folder = compare(boosted, trees, out=Path(tmp, "comparison"),
    ...                      tolerance=0.2, bootstraps=20)
    ...     print(folder.describe())  # doctest: +NORMALIZE_WHITESPACE
    3 matched stage pairs; learning speed Pearson r = 0.65 (95% CI 0.49 to 0.73
    over 20 bootstraps of the members). Results in .../comparison/
    """
    a, b = _as_run(run_a), _as_run(run_b)
    names = (a.summary.get("model", "a"), b.summary.get("model", "b"))
    if names[0] == names[1]:
        names = (f"{names[0]} (a)", f"{names[1]} (b)")
    folder = ComparisonFolder.create(out, overwrite=overwrite)
    comparison = compare_records(
        a.record,
        b.record,
        tolerance=tolerance,
        names=names,
        n_bootstraps=bootstraps,
        random_state=random_state,
    )
    return folder.write(
        comparison, runs=(a.path, b.path), tolerance=tolerance, bootstraps=bootstraps
    )


def report(source, *, out=None, overwrite: bool = False) -> Path:
    """One self-contained HTML page of a run or a comparison (figures embedded).

    The folder is read again from disk and checked against the format; an
    unfinished run is refused. The page is written to a temporary file
    beside ``out`` and renamed over it, so a ``report.html`` that is a
    symbolic link is replaced, never written through.

    Parameters
    ----------
    source : RunFolder, ComparisonFolder, str or path-like
    out : str or path-like, default=None
        The HTML file; None writes ``report.html`` in the folder.
    overwrite : bool, default=False

    Returns
    -------
    path : Path

    Raises
    ------
    ValueError
        If the folder is unfinished or does not match the format.
    FileExistsError
        If ``out`` exists and ``overwrite`` is False.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_difficulty.runs import report, run
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = run(out=tmp, model="adaboost", members=2, rounds=3,
    ...                  max_samples=0.8, n_jobs=1, verbose=0)
    ...     path = report(folder)
    ...     path.name, path.read_text().count("<img ")
    ('report.html', 36)
    """
    if isinstance(source, RunFolder | ComparisonFolder):
        folder = type(source).open(source.path)
    else:
        folder = open_folder(source)
    path = Path(out) if out is not None else folder.path / "report.html"
    if path.is_dir() and not path.is_symlink():
        raise IsADirectoryError(f"{path} is a folder; name the report's file.")
    if os.path.lexists(path) and not overwrite:
        raise FileExistsError(
            f"{path} already exists; pass overwrite=True (--overwrite) to replace it."
        )
    if isinstance(folder, ComparisonFolder):
        page = render_comparison(folder)
    else:
        page = render_run(folder)
    return write_atomically(path, lambda file: file.write_text(page, encoding="utf-8"))


DEMO_CNN: dict[str, Any] = {
    "model": "mnist",
    "members": 10,
    "epochs": None,
    "params": None,
    "record_every": "log",
    "record_outputs": ("proba",),
}
"""The demo's networks: the paper's MNIST network with the paper's recipe.

AdaDelta at learning rate 1 in batches of 100 for the recipe's 12 epochs
(14 steps an epoch on the digits' 1,347 training images), recorded after
every step of the first epoch and after every later epoch
(``record_every="log"``). On the digits the members go from initialization
through the beginning of learning to the end of learning (a training
accuracy of 0.987 at epoch 12); no bi-modal phase: the Pearson measure
dips below 0.8 for a few steps inside epochs 1-2, in 3 of 4 random states
recorded after every step and in none recorded after every epoch
(``examples/plot_bimodality_within_epochs.py``), too briefly for
:func:`~sklearn_difficulty.phases.learning_phases` to make a phase of it,
and not with 30 members (lowest 0.86).
"""


def demo(
    *, out="demo-output", n_jobs: int | None = -1, overwrite: bool = False,
    verbose: int = 1,
) -> dict:  # fmt: skip
    """CNNs and AdaBoost on the digits, compared, with reports.

    Returns
    -------
    folders : dict
        "cnn" and "adaboost" (RunFolder), "comparison" (ComparisonFolder),
        and "reports" (the HTML files).

    Examples
    --------
    The demo trains ten CNNs (about 35 s on 2 cores); like every run, it
    checks its folders before anything trains, and refuses files of
    someone else's:

    >>> import tempfile
    >>> from pathlib import Path
    >>> from sklearn_difficulty.runs import demo
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     Path(tmp, "cnn").mkdir()
    ...     _ = Path(tmp, "cnn", "notes.txt").write_text("mine")
    ...     demo(out=tmp, verbose=0)
    Traceback (most recent call last):
    FileExistsError: .../cnn holds files that are not a run of ... (notes.txt); ...
    """
    out = Path(out)
    cnn = run(
        out=out / "cnn",
        model=DEMO_CNN["model"],
        members=DEMO_CNN["members"],
        epochs=DEMO_CNN["epochs"],
        params=DEMO_CNN["params"],
        record_every=DEMO_CNN["record_every"],
        record_outputs=DEMO_CNN["record_outputs"],
        n_jobs=n_jobs,
        overwrite=overwrite,
        verbose=verbose,
    )
    boosted = run(
        out=out / "adaboost",
        model="adaboost",
        members=10,
        rounds=40,
        max_samples=0.8,
        n_jobs=n_jobs,
        overwrite=overwrite,
        verbose=verbose,
    )
    comparison = compare(cnn, boosted, out=out / "comparison", overwrite=overwrite)
    reports = [
        report(folder, overwrite=overwrite) for folder in (cnn, boosted, comparison)
    ]
    return {
        "cnn": cnn,
        "adaboost": boosted,
        "comparison": comparison,
        "reports": reports,
    }
