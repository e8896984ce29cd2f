"""The folder format: what a run folder and a comparison folder hold.

A run folder (:class:`RunFolder`) holds

- ``record.npz``: the prediction record (plain arrays and JSON metadata with
  a format version, loaded without pickle);
- ``scores.csv``: one row per example of each scored set;
- ``summary.json``: the folder's format and version, whether the run is
  complete, what was run, the position (optimiser step and epoch, where the
  record knows them), accuracy, bi-modality and phase per stage, the
  split-half reliability of the learning speed and the members it needs,
  and the easiest and hardest training examples by the score that ranked
  them (see :mod:`sklearn_difficulty.runs.summary`);
- its figures as PNG (:mod:`sklearn_difficulty.runs.figures`);
- ``examples.npz``: the easiest and hardest training images, when the data
  are images;
- ``report.html``, once a report is written, and ``members/``, the cache of
  its members (:attr:`RunFolder.memory_path`).

A comparison folder (:class:`ComparisonFolder`) holds ``comparison.json``
(its format and version, the matched stages, the correlations of the two
learning speeds) and its figures.

The life of a folder
--------------------
:meth:`~RunFolder.create` is called before any training: it makes the
folder (and its parents), checks that it can be written, and refuses a
path that is a file, a folder that holds files of someone else's (anything
but a folder of this kind: never emptied, even with ``overwrite``) and a
complete folder of this kind unless ``overwrite`` is given; an unfinished
run is accepted, to be resumed. ``overwrite`` removes exactly the files
the format owns (those above, the figures' names and our temporary files)
and nothing else; the member cache ``members/`` is kept, as its entries
are keyed by everything that shapes a member. :meth:`~RunFolder.begin`
writes a summary that says ``"complete": false``; :meth:`~RunFolder.write`
writes every file, each to a temporary file renamed over its target, and
the summary last, with ``"complete": true``. So a killed run leaves a
folder that says it is unfinished, and :meth:`~RunFolder.open` (and with
it ``report`` and ``compare``) refuses it and says how to resume it.

Reading
-------
A folder may come from someone else, so what it reads goes through the
schema of :mod:`~sklearn_difficulty.runs._schema` (one :class:`ValueError`
naming the file and the field), the summary is checked against the record
(stages, members, example indices), the figures are only the PNG files the
format names, inside the folder
(:func:`~sklearn_difficulty.runs.figures.read_figure`), and nothing is
unpickled. Version 1 folders (no ``complete``) are complete: their summary
was written last. Version 2 folders open as they were, their stages without
positions.
"""

from __future__ import annotations

import copy
import json
import os
from pathlib import Path
from typing import Any, Self

import numpy as np

from .. import __version__
from .._files import PROBE_NAME, is_temporary_of, writable_folder, write_atomically
from .._inputs import is_torch_dataset
from ..compare import RecordComparison
from ..record import PredictionRecord
from ._schema import (
    check_comparison_summary,
    check_envelope,
    check_positions,
    check_run_summary,
    read_examples,
    read_summary,
)
from .descriptions import describe_comparison, describe_run
from .figures import (
    is_figure_name,
    read_figure,
    write_comparison_figures,
    write_run_figures,
)
from .summary import (
    DEFAULT_RANK_BY,
    comparison_summary,
    learning_speed_reliability,
    rank_examples,
    reliability_summary,
    stage_table,
    write_scores,
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
FOLDER_VERSION = 3
# 2: "complete" in the summary, written first and last; 3: each stage's step
# and epoch, where the record knows them, and what the run recorded after
# ("record_every")
MEMORY_FOLDER = "members"  # a run's member cache, never removed by overwrite


class _Folder:
    """What the run and comparison folders share: open, create, summary, figures.

    A subclass names its ``kind``, the file that makes a folder one of its
    kind (``main_file``), the JSON file of its summary (``summary_file``)
    and the files the format owns besides its figures (``owned_files``).
    """

    kind: str
    main_file: str
    summary_file: str
    owned_files: tuple[str, ...]

    def __init__(self, path: str | os.PathLike) -> None:
        self.path = Path(path)
        self._summary: dict | None = None

    def __repr__(self) -> str:
        return f"{type(self).__name__}({str(self.path)!r})"

    @classmethod
    def open(cls, path) -> Self:
        """An existing, complete folder of this kind; a clear error for anything else.

        Raises
        ------
        FileNotFoundError
            If the folder holds no folder of this kind.
        ValueError
            If its files do not match the format (naming the file and the
            field), or it is unfinished (saying how to resume it).
        """
        folder = cls(path)
        main, summary = folder.path / cls.main_file, folder.path / cls.summary_file
        absent = f"{folder.path} holds no {cls.kind} (no {cls.main_file})."
        if not (main.is_file() or summary.is_file()):
            raise FileNotFoundError(absent)
        if not folder.complete:
            raise ValueError(folder._unfinished())
        if not main.is_file():
            raise FileNotFoundError(absent)
        return folder

    @classmethod
    def create(cls, path, *, overwrite: bool = False) -> Self:
        """A folder to write into, made and checked before any training.

        Parameters
        ----------
        path : str or path-like
            The folder; it is made, with its parents.
        overwrite : bool, default=False
            Replace a complete folder of this kind: the files the format
            owns are removed (the member cache is kept), nothing else.

        Raises
        ------
        NotADirectoryError
            If ``path`` is a file.
        PermissionError or OSError
            If the folder cannot be made or written.
        FileExistsError
            If it holds files that are not a folder of this kind (even with
            ``overwrite``), or a complete one (without ``overwrite``). An
            unfinished run is accepted: it is resumed.
        """
        folder = cls(path)
        where = folder.path
        try:
            writable_folder(where)
        except NotADirectoryError as error:
            raise NotADirectoryError(f"{error} Choose another out.") from error
        entries = sorted(
            entry.name
            for entry in where.iterdir()
            if not is_temporary_of(entry.name, cls._owns)
        )
        if not entries:
            return folder
        if not folder._is_ours():
            shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
            raise FileExistsError(
                f"{where} holds files that are not a {cls.kind} of sklearn-difficulty "
                f"({shown}); choose a new or empty folder for out. Nothing in it "
                "is replaced, even with overwrite."
            )
        if overwrite:  # the files the format owns, and only them (never a folder)
            for entry in where.iterdir():
                if cls._owns(entry.name) and (entry.is_symlink() or entry.is_file()):
                    entry.unlink()
        elif folder._finished():
            raise FileExistsError(
                f"{where} already holds a {cls.kind}; choose another out, or "
                "pass overwrite=True (--overwrite) to replace it."
            )
        return folder

    @classmethod
    def _owns(cls, name: str) -> bool:
        """Whether the format owns a file of this name (or our temporary of one)."""
        if name in cls.owned_files or is_figure_name(name) or name == PROBE_NAME:
            return True
        return is_temporary_of(name, cls._owns)

    def _is_ours(self) -> bool:
        """Whether the folder is one of this kind, finished or not."""
        path = self.path / self.summary_file
        if path.is_file():
            try:
                return read_summary(path).get("format") == FOLDER_FORMAT
            except ValueError:
                return False
        return (self.path / self.main_file).is_file()

    def _finished(self) -> bool:
        """Whether a folder of ours says it is complete (not checked further)."""
        path = self.path / self.summary_file
        return path.is_file() and read_summary(path).get("complete", True) is not False

    def _unfinished(self) -> str:
        return (
            f"{self.path} holds an unfinished {self.kind} (killed, or still "
            f"running): it has nothing to show yet. To resume it, run the same "
            f"command again with the same out."
        )

    @property
    def complete(self) -> bool:
        """Whether the folder holds a finished run (or comparison).

        Version 1 folders (no "complete" in the summary) are complete once
        their summary exists, since it was written last.
        """
        if not (self.path / self.summary_file).is_file():
            return False
        return self.summary.get("complete", True)

    @property
    def summary(self) -> dict:
        """The summary file, checked: what was run and what came out ({} if absent).

        Raises
        ------
        ValueError
            If it does not match the format, naming the file and the field.
        """
        if self._summary is None:
            path = self.path / self.summary_file
            self._summary = self._read_summary(path) if path.is_file() else {}
        return copy.deepcopy(self._summary)

    def _read_summary(self, path: Path) -> dict:
        summary = read_summary(path)
        envelope = check_envelope(
            summary, path, folder_format=FOLDER_FORMAT, newest=FOLDER_VERSION
        )
        if envelope.get("complete") is False:  # only the envelope is promised
            return summary
        return self._check_summary(summary, path)

    def _check_summary(self, summary: dict, path: Path) -> dict:
        raise NotImplementedError

    @property
    def figures(self) -> list[str]:
        """The figures' file names, in the order the summary lists them.

        Only the PNG files the format names, inside the folder
        (:func:`~sklearn_difficulty.runs.figures.read_figure`); anything
        else is left out.
        """
        return [name for name, _ in self.read_figures()]

    def read_figures(self) -> list[tuple[str, bytes]]:
        """Each figure's file name and PNG bytes, in the summary's order."""
        figures = []
        for name in dict.fromkeys(self.summary.get("figures") or []):
            data = read_figure(self.path, name)
            if data is not None:
                figures.append((name, data))
        return figures

    def begin(self, summary: dict) -> Self:
        """Write a summary that says the folder is unfinished, and what is run.

        The folder is then recognisably an unfinished folder of ours:
        :meth:`open` refuses it, :meth:`create` resumes it.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        self._write_summary({"sklearn_difficulty": __version__, **summary}, False)
        return self

    def _write_summary(self, content: dict, complete: bool) -> None:
        """The summary file: the format, its version, completeness, ``content``."""
        envelope = {"format": FOLDER_FORMAT, "version": FOLDER_VERSION}
        summary = {
            **envelope,
            "complete": complete,
            **{k: v for k, v in content.items() if k not in (*envelope, "complete")},
        }
        text = json.dumps(summary, indent=2)
        write_atomically(
            self.path / self.summary_file,
            lambda path: path.write_text(text, encoding="utf-8"),
        )
        self._summary = None

    def _remove_stale(self, keep) -> None:
        """Remove the figures not in ``keep``, and the old report."""
        for entry in self.path.iterdir():
            stale = (is_figure_name(entry.name) and entry.name not in keep) or (
                entry.name == "report.html"
            )
            if stale and (entry.is_symlink() or entry.is_file()):
                entry.unlink()


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
    >>> folder.record.n_members, folder.summary["model"], folder.complete
    (2, 'adaboost', True)
    """

    kind = "run"
    main_file = "record.npz"
    summary_file = "summary.json"
    owned_files = (
        "record.npz",
        "scores.csv",
        "summary.json",
        "examples.npz",
        "report.html",
    )

    def __init__(self, path: str | os.PathLike) -> None:
        super().__init__(path)
        self._record: PredictionRecord | None = None

    @property
    def memory_path(self) -> Path:
        """The run's member cache, ``<path>/members`` (kept by ``overwrite``)."""
        return self.path / MEMORY_FOLDER

    def _unfinished(self) -> str:
        return (
            f"{super()._unfinished()} Its finished members are kept in "
            f"{self.memory_path} and are not trained again."
        )

    def _check_summary(self, summary: dict, path: Path) -> dict:
        return check_run_summary(summary, path)

    @property
    def record(self) -> PredictionRecord:
        """The prediction record (read once); an error for an unfinished run."""
        if self._record is None:
            if not self.complete:
                raise ValueError(self._unfinished())
            self._record = PredictionRecord.load(self.path / "record.npz")
        return self._record

    @property
    def stages(self) -> list[dict]:
        """Position, accuracy, bi-modality and phase per stage (the record's if none).

        Raises
        ------
        ValueError
            If the summary's stages, their positions (step, epoch) or the
            members are not the record's.
        """
        summary, record = self.summary, self.record
        path = self.path / self.summary_file
        if summary.get("members", record.n_members) != record.n_members:
            raise ValueError(
                f"{path}: members must be the record's {record.n_members}; got "
                f"{summary['members']}."
            )
        stages = summary.get("stages")
        if stages is None:
            return stage_table(record)
        if [row["stage"] for row in stages] != record.stages.tolist():
            got = [row["stage"] for row in stages]
            raise ValueError(
                f"{path}: stages must be the record's stages "
                f"{record.stages.tolist()[:10]}; got {got[:10]}."
            )
        check_positions(stages, steps=record.steps, epochs=record.epochs, path=path)
        return stages

    @property
    def n_train(self) -> int:
        """The number of training examples in the record."""
        return int(self.record.predictions["train"].shape[2])

    @property
    def ranking(self) -> dict[str, Any]:
        """The easiest and hardest training examples and the score that ranked them.

        A folder written before runs kept them is ranked by learning speed.
        """
        ranking = self.summary.get("ranking")
        if ranking is None:
            return rank_examples(self.record, DEFAULT_RANK_BY)
        n_train = self.n_train
        for kind in ("easiest", "hardest"):
            for i, row in enumerate(ranking[kind]):
                if row["index"] >= n_train:
                    raise ValueError(
                        f"{self.path / self.summary_file}: ranking.{kind}[{i}].index "
                        f"must be below the record's {n_train} training examples; "
                        f"got {row['index']}."
                    )
        return ranking

    def examples(self) -> dict | None:
        """The easiest and hardest training images with their indices, if kept.

        Raises
        ------
        ValueError
            If ``examples.npz`` cannot be read, leaves the folder, or does
            not match the run (indices out of range or not the ranking's,
            images not one per index).
        """
        path = self.path / "examples.npz"
        if not path.is_file():
            return None
        if path.resolve().parent != self.path.resolve():
            raise ValueError(f"{path} must be a file in its folder, not a link out.")
        return read_examples(path, n_train=self.n_train, ranking=self.ranking)

    def write(
        self,
        record: PredictionRecord,
        summary: dict,
        *,
        images=None,
        rank_by: str = DEFAULT_RANK_BY,
    ) -> Self:
        """Write the record, scores, figures, examples and, last, the summary.

        ``summary`` says what was run; what came out is added to it. Each
        file is written to a temporary file and renamed; figures and
        examples of an earlier run that this one does not write are
        removed; the summary, written last, says ``"complete": true``.
        ``images`` are the training images (an array or a Dataset) when the
        data are images: the easiest and hardest by the registered score
        ``rank_by`` are kept for the report.
        """
        self.path.mkdir(parents=True, exist_ok=True)
        record.save(self.path / "record.npz")  # written aside and renamed
        self._record = record
        try:
            ranking = rank_examples(record, rank_by)
        except ValueError as error:  # the training is not lost: say where it is
            raise ValueError(
                f"the record is saved in {self.path / 'record.npz'}, but its "
                f"examples cannot be ranked by {rank_by!r}: {error}"
            ) from error
        write_atomically(self.path / "scores.csv", lambda p: write_scores(record, p))
        reliability = learning_speed_reliability(record)
        figures = write_run_figures(record, self.path, reliability)
        self._remove_stale(figures)
        self._write_examples(images, ranking)
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
            },
            True,
        )
        return self

    def _write_examples(self, images, ranking: dict) -> None:
        path = self.path / "examples.npz"
        if images is None:
            if path.is_symlink() or path.is_file():
                path.unlink()  # another run's images: never shown under this one
            return
        arrays: dict[str, Any] = {}
        for kind in ("easiest", "hardest"):
            rows = np.array([row["index"] for row in ranking[kind]], dtype=np.intp)
            arrays[f"{kind}_images"] = _images_of(images, rows)
            arrays[f"{kind}_indices"] = rows
        write_atomically(path, lambda p: np.savez(p, **arrays))

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
    """A comparison of two runs on disk: ``comparison.json`` and its figures.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_difficulty.runs import ComparisonFolder
    >>> with tempfile.TemporaryDirectory() as tmp:  # begun: unfinished until written
    ...     folder = ComparisonFolder.create(tmp).begin({"names": ["cnn", "adaboost"]})
    ...     folder.complete, folder.summary["names"]
    (False, ['cnn', 'adaboost'])
    """

    kind = "comparison"
    main_file = summary_file = "comparison.json"
    owned_files = ("comparison.json", "report.html")

    def _check_summary(self, summary: dict, path: Path) -> dict:
        return check_comparison_summary(summary, path)

    def write(
        self, comparison: RecordComparison, *, runs, tolerance: float, bootstraps: int
    ) -> Self:
        """Write the figures and ``comparison.json`` of a comparison of two runs.

        ``runs`` are the two run folders' paths; ``tolerance`` and
        ``bootstraps`` what :func:`~sklearn_difficulty.compare.compare_records`
        was given. ``comparison.json`` says the folder is unfinished until
        the figures are written.
        """
        content = comparison_summary(
            comparison, runs=runs, tolerance=tolerance, bootstraps=bootstraps
        )
        self.begin(content)
        figures = write_comparison_figures(comparison, self.path)
        self._remove_stale(figures)
        self._write_summary({**content, "figures": figures}, True)
        return self

    def describe(self) -> str:
        """One line: the matched stages and the correlation of the speeds."""
        return describe_comparison(self.summary, path=self.path)


def open_folder(path) -> RunFolder | ComparisonFolder:
    """The run or comparison folder at ``path``; a clear error for anything else.

    Examples
    --------
    >>> import tempfile
    >>> from sklearn_difficulty.runs import ComparisonFolder, open_folder
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     open_folder(ComparisonFolder.create(tmp).begin({}).path)
    Traceback (most recent call last):
    ValueError: ... holds an unfinished comparison (killed, or still running): ...
    """
    if (Path(path) / ComparisonFolder.main_file).is_file():
        return ComparisonFolder.open(path)
    return RunFolder.open(path)


def _images_of(images, rows) -> np.ndarray:
    """Some images of an array or a data set, as an array."""
    if not is_torch_dataset(images):
        return np.asarray(images)[rows]
    return np.stack([np.asarray(images[int(row)][0]) for row in rows])
