"""Runs as Python objects: ``run``, ``compare``, ``report`` and ``demo``.

Each is a plain function with keyword arguments that a notebook calls
directly and that returns the folder it wrote, as an object:

- :func:`run` fits an ensemble on a registered data set with a registered
  model (see :mod:`sklearn_difficulty.registries`) and writes a
  :class:`RunFolder`;
- :func:`compare` compares two runs, stages matched by accuracy, and writes
  a :class:`ComparisonFolder`;
- :func:`report` renders either as one self-contained HTML page;
- :func:`demo` does all of it on the digits: CNNs against AdaBoost.

The command line (:mod:`sklearn_difficulty.cli`) only parses arguments and
calls these.

A run folder holds ``record.npz`` (the prediction record: plain arrays and
JSON metadata with a format version, loaded without pickle), ``scores.csv``
(one row per example of each scored set), ``summary.json`` (the folder's
format and version, what was run, accuracy, bi-modality and phase per stage,
the split-half reliability of the learning speed and the members it needs),
figures as PNG, and ``examples.npz`` (the easiest and hardest training
images) when the data are images.
"""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from typing import Any, Self

import numpy as np

from . import __version__
from ._inputs import is_torch_dataset, n_samples
from ._report import (
    describe_interval,
    describe_phases,
    describe_reliability,
    render_comparison,
    render_run,
    stage_table,
)
from .compare import compare_records
from .ensemble import EnsembleDifficulty
from .frames import example_table
from .ranking import difficulty_ranking
from .record import PredictionRecord
from .registries import build_model, load_data, parse_params
from .reliability import members_needed, split_half_reliability

__all__ = [
    "ComparisonFolder",
    "RunFolder",
    "compare",
    "demo",
    "report",
    "run",
]

FOLDER_FORMAT = "sklearn-difficulty run folder"
FOLDER_VERSION = 1
# The split-half reliability of the learning speed in a run's summary: few
# splits keep a run quick; the members needed are for this target.
RELIABILITY_SPLITS = 10
RELIABILITY_TARGET = 0.95
N_EXAMPLES = 16  # easiest and hardest examples kept for the report


class _Folder:
    """What the run and comparison folders share: open, create, summary, figures.

    A subclass names its ``kind``, the file that makes a folder one of its
    kind (``main_file``) and the JSON file of its summary (``summary_file``).
    """

    kind: str
    main_file: str
    summary_file: str

    def __init__(self, path):
        self.path = Path(path)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    @classmethod
    def open(cls, path) -> Self:
        """An existing folder of this kind; a clear error for anything else."""
        folder = cls(path)
        if not (folder.path / cls.main_file).is_file():
            raise FileNotFoundError(
                f"{folder.path} holds no {cls.kind} (no {cls.main_file})."
            )
        version = folder.summary.get("version", 0)
        if version > FOLDER_VERSION:
            raise ValueError(
                f"{folder.path} was written in run folder version {version}; this "
                f"sklearn-difficulty reads up to {FOLDER_VERSION}: upgrade it."
            )
        return folder

    @classmethod
    def create(cls, path, *, overwrite: bool = False) -> Self:
        """A folder to write into; an error if it already holds one of its kind.

        The folder itself is made when something is written into it.
        """
        folder = cls(path)
        if (folder.path / cls.main_file).exists() and not overwrite:
            raise FileExistsError(
                f"{folder.path} already holds a {cls.kind}; choose another out, or "
                "pass overwrite=True (--overwrite) to replace it."
            )
        return folder

    @property
    def summary(self) -> dict:
        """The summary file: what was run and what came out ({} if absent)."""
        path = self.path / self.summary_file
        return json.loads(path.read_text()) if path.is_file() else {}

    @property
    def figures(self) -> list[str]:
        """The figures' file names, in the order the summary lists them."""
        listed = self.summary.get("figures") or []
        return [name for name in listed if (self.path / name).is_file()]


class RunFolder(_Folder):
    """A run on disk: its record, per-example scores, summary and figures.

    Parameters
    ----------
    path : str or path-like
        The folder.

    Attributes
    ----------
    path : Path

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_difficulty.runs import run
    >>> folder = run(data="digits", model="adaboost", members=2, rounds=3,
    ...              max_samples=0.8, n_jobs=1, out=tempfile.mkdtemp(),
    ...              overwrite=True, verbose=0)
    >>> folder.record.n_members, folder.summary["model"]
    (2, 'adaboost')
    """

    kind = "run"
    main_file = "record.npz"
    summary_file = "summary.json"

    def __init__(self, path):
        super().__init__(path)
        self._record: PredictionRecord | None = None

    @property
    def record(self) -> PredictionRecord:
        """The prediction record (read once)."""
        if self._record is None:
            self._record = PredictionRecord.load(self.path / "record.npz")
        return self._record

    def examples(self) -> dict | None:
        """The easiest and hardest training images with their indices, if kept."""
        path = self.path / "examples.npz"
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}

    def write(self, record: PredictionRecord, summary: dict, *, images=None):
        """Write the record, scores, figures, examples and summary of a run.

        ``images`` are the training images (an array or a Dataset) when the
        data are images: the easiest and hardest are kept for the report.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        record.save(self.path / "record.npz")
        self._record = record
        write_scores(record, self.path / "scores.csv")
        reliability = learning_speed_reliability(record)
        figures = write_run_figures(record, self.path, reliability)
        if images is not None:
            order = difficulty_ranking(record)
            picks = {"easiest": order[:N_EXAMPLES], "hardest": order[::-1][:N_EXAMPLES]}
            arrays: dict[str, Any] = {}
            for kind, rows in picks.items():
                arrays[f"{kind}_images"] = _images_of(images, rows)
                arrays[f"{kind}_indices"] = rows
            np.savez(self.path / "examples.npz", **arrays)
        summary = {
            "format": FOLDER_FORMAT,
            "version": FOLDER_VERSION,
            "sklearn_difficulty": __version__,
            **summary,
            "members": record.n_members,
            "stage_kind": record.stage_kind,
            "figures": figures,
            "reliability": reliability_summary(reliability),
            "stages": stage_table(record),
        }
        (self.path / "summary.json").write_text(json.dumps(summary, indent=2))
        return self

    def describe(self) -> str:
        """What a person reads after the run: accuracy, phases, reliability."""
        summary = self.summary
        stages = summary.get("stages") or stage_table(self.record)
        kind = summary.get("stage_kind", self.record.stage_kind)
        first, last = stages[0], stages[-1]
        untrained = ""
        if first["stage"] == 0:
            untrained = (
                f" {kind} 0 (untrained): train accuracy {first['train_accuracy']:.3f};"
            )
        trained = sum(1 for s in stages if s["stage"] != 0)
        seconds = summary.get("seconds")
        took = f" in {seconds:.0f} s" if seconds is not None else ""
        lines = [
            f"{summary.get('members', '?')} x {summary.get('model', '?')} on "
            f"{summary.get('data', '?')}: {trained} {kind}s{took};{untrained} last "
            f"{kind}: train accuracy {last['train_accuracy']:.3f}. Results in "
            f"{self.path}/",
            f"phases: {describe_phases(stages, kind)}",
            describe_reliability(summary.get("reliability")),
        ]
        return "\n".join(lines)


class ComparisonFolder(_Folder):
    """A comparison of two runs on disk: ``comparison.json`` and its figures."""

    kind = "comparison"
    main_file = summary_file = "comparison.json"

    def describe(self) -> str:
        summary = self.summary
        pearson = summary["pearson"]
        interval = describe_interval(pearson)
        return (
            f"{len(summary['pairs'])} matched stage pairs; learning speed Pearson "
            f"r = {pearson['r']:.2f}{interval}. Results in {self.path}/"
        )


# What a run writes ----------------------------------------------------------------


def write_scores(record: PredictionRecord, path: Path) -> None:
    """One CSV row per example of every scored set."""
    tables = {name: example_table(record, scored_set=name) for name in record.set_names}
    columns = ["set", *tables["train"]]  # the training set has every column
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        for name, table in tables.items():
            for row in range(len(table["index"])):
                writer.writerow(
                    {"set": name, **{c: _plain(v[row]) for c, v in table.items()}}
                )


def _plain(value):
    value = np.asarray(value).item()
    return round(value, 6) if isinstance(value, float) else value


def learning_speed_reliability(record: PredictionRecord):
    """The split-half reliability of the learning speed; None for one member."""
    if record.n_members < 2:
        return None
    return split_half_reliability(
        record, "learning_speed", n_splits=RELIABILITY_SPLITS, random_state=0
    )


def reliability_summary(result) -> dict | None:
    """The split-half reliability of a run as plain JSON values."""
    if result is None:
        return None
    try:
        needed: int | None = members_needed(result, RELIABILITY_TARGET)
    except ValueError:  # the halves do not agree: no number of members will do
        needed = None
    return {
        "score": result.score,
        "n_splits": len(result.correlations),
        "n_members": result.n_members,
        "n_half": result.n_half,
        "split_half": _finite_or_none(result.half),
        "reliability": _finite_or_none(result.reliability),
        "target": RELIABILITY_TARGET,
        "members_needed": needed,
    }


def _finite_or_none(value) -> float | None:
    value = float(value)
    return value if np.isfinite(value) else None


def write_run_figures(record: PredictionRecord, out: Path, reliability=None):
    """Every figure of a run, one PNG each; their file names.

    The consistency and consensus histograms at the stages that show each
    phase (labelled with it), the learning speed, the reliability against
    the number of members, and the data map of a record with "proba".
    """
    from .plotting import (
        DataMapDisplay,
        LearningSpeedHistogramDisplay,
        ReliabilityDisplay,
        ScoreHistogramDisplay,
        save_figure,
    )

    displays = {
        f"{score}_histograms.png": ScoreHistogramDisplay.from_record(
            record, score=score, stages="phases", phases=True
        )
        for score in ("consistency", "consensus")
    }
    displays["learning_speed.png"] = LearningSpeedHistogramDisplay.from_record(record)
    if reliability is None:
        reliability = learning_speed_reliability(record)
    if reliability is not None:
        displays["reliability.png"] = ReliabilityDisplay.from_reliability(
            reliability, target=RELIABILITY_TARGET
        )
    if "proba" in record.output_kinds:
        displays["data_map.png"] = DataMapDisplay.from_record(record)
    for name, display in displays.items():
        save_figure(display, out / name)
    return list(displays)


def _images_of(images, rows) -> np.ndarray:
    """Some images of an array or a data set, as an array."""
    if not is_torch_dataset(images):
        return np.asarray(images)[rows]
    return np.stack([np.asarray(images[int(row)][0]) for row in rows])


# The functions ----------------------------------------------------------------------


def run(
    *,
    out,
    data: str = "digits",
    model: str = "mnist",
    members: int = 10,
    epochs: int | None = None,
    rounds: int = 50,
    max_samples: float | None = None,
    params=None,
    record_outputs=None,
    n_jobs: int | None = -1,
    device: str = "cpu",
    random_state: int = 0,
    data_dir=None,
    overwrite: bool = False,
    verbose: int = 1,
) -> RunFolder:
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
    record_outputs : None, "all" or sequence of str, default=None
        Outputs beyond the labels (see :class:`EnsembleDifficulty`); "proba"
        gives the report a data map.
    n_jobs : int, default=-1
    device : str, default="cpu"
    random_state : int, default=0
    data_dir : str, default=None
        Where MNIST, CIFAR, tiny ImageNet or ImageNet files are.
    overwrite : bool, default=False
        Replace a run already in ``out``.
    verbose : int, default=1
        1 shows the members' progress on a terminal.

    Returns
    -------
    folder : RunFolder
    """
    folder = RunFolder.create(out, overwrite=overwrite)
    loaded = load_data(data, data_dir, random_state)
    estimator, takes_images = build_model(
        model, params, epochs=epochs, rounds=rounds, device=device
    )
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
    outputs: str | tuple | None
    if isinstance(record_outputs, str | type(None)):
        outputs = record_outputs
    else:
        outputs = "all" if "all" in record_outputs else tuple(record_outputs)
    ensemble = EnsembleDifficulty(
        estimator,
        n_estimators=members,
        max_samples=max_samples,
        n_jobs=n_jobs,
        random_state=random_state,
        record_outputs=outputs,
        verbose=verbose,
    )
    eval_set = None if X_test is None else {"test": (X_test, y_test)}
    if y_train is None:  # a data set of image files brings its labels
        y_train = X_train.targets
    start = time.perf_counter()
    ensemble.fit(X_train, y_train, eval_set=eval_set)
    summary = {
        "data": data,
        "model": model,
        "params": {k: repr(v) for k, v in parse_params(params).items()},
        "epochs": epochs,
        "rounds": rounds,
        "max_samples": max_samples,
        "record_outputs": list(ensemble.record_.output_kinds),
        "random_state": random_state,
        "n_train": int(n_samples(X_train)),
        "n_test": None if X_test is None else int(n_samples(X_test)),
        "classes": [str(c) for c in loaded.class_names],
        "seconds": round(time.perf_counter() - start, 2),
    }
    images = loaded.X_train if loaded.images else None
    return folder.write(ensemble.record_, summary, images=images)


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
    """
    from .plotting import JointConsistencyDisplay, LearningSpeedDisplay, save_figure

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
    figures = {"learning_speeds.png": LearningSpeedDisplay.from_comparison(comparison)}
    n_pairs = len(comparison.pairs)
    for position in sorted({0, n_pairs // 2, n_pairs - 1}) if n_pairs else []:
        figures[f"joint_pair_{position}.png"] = JointConsistencyDisplay.from_comparison(
            comparison, pair=position
        )
    folder.path.mkdir(parents=True, exist_ok=True)
    for name, display in figures.items():
        save_figure(display, folder.path / name)
    result = {
        "format": FOLDER_FORMAT,
        "version": FOLDER_VERSION,
        "runs": [str(a.path), str(b.path)],
        "names": list(names),
        "pairs": [
            {
                "stage_a": int(comparison.stages_a[i]),
                "stage_b": int(comparison.stages_b[j]),
                "accuracy_a": float(comparison.accuracy_a[i]),
                "accuracy_b": float(comparison.accuracy_b[j]),
            }
            for i, j in comparison.pairs
        ],
        "unmatched_stages_a": comparison.stages_a[comparison.unmatched].tolist(),
        "pearson": {
            "r": comparison.pearson[0],
            "p": comparison.pearson[1],
            "ci": [_finite_or_none(v) for v in comparison.pearson_ci]
            if bootstraps
            else None,
            "confidence_level": comparison.confidence_level,
            "n_bootstraps": bootstraps,
        },
        "spearman": {"rho": comparison.spearman[0], "p": comparison.spearman[1]},
        "tolerance": tolerance,
        "figures": list(figures),
    }
    (folder.path / "comparison.json").write_text(json.dumps(result, indent=2))
    return folder


def report(source, *, out=None, overwrite: bool = False) -> Path:
    """One self-contained HTML page of a run or a comparison (figures embedded).

    Parameters
    ----------
    source : RunFolder, ComparisonFolder, str or path-like
    out : str or path-like, default=None
        The HTML file; None writes ``report.html`` in the folder.
    overwrite : bool, default=False

    Returns
    -------
    path : Path
    """
    folder: _Folder
    if isinstance(source, _Folder):
        folder = source
    elif (Path(source) / ComparisonFolder.main_file).is_file():
        folder = ComparisonFolder.open(source)
    else:
        folder = RunFolder.open(source)
    path = Path(out) if out is not None else folder.path / "report.html"
    if path.exists() and not overwrite:
        raise FileExistsError(
            f"{path} already exists; pass overwrite=True (--overwrite) to replace it."
        )
    if isinstance(folder, ComparisonFolder):
        page = render_comparison(folder)
    else:
        page = render_run(folder)
    path.write_text(page)
    return path


DEMO_CNN: dict[str, Any] = {
    "model": "mnist",
    "members": 10,
    "epochs": 30,
    "params": {"optimizer": "adam", "lr": 1e-3, "batch_size": 200},
    "record_outputs": ("proba",),
}
"""The demo's networks: the paper's MNIST network, trained with Adam.

On the digits (1,347 training images) the recipe's AdaDelta reaches a
training accuracy of 0.986 at most and never shows a bi-modal phase; Adam at
0.001 in batches of 200 for 30 epochs reaches 0.993 (every member above
0.99) and goes through all four phases: epoch 0 initialisation, epochs 1-2
the beginning of learning, 3-11 bi-modality, 12-30 the end of learning, in
about 25 s on 2 cores.
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
    """
    out = Path(out)
    cnn = run(
        out=out / "cnn",
        model=DEMO_CNN["model"],
        members=DEMO_CNN["members"],
        epochs=DEMO_CNN["epochs"],
        params=DEMO_CNN["params"],
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
