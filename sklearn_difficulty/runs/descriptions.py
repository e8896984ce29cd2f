"""What a person reads about a run or a comparison: sentences made from its summary.

The command line prints :func:`describe_run` and :func:`describe_comparison`
(through the folders' ``describe``); the report puts the phases, the
reliability and the interval of Pearson's r into its page. Each takes the
plain values of a summary (see :mod:`sklearn_difficulty.runs.summary`) and
computes nothing.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "describe_comparison",
    "describe_interval",
    "describe_phases",
    "describe_reliability",
    "describe_run",
    "format_epoch",
]


def format_epoch(epoch: float, digits: int = 2) -> str:
    """An epoch as a person reads it: integers as integers, fractions short.

    Below 1, ``digits`` significant digits; from 1 on, ``digits - 1``
    decimals (never fewer than the integer part); trailing zeros dropped;
    never an exponent.

    Examples
    --------
    >>> from sklearn_difficulty.runs.descriptions import format_epoch
    >>> [format_epoch(e) for e in (0, 0.0556, 0.3125, 1.0, 1.5278, 12.0)]
    ['0', '0.056', '0.31', '1', '1.5', '12']
    >>> format_epoch(0.0556, digits=3), format_epoch(1.5278, digits=3)
    ('0.0556', '1.53')
    """
    epoch = float(epoch)
    if epoch == round(epoch):
        return str(int(epoch))
    if abs(epoch) < 1:
        return np.format_float_positional(
            epoch, precision=digits, unique=True, fractional=False, trim="-"
        )
    return np.format_float_positional(
        epoch, precision=max(digits - 1, 0), unique=True, fractional=True, trim="-"
    )


def describe_phases(stages: list[dict], kind: str = "stage") -> str:
    """The phases as runs of stages: "epoch 0 initialization; epochs 1-3 ...".

    Stages recorded after optimiser steps (``kind`` "step") whose rows hold
    their epoch are told in epochs, with fractions (:func:`format_epoch`):
    "epoch 0 initialization; epochs 0.056-0.31 beginning of learning; ...".

    Parameters
    ----------
    stages : list of dict
        The per-stage rows (:func:`~sklearn_difficulty.runs.stage_table`):
        "phase", "stage" and, where known, "epoch".
    kind : str, default="stage"
        What the stage labels count: "epoch", "round", "step"...

    Examples
    --------
    >>> from sklearn_difficulty.runs import describe_phases
    >>> rows = [{"stage": 0, "phase": "initialization"},
    ...         {"stage": 1, "phase": "bi-modality"},
    ...         {"stage": 2, "phase": "bi-modality"}]
    >>> describe_phases(rows, "epoch")
    'epoch 0 initialization; epochs 1-2 bi-modality'
    >>> steps = [{**row, "stage": 9 * i, "epoch": i / 4} for i, row in enumerate(rows)]
    >>> describe_phases(steps, "step")
    'epoch 0 initialization; epochs 0.25-0.5 bi-modality'
    """
    in_epochs = kind == "step" and bool(stages) and all("epoch" in r for r in stages)
    if in_epochs:
        kind = "epoch"
    runs: list[list] = []
    for row in stages:
        label = format_epoch(row["epoch"]) if in_epochs else row["stage"]
        if runs and runs[-1][0] == row["phase"]:
            runs[-1][2] = label
        else:
            runs.append([row["phase"], label, label])
    return "; ".join(
        f"{kind} {first} {phase}"
        if first == last
        else f"{kind}s {first}-{last} {phase}"
        for phase, first, last in runs
    )


def describe_reliability(summary: dict | None) -> str:
    """One sentence on the reliability of the learning speed of a run.

    Examples
    --------
    >>> from sklearn_difficulty.runs import describe_reliability
    >>> reliability = {"split_half": 0.8, "reliability": 0.89, "n_half": 5,
    ...                "n_members": 10, "target": 0.95, "members_needed": 24}
    >>> print(describe_reliability(reliability))  # doctest: +NORMALIZE_WHITESPACE
    Learning speed split-half reliability 0.80 (5 members), 0.89 for all 10;
    about 24 members would reach 0.95.
    >>> print(describe_reliability(None))
    One member: the learning speed's reliability needs at least two.
    """
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
    half = summary["n_half"]
    return (
        f"Learning speed split-half reliability {summary['split_half']:.2f} "
        f"({half} member{'s' if half != 1 else ''}), {summary['reliability']:.2f} "
        f"for all {summary['n_members']}; {needed}."
    )


def describe_interval(pearson: dict) -> str:
    """The bootstrap interval of a comparison's Pearson r, or "" without one.

    Examples
    --------
    >>> from sklearn_difficulty.runs import describe_interval
    >>> describe_interval({"r": 0.71, "ci": [0.62, 0.78], "confidence_level": 0.95,
    ...                    "n_bootstraps": 200})
    ' (95% CI 0.62 to 0.78 over 200 bootstraps of the members)'
    >>> describe_interval({"r": 0.71, "ci": None})
    ''
    """
    if not pearson.get("ci") or pearson["ci"][0] is None:
        return ""
    low, high = pearson["ci"]
    return (
        f" ({pearson['confidence_level']:.0%} CI {low:.2f} to {high:.2f} over "
        f"{pearson['n_bootstraps']} bootstraps of the members)"
    )


def describe_run(summary: dict, *, stages: list[dict], stage_kind: str, path) -> str:
    """What a person reads after a run: accuracy, phases, reliability.

    Parameters
    ----------
    summary : dict
        The run's summary (what was run, its reliability).
    stages : list of dict
        Its per-stage table (:func:`~sklearn_difficulty.runs.stage_table`).
    stage_kind : str
        "epoch", "round", "step"... Stages recorded after optimiser steps
        are told in epochs where their rows hold them.
    path : str or path-like
        Where the run is.

    Examples
    --------
    >>> from sklearn_difficulty.runs import describe_run
    >>> stages = [{"stage": 0, "train_accuracy": 0.1, "phase": "initialization"},
    ...           {"stage": 1, "train_accuracy": 0.6, "phase": "bi-modality"},
    ...           {"stage": 2, "train_accuracy": 0.9, "phase": "end of learning"}]
    >>> summary = {"members": 4, "model": "mnist", "data": "digits", "seconds": 12.3}
    >>> text = describe_run(summary, stages=stages, stage_kind="epoch", path="out")
    >>> print(text)  # doctest: +NORMALIZE_WHITESPACE
    4 x mnist on digits: 2 epochs in 12 s; epoch 0 (untrained): train accuracy
    0.100; last epoch: train accuracy 0.900. Results in out/
    phases: epoch 0 initialization; epoch 1 bi-modality; epoch 2 end of learning
    One member: the learning speed's reliability needs at least two.
    """
    first, last = stages[0], stages[-1]
    trained = sum(1 for s in stages if s["stage"] != 0)
    seconds = summary.get("seconds")
    took = f" in {seconds:.0f} s" if seconds is not None else ""
    if summary.get("members_from_memory"):  # not trained in those seconds
        took += f" ({summary['members_from_memory']} members read from memory)"
    if stage_kind == "step" and all("epoch" in row for row in stages):
        what = (
            f"{trained} stages after optimiser steps, through epoch "
            f"{format_epoch(last['epoch'])}{took};"
        )
        untrained_kind, last_name = "epoch", f"last (step {last['stage']})"
    else:
        what = f"{trained} {stage_kind}s{took};"
        untrained_kind, last_name = stage_kind, f"last {stage_kind}"
    untrained = ""
    if first["stage"] == 0:
        untrained = (
            f" {untrained_kind} 0 (untrained): train accuracy "
            f"{first['train_accuracy']:.3f};"
        )
    lines = [
        f"{summary.get('members', '?')} x {summary.get('model', '?')} on "
        f"{summary.get('data', '?')}: {what}{untrained} {last_name}: train "
        f"accuracy {last['train_accuracy']:.3f}. Results in {path}/",
        f"phases: {describe_phases(stages, stage_kind)}",
        describe_reliability(summary.get("reliability")),
    ]
    return "\n".join(lines)


def describe_comparison(summary: dict, *, path) -> str:
    """One line on a comparison: matched stages and Pearson's r of the speeds.

    Examples
    --------
    >>> from sklearn_difficulty.runs import describe_comparison
    >>> pearson = {"r": 0.712, "ci": [0.62, 0.78], "confidence_level": 0.95,
    ...            "n_bootstraps": 200}
    >>> text = describe_comparison({"pairs": [{}, {}, {}], "pearson": pearson},
    ...                            path="cnn-vs-adaboost")
    >>> print(text)  # doctest: +NORMALIZE_WHITESPACE
    3 matched stage pairs; learning speed Pearson r = 0.71 (95% CI 0.62 to 0.78
    over 200 bootstraps of the members). Results in cnn-vs-adaboost/
    """
    pearson = summary["pearson"]
    return (
        f"{len(summary['pairs'])} matched stage pairs; learning speed Pearson "
        f"r = {pearson['r']:.2f}{describe_interval(pearson)}. Results in {path}/"
    )
