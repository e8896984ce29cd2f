"""The folder format: what a run folder and a comparison folder hold.

A run folder (:class:`RunFolder`) holds

- ``record.npz``: the prediction record (plain arrays and JSON metadata with
  a format version, loaded without pickle);
- ``scores.csv``: one row per example of each scored set;
- ``summary.json``: the folder's format and version, what was run, accuracy,
  bi-modality and phase per stage, the split-half reliability of the
  learning speed and the members it needs, and the easiest and hardest
  training examples by the score that ranked them (see
  :mod:`sklearn_difficulty.runs.summary`);
- its figures as PNG (:mod:`sklearn_difficulty.runs.figures`);
- ``examples.npz``: the easiest and hardest training images, when the data
  are images.

A comparison folder (:class:`ComparisonFolder`) holds ``comparison.json``
(its format and version, the matched stages, the correlations of the two
learning speeds) and its figures. Each folder class writes its own files
(``write``) and reads them back; a folder may come from someone else, so
what it reads is checked: JSON objects only, no path out of the folder,
no pickle.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any, Self

import numpy as np

from .. import __version__
from .._inputs import is_torch_dataset
from ..compare import RecordComparison
from ..frames import example_table
from ..record import PredictionRecord
from .descriptions import describe_comparison, describe_run
from .figures import write_comparison_figures, write_run_figures
from .summary import (
    DEFAULT_RANK_BY,
    comparison_summary,
    learning_speed_reliability,
    rank_examples,
    reliability_summary,
    stage_table,
)

__all__ = [
    "FOLDER_FORMAT",
    "FOLDER_VERSION",
    "ComparisonFolder",
    "RunFolder",
    "open_folder",
    "write_scores",
]

FOLDER_FORMAT = "sklearn-difficulty run folder"
FOLDER_VERSION = 1


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
        if not isinstance(version, int):
            raise ValueError(
                f"{folder.path / cls.summary_file}: its version must be an integer; "
                f"got {version!r}."
            )
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
        if not path.is_file():
            return {}
        try:
            summary = json.loads(path.read_text())
        except ValueError as error:
            raise ValueError(f"{path} is not readable JSON: {error}.") from error
        if not isinstance(summary, dict):
            raise ValueError(f"{path} must hold a JSON object; got {summary!r:.40}.")
        return summary

    @property
    def figures(self) -> list[str]:
        """The figures' file names, in the order the summary lists them.

        Only names of files in the folder itself: a name with a path in it
        is left out.
        """
        listed = self.summary.get("figures") or []
        return [
            name
            for name in listed
            if isinstance(name, str)
            and Path(name).name == name
            and (self.path / name).is_file()
        ]

    def _write_summary(self, content: dict) -> None:
        """The summary file: the format and its version, then ``content``."""
        summary = {"format": FOLDER_FORMAT, "version": FOLDER_VERSION, **content}
        (self.path / self.summary_file).write_text(json.dumps(summary, indent=2))


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

    @property
    def stages(self) -> list[dict]:
        """Accuracy, bi-modality and phase per stage (from the record if unsaved)."""
        return self.summary.get("stages") or stage_table(self.record)

    @property
    def ranking(self) -> dict[str, Any]:
        """The easiest and hardest training examples and the score that ranked them.

        A folder written before runs kept them is ranked by learning speed.
        """
        ranking = self.summary.get("ranking")
        if ranking is None:
            return rank_examples(self.record, DEFAULT_RANK_BY)
        kinds = ("easiest", "hardest")
        if not (
            isinstance(ranking, dict)
            and isinstance(ranking.get("score"), str)
            and all(isinstance(ranking.get(kind), list) for kind in kinds)
            and all(isinstance(row, dict) for kind in kinds for row in ranking[kind])
        ):
            raise ValueError(
                f"{self.path / self.summary_file}: its ranking must name a score "
                f"and list the easiest and hardest examples; got {ranking!r:.60}."
            )
        return ranking

    def examples(self) -> dict | None:
        """The easiest and hardest training images with their indices, if kept."""
        path = self.path / "examples.npz"
        if not path.is_file():
            return None
        with np.load(path, allow_pickle=False) as data:
            return {key: data[key] for key in data.files}

    def write(
        self,
        record: PredictionRecord,
        summary: dict,
        *,
        images=None,
        rank_by: str = DEFAULT_RANK_BY,
    ) -> Self:
        """Write the record, scores, figures, examples and summary of a run.

        ``summary`` says what was run; what came out is added to it.
        ``images`` are the training images (an array or a Dataset) when the
        data are images: the easiest and hardest by the registered score
        ``rank_by`` are kept for the report.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        record.save(self.path / "record.npz")
        self._record = record
        try:
            ranking = rank_examples(record, rank_by)
        except ValueError as error:  # the training is not lost: say where it is
            raise ValueError(
                f"the record is saved in {self.path / 'record.npz'}, but its "
                f"examples cannot be ranked by {rank_by!r}: {error}"
            ) from error
        write_scores(record, self.path / "scores.csv")
        reliability = learning_speed_reliability(record)
        figures = write_run_figures(record, self.path, reliability)
        if images is not None:
            arrays: dict[str, Any] = {}
            for kind in ("easiest", "hardest"):
                rows = np.array([row["index"] for row in ranking[kind]], dtype=np.intp)
                arrays[f"{kind}_images"] = _images_of(images, rows)
                arrays[f"{kind}_indices"] = rows
            np.savez(self.path / "examples.npz", **arrays)
        self._write_summary(
            {
                "sklearn_difficulty": __version__,
                **summary,
                "members": record.n_members,
                "stage_kind": record.stage_kind,
                "figures": figures,
                "reliability": reliability_summary(reliability),
                "stages": stage_table(record),
                "ranking": ranking,
            }
        )
        return self

    def describe(self) -> str:
        """What a person reads after the run: accuracy, phases, reliability."""
        summary = self.summary
        return describe_run(
            summary,
            stages=self.stages,
            stage_kind=summary.get("stage_kind") or self.record.stage_kind,
            path=self.path,
        )


class ComparisonFolder(_Folder):
    """A comparison of two runs on disk: ``comparison.json`` and its figures."""

    kind = "comparison"
    main_file = summary_file = "comparison.json"

    def write(
        self,
        comparison: RecordComparison,
        *,
        runs,
        tolerance: float,
        bootstraps: int,
    ) -> Self:
        """Write the figures and ``comparison.json`` of a comparison of two runs.

        ``runs`` are the two run folders' paths; ``tolerance`` and
        ``bootstraps`` what :func:`~sklearn_difficulty.compare.compare_records`
        was given.
        """
        figures = write_comparison_figures(comparison, self.path)
        self._write_summary(
            {
                **comparison_summary(
                    comparison, runs=runs, tolerance=tolerance, bootstraps=bootstraps
                ),
                "figures": figures,
            }
        )
        return self

    def describe(self) -> str:
        """One line: the matched stages and the correlation of the speeds."""
        return describe_comparison(self.summary, path=self.path)


def open_folder(path) -> RunFolder | ComparisonFolder:
    """The run or comparison folder at ``path``; a clear error for anything else."""
    if (Path(path) / ComparisonFolder.main_file).is_file():
        return ComparisonFolder.open(path)
    return RunFolder.open(path)


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


def _images_of(images, rows) -> np.ndarray:
    """Some images of an array or a data set, as an array."""
    if not is_torch_dataset(images):
        return np.asarray(images)[rows]
    return np.stack([np.asarray(images[int(row)][0]) for row in rows])
