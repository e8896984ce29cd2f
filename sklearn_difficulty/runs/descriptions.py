"""What a person reads about a run or a comparison: sentences made from its summary.

The command line prints :func:`describe_run` and :func:`describe_comparison`
(through the folders' ``describe``); the report puts the phases, the
reliability and the interval of Pearson's r into its page. Each takes the
plain values of a summary (see :mod:`sklearn_difficulty.runs.summary`) and
computes nothing.
"""

from __future__ import annotations

__all__ = [
    "describe_comparison",
    "describe_interval",
    "describe_phases",
    "describe_reliability",
    "describe_run",
]


def describe_phases(stages: list[dict], kind: str = "stage") -> str:
    """The phases as runs of stages: "epoch 0 initialization; epochs 1-3 ..."."""
    runs: list[list] = []
    for row in stages:
        if runs and runs[-1][0] == row["phase"]:
            runs[-1][2] = row["stage"]
        else:
            runs.append([row["phase"], row["stage"], row["stage"]])
    return "; ".join(
        f"{kind} {first} {phase}"
        if first == last
        else f"{kind}s {first}-{last} {phase}"
        for phase, first, last in runs
    )


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
    half = summary["n_half"]
    return (
        f"Learning speed split-half reliability {summary['split_half']:.2f} "
        f"({half} member{'s' if half != 1 else ''}), {summary['reliability']:.2f} "
        f"for all {summary['n_members']}; {needed}."
    )


def describe_interval(pearson: dict) -> str:
    """The bootstrap interval of a comparison's Pearson r, or "" without one."""
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
        "epoch", "round"...
    path : str or path-like
        Where the run is.
    """
    first, last = stages[0], stages[-1]
    untrained = ""
    if first["stage"] == 0:
        untrained = (
            f" {stage_kind} 0 (untrained): train accuracy "
            f"{first['train_accuracy']:.3f};"
        )
    trained = sum(1 for s in stages if s["stage"] != 0)
    seconds = summary.get("seconds")
    took = f" in {seconds:.0f} s" if seconds is not None else ""
    if summary.get("members_from_memory"):  # not trained in those seconds
        took += f" ({summary['members_from_memory']} members read from memory)"
    lines = [
        f"{summary.get('members', '?')} x {summary.get('model', '?')} on "
        f"{summary.get('data', '?')}: {trained} {stage_kind}s{took};{untrained} last "
        f"{stage_kind}: train accuracy {last['train_accuracy']:.3f}. Results in "
        f"{path}/",
        f"phases: {describe_phases(stages, stage_kind)}",
        describe_reliability(summary.get("reliability")),
    ]
    return "\n".join(lines)


def describe_comparison(summary: dict, *, path) -> str:
    """One line on a comparison: matched stages and Pearson's r of the speeds."""
    pearson = summary["pearson"]
    return (
        f"{len(summary['pairs'])} matched stage pairs; learning speed Pearson "
        f"r = {pearson['r']:.2f}{describe_interval(pearson)}. Results in {path}/"
    )
