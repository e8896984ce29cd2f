"""The folder format as a schema: what a folder's files may hold, checked on read.

A run or comparison folder may come from someone else, or be half-written
by a killed run, so every file the folders read goes through this module
first, and nothing else reads them:

- ``summary.json`` (:func:`check_run_summary`) and ``comparison.json``
  (:func:`check_comparison_summary`) are read by :func:`read_summary` (at
  most :data:`MAX_SUMMARY_BYTES`, one JSON object) and checked field by
  field: types, ranges, list lengths. Known fields must have their type;
  unknown fields are kept in the dictionary but nothing renders them. The
  positions of the stages (version 3: ``stages[i].step`` and
  ``stages[i].epoch``) are finite, non-negative, given for every stage or
  none, and non-decreasing; :func:`check_positions` holds them to the
  record's own when the run folder reads its stages
  (:meth:`~sklearn_difficulty.runs.RunFolder.stages`).
- ``examples.npz`` (:func:`read_examples`) is read without pickle, at most
  :data:`MAX_EXAMPLES_BYTES` uncompressed; its indices must be integers in
  range, one image per index, images numeric, finite and of an image's
  shape.

Anything wrong is one :class:`ValueError` that names the file and the
field (``summary.json: stages[2].phase must be a string; got 3``), never a
``KeyError``, ``IndexError`` or ``BadZipFile`` from below.
"""

from __future__ import annotations

import json
import math
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

__all__ = [
    "EXAMPLE_KINDS",
    "MAX_EXAMPLES_BYTES",
    "MAX_SUMMARY_BYTES",
    "check_comparison_summary",
    "check_envelope",
    "check_positions",
    "check_run_summary",
    "read_examples",
    "read_summary",
]

MAX_SUMMARY_BYTES = 16 * 2**20  # a summary of 100,000 stages is about 15 MB
MAX_EXAMPLES_BYTES = 256 * 2**20  # the kept images, uncompressed
MAX_ROWS = 10_000  # easiest or hardest examples a ranking may list
MAX_IMAGE_SIDE = 4096
EXAMPLE_KINDS = ("easiest", "hardest")

Checker = Callable[[Any, str], Any]


class _Invalid(Exception):
    """A field that does not match the schema (made a ValueError on the way out)."""

    def __init__(self, field: str, expected: str, value: Any):
        shown = repr(value)
        shown = shown if len(shown) <= 60 else shown[:57] + "..."
        super().__init__(f"{field or 'the file'} must be {expected}; got {shown}")


# The checkers: each takes a value and where it is, and returns it or raises ---------


def integer(low: int | None = None, high: int | None = None) -> Checker:
    """An int (not a bool) within [low, high]."""
    expected = "an integer" + _bounds(low, high)

    def check(value, field):
        if not isinstance(value, int) or isinstance(value, bool):
            raise _Invalid(field, expected, value)
        if (low is not None and value < low) or (high is not None and value > high):
            raise _Invalid(field, expected, value)
        return value

    return check


def number(low: float | None = None, high: float | None = None) -> Checker:
    """An int or float (not a bool); NaN only when unbounded."""
    expected = "a number" + _bounds(low, high)

    def check(value, field):
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise _Invalid(field, expected, value)
        if low is not None and not value >= low:
            raise _Invalid(field, expected, value)
        if high is not None and not value <= high:
            raise _Invalid(field, expected, value)
        return value

    return check


def finite(low: float | None = None) -> Checker:
    """A finite int or float (not a bool) of at least ``low``."""
    expected = "a finite number" + _bounds(low, None)
    bounded = number(low)

    def check(value, field):
        try:
            bounded(value, field)
        except _Invalid:
            raise _Invalid(field, expected, value) from None
        if isinstance(value, float) and not math.isfinite(value):
            raise _Invalid(field, expected, value)
        return value

    return check


def _bounds(low, high) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" of at least {low}"
    return "" if high is None else f" of at most {high}"


def text(value, field):
    """A string."""
    if not isinstance(value, str):
        raise _Invalid(field, "a string", value)
    return value


def flag(value, field):
    """A bool."""
    if not isinstance(value, bool):
        raise _Invalid(field, "true or false", value)
    return value


def scalar(value, field):
    """A string, number, bool or null (a cell of a table)."""
    if value is not None and not isinstance(value, str | int | float | bool):
        raise _Invalid(field, "a string, a number or null", value)
    return value


def optional(checker: Checker) -> Checker:
    """``checker``, or None."""

    def check(value, field):
        return None if value is None else checker(value, field)

    return check


def list_of(
    checker: Checker,
    *,
    length: int | None = None,
    min_length: int = 0,
    max_length: int | None = None,
) -> Checker:
    """A list whose items each pass ``checker``."""
    expected = "a list" + (f" of {length} items" if length is not None else "")

    def check(value, field):
        if not isinstance(value, list):
            raise _Invalid(field, expected, value)
        if length is not None and len(value) != length:
            raise _Invalid(field, expected, value)
        if len(value) < min_length:
            raise _Invalid(field, f"a list of at least {min_length} items", value)
        if max_length is not None and len(value) > max_length:
            raise _Invalid(field, f"a list of at most {max_length} items", value)
        return [checker(item, f"{field}[{i}]") for i, item in enumerate(value)]

    return check


def mapping(values: Checker) -> Checker:
    """A JSON object of any keys, each value passing ``values``."""

    def check(value, field):
        if not isinstance(value, dict):
            raise _Invalid(field, "a JSON object", value)
        return {key: values(item, _join(field, key)) for key, item in value.items()}

    return check


def fields(required: dict[str, Checker], known: dict[str, Checker] | None = None):
    """A JSON object with ``required`` keys and ``known`` optional ones.

    Unknown keys are kept as they are: nothing renders them.
    """
    known = known or {}

    def check(value, field):
        if not isinstance(value, dict):
            raise _Invalid(field, "a JSON object", value)
        checked = dict(value)
        for key, checker in required.items():
            if key not in value:
                raise _Invalid(_join(field, key), "present", "nothing")
            checked[key] = checker(value[key], _join(field, key))
        for key, checker in known.items():
            if key in value:
                checked[key] = checker(value[key], _join(field, key))
        return checked

    return check


def _join(field: str, key: str) -> str:
    return f"{field}.{key}" if field else key


# The files -------------------------------------------------------------------------

ACCURACY = number(0, 1)

POSITIONS = ("step", "epoch")  # where a stage lies in training (version 3)

STAGE = fields(
    {
        "stage": integer(0),
        "train_accuracy": ACCURACY,
        "bimodality": optional(number()),
        "phase": text,
    },
    {"test_accuracy": optional(ACCURACY), "step": integer(0), "epoch": finite(0)},
)


def _stages(value, field):
    """The per-stage rows, whose positions are given for all or none, in order."""
    rows = list_of(STAGE, min_length=1, max_length=1_000_000)(value, field)
    for key in POSITIONS:
        given = [key in row for row in rows]
        if any(given) and not all(given):
            i = given.index(not given[0])
            raise _Invalid(
                f"{field}[{i}].{key}",
                "given for every stage or for none",
                rows[i].get(key, "nothing"),
            )
        if not all(given):
            continue
        for i in range(1, len(rows)):
            if rows[i][key] < rows[i - 1][key]:
                raise _Invalid(
                    f"{field}[{i}].{key}",
                    f"at least {field}[{i - 1}].{key} ({rows[i - 1][key]!r}): "
                    "the positions of the stages never decrease",
                    rows[i][key],
                )
    return rows


def _record_every(value, field):
    """What the run recorded after: "epoch", "log", a number of steps, or steps."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return list_of(integer(1), min_length=1, max_length=1_000_000)(value, field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise _Invalid(field, "a string, a positive integer or a list of them", value)
    return value


def _reliability(value, field):
    checked = fields(
        {
            "split_half": optional(number()),
            "reliability": optional(number()),
            "target": number(),
            "n_members": integer(0),
            "n_half": integer(0),
            "members_needed": optional(integer(0)),
        },
        {"score": text, "n_splits": integer(0)},
    )(value, field)
    if checked["split_half"] is not None and checked["reliability"] is None:
        raise _Invalid(_join(field, "reliability"), "a number", None)
    return checked


ROW = fields({"index": integer(0)})


def _ranking(value, field):
    checked = fields(
        {
            "score": text,
            **{kind: list_of(ROW, max_length=MAX_ROWS) for kind in EXAMPLE_KINDS},
        },
        {"description": optional(text)},
    )(value, field)
    for kind in EXAMPLE_KINDS:
        for i, row in enumerate(checked[kind]):
            mapping(scalar)(row, f"{_join(field, kind)}[{i}]")
    return checked


RUN_SUMMARY = fields(
    {"format": text, "version": integer()},
    {
        "complete": flag,
        "sklearn_difficulty": text,
        "data": text,
        "model": text,
        "params": mapping(scalar),
        "epochs": optional(integer(0)),
        "rounds": optional(integer(0)),
        "max_samples": optional(number(0)),
        "record_outputs": list_of(text),
        "random_state": optional(integer()),
        "n_train": optional(integer(0)),
        "n_test": optional(integer(0)),
        "classes": list_of(text),
        "seconds": optional(number(0)),
        "members_from_memory": optional(integer(0)),
        "members": integer(0),
        "stage_kind": text,
        "figures": list_of(text),
        "reliability": optional(_reliability),
        "record_every": _record_every,
        "stages": _stages,
        "ranking": _ranking,
    },
)


def _pearson(value, field):
    checked = fields(
        {"r": number()},
        {
            "p": optional(number()),
            "ci": optional(list_of(optional(number()), length=2)),
            "confidence_level": number(0, 1),
            "n_bootstraps": integer(0),
        },
    )(value, field)
    ci = checked.get("ci")
    if ci is not None and ci[0] is not None:
        if ci[1] is None:
            raise _Invalid(_join(field, "ci"), "two numbers or two nulls", ci)
        for key in ("confidence_level", "n_bootstraps"):
            if key not in checked:
                raise _Invalid(_join(field, key), "present", "nothing")
    return checked


PAIR = fields(
    {
        "stage_a": integer(0),
        "stage_b": integer(0),
        "accuracy_a": ACCURACY,
        "accuracy_b": ACCURACY,
    }
)

COMPARISON_SUMMARY = fields(
    {
        "format": text,
        "version": integer(),
        "names": list_of(text, length=2),
        "pairs": list_of(PAIR, max_length=1_000_000),
        "pearson": _pearson,
        "spearman": fields({"rho": number()}, {"p": optional(number())}),
        "tolerance": number(0),
    },
    {
        "complete": flag,
        "runs": list_of(text, length=2),
        "unmatched_stages_a": list_of(integer(0)),
        "figures": list_of(text),
    },
)


def check_envelope(
    summary: dict, path: Path, *, folder_format: str, newest: int
) -> dict:
    """The format, version and completeness every summary starts with.

    A version newer than ``newest`` asks for an upgrade; version 2 and
    later say whether the folder is complete (version 1 folders were
    complete once their summary existed, as it was written last).
    """
    version = summary.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise ValueError(f"{path}: version must be an integer; got {version!r:.60}.")
    if version > newest:
        raise ValueError(
            f"{path.parent} was written in run folder version {version}; this "
            f"sklearn-difficulty reads up to {newest}: upgrade it."
        )
    envelope = fields(
        {"format": text, "version": integer(1, newest)},
        {"complete": flag},
    )
    checked = _checked(envelope, summary, path)
    if checked["format"] != folder_format:
        raise ValueError(
            f"{path}: format must be {folder_format!r}; got "
            f"{checked['format']!r:.60}: it is not a folder of sklearn-difficulty."
        )
    if version >= 2 and "complete" not in checked:
        raise ValueError(f"{path}: complete must be present (true or false).")
    return checked


def _checked(checker: Checker, summary: dict, path: Path) -> dict:
    try:
        return checker(summary, "")
    except _Invalid as error:
        raise ValueError(f"{path}: {error}.") from None


def check_run_summary(summary: dict, path: Path) -> dict:
    """A run's summary checked against the format; a ValueError naming the field."""
    return _checked(RUN_SUMMARY, summary, path)


def check_comparison_summary(summary: dict, path: Path) -> dict:
    """A comparison's summary checked against the format; a ValueError naming it."""
    return _checked(COMPARISON_SUMMARY, summary, path)


def check_positions(stages: list[dict], *, steps, epochs, path: Path) -> None:
    """The checked stages' steps and epochs, where they give them, are the record's.

    ``steps`` and ``epochs`` are the record's (None where it holds none);
    the rows give each position for every stage or none, and their stage
    labels were matched with the record's (one row per stage).
    """
    for key, held in (("step", steps), ("epoch", epochs)):
        if key not in stages[0]:
            continue
        if held is None:
            raise ValueError(
                f"{path}: stages[0].{key} must be absent: the record holds no "
                f"{key} of its stages; got {stages[0][key]!r:.60}."
            )
        for i, (row, position) in enumerate(zip(stages, held.tolist(), strict=True)):
            if not _same_position(row[key], position):
                raise ValueError(
                    f"{path}: stages[{i}].{key} must be the record's {position!r}; "
                    f"got {row[key]!r:.60}."
                )


def _same_position(given, held: int | float) -> bool:
    """Whether a position read from JSON is the record's (floats to rounding)."""
    if isinstance(held, int):
        return given == held
    try:
        return math.isclose(float(given), held, rel_tol=1e-9, abs_tol=1e-12)
    except OverflowError:  # an int beyond any float: not the record's
        return False


def read_summary(path: Path) -> dict:
    """The JSON object in ``path`` (at most :data:`MAX_SUMMARY_BYTES`)."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_SUMMARY_BYTES + 1)
    except OSError as error:
        raise ValueError(f"{path} cannot be read: {error}.") from error
    if len(data) > MAX_SUMMARY_BYTES:
        raise ValueError(
            f"{path} is larger than a summary may be ({MAX_SUMMARY_BYTES} bytes)."
        )
    try:
        summary = json.loads(data.decode("utf-8"))
    except (ValueError, RecursionError) as error:
        raise ValueError(f"{path} is not readable JSON: {error}.") from None
    if not isinstance(summary, dict):
        raise ValueError(f"{path} must hold a JSON object; got {summary!r:.40}.")
    return summary


# The kept examples -------------------------------------------------------------------


def read_examples(path: Path, *, n_train: int, ranking: dict) -> dict[str, np.ndarray]:
    """The kept images of ``examples.npz``, checked against the run.

    Parameters
    ----------
    path : Path
    n_train : int
        The run's training examples: every index is below it.
    ranking : dict
        The run's checked ranking: the indices of each kind are those of
        its rows, in order (so images kept by another run are refused).

    Returns
    -------
    examples : dict
        ``{kind}_images`` and ``{kind}_indices`` for each kind kept.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            size = sum(info.file_size for info in archive.infolist())
        if size > MAX_EXAMPLES_BYTES:
            raise ValueError(f"it holds {size} bytes, more than {MAX_EXAMPLES_BYTES}")
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError, EOFError, zipfile.BadZipFile) as error:
        raise ValueError(f"{path} cannot be read as kept examples: {error}.") from None
    try:
        return _check_examples(arrays, n_train, ranking)
    except _Invalid as error:
        raise ValueError(f"{path}: {error}.") from None


def _check_examples(arrays: dict, n_train: int, ranking: dict) -> dict:
    known = {
        f"{kind}_{part}" for kind in EXAMPLE_KINDS for part in ("images", "indices")
    }
    for key in arrays:
        if key not in known:
            raise _Invalid(key, f"one of {sorted(known)}", "an unknown array")
    for kind in EXAMPLE_KINDS:
        images, indices = arrays.get(f"{kind}_images"), arrays.get(f"{kind}_indices")
        if images is None and indices is None:
            continue
        if images is None or indices is None:
            raise _Invalid(f"{kind}_images", "kept with its indices", "only one")
        expected = [row["index"] for row in ranking[kind]]
        if indices.ndim != 1 or indices.dtype.kind not in "iu":
            raise _Invalid(f"{kind}_indices", "a 1-D array of integers", indices.dtype)
        if indices.size and (indices.min() < 0 or indices.max() >= n_train):
            raise _Invalid(
                f"{kind}_indices", f"indices from 0 to {n_train - 1}", indices.tolist()
            )
        if indices.tolist() != expected:
            raise _Invalid(
                f"{kind}_indices", f"those of the summary's ranking {expected}",
                indices.tolist(),
            )  # fmt: skip
        _check_images(images, len(indices), f"{kind}_images")
    return arrays


def _check_images(images: np.ndarray, count: int, field: str) -> None:
    if images.dtype.kind not in "biuf":
        raise _Invalid(field, "numbers", images.dtype)
    if len(images) != count or images.ndim not in (3, 4):
        raise _Invalid(field, f"{count} images (N, H, W) or (N, C, H, W)", images.shape)
    if images.ndim == 4 and not (
        images.shape[1] in (1, 3) or images.shape[3] in (1, 3, 4)
    ):
        raise _Invalid(field, "images of 1 or 3 channels", images.shape)
    if max(images.shape[1:], default=0) > MAX_IMAGE_SIDE or 0 in images.shape[1:]:
        raise _Invalid(
            field, f"images of 1 to {MAX_IMAGE_SIDE} pixels a side", images.shape
        )
    if images.dtype.kind == "f" and not np.isfinite(images).all():
        raise _Invalid(field, "finite", "NaN or infinity")
