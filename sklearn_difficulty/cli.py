"""The ``sklearn-difficulty`` command: argument parsing over :mod:`.runs`.

Each command calls one function of :mod:`sklearn_difficulty.runs` (``run``,
``compare``, ``report``, ``demo``, ``prune``) with the parsed arguments and prints what
the folder it returns says about itself. The choices it offers come from
the registries: data sets and models from the runs' catalog
(:mod:`sklearn_difficulty.runs.catalog`), the scores ``--rank-by`` takes
from :mod:`sklearn_difficulty.scores`.
"""

from __future__ import annotations

import argparse
import sys

from . import __version__, runs
from .pruning_curve import DROPS
from .record import OUTPUTS
from .runs.catalog import DATA_SETS, MODELS
from .runs.clusters import BACKENDS
from .scores import get_score, score_names


def _positive_int(value: str) -> int:
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be a positive integer, got {value!r}")
    return number


def _record_every(value: str) -> str | int:
    if value in ("epoch", "log"):
        return value
    try:
        number = int(value)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(
            "must be 'epoch', 'log' or a positive number of optimiser steps, "
            f"got {value!r}"
        )
    return number


def _fraction(value: str) -> float:
    try:
        number = float(value)
    except ValueError:
        number = -1.0
    if not 0 < number <= 1:
        raise argparse.ArgumentTypeError(f"must be a number in (0, 1], got {value!r}")
    return number


def _run(args) -> None:
    folder = runs.run(
        out=args.out,
        data=args.data,
        model=args.model,
        members=args.members,
        epochs=args.epochs,
        rounds=args.rounds,
        max_samples=args.max_samples,
        params=args.param,
        record_every=args.record_every,
        record_outputs=args.record_outputs,
        rank_by=args.rank_by,
        n_jobs=args.n_jobs,
        device=args.device,
        random_state=args.random_state,
        data_dir=args.data_dir,
        memory=None if args.no_memory else args.memory,
        overwrite=args.overwrite,
        verbose=0 if args.quiet else 1,
        backend=args.backend,
        scheduler=args.scheduler,
    )
    if not args.quiet:
        print(folder.describe())


def _compare(args) -> None:
    folder = runs.compare(
        args.run_a,
        args.run_b,
        out=args.out,
        tolerance=args.tolerance,
        bootstraps=args.bootstraps,
        overwrite=args.overwrite,
    )
    print(folder.describe())


def _report(args) -> None:
    path = runs.report(args.run, out=args.out, overwrite=args.overwrite)
    print(f"report written to {path}")


def _demo(args) -> None:
    folders = runs.demo(
        out=args.out,
        n_jobs=args.n_jobs,
        overwrite=args.overwrite,
        verbose=0 if args.quiet else 1,
    )
    for name in ("cnn", "adaboost", "comparison"):
        print(folders[name].describe())
    for path in folders["reports"]:
        print(f"report written to {path}")
    print(f"open {folders['reports'][0]} in a browser")


def _prune(args) -> None:
    subset = runs.prune(
        args.run,
        out=args.out,
        keep=args.keep,
        drop=args.drop,
        score=args.score,
        stage=args.stage,
        per_class=args.per_class,
        random_state=args.seed,
        overwrite=args.overwrite,
    )
    print(subset.describe())


def _data_help() -> str:
    return (
        "; ".join(
            f"{name}{'<' + source.argument + '>' if source.argument else ''}: "
            f"{source.help}"
            for name, source in DATA_SETS.items()
        )
        + "; FILE.npz: arrays X_train, y_train (and X_test, y_test)"
    )


def _rank_by_help() -> str:
    scores = "; ".join(
        f"{name}: {get_score(name).description}" for name in score_names()
    )
    return (
        "the score that ranks the easiest and hardest examples the run keeps and "
        "its report shows (default %(default)s; what it needs is recorded): "
        + scores.replace("%", "%%")  # argparse formats help with %
    )


def _add_cluster_arguments(run) -> None:
    run.add_argument(
        "--backend",
        choices=BACKENDS,
        help="where the members train (default: loky processes on this machine); "
        "dask or ray: on a cluster, whose workers share --out and --memory",
    )
    run.add_argument(
        "--scheduler",
        "--address",
        dest="scheduler",
        metavar="ADDR",
        help="the dask scheduler's address (tcp://host:8786) or the Ray cluster's "
        "(ray://host:10001, auto); default: start a local cluster",
    )


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser: one sub-command per workflow of :mod:`.runs`.

    Its choices (data sets, models, scores) are read from the registries when
    it is built.

    Returns
    -------
    parser : argparse.ArgumentParser
        The parsed arguments hold ``command`` and ``handler``, the function
        that calls the workflow.

    Examples
    --------
    >>> from sklearn_difficulty.cli import build_parser
    >>> args = build_parser().parse_args(
    ...     ["run", "--model", "adaboost", "--rounds", "3", "--out", "runs/ada"])
    >>> args.command, args.data, args.model, args.rounds, args.members
    ('run', 'digits', 'adaboost', 3, 10)
    >>> args = build_parser().parse_args(["prune", "runs/ada", "--keep", "0.8",
    ...                                   "--out", "kept.npz"])
    >>> args.keep, args.drop, args.score
    (0.8, 'hardest', 'auto')
    """
    parser = argparse.ArgumentParser(
        prog="sklearn-difficulty",
        description="Score how hard each example is for an ensemble of classifiers.",
    )
    parser.add_argument("--version", action="version", version=__version__)
    commands = parser.add_subparsers(dest="command", required=True)

    _add_run(commands)

    compare = commands.add_parser("compare", help="compare two saved runs")
    compare.add_argument("run_a")
    compare.add_argument("run_b")
    compare.add_argument("--out", required=True)
    compare.add_argument("--tolerance", type=float, default=0.01)
    compare.add_argument(
        "--bootstraps",
        type=int,
        default=200,
        help="resamples of the members for an interval of Pearson's r (0: none)",
    )
    compare.add_argument("--overwrite", action="store_true")
    compare.set_defaults(handler=_compare)

    report = commands.add_parser("report", help="an HTML page of a run or comparison")
    report.add_argument("run")
    report.add_argument("--out", help="the HTML file (default RUN/report.html)")
    report.add_argument("--overwrite", action="store_true")
    report.set_defaults(handler=_report)

    demo = commands.add_parser(
        "demo", help="CNNs and AdaBoost on the digits, compared, with reports"
    )
    demo.add_argument("--out", default="demo-output")
    demo.add_argument("--n-jobs", type=int, default=-1)
    demo.add_argument("--overwrite", action="store_true")
    demo.add_argument("--quiet", action="store_true")
    demo.set_defaults(handler=_demo)
    _add_prune(commands)
    return parser


def _add_run(commands) -> None:
    run = commands.add_parser("run", help="fit an ensemble and save its record")
    run.add_argument("--data", default="digits", help=_data_help())
    run.add_argument("--data-dir", help="where the files of MNIST, CIFAR... are")
    run.add_argument(
        "--model",
        default="mnist",
        help="; ".join(f"{name}: {source.help}" for name, source in MODELS.items())
        + "; or a torchvision model (resnet18, vgg16...), or an import path "
        "(sklearn.svm.SVC)",
    )
    run.add_argument(
        "--param", action="append", default=[], help="model parameter key=value"
    )
    run.add_argument("--members", type=_positive_int, default=10)
    _add_cluster_arguments(run)
    run.add_argument(
        "--epochs", type=_positive_int, help="epochs of a network (its recipe's)"
    )
    run.add_argument("--rounds", type=_positive_int, default=50)
    run.add_argument("--max-samples", type=_fraction, default=None)
    run.add_argument(
        "--record-every",
        type=_record_every,
        default="epoch",
        metavar="{epoch,log,N}",
        help="record the members after every epoch (default), or after optimiser "
        "steps to see learning inside an epoch: log (densely through the first "
        "epoch, then every epoch) or every N steps; networks only",
    )
    run.add_argument(
        "--record-outputs",
        action="append",
        choices=[*OUTPUTS, "all"],
        help="also record this output (repeat for more): proba for the data map, "
        "margin for AUM, error_norm for EL2N",
    )
    run.add_argument(
        "--rank-by",
        choices=score_names(),
        default=runs.DEFAULT_RANK_BY,
        metavar="SCORE",
        help=_rank_by_help(),
    )
    run.add_argument("--n-jobs", type=int, default=-1)
    run.add_argument("--device", default="cpu")
    run.add_argument("--random-state", type=int, default=0)
    run.add_argument("--out", required=True, help="folder for the results")
    memory = run.add_mutually_exclusive_group()
    memory.add_argument(
        "--memory",
        default="auto",
        metavar="DIR",
        help="keep each member here as soon as it has trained, so that the same "
        "command after a kill trains only the missing ones (default: OUT/members)",
    )
    memory.add_argument(
        "--no-memory", action="store_true", help="keep no member (no resuming)"
    )
    run.add_argument(
        "--overwrite",
        action="store_true",
        help="replace a finished run in OUT (only the run's own files are removed; "
        "an unfinished run is resumed without it)",
    )
    run.add_argument("--quiet", action="store_true")
    run.set_defaults(handler=_run)


def _add_prune(commands) -> None:
    prune = commands.add_parser(
        "prune",
        help="keep a fraction of a run's training examples; write their indices",
        description="Score a run's training examples, drop the hardest, the "
        "easiest or random ones, and write the indices kept (into the run's "
        "training set), their scores and the settings to an .npz file.",
    )
    prune.add_argument("run", help="a finished run folder")
    prune.add_argument(
        "--keep", type=_fraction, required=True, help="fraction kept, in (0, 1]"
    )
    prune.add_argument(
        "--drop", choices=DROPS, default="hardest", help="default %(default)s"
    )
    prune.add_argument(
        "--score",
        choices=["auto", *score_names()],
        default="auto",
        metavar="SCORE",
        help="the registered score that ranks the examples (default %(default)s: "
        "el2n, aum or learning_speed, the first the run recorded)",
    )
    prune.add_argument(
        "--stage", type=int, help="the stage of a score taken at one stage"
    )
    prune.add_argument(
        "--per-class", action="store_true", help="keep the fraction in each class"
    )
    prune.add_argument(
        "--seed", type=int, default=0, help="seed of --drop random (default 0)"
    )
    prune.add_argument("--out", required=True, help="the .npz file to write")
    prune.add_argument("--overwrite", action="store_true")
    prune.set_defaults(handler=_prune)


def main(argv=None) -> int:
    """Run the command line: parse ``argv``, call the workflow, print what it says.

    Parameters
    ----------
    argv : list of str, default=None
        The arguments (None: ``sys.argv[1:]``).

    Returns
    -------
    status : int
        0; or 1 after a workflow's error, printed to standard error.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_difficulty.cli import main
    >>> with tempfile.TemporaryDirectory() as tmp:  # doctest: +NORMALIZE_WHITESPACE
    ...     main(["run", "--model", "adaboost", "--members", "2", "--rounds", "3",
    ...           "--max-samples", "0.8", "--n-jobs", "1", "--out", tmp, "--quiet"])
    ...     main(["prune", tmp, "--keep", "0.5", "--out", f"{tmp}/kept.npz"])
    0
    kept 673 of 1347 training examples of ... (dropped the hardest by
    learning_speed); written to .../kept.npz
    0
    """
    args = build_parser().parse_args(argv)
    try:
        args.handler(args)
    except (ValueError, TypeError, OSError, ImportError) as error:
        print(f"sklearn-difficulty {args.command}: error: {error}", file=sys.stderr)
        return 1
    return 0


__all__ = ["build_parser", "main"]

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
