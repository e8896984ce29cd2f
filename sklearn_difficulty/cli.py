"""The ``sklearn-difficulty`` command: run, compare, report, demo.

A run folder holds ``record.npz`` (the prediction record: plain arrays and a
JSON of metadata with a format version, loaded without pickle),
``scores.csv`` (one row per example of each scored set), ``summary.json``
(what was run, accuracy, bi-modality and phase per stage, and the split-half
reliability of the learning speed with the members it needs), figures as
PNG (the reliability curve, and the data map of a record with "proba"), and
``examples.npz`` (the easiest and hardest training images, for the report)
when the data are images.
"""

from __future__ import annotations

import argparse
import ast
import base64
import csv
import html
import importlib
import io
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from . import __version__
from ._data import is_torch_dataset, n_samples
from .dynamics import bimodality, difficulty_ranking, learning_phases
from .ensemble import EnsembleDifficulty
from .frames import example_table
from .record import OUTPUTS, PredictionRecord
from .reliability import members_needed, split_half_reliability
from .scores import member_accuracy

NETWORKS = ("st_vgg", "small_st_vgg", "mnist")
DATASETS = (
    "digits",
    "mnist",
    "cifar10",
    "cifar100",
    "cifar100:<super-class>",
    "imagefolder:PATH",
    "tiny-imagenet",
    "imagenet",
    "FILE.npz",
)
RUN_FILES = ("record.npz", "summary.json")
# The split-half reliability of the learning speed in a run's summary: few
# splits keep the command quick; the members needed are for this target.
RELIABILITY_SPLITS = 10
RELIABILITY_TARGET = 0.95


class CommandError(Exception):
    """An error a person can act on: printed without a traceback."""


# Data ---------------------------------------------------------------------------


def load_data(name: str, data_dir: str | None, random_state: int):
    """(X_train, y_train, X_test, y_test, class names, whether images)."""
    from . import datasets

    if name.endswith(".npz"):
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"data file {path} does not exist.")
        with np.load(path, allow_pickle=False) as data:
            missing = [k for k in ("X_train", "y_train") if k not in data.files]
            if missing:
                raise CommandError(
                    f"{path} must hold arrays named X_train and y_train (and "
                    f"optionally X_test, y_test); it lacks {', '.join(missing)}."
                )
            arrays = {k: data[k] for k in data.files}
        X_test = arrays.get("X_test")
        y_test = arrays.get("y_test")
        names = np.unique(arrays["y_train"]).astype(str)
        return (
            arrays["X_train"],
            arrays["y_train"],
            X_test,
            y_test,
            names,
            arrays["X_train"].ndim == 4,
        )
    if name == "digits":
        from sklearn.model_selection import train_test_split

        X, y = datasets.load_digits_images(return_X_y=True)
        X_train, X_test, y_train, y_test = train_test_split(
            X, y, test_size=0.25, stratify=y, random_state=random_state
        )
        return X_train, y_train, X_test, y_test, np.arange(10).astype(str), True
    root = data_dir or "."
    if name.startswith("imagefolder:") or name in ("tiny-imagenet", "imagenet"):
        return _image_files(name, root)
    if name in ("mnist", "cifar10", "cifar100") or name.startswith("cifar100:"):
        if name == "mnist":
            load = datasets.load_mnist
        elif name == "cifar10":
            load = datasets.load_cifar10
        elif name == "cifar100":
            load = datasets.load_cifar100
        else:
            superclass = name.split(":", 1)[1]

            def load(root, **kwargs):
                return datasets.load_cifar100_superclass(root, superclass, **kwargs)

        train = load(root, subset="train")
        test = load(root, subset="test")
        return (
            train.images,
            train.target,
            test.images,
            test.target,
            train.target_names,
            True,
        )
    raise CommandError(f"unknown data set {name!r}; use one of: {', '.join(DATASETS)}.")


def _image_files(name: str, root: str):
    """Lazy data sets of image files: labels known, images read when needed.

    ``imagefolder:PATH`` reads ``PATH/train`` and ``PATH/test`` (or
    ``PATH/val``) when they exist, else PATH itself as the training set;
    ``tiny-imagenet`` and ``imagenet`` read their standard layouts in
    ``--data-dir``.
    """
    from . import datasets

    train: Any
    test: Any
    try:
        if name.startswith("imagefolder:"):
            path = Path(name.split(":", 1)[1])
            test_folder = next(
                (path / sub for sub in ("test", "val") if (path / sub).is_dir()), None
            )
            train_folder = path / "train" if (path / "train").is_dir() else path
            train = datasets.load_image_folder(train_folder)
            test = (
                None
                if test_folder is None
                else datasets.load_image_folder(test_folder, classes=train.classes)
            )
        else:
            load = (
                datasets.load_tiny_imagenet
                if name == "tiny-imagenet"
                else datasets.load_imagenet_folders
            )
            train, test = load(root, subset="train"), load(root, subset="val")
    except (OSError, ValueError) as error:
        raise CommandError(str(error)) from error
    return train, None, test, None, np.asarray(train.classes), True


# Models -------------------------------------------------------------------------


def parse_params(items: list[str]) -> dict:
    """``key=value`` pairs; values are Python literals, else strings."""
    params = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise CommandError(f"--param takes key=value; got {item!r}.")
        try:
            params[key] = ast.literal_eval(value)
        except (ValueError, SyntaxError):
            params[key] = value
    return params


def _is_torchvision_model(name: str) -> bool:
    """Whether ``name`` is one of torchvision's classification models."""
    if "." in name or not name.isidentifier():
        return False
    try:
        import torchvision
    except ImportError:
        return False
    return name in torchvision.models.list_models(module=torchvision.models)


def build_model(
    name: str, params: dict, *, epochs: int | None, rounds: int, device: str
):
    """The estimator for a model name; True when it takes images.

    A network trains with the paper's recipe for it
    (:mod:`sklearn_difficulty.nets.recipes`), for ``epochs`` epochs, or the
    recipe's when None; ``params`` win over both.
    """
    if name in NETWORKS or _is_torchvision_model(name):
        from .nets import SkorchCNN

        defaults: dict[str, object] = {"device": device}
        if epochs is not None:
            defaults["max_epochs"] = epochs
        return SkorchCNN(name, **{**defaults, **params}), True
    if name == "adaboost":
        from sklearn.ensemble import AdaBoostClassifier
        from sklearn.tree import DecisionTreeClassifier

        depth = params.pop("max_depth", 2)
        return AdaBoostClassifier(
            DecisionTreeClassifier(max_depth=depth),
            **{"n_estimators": rounds, **params},
        ), False
    module_name, _, class_name = name.rpartition(".")
    if not module_name:
        raise CommandError(
            f"unknown model {name!r}; use one of {', '.join(NETWORKS)}, adaboost, or "
            "the import path of a scikit-learn classifier (sklearn.svm.SVC)."
        )
    try:
        cls = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise CommandError(f"cannot import the model {name!r}: {error}.") from error
    try:
        return cls(**params), False
    except TypeError as error:
        raise CommandError(f"bad parameters for {name}: {error}.") from error


def _images_of(images, rows) -> np.ndarray:
    """Some images of an array or a data set, as an array."""
    if not is_torch_dataset(images):
        return images[rows]
    return np.stack([np.asarray(images[int(row)][0]) for row in rows])


# Writing a run ------------------------------------------------------------------


def _check_output(out: Path, overwrite: bool) -> None:
    if out.exists() and any((out / name).exists() for name in RUN_FILES):
        if not overwrite:
            raise CommandError(
                f"{out} already holds a run; choose another --out, or pass "
                "--overwrite to replace it."
            )
    out.mkdir(parents=True, exist_ok=True)


def _stage_table(record: PredictionRecord) -> list[dict]:
    train_accuracy = member_accuracy(record).mean(axis=0)
    test_name = next((n for n in record.set_names if n != "train"), None)
    test_accuracy = (
        member_accuracy(record, scored_set=test_name).mean(axis=0)
        if test_name
        else None
    )
    measure = bimodality(record)
    phases = learning_phases(record)
    return [
        {
            "stage": int(stage),
            "train_accuracy": float(train_accuracy[i]),
            "test_accuracy": None if test_accuracy is None else float(test_accuracy[i]),
            "bimodality": float(measure[i]),
            "phase": str(phases[i]),
        }
        for i, stage in enumerate(record.stages)
    ]


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


def describe_reliability(summary: dict | None) -> str:
    """One sentence on the reliability of the learning speed of a run."""
    if summary is None:
        return "One member: the learning speed's reliability needs at least two."
    if summary["split_half"] is None:
        return (
            "The learning speed is the same for every example: its reliability "
            "is undefined."
        )
    needed = (
        f"about {summary['members_needed']} members would reach {summary['target']:g}"
        if summary["members_needed"] is not None
        else f"no number of members reaches {summary['target']:g}"
    )
    return (
        f"Learning speed split-half reliability {summary['split_half']:.2f} "
        f"({_members(summary['n_half'])}), {summary['reliability']:.2f} for all "
        f"{summary['n_members']}; {needed}."
    )


def _members(n: int) -> str:
    return f"{n} member" if n == 1 else f"{n} members"


def write_figures(record: PredictionRecord, out: Path, reliability=None) -> list[str]:
    """The histograms, the reliability curve and (with "proba") the data map.

    ``reliability`` is the record's :func:`learning_speed_reliability`,
    measured when None.
    """
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:  # pragma: no cover - depends on the environment
        return []
    from .plotting import DataMapDisplay, ReliabilityDisplay, ScoreHistogramDisplay

    displays = {
        f"{score}_histograms.png": ScoreHistogramDisplay.from_record(
            record, score=score
        )
        for score in ("consistency", "consensus")
    }
    if reliability is None:
        reliability = learning_speed_reliability(record)
    if reliability is not None:
        displays["reliability.png"] = ReliabilityDisplay.from_reliability(
            reliability, target=RELIABILITY_TARGET
        )
    if "proba" in record.output_kinds:
        displays["data_map.png"] = DataMapDisplay.from_record(record)
    for name, display in displays.items():
        display.figure_.savefig(out / name, dpi=100, bbox_inches="tight")
        plt.close(display.figure_)
    return list(displays)


def run(args) -> Path:
    out = Path(args.out)
    _check_output(out, args.overwrite)
    X_train, y_train, X_test, y_test, names, images = load_data(
        args.data, args.data_dir, args.random_state
    )
    estimator, takes_images = build_model(
        args.model,
        parse_params(args.param),
        epochs=args.epochs,
        rounds=args.rounds,
        device=args.device,
    )
    images_train = X_train
    if is_torch_dataset(X_train) and not takes_images:
        raise CommandError(
            f"{args.data} is read image by image: choose a network (--model "
            f"{NETWORKS[0]}, resnet18, ...), not {args.model}."
        )
    if not takes_images:
        X_train = X_train.reshape(len(X_train), -1)
        X_test = None if X_test is None else X_test.reshape(len(X_test), -1)
    elif not images:
        raise CommandError(
            f"{args.model} takes images; {args.data} holds flat vectors."
        )
    outputs = getattr(args, "record_outputs", None)
    ensemble = EnsembleDifficulty(
        estimator,
        n_estimators=args.members,
        max_samples=args.max_samples,
        n_jobs=args.n_jobs,
        random_state=args.random_state,
        record_outputs="all" if outputs and "all" in outputs else outputs or None,
        verbose=0 if args.quiet else 1,
    )
    eval_set = None if X_test is None else {"test": (X_test, y_test)}
    if y_train is None:  # a data set of image files: labels come with it
        y_train = X_train.targets
    start = time.perf_counter()
    ensemble.fit(X_train, y_train, eval_set=eval_set)
    seconds = time.perf_counter() - start
    record = ensemble.record_
    record.save(out / "record.npz")
    write_scores(record, out / "scores.csv")
    reliability = learning_speed_reliability(record)
    figures = write_figures(record, out, reliability)
    if images:
        order = difficulty_ranking(record)
        picks = {"easiest": order[:16], "hardest": order[::-1][:16]}
        np.savez(
            out / "examples.npz",
            **{
                f"{kind}_images": _images_of(images_train, rows)
                for kind, rows in picks.items()
            },  # type: ignore[arg-type]
            **{f"{kind}_indices": rows for kind, rows in picks.items()},  # type: ignore[arg-type]
        )
    summary = {
        "sklearn_difficulty": __version__,
        "command": sys.argv[1:],
        "data": args.data,
        "model": args.model,
        "params": {k: repr(v) for k, v in parse_params(args.param).items()},
        "members": args.members,
        "stage_kind": record.stage_kind,
        "n_train": int(len(y_train)),
        "n_test": None if X_test is None else int(n_samples(X_test)),
        "classes": [str(c) for c in names],
        "seconds": round(seconds, 2),
        "figures": figures,
        "reliability": reliability_summary(reliability),
        "stages": _stage_table(record),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    if not args.quiet:
        first, last = summary["stages"][0], summary["stages"][-1]
        untrained = ""
        if first["stage"] == 0:  # the untrained members
            untrained = (
                f" {record.stage_kind} 0 (untrained): train accuracy "
                f"{first['train_accuracy']:.3f}, phase {first['phase']};"
            )
        trained = int(np.count_nonzero(record.stages))
        print(
            f"{args.members} x {args.model} on {args.data}: {trained} "
            f"{record.stage_kind}s in {seconds:.0f} s;{untrained} last "
            f"{record.stage_kind}: train accuracy {last['train_accuracy']:.3f}, "
            f"phase {last['phase']}. Results in {out}/"
        )
        print(describe_reliability(summary["reliability"]))
    return out


# Comparing and reporting ----------------------------------------------------------


def load_run(folder: str) -> tuple[PredictionRecord, dict]:
    path = Path(folder)
    if not (path / "record.npz").is_file():
        raise CommandError(f"{path} holds no run (no record.npz).")
    record = PredictionRecord.load(path / "record.npz")
    summary_path = path / "summary.json"
    summary = json.loads(summary_path.read_text()) if summary_path.is_file() else {}
    return record, summary


def compare(args) -> Path:
    from .compare import compare_records

    record_a, summary_a = load_run(args.run_a)
    record_b, summary_b = load_run(args.run_b)
    names = (summary_a.get("model", "a"), summary_b.get("model", "b"))
    if names[0] == names[1]:
        names = (f"{names[0]} (a)", f"{names[1]} (b)")
    out = Path(args.out)
    _check_output_folder(out, "comparison.json", args.overwrite)
    n_bootstraps = getattr(args, "bootstraps", 0)
    comparison = compare_records(
        record_a,
        record_b,
        tolerance=args.tolerance,
        names=names,
        n_bootstraps=n_bootstraps,
        random_state=0,
    )
    result = {
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
            if n_bootstraps
            else None,
            "confidence_level": comparison.confidence_level,
            "n_bootstraps": n_bootstraps,
        },
        "spearman": {"rho": comparison.spearman[0], "p": comparison.spearman[1]},
        "tolerance": args.tolerance,
    }
    (out / "comparison.json").write_text(json.dumps(result, indent=2))
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        from .plotting import JointConsistencyDisplay, LearningSpeedDisplay

        figure, axes = plt.subplots(1, 3, figsize=(11, 3.2))
        if len(comparison.pairs):
            for ax, pair in zip(axes[:2], [0, -1], strict=True):
                JointConsistencyDisplay.from_comparison(comparison, pair=pair, ax=ax)
        LearningSpeedDisplay.from_comparison(comparison, ax=axes[2])
        figure.tight_layout()
        figure.savefig(out / "comparison.png", dpi=100)
        plt.close(figure)
    except ImportError:  # pragma: no cover - depends on the environment
        pass
    interval = ""
    low, high = comparison.pearson_ci
    if n_bootstraps and np.isfinite(low):
        interval = (
            f" ({comparison.confidence_level:.0%} CI {low:.2f} to {high:.2f} over "
            f"{n_bootstraps} bootstraps of the members)"
        )
    print(
        f"{len(comparison.pairs)} matched stage pairs; learning speed Pearson r = "
        f"{comparison.pearson[0]:.2f}{interval}. Results in {out}/"
    )
    return out


def _check_output_folder(out: Path, name: str, overwrite: bool) -> None:
    if (out / name).exists() and not overwrite:
        raise CommandError(
            f"{out / name} already exists; choose another --out, or pass --overwrite."
        )
    out.mkdir(parents=True, exist_ok=True)


def _png(path: Path) -> str:
    return base64.b64encode(path.read_bytes()).decode()


def _image_grid(images: np.ndarray, title: str) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(images)
    figure, axes = plt.subplots(1, n, figsize=(0.9 * n, 1.1), squeeze=False)
    for ax, image in zip(axes[0], images, strict=True):
        picture = np.moveaxis(image, 0, -1) if image.shape[0] in (1, 3) else image
        ax.imshow(picture.squeeze(), cmap="gray" if picture.shape[-1] == 1 else None)
        ax.axis("off")
    figure.suptitle(title, fontsize=8)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=80)
    plt.close(figure)
    return base64.b64encode(buffer.getvalue()).decode()


def report(args) -> Path:
    folder = Path(args.run)
    record, summary = load_run(args.run)
    out = Path(args.out) if args.out else folder / "report.html"
    if out.exists() and not args.overwrite:
        raise CommandError(f"{out} already exists; pass --overwrite to replace it.")
    figures = summary.get("figures") or write_figures(record, folder)
    if "reliability" in summary:
        reliability = summary["reliability"]
    else:  # a run written before the summary held it
        reliability = reliability_summary(learning_speed_reliability(record))
    stages = summary.get("stages") or _stage_table(record)
    rows = "\n".join(
        "<tr>"
        + "".join(
            f"<td>{html.escape(str(round(v, 3) if isinstance(v, float) else v))}</td>"
            for v in (
                s["stage"],
                s["train_accuracy"],
                s["test_accuracy"] if s["test_accuracy"] is not None else "",
                s["bimodality"],
                s["phase"],
            )
        )
        + "</tr>"
        for s in stages
    )
    images_html = ""
    examples = folder / "examples.npz"
    if examples.is_file():
        with np.load(examples, allow_pickle=False) as data:
            for kind in ("easiest", "hardest"):
                grid = _image_grid(
                    data[f"{kind}_images"][:12], f"the {kind} training images"
                )
                images_html += (
                    f'<h3>The {kind} examples</h3><img alt="the {kind} examples" '
                    f'src="data:image/png;base64,{grid}">'
                )
    figures_html = "".join(
        f'<figure><img alt="{html.escape(name)}" src="data:image/png;base64,'
        f'{_png(folder / name)}"><figcaption>{html.escape(name)}</figcaption></figure>'
        for name in figures
        if (folder / name).is_file()
    )
    title = (
        f"{summary.get('members', record.n_members)} x {summary.get('model', '?')}"
        f" on {summary.get('data', '?')}"
    )
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>sklearn-difficulty: {html.escape(title)}</title>
<style>body{{font-family:sans-serif;margin:2em;max-width:1100px}}
table{{border-collapse:collapse}}td,th{{border:1px solid #ccc;padding:2px 8px}}
img{{max-width:100%}}</style></head>
<body>
<h1>{html.escape(title)}</h1>
<p>{record.n_members} members, {record.n_stages} {record.stage_kind}s,
{record.predictions["train"].shape[2]} training examples. Consistency is the
fraction of members that classify an example correctly; consensus the largest
fraction that agree on one label (Hacohen &amp; Weinshall).</p>
<p id="reliability">{html.escape(describe_reliability(reliability))}
Split-half reliability: the correlation of the learning speeds that two random
halves of the members give, projected to more members by the Spearman-Brown
formula.</p>
<h2>Scores over the {record.stage_kind}s</h2>
{figures_html}
<h2>Per {record.stage_kind}</h2>
<table id="stages"><tr><th>{record.stage_kind}</th><th>train accuracy</th>
<th>test accuracy</th><th>bi-modality</th><th>phase</th></tr>
{rows}
</table>
{images_html}
<script>
window.addEventListener("load", function () {{
  var images = Array.from(document.images);
  document.body.dataset.imagesShown = images.filter(
    function (i) {{ return i.complete && i.naturalWidth > 0; }}).length;
  document.body.dataset.imagesTotal = images.length;
}});
</script>
</body></html>
"""
    out.write_text(page)
    print(f"report written to {out}")
    return out


def demo(args) -> Path:
    out = Path(args.out)
    base = argparse.Namespace(
        data="digits",
        data_dir=None,
        param=[],
        max_samples=None,
        n_jobs=args.n_jobs,
        random_state=0,
        device="cpu",
        overwrite=args.overwrite,
        quiet=args.quiet,
    )
    # The MNIST network's recipe (AdaDelta at 1), 7 of its 12 epochs: a
    # training accuracy of 0.96 in about 20 s on 2 cores.
    cnn = argparse.Namespace(
        **vars(base),
        model="mnist",
        members=10,
        epochs=7,
        rounds=0,
        record_outputs=["proba"],  # for the data map
        out=str(out / "cnn"),
    )
    boosted = argparse.Namespace(
        **vars(base),
        model="adaboost",
        members=10,
        epochs=0,
        rounds=40,
        out=str(out / "adaboost"),
    )
    boosted.max_samples = 0.8
    run(cnn)
    run(boosted)
    compare(
        argparse.Namespace(
            run_a=cnn.out,
            run_b=boosted.out,
            out=str(out / "comparison"),
            tolerance=0.01,
            bootstraps=200,
            overwrite=args.overwrite,
        )
    )
    report(argparse.Namespace(run=cnn.out, out=None, overwrite=args.overwrite))
    report(argparse.Namespace(run=boosted.out, out=None, overwrite=args.overwrite))
    print(f"open {out / 'cnn' / 'report.html'} in a browser")
    return out


# The command line -----------------------------------------------------------------


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value!r}")
    return number


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {value!r}")
    return number


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sklearn-difficulty",
        description="Score how hard each example is for an ensemble of classifiers.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    run_parser = commands.add_parser("run", help="fit an ensemble and save its record")
    run_parser.add_argument(
        "--data", default="digits", help=f"one of {', '.join(DATASETS)}"
    )
    run_parser.add_argument(
        "--data-dir", help="folder of MNIST, CIFAR, tiny ImageNet or ImageNet files"
    )
    run_parser.add_argument(
        "--model",
        default="mnist",
        help=f"{', '.join(NETWORKS)}, a torchvision model (resnet18, resnet50, "
        "alexnet, densenet121, vgg16, ...), adaboost, or an import path "
        "(sklearn.svm.SVC)",
    )
    run_parser.add_argument(
        "--param", action="append", default=[], help="model parameter key=value"
    )
    run_parser.add_argument("--members", type=_positive_int, default=10)
    run_parser.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        help="epochs of a network (default: its recipe's, 140 for st-VGG, 12 for "
        "the MNIST network)",
    )
    run_parser.add_argument("--rounds", type=_positive_int, default=50)
    run_parser.add_argument("--max-samples", type=_fraction, default=None)
    run_parser.add_argument(
        "--record-outputs",
        action="append",
        choices=[*OUTPUTS, "all"],
        help="also record this output of every member at every stage (repeat for "
        "more): proba for the data map, margin for AUM, error_norm for EL2N",
    )
    run_parser.add_argument("--n-jobs", type=int, default=-1)
    run_parser.add_argument("--device", default="cpu")
    run_parser.add_argument("--random-state", type=int, default=0)
    run_parser.add_argument("--out", required=True, help="folder for the results")
    run_parser.add_argument("--overwrite", action="store_true")
    run_parser.add_argument("--quiet", action="store_true")
    run_parser.set_defaults(handler=run)

    compare_parser = commands.add_parser("compare", help="compare two saved runs")
    compare_parser.add_argument("run_a")
    compare_parser.add_argument("run_b")
    compare_parser.add_argument("--out", required=True)
    compare_parser.add_argument("--tolerance", type=float, default=0.01)
    compare_parser.add_argument(
        "--bootstraps",
        type=int,
        default=200,
        help="bootstrap resamples of the members for a confidence interval of "
        "Pearson's r (0 for none)",
    )
    compare_parser.add_argument("--overwrite", action="store_true")
    compare_parser.set_defaults(handler=compare)

    report_parser = commands.add_parser("report", help="an HTML page of a saved run")
    report_parser.add_argument("run")
    report_parser.add_argument("--out", help="the HTML file (default RUN/report.html)")
    report_parser.add_argument("--overwrite", action="store_true")
    report_parser.set_defaults(handler=report)

    demo_parser = commands.add_parser(
        "demo", help="CNNs and AdaBoost on the digits, compared, with reports"
    )
    demo_parser.add_argument("--out", default="demo-output")
    demo_parser.add_argument("--n-jobs", type=int, default=-1)
    demo_parser.add_argument("--overwrite", action="store_true")
    demo_parser.add_argument("--quiet", action="store_true")
    demo_parser.set_defaults(handler=demo)
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.handler(args)
    except (
        CommandError,
        ValueError,
        TypeError,
        FileNotFoundError,
        ImportError,
    ) as error:
        print(f"sklearn-difficulty {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
