"""The HTML reports of runs and comparisons, rendered from templates.

The pages are :class:`string.Template` files in ``templates/`` (the page,
then the body of a run or of a comparison): the standard library's
templates need no dependency beyond the core's, and a report has no logic
worth a template language (its repeated parts, the rows of a table and the
figures, are built here, every value escaped with :func:`html.escape`).
Figures are embedded as base64 PNG, so a report is one self-contained file.
"""

from __future__ import annotations

import base64
import html
import io
from importlib.resources import files
from string import Template

import numpy as np

from . import __version__
from .phases import bimodality, learning_phases
from .record import PredictionRecord
from .scores import member_accuracy

CAPTIONS = {
    "consistency_histograms.png": (
        "Consistency of the training and test examples at the stages that show "
        "each phase of learning, each labelled with its phase."
    ),
    "consensus_histograms.png": (
        "Consensus (the largest fraction of members agreeing on one label) at the "
        "same stages."
    ),
    "learning_speed.png": (
        "The learning speed (mean consistency over the training stages) of the "
        "examples of each scored set."
    ),
    "reliability.png": (
        "Reliability of the learning speed against the number of members "
        "(Spearman-Brown projection of the split-half correlation)."
    ),
    "data_map.png": (
        "Data map (Swayamdipta et al. 2020): mean probability of the true class "
        "against its standard deviation over the epochs, coloured by correctness."
    ),
    "learning_speeds.png": "The learning speeds of the two runs, example by example.",
}


def _template(name: str) -> Template:
    return Template(files(__package__).joinpath("templates", name).read_text())


def _page(title: str, body: str) -> str:
    return _template("page.html").substitute(
        title=html.escape(title), body=body, version=html.escape(__version__)
    )


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _figures(folder) -> str:
    parts = []
    for name in folder.figures:
        caption = CAPTIONS.get(name)
        if caption is None and name.startswith("joint_pair_"):
            caption = "Joint distribution of the two consistencies at a matched pair."
        parts.append(
            f'<figure><img alt="{html.escape(name)}" '
            f'src="{_png((folder.path / name).read_bytes())}">'
            f"<figcaption>{html.escape(caption or name)}</figcaption></figure>"
        )
    return "\n".join(parts)


def _cell(value) -> str:
    if value is None:
        return "<td></td>"
    if isinstance(value, float):
        value = f"{value:.3f}"
    return f"<td>{html.escape(str(value))}</td>"


def _stage_rows(stages) -> str:
    rows = []
    for row in stages:
        css = "phase-" + row["phase"].replace(" ", "-")
        cells = "".join(
            _cell(row[key])
            for key in ("stage", "train_accuracy", "test_accuracy", "bimodality")
        )
        rows.append(
            f'<tr class="{css}">{cells}<td>{html.escape(row["phase"])}</td></tr>'
        )
    return "\n".join(rows)


def _image_png(image: np.ndarray) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    picture = np.asarray(image, dtype=float)
    if picture.ndim == 3 and picture.shape[0] in (1, 3):
        picture = np.moveaxis(picture, 0, -1)
    if picture.ndim == 3 and picture.shape[-1] == 1:
        picture = picture[..., 0]
    low, high = picture.min(), picture.max()
    picture = (picture - low) / (high - low) if high > low else picture * 0
    buffer = io.BytesIO()
    plt.imsave(buffer, picture, cmap="gray_r" if picture.ndim == 2 else None)
    return _png(buffer.getvalue())


def _examples(folder) -> str:
    """Tables (and images) of the easiest and hardest training examples."""
    from .frames import example_table
    from .ranking import difficulty_ranking

    record = folder.record
    table = example_table(record)
    kept = folder.examples()
    if kept is None:  # not image data: rank the examples here
        order = difficulty_ranking(record)
        kept = {"easiest_indices": order[:16], "hardest_indices": order[::-1][:16]}
    parts = []
    for kind in ("easiest", "hardest"):
        rows = kept[f"{kind}_indices"]
        parts.append(f"<h3>The {kind}</h3>")
        if f"{kind}_images" in kept:
            parts.append(f'<div class="examples" id="{kind}">')
            for image, row in zip(kept[f"{kind}_images"], rows, strict=True):
                label = html.escape(str(table["label"][row]))
                speed = table["learning_speed"][row]
                parts.append(
                    f'<figure><img alt="example {row}" src="{_image_png(image)}">'
                    f"<figcaption>#{row}: {label}<br>speed {speed:.2f}</figcaption>"
                    "</figure>"
                )
            parts.append("</div>")
        header = "".join(
            f"<th>{html.escape(column.replace('_', ' '))}</th>" for column in table
        )
        body = "\n".join(
            "<tr>"
            + "".join(_cell(np.asarray(table[c][row]).item()) for c in table)
            + "</tr>"
            for row in rows
        )
        parts.append(f'<table class="{kind}"><tr>{header}</tr>\n{body}</table>')
    return "\n".join(parts)


def stage_table(record: PredictionRecord) -> list[dict]:
    """Per stage: mean train (and test) accuracy, bi-modality, phase."""
    train_accuracy = member_accuracy(record).mean(axis=0)
    test_name = next((n for n in record.set_names if n != "train"), None)
    test_accuracy = (
        member_accuracy(record, scored_set=test_name).mean(axis=0)
        if test_name
        else None
    )
    measure = bimodality(record)
    phases = learning_phases(record, ordered=True)
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


def render_run(folder) -> str:
    """The report of a run folder, as HTML."""
    record, summary = folder.record, folder.summary
    stages = summary.get("stages") or stage_table(record)
    kind = record.stage_kind
    body = _template("run.html").substitute(
        n_members=record.n_members,
        n_stages=record.n_stages,
        stage_kind=html.escape(kind),
        n_train=record.predictions["train"].shape[2],
        phases=html.escape(describe_phases(stages, kind)),
        reliability=html.escape(describe_reliability(summary.get("reliability"))),
        figures=_figures(folder),
        stage_rows=_stage_rows(stages),
        examples=_examples(folder),
    )
    title = (
        f"{summary.get('members', record.n_members)} x {summary.get('model', '?')} "
        f"on {summary.get('data', '?')}"
    )
    return _page(title, body)


def render_comparison(folder) -> str:
    """The report of a comparison folder, as HTML."""
    summary = folder.summary
    name_a, name_b = summary["names"]
    pearson = summary["pearson"]
    interval = describe_interval(pearson)
    pair_rows = "\n".join(
        "<tr>"
        + "".join(
            _cell(pair[key])
            for key in ("stage_a", "accuracy_a", "stage_b", "accuracy_b")
        )
        + "</tr>"
        for pair in summary["pairs"]
    )
    runs = summary.get("runs", ["?", "?"])
    body = _template("comparison.html").substitute(
        name_a=html.escape(name_a),
        name_b=html.escape(name_b),
        run_a=html.escape(runs[0]),
        run_b=html.escape(runs[1]),
        tolerance=summary["tolerance"],
        pearson=f"{pearson['r']:.2f}",
        interval=html.escape(interval),
        spearman=f"{summary['spearman']['rho']:.2f}",
        figures=_figures(folder),
        pair_rows=pair_rows,
        unmatched=html.escape(
            ", ".join(map(str, summary["unmatched_stages_a"])) or "none"
        ),
    )
    return _page(f"{name_a} against {name_b}", body)
