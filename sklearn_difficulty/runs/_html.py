"""The HTML reports of runs and comparisons: rendering only, from templates.

The pages are :class:`string.Template` files in ``templates/`` beside this
module (the page, then the body of a run or of a comparison): the standard
library's templates need no dependency beyond the core's, and a report has
no logic worth a template language (its repeated parts, the rows of a table
and the figures, are built here). A report shows what its folder holds (the
summary, the record's sizes, the figures, the kept examples) and computes
nothing. Figures are embedded as base64 PNG, so a report is one
self-contained file.

A folder may come from someone else, so:

- every value from it is escaped with :func:`html.escape` (quotes too)
  wherever it lands, in an element's text or a double-quoted attribute;
  numbers are formatted as numbers;
- no URL comes from its data: the only ``src`` are ``data:image/png``
  URLs of bytes this module encodes;
- a stage row's CSS class comes from a fixed mapping of the four phases
  of :data:`~sklearn_difficulty.phases.PHASES` (:data:`PHASE_CLASSES`);
  a row of any other phase gets no class;
- the figures are only those
  :meth:`~sklearn_difficulty.runs.RunFolder.read_figures` returns: PNG
  files the format names, inside the folder;
- what it holds was checked against the format when the folder was read
  (:mod:`sklearn_difficulty.runs._schema`); unknown keys are never shown.
"""

from __future__ import annotations

import base64
import html
import io
from importlib.resources import files
from numbers import Real
from string import Template
from typing import TYPE_CHECKING

import numpy as np

from .. import __version__
from ..phases import PHASES
from ._schema import POSITIONS
from .descriptions import (
    describe_interval,
    describe_phases,
    describe_reliability,
    format_epoch,
)
from .figures import figure_caption

if TYPE_CHECKING:
    from .folders import ComparisonFolder, RunFolder

__all__ = ["PHASE_CLASSES", "render_comparison", "render_run"]

PHASE_CLASSES = {phase: "phase-" + phase.replace(" ", "-") for phase in PHASES}
"""The CSS class of a stage row by its phase (fixed; no class for any other)."""


def _template(name: str) -> Template:
    return Template(files(__package__).joinpath("templates", name).read_text())


def _page(title: str, body: str) -> str:
    return _template("page.html").substitute(
        title=_text(title), body=body, version=_text(__version__)
    )


def _text(value) -> str:
    """Any value as text safe in HTML, in an element or a quoted attribute."""
    return html.escape(str(value))


def _number(value, spec: str) -> str:
    """A number formatted by ``spec``; anything else as escaped text."""
    if isinstance(value, Real) and not isinstance(value, bool):
        return format(value, spec)
    return _text(value)


def _png(data: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(data).decode()


def _figures(folder: RunFolder | ComparisonFolder) -> str:
    return "\n".join(
        f'<figure><img alt="{_text(name)}" src="{_png(data)}">'
        f"<figcaption>{_text(figure_caption(name))}</figcaption></figure>"
        for name, data in folder.read_figures()
    )


def _cell(value) -> str:
    if value is None:
        return "<td></td>"
    text = _number(value, ".3f") if isinstance(value, float) else _text(value)
    return f"<td>{text}</td>"


def _row(values) -> str:
    return "<tr>" + "".join(_cell(value) for value in values) + "</tr>"


def _position_columns(stages: list[dict], kind: str) -> list[str]:
    """The positions a stage table shows beside its label: those the rows hold.

    The one the label already is ("step" for stages recorded after steps,
    "epoch" for epochs) is not repeated.
    """
    return [
        key for key in POSITIONS if key != kind and all(key in row for row in stages)
    ]


def _stage_header(stages: list[dict], kind: str) -> str:
    names = [kind, *_position_columns(stages, kind)]
    names += ["train accuracy", "test accuracy", "bi-modality", "phase"]
    return "<tr>" + "".join(f"<th>{_text(name)}</th>" for name in names) + "</tr>"


def _position_cell(key: str, value) -> str:
    """A step as an integer; an epoch short (3 significant digits below 1)."""
    if key != "epoch" or isinstance(value, bool) or not isinstance(value, int | float):
        return _cell(value)
    return f"<td>{_text(format_epoch(value, digits=3))}</td>"


def _stage_rows(stages: list[dict], kind: str) -> str:
    positions = _position_columns(stages, kind)
    rows = []
    for row in stages:
        css = PHASE_CLASSES.get(row["phase"])
        opening = "<tr>" if css is None else f'<tr class="{css}">'
        cells = _cell(row.get("stage"))
        cells += "".join(_position_cell(key, row[key]) for key in positions)
        cells += "".join(
            _cell(row.get(key))
            for key in ("train_accuracy", "test_accuracy", "bimodality")
        )
        rows.append(f"{opening}{cells}{_cell(row['phase'])}</tr>")
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


def _image_figures(images, rows: list[dict], score: str) -> str:
    """The kept images, each captioned with its index, label and speed."""
    parts = []
    for image, row in zip(images, rows, strict=True):
        caption = (
            f"#{_text(row.get('index'))}: {_text(row.get('label'))}<br>"
            f"speed {_number(row.get('learning_speed'), '.2f')}"
        )
        if score != "learning_speed":  # the ranking score, below the speed
            caption += f"<br>{_text(score)} {_number(row.get(score), '.2f')}"
        parts.append(
            f'<figure><img alt="example {_text(row.get("index"))}" '
            f'src="{_image_png(image)}"><figcaption>{caption}</figcaption></figure>'
        )
    return "\n".join(parts)


def _examples(folder: RunFolder) -> str:
    """Tables (and images) of the easiest and hardest training examples."""
    ranking = folder.ranking
    images = folder.examples() or {}
    parts = [
        f'<p id="ranking">Ranked by <strong>{_text(ranking["score"])}</strong>: '
        f"{_text(ranking.get('description') or 'a registered score')}.</p>"
    ]
    for kind in ("easiest", "hardest"):
        rows = ranking[kind]
        parts.append(f"<h3>The {kind}</h3>")
        if f"{kind}_images" in images:
            parts.append(f'<div class="examples" id="{kind}">')
            parts.append(
                _image_figures(images[f"{kind}_images"], rows, ranking["score"])
            )
            parts.append("</div>")
        columns = list(rows[0]) if rows else []
        header = "".join(f"<th>{_text(c.replace('_', ' '))}</th>" for c in columns)
        body = "\n".join(_row(row.get(c) for c in columns) for row in rows)
        parts.append(f'<table class="{kind}"><tr>{header}</tr>\n{body}</table>')
    return "\n".join(parts)


def _recorded(record) -> str:
    """Where stages recorded after optimiser steps lie, in epochs; else nothing."""
    positions, axis = record.stage_axis
    if record.stage_kind != "step" or axis != "epoch":
        return ""
    return (
        f" They were recorded after optimiser steps (training batches), through "
        f"epoch {_text(format_epoch(positions[-1]))}: the phases are told in epochs."
    )


def render_run(folder: RunFolder) -> str:
    """The report of a run folder, as HTML.

    Examples
    --------
    >>> import re, tempfile
    >>> from sklearn_difficulty.runs import render_run, run
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = run(out=tmp, model="adaboost", members=2, rounds=3,
    ...                  max_samples=0.8, n_jobs=1, verbose=0)
    ...     page = render_run(folder)
    >>> re.search("<title>(.*)</title>", page).group(1)
    'sklearn-difficulty: 2 x adaboost on digits'
    >>> re.search('<p id="phases">(.*)</p>', page).group(1)
    '<strong>Phases:</strong> rounds 1-2 beginning of learning; round 3 bi-modality'
    >>> page.count("<img ")  # 4 figures, the 16 easiest and 16 hardest images
    36
    """
    record, summary, stages = folder.record, folder.summary, folder.stages
    kind = record.stage_kind
    body = _template("run.html").substitute(
        n_members=record.n_members,
        n_stages=record.n_stages,
        stage_kind=_text(kind),
        recorded=_recorded(record),
        n_train=record.predictions["train"].shape[2],
        phases=_text(describe_phases(stages, kind)),
        reliability=_text(describe_reliability(summary.get("reliability"))),
        figures=_figures(folder),
        stage_header=_stage_header(stages, kind),
        stage_rows=_stage_rows(stages, kind),
        examples=_examples(folder),
    )
    title = (
        f"{summary.get('members', record.n_members)} x {summary.get('model', '?')} "
        f"on {summary.get('data', '?')}"
    )
    return _page(title, body)


def render_comparison(folder: ComparisonFolder) -> str:
    """The report of a comparison folder, as HTML.

    Examples
    --------
    >>> import re, tempfile
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.compare import compare_records
    >>> from sklearn_difficulty.runs import ComparisonFolder, render_comparison
    >>> targets, classes = {"train": np.array([0, 1, 1, 0])}, np.array([0, 1])
    >>> a = PredictionRecord(  # 2 members, 2 epochs, 4 examples
    ...     predictions={"train": np.array([[[0, 0, 1, 1], [0, 1, 1, 0]],
    ...                                     [[0, 1, 0, 1], [0, 1, 1, 0]]])},
    ...     targets=targets, classes=classes, stages=np.array([1, 2]))
    >>> b = PredictionRecord(  # 2 members, 1 round
    ...     predictions={"train": np.array([[[0, 1, 1, 1]], [[0, 0, 1, 1]]])},
    ...     targets=targets, classes=classes, stages=np.array([1]))
    >>> comparison = compare_records(a, b, tolerance=0.2, names=("cnn", "adaboost"))
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     folder = ComparisonFolder.create(tmp).write(
    ...         comparison, runs=("runs/cnn", "runs/adaboost"), tolerance=0.2,
    ...         bootstraps=0)
    ...     page = render_comparison(folder)
    >>> re.search("<title>(.*)</title>", page).group(1)
    'sklearn-difficulty: cnn against adaboost'
    >>> re.search("Pearson r = [0-9.]+", page).group(0)
    'Pearson r = 0.85'
    >>> page.count("<img ")  # the two learning speeds, the one matched pair
    2
    """
    summary = folder.summary
    name_a, name_b = summary["names"]
    pearson = summary["pearson"]
    pair_rows = "\n".join(
        _row(pair[key] for key in ("stage_a", "accuracy_a", "stage_b", "accuracy_b"))
        for pair in summary["pairs"]
    )
    runs = summary.get("runs") or ["?", "?"]
    body = _template("comparison.html").substitute(
        name_a=_text(name_a),
        name_b=_text(name_b),
        run_a=_text(runs[0]),
        run_b=_text(runs[1]),
        tolerance=_number(summary["tolerance"], "g"),
        pearson=_number(pearson["r"], ".2f"),
        interval=_text(describe_interval(pearson)),
        spearman=_number(summary["spearman"]["rho"], ".2f"),
        figures=_figures(folder),
        pair_rows=pair_rows,
        unmatched=_text(
            ", ".join(map(str, summary.get("unmatched_stages_a") or [])) or "none"
        ),
    )
    return _page(f"{name_a} against {name_b}", body)
