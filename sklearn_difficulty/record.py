"""The prediction record: what every member predicted, at every stage, on every set.

Everything this package measures is a pure function of a
:class:`PredictionRecord` (see :mod:`sklearn_difficulty.scores`).
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from ._record_files import (
    FORMAT_NAME,
    FORMAT_VERSION,
    read_record,
    unreadable,
    write_record,
)
from .stages import check_positions

__all__ = ["OUTPUTS", "PredictionRecord", "as_record", "label_dtype", "record_of"]

OUTPUTS = ("proba", "margin", "error_norm")
"""What a record can hold per member, stage and example beyond the label.

- "proba": the probability the member gives the true class;
- "margin": the true class's score minus the largest other class's score
  (see :class:`~sklearn_difficulty.EnsembleDifficulty`'s ``record_outputs``
  for what the score is for each kind of member);
- "error_norm": the L2 norm of the member's probability vector minus the
  one-hot true label, what EL2N (Paul et al. 2021) averages.
"""


def label_dtype(n_classes: int) -> np.dtype:
    """Smallest unsigned integer dtype that holds class indices ``0..n_classes-1``.

    Examples
    --------
    >>> from sklearn_difficulty.record import label_dtype
    >>> label_dtype(10), label_dtype(300)
    (dtype('uint8'), dtype('uint16'))
    """
    return np.min_scalar_type(max(int(n_classes) - 1, 0))


@dataclass(frozen=True, eq=False)
class PredictionRecord:
    """Predicted class indices of every member at every stage on every scored set.

    ``predictions[name][member, stage, sample]`` is the index (into
    ``classes``) of the label that member ``member`` predicted for example
    ``sample`` of the scored set ``name`` at stage ``stages[stage]``.

    Parameters
    ----------
    predictions : mapping of str to ndarray of shape (n_members, n_stages, n_samples)
        One integer array per scored set ("train" for the training set).
        Every array has the same number of members and stages.
    targets : mapping of str to ndarray of shape (n_samples,)
        The true class index of each example of each scored set, with the
        same keys as ``predictions``.
    classes : ndarray of shape (n_classes,)
        The labels that the class indices stand for.
    stages : ndarray of shape (n_stages,)
        The label of each stage: a boosting round, an epoch, an optimiser
        step, or 1 for a learner recorded once, after fitting. 0 is the
        untrained members.
    stage_kind : str, default="stage"
        What a stage is: "round", "epoch", "step" or "final".
    in_bag : ndarray of shape (n_members, n_samples_train), dtype=bool, default=None
        Whether member ``m`` was trained on training example ``i``; only for
        ensembles whose members train on subsets of the training set.
    seeds : ndarray of shape (n_members,), default=None
        The seed each member was fitted with.
    outputs : mapping of str to mapping of str to ndarray, default=None
        Optional real-valued outputs of every member at every stage on every
        example, beyond the predicted label: ``outputs[kind][name]`` has the
        shape of ``predictions[name]``, for each kind in :data:`OUTPUTS`
        ("proba", "margin", "error_norm") that was recorded and every scored
        set ``name``. Floating point (float16 or float32 keep it compact).
    steps : ndarray of shape (n_stages,), default=None
        Where each stage lies in training: the optimiser steps (training
        batches) taken before it, non-decreasing from 0; None where
        unknown (boosting rounds, a model recorded once).
    epochs : ndarray of shape (n_stages,), default=None
        The epochs completed at each stage, as a fraction (0.5 is half-way
        through the first epoch), non-decreasing from 0; None where unknown.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord, consistency
    >>> predictions = np.array([[[0, 1, 1]], [[0, 0, 1]]])  # 2 members, 1 stage
    >>> record = PredictionRecord(
    ...     predictions={"train": predictions}, targets={"train": np.array([0, 1, 0])},
    ...     classes=np.array(["cat", "dog"]), stages=np.array([1]))
    >>> record.n_members, record.n_stages, record.set_names
    (2, 1, ('train',))
    >>> consistency(record)
    array([[1. , 0.5, 0. ]])
    """

    predictions: Mapping[str, NDArray[np.integer]]
    targets: Mapping[str, NDArray[np.integer]]
    classes: NDArray
    stages: NDArray[np.integer]
    stage_kind: str = "stage"
    in_bag: NDArray[np.bool_] | None = None
    seeds: NDArray[np.integer] | None = field(default=None)
    outputs: Mapping[str, Mapping[str, NDArray[np.floating]]] | None = None
    steps: NDArray[np.integer] | None = None
    epochs: NDArray[np.floating] | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.predictions, Mapping) or not self.predictions:
            raise ValueError(
                "predictions must be a non-empty mapping of scored-set names to "
                "arrays of shape (n_members, n_stages, n_samples)."
            )
        if set(self.predictions) != set(self.targets):
            raise ValueError(
                "predictions and targets must name the same scored sets; got "
                f"{sorted(self.predictions)} and {sorted(self.targets)}."
            )
        classes = np.asarray(self.classes)
        stages = np.asarray(self.stages)
        if classes.ndim != 1 or classes.size == 0:
            raise ValueError("classes must be a non-empty 1-D array.")
        if stages.ndim != 1 or stages.size == 0:
            raise ValueError("stages must be a non-empty 1-D array.")
        object.__setattr__(self, "classes", classes)
        object.__setattr__(self, "stages", stages)

        predictions: dict[str, np.ndarray] = {}
        targets: dict[str, np.ndarray] = {}
        shape: tuple[int, ...] = ()
        for name in self.predictions:
            pred = np.asanyarray(self.predictions[name])  # a memmap stays one
            target = np.asarray(self.targets[name])
            if pred.ndim != 3 or pred.dtype.kind not in "iu":
                raise ValueError(
                    f"predictions[{name!r}] must be an integer array of shape "
                    f"(n_members, n_stages, n_samples); got {pred.dtype} of shape "
                    f"{pred.shape}."
                )
            if not shape:
                shape = pred.shape[:2]
            if pred.shape[:2] != shape:
                raise ValueError(
                    "every scored set must have the same numbers of members and "
                    f"stages; predictions[{name!r}] has {pred.shape[:2]}, another "
                    f"has {shape}."
                )
            if target.ndim != 1 or target.dtype.kind not in "iu":
                raise ValueError(f"targets[{name!r}] must be a 1-D integer array.")
            if target.shape[0] != pred.shape[2]:
                raise ValueError(
                    f"predictions[{name!r}] has {pred.shape[2]} samples but "
                    f"targets[{name!r}] has {target.shape[0]}."
                )
            for what, values in (("predictions", pred), ("targets", target)):
                if values.size and (values.min() < 0 or values.max() >= classes.size):
                    raise ValueError(
                        f"{what}[{name!r}] holds class indices outside "
                        f"[0, {classes.size}): each must index into classes."
                    )
            predictions[name], targets[name] = pred, target
        if shape[0] == 0:
            raise ValueError("a record needs at least one member.")
        if shape[1] != stages.size:
            raise ValueError(
                f"predictions have {shape[1]} stages but stages has {stages.size} "
                "labels."
            )
        object.__setattr__(self, "predictions", predictions)
        object.__setattr__(self, "targets", targets)

        if self.in_bag is not None:
            in_bag = np.asarray(self.in_bag, dtype=bool)
            if "train" not in predictions:
                raise ValueError("in_bag needs a scored set named 'train'.")
            expected = (shape[0], predictions["train"].shape[2])
            if in_bag.shape != expected:
                raise ValueError(
                    f"in_bag must have shape (n_members, n_samples_train) = "
                    f"{expected}; got {in_bag.shape}."
                )
            object.__setattr__(self, "in_bag", in_bag)
        if self.seeds is not None:
            seeds = np.asarray(self.seeds)
            if seeds.shape != (shape[0],):
                raise ValueError(f"seeds must have shape ({shape[0]},).")
            object.__setattr__(self, "seeds", seeds)
        object.__setattr__(self, "outputs", self._checked_outputs(predictions))
        self._check_positions(stages.size)

    def _check_positions(self, n_stages: int) -> None:
        """``steps`` and ``epochs``: one per stage, non-negative, non-decreasing."""
        for name in ("steps", "epochs"):
            if getattr(self, name) is not None:
                checked = check_positions(name, getattr(self, name), n_stages)
                object.__setattr__(self, name, checked)

    def _checked_outputs(self, predictions: dict) -> dict:
        outputs: dict[str, dict[str, np.ndarray]] = {}
        for kind, per_set in (self.outputs or {}).items():
            if kind not in OUTPUTS:
                raise ValueError(
                    f"outputs has an unknown kind {kind!r}; the kinds are {OUTPUTS}."
                )
            if not isinstance(per_set, Mapping) or set(per_set) != set(predictions):
                raise ValueError(
                    f"outputs[{kind!r}] must map every scored set "
                    f"{sorted(predictions)} to an array."
                )
            outputs[kind] = {}
            for name in predictions:
                values = np.asanyarray(per_set[name])  # a memmap stays one
                if values.dtype.kind != "f" or values.shape != predictions[name].shape:
                    raise ValueError(
                        f"outputs[{kind!r}][{name!r}] must be a floating-point array "
                        f"of the shape of predictions[{name!r}], "
                        f"{predictions[name].shape}; got {values.dtype} of shape "
                        f"{values.shape}."
                    )
                outputs[kind][name] = values
        return outputs

    @property
    def set_names(self) -> tuple[str, ...]:
        """Names of the scored sets, in the order they were given."""
        return tuple(self.predictions)

    @property
    def n_members(self) -> int:
        """Number of members."""
        return next(iter(self.predictions.values())).shape[0]

    @property
    def n_stages(self) -> int:
        """Number of recorded stages."""
        return self.stages.size

    @property
    def n_classes(self) -> int:
        """Number of classes."""
        return self.classes.size

    @property
    def stage_axis(self) -> tuple[NDArray, str]:
        """Where each stage lies, and what that counts: epochs where known.

        ``(epochs, "epoch")`` for a record that holds its stages' epochs
        (fractions where it was recorded after optimiser steps), else
        ``(stages, stage_kind)``: what plots put on their x axis.
        """
        if self.epochs is not None:
            return self.epochs, "epoch"
        return self.stages, self.stage_kind

    @property
    def output_kinds(self) -> tuple[str, ...]:
        """The outputs recorded beyond the labels (see :data:`OUTPUTS`)."""
        return tuple(self.outputs or {})

    def output(self, kind: str, name: str = "train") -> NDArray[np.floating]:
        """One recorded output of one scored set (see :data:`OUTPUTS`).

        Parameters
        ----------
        kind : {"proba", "margin", "error_norm"}
            The output (see :data:`OUTPUTS`).
        name : str, default="train"
            The scored set.

        Returns
        -------
        values : ndarray of shape (n_members, n_stages, n_samples)

        Raises
        ------
        ValueError
            When the record does not hold that output: it was fitted without
            it in ``record_outputs``.
        """
        if kind not in OUTPUTS:
            raise ValueError(f"kind must be one of {OUTPUTS}; got {kind!r}.")
        self.scored_set(name)
        outputs = self.outputs or {}
        if kind not in outputs:
            held = f"it holds {list(outputs)}" if outputs else "it holds labels only"
            raise ValueError(
                f"this record holds no {kind!r} output ({held}). Fit the ensemble "
                f"with record_outputs=({kind!r},) to record it"
                + (
                    ", with members that have predict_proba (or networks)."
                    if kind != "margin"
                    else ", with members that have decision_function or "
                    "predict_proba (or networks)."
                )
            )
        return outputs[kind][name]

    def select_members(self, members) -> PredictionRecord:
        """A record of some of the members only (in the order given).

        Parameters
        ----------
        members : array-like of int or bool
            Indices of the members kept (repeats allowed, as a bootstrap
            draws them), or a boolean mask over the members.

        Returns
        -------
        record : PredictionRecord
            Its arrays are copies (memory-mapped arrays are read).

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_difficulty import PredictionRecord
        >>> record = PredictionRecord(
        ...     predictions={"train": np.array([[[0, 1]], [[1, 1]], [[0, 0]]])},
        ...     targets={"train": np.array([0, 1])},
        ...     classes=np.array([0, 1]), stages=np.array([1]))
        >>> record.select_members([2, 0]).predictions["train"][:, 0].tolist()
        [[0, 0], [0, 1]]
        """
        index = np.asarray(members)
        if index.dtype == bool:
            if index.shape != (self.n_members,):
                raise ValueError(
                    f"a mask of members must have shape ({self.n_members},)."
                )
            index = np.flatnonzero(index)
        if index.ndim != 1 or index.size == 0 or index.dtype.kind not in "iu":
            raise ValueError("members must be a non-empty 1-D array of indices.")
        if index.min() < -self.n_members or index.max() >= self.n_members:
            raise ValueError(f"members holds indices outside [0, {self.n_members}).")
        return PredictionRecord(
            predictions={n: p[index] for n, p in self.predictions.items()},
            targets=self.targets,
            classes=self.classes,
            stages=self.stages,
            stage_kind=self.stage_kind,
            in_bag=None if self.in_bag is None else self.in_bag[index],
            seeds=None if self.seeds is None else self.seeds[index],
            outputs={
                kind: {n: v[index] for n, v in per_set.items()}
                for kind, per_set in (self.outputs or {}).items()
            },
            steps=self.steps,
            epochs=self.epochs,
        )

    def scored_set(self, name: str = "train") -> tuple[NDArray, NDArray]:
        """Return the predictions and true class indices of one scored set.

        Parameters
        ----------
        name : str, default="train"
            The scored set.

        Returns
        -------
        predictions : ndarray of shape (n_members, n_stages, n_samples)
        targets : ndarray of shape (n_samples,)
        """
        if name not in self.predictions:
            raise ValueError(
                f"this record has no scored set named {name!r}; it has "
                f"{list(self.predictions)}."
            )
        return self.predictions[name], self.targets[name]

    def save(self, path: str | os.PathLike) -> None:
        """Write the record without pickle: one ``.npz`` file, or a folder.

        A path ending in ``.npz`` gets one file of plain arrays and a JSON
        string of metadata with a format version. Any other path is a folder
        of ``.npy`` files (one per array) and ``metadata.json``, which
        :meth:`load` can memory-map, for records larger than memory. Nothing
        is pickled, and :meth:`load` unpickles nothing, so a record from
        someone else cannot run code. Each file is written to a temporary
        name and renamed: a killed run leaves the previous file or none,
        never half of one, and a file or symbolic link already at the path
        is replaced, never written through (``metadata.json`` of a folder is
        written last).

        Parameters
        ----------
        path : str or path-like
            A ``.npz`` file, or a folder.

        Notes
        -----
        Format version 2 adds the optional outputs (one array per kind and
        scored set, ``outputs_<kind>_<index>``), version 3 the optional
        positions of the stages (``steps`` and ``epochs``); records of
        versions 1 (sklearn-difficulty 0.1, labels only) and 2 load
        unchanged, without positions.

        Examples
        --------
        >>> import os, tempfile
        >>> import numpy as np
        >>> from sklearn_difficulty import PredictionRecord
        >>> record = PredictionRecord(
        ...     predictions={"train": np.zeros((2, 1, 3), np.uint8)},
        ...     targets={"train": np.array([0, 1, 0])},
        ...     classes=np.array(["cat", "dog"]), stages=np.array([1]))
        >>> path = os.path.join(tempfile.mkdtemp(), "record.npz")
        >>> record.save(path)
        >>> PredictionRecord.load(path).classes
        array(['cat', 'dog'], dtype='<U3')
        """
        metadata = {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "set_names": list(self.predictions),
            "stage_kind": self.stage_kind,
            "outputs": list(self.outputs or {}),
        }
        arrays = {"classes": _without_objects(self.classes), "stages": self.stages}
        for index, name in enumerate(self.predictions):
            arrays[f"predictions_{index}"] = self.predictions[name]
            arrays[f"targets_{index}"] = self.targets[name]
        for kind, per_set in (self.outputs or {}).items():
            for index, name in enumerate(self.predictions):
                arrays[f"outputs_{kind}_{index}"] = per_set[name]
        if self.in_bag is not None:
            arrays["in_bag"] = self.in_bag
        if self.seeds is not None:
            arrays["seeds"] = self.seeds
        for name in ("steps", "epochs"):
            if getattr(self, name) is not None:
                arrays[name] = getattr(self, name)
        write_record(path, metadata, arrays)

    @classmethod
    def load(cls, path: str | os.PathLike, *, mmap_mode=None) -> PredictionRecord:
        """Read a record written by :meth:`save`, trusting nothing in it.

        The record may come from someone else, or be half-written by a
        killed run. Nothing is unpickled. The metadata is read first and
        checked; then only the arrays it implies are read, each after its
        header: dtype, shape and size are checked against the metadata, the
        other arrays and the bytes stored, so an array that is too large or
        missing data is refused before it is read. Keys of a ``.npz`` (files
        of a folder) that the format does not name are ignored and never
        read. In a folder, a file that is a symbolic link, or not a regular
        file, is refused.

        Parameters
        ----------
        path : str or path-like
            The ``.npz`` file, or the folder.
        mmap_mode : {None, "r", "r+", "c"}, default=None
            For a folder: memory-map the predictions and outputs instead of
            reading them.

        Returns
        -------
        record : PredictionRecord

        Raises
        ------
        ValueError
            When ``path`` is not a readable prediction record (not a record,
            damaged or truncated, a newer format, pickled objects, a wrong
            metadata field or array): one message naming the file and what
            is wrong.
        FileNotFoundError
            When there is nothing at ``path``.
        """
        metadata, arrays = read_record(path, mmap_mode=mmap_mode, output_kinds=OUTPUTS)
        names = metadata["set_names"]
        try:
            return cls(
                predictions={
                    n: arrays[f"predictions_{i}"] for i, n in enumerate(names)
                },
                targets={n: arrays[f"targets_{i}"] for i, n in enumerate(names)},
                classes=arrays["classes"],
                stages=arrays["stages"],
                stage_kind=metadata["stage_kind"],
                in_bag=arrays.get("in_bag"),
                seeds=arrays.get("seeds"),
                outputs={
                    kind: {
                        n: arrays[f"outputs_{kind}_{i}"] for i, n in enumerate(names)
                    }
                    for kind in metadata["outputs"]
                },
                steps=arrays.get("steps"),
                epochs=arrays.get("epochs"),
            )
        except ValueError as error:
            raise unreadable(path, str(error)) from None


def record_of(source) -> PredictionRecord | None:
    """The record of ``source`` (itself, or an ensemble's ``record_``), or None.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.record import record_of
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> ensemble = EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=2,
    ...                               max_samples=4, random_state=0)
    >>> record_of(ensemble) is None  # not fitted: no record yet
    True
    >>> record = record_of(ensemble.fit(X, y))
    >>> record is ensemble.record_, record_of(record) is record
    (True, True)
    """
    record = getattr(source, "record_", source)
    return record if isinstance(record, PredictionRecord) else None


def as_record(source, name: str = "source") -> PredictionRecord:
    """:func:`record_of`, or a TypeError naming the argument ``name``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.record import as_record
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> ensemble = EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=2,
    ...                               max_samples=4, random_state=0)
    >>> as_record(ensemble, "reference")
    Traceback (most recent call last):
    ...
    TypeError: reference must be a PredictionRecord or a fitted EnsembleDifficulty; \
got EnsembleDifficulty.
    >>> as_record(ensemble.fit(X, y), "reference").n_members
    2
    """
    record = record_of(source)
    if record is None:
        raise TypeError(
            f"{name} must be a PredictionRecord or a fitted EnsembleDifficulty; "
            f"got {type(source).__name__}."
        )
    return record


def _without_objects(classes: np.ndarray) -> np.ndarray:
    """Classes as an array that saves without pickle."""
    if classes.dtype != object:
        return classes
    kinds = {type(label) for label in classes.tolist()}
    if kinds <= {str}:
        return classes.astype(str)
    if kinds <= {int, bool}:
        return classes.astype(np.int64)
    if kinds <= {int, float}:
        return classes.astype(np.float64)
    raise TypeError(
        "the classes of this record mix labels of types "
        f"{sorted(kind.__name__ for kind in kinds)}, which cannot be saved "
        "without pickle; use labels of one kind (all strings or all numbers)."
    )
