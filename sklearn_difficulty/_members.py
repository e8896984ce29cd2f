"""Fitting one member and recording its predictions at every stage.

Each member is fitted by :func:`fit_member`, a module-level function that
:class:`~sklearn_difficulty.EnsembleDifficulty` runs through joblib. How a
member's stages are recorded depends on what its estimator offers; each way
is a *recorder*: a function that fits the member and returns the stages it
recorded with its predicted labels on every scored set at those stages.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from numpy.typing import DTypeLike
from sklearn.naive_bayes import _BaseNB
from sklearn.utils import _safe_indexing
from sklearn.utils.random import sample_without_replacement
from sklearn.utils.validation import _check_method_params, _num_samples

from .record import PredictionRecord

MAX_SEED = np.iinfo(np.int32).max

STAGE_KINDS = {
    "staged_predict": "round",
    "partial_fit": "epoch",
    "skorch": "epoch",
    "vectorised": "epoch",
    "final": "final",
}


def is_skorch_net(estimator) -> bool:
    """Whether ``estimator`` is a skorch network (without importing skorch)."""
    return any(
        cls.__module__.split(".")[0] == "skorch" for cls in type(estimator).__mro__
    )


def resolve_stage_method(estimator, stage_method: str) -> str:
    """Choose how to record a member's stages.

    ``"auto"`` picks ``skorch`` (one stage per epoch, from a callback) for a
    skorch network, ``staged_predict`` (one stage per boosting round) when
    the estimator has it, else ``partial_fit`` (one stage per epoch) when it
    has it, else ``final`` (the fitted model alone). Naive Bayes models have
    ``partial_fit`` but count the same statistics again in every epoch, so
    ``"auto"`` records them once, after fitting. A network that trains its
    members together (``fit_members``, as ``nets.VectorisedCNN``) is
    ``vectorised``.
    """
    if stage_method == "vectorised" or (
        stage_method == "auto" and hasattr(estimator, "fit_members")
    ):
        if not hasattr(estimator, "fit_members"):
            raise ValueError(
                "stage_method='vectorised' needs a network that trains its members "
                f"together (nets.VectorisedCNN); got {type(estimator).__name__}."
            )
        return "vectorised"
    if stage_method == "skorch" or (
        stage_method == "auto" and is_skorch_net(estimator)
    ):
        if not is_skorch_net(estimator):
            raise ValueError(
                f"stage_method='skorch' needs a skorch network; got "
                f"{type(estimator).__name__}."
            )
        if not hasattr(estimator, "classes"):
            raise ValueError(
                f"{type(estimator).__name__} is not a skorch classifier with "
                "one output per class (NeuralNetClassifier or SkorchCNN)."
            )
        return "skorch"
    if stage_method == "auto":
        if hasattr(estimator, "staged_predict"):
            return "staged_predict"
        if hasattr(estimator, "partial_fit") and not isinstance(estimator, _BaseNB):
            return "partial_fit"
        return "final"
    if stage_method != "final" and not hasattr(estimator, stage_method):
        raise ValueError(
            f"stage_method={stage_method!r} needs an estimator with a "
            f"{stage_method} method; {type(estimator).__name__} has none."
        )
    return stage_method


def seed_estimator(estimator, random_state: np.random.RandomState) -> None:
    """Give every ``random_state`` parameter of ``estimator`` its own seed.

    Nested parameters (``estimator__random_state`` of a boosting model, the
    steps of a pipeline) are seeded too, in a fixed order, so the same
    ``random_state`` gives the same member.
    """
    seeds = {
        key: random_state.randint(MAX_SEED)
        for key in sorted(estimator.get_params(deep=True))
        if key == "random_state" or key.endswith("__random_state")
    }
    if seeds:
        estimator.set_params(**seeds)


def draw_training_indices(
    random_state: np.random.RandomState,
    n_samples: int,
    n_draw: int | None,
    bootstrap: bool,
) -> np.ndarray | None:
    """Indices of the training examples of one member; None for all of them."""
    if bootstrap:
        return random_state.randint(0, n_samples, n_draw or n_samples)
    if n_draw is None or n_draw == n_samples:
        return None
    return np.sort(
        sample_without_replacement(n_samples, n_draw, random_state=random_state)
    )


def encode_labels(labels, classes: np.ndarray, dtype: DTypeLike) -> np.ndarray:
    """Class indices of ``labels``; an error if a label is not in ``classes``."""
    labels = np.asarray(labels)
    if labels.dtype.kind in "iu" and _are_indices(classes):
        # Labels 0..n_classes-1 are their own indices: only check the range.
        if labels.size and (labels.min() < 0 or labels.max() >= classes.size):
            unknown = (labels < 0) | (labels >= classes.size)
            _raise_unknown(labels[unknown])
        return labels.astype(dtype, copy=False)
    codes = np.searchsorted(classes, labels)
    codes = np.clip(codes, 0, classes.size - 1)
    unknown = classes[codes] != labels
    if np.any(unknown):
        _raise_unknown(labels[unknown])
    return codes.astype(dtype, copy=False)


def _are_indices(classes: np.ndarray) -> bool:
    return (
        classes.dtype.kind in "iu"
        and classes[0] == 0
        and classes[-1] == classes.size - 1  # sorted and unique, so 0..K-1
    )


def _raise_unknown(labels: np.ndarray):
    raise ValueError(
        "a member predicted labels never seen in training: "
        f"{np.unique(labels)[:10].tolist()}."
    )


def _predict_all(estimator, scored: Sequence, encode) -> list[np.ndarray]:
    return [encode(index, estimator.predict(X)) for index, X in enumerate(scored)]


def _is_kept(stage: int, step: int) -> bool:
    return stage % step == 0


def record_staged(estimator, X, y, fit_params, scored, *, step, encode, **_):
    """Fit, then read one stage per boosting round from ``staged_predict``."""
    estimator.fit(X, y, **fit_params)
    stages, kept = [], [[] for _ in scored]
    for set_index, X_scored in enumerate(scored):
        last = None
        for stage, labels in enumerate(estimator.staged_predict(X_scored), start=1):
            if _is_kept(stage, step):
                kept[set_index].append(encode(set_index, labels))
                if set_index == 0:
                    stages.append(stage)
            last = stage, labels
        if last is None:
            raise ValueError(
                f"{type(estimator).__name__}.staged_predict yielded no stage."
            )
        if not _is_kept(last[0], step):  # the last round is always kept
            kept[set_index].append(encode(set_index, last[1]))
            if set_index == 0:
                stages.append(last[0])
    return np.asarray(stages), [np.stack(labels) for labels in kept]


def record_epochs(
    estimator,
    X,
    y,
    fit_params,
    scored,
    *,
    step,
    n_epochs,
    classes,
    random_state,
    encode,
    **_,
):
    """One epoch per ``partial_fit`` call, over the data in a member-own order."""
    n_samples = _num_samples(X)
    stages, kept = [], [[] for _ in scored]
    for epoch in range(1, n_epochs + 1):
        order = random_state.permutation(n_samples)
        estimator.partial_fit(
            _safe_indexing(X, order),
            _safe_indexing(y, order),
            classes=classes,
            **_check_method_params(X, fit_params, order),
        )
        loss = getattr(estimator, "loss_", None)
        if loss is not None and not np.isfinite(loss):
            raise FloatingPointError(
                f"the training loss of {type(estimator).__name__} became {loss} at "
                f"epoch {epoch}."
            )
        if _is_kept(epoch, step) or epoch == n_epochs:
            stages.append(epoch)
            for labels, predicted in zip(
                kept, _predict_all(estimator, scored, encode), strict=True
            ):
                labels.append(predicted)
    return np.asarray(stages), [np.stack(labels) for labels in kept]


def record_final(estimator, X, y, fit_params, scored, *, encode, **_):
    """Fit, then record the fitted model once."""
    estimator.fit(X, y, **fit_params)
    predicted = _predict_all(estimator, scored, encode)
    return np.array([1]), [labels[np.newaxis] for labels in predicted]


def record_skorch(*args, **kwargs):
    """One stage per epoch of a skorch network (needs torch and skorch)."""
    from .nets._recorder import record_skorch

    return record_skorch(*args, **kwargs)


RECORDERS: dict[str, Callable] = {
    "staged_predict": record_staged,
    "partial_fit": record_epochs,
    "skorch": record_skorch,
    "final": record_final,
}


def fit_member(
    estimator,
    seed: int,
    X,
    y,
    fit_params: dict,
    scored: Sequence,
    scored_names: Sequence[str],
    *,
    stage_method: str,
    classes: np.ndarray,
    label_dtype: np.dtype,
    n_epochs: int,
    step: int,
    n_draw: int | None,
    bootstrap: bool,
):
    """Seed, fit and record one member.

    Returns the fitted estimator, the stages it recorded, its predicted class
    indices on each scored set (one array of shape (n_stages, n_samples) per
    set) and the indices of the examples it trained on (None for all).
    """
    random_state = np.random.RandomState(seed)
    seed_estimator(estimator, random_state)
    indices = draw_training_indices(random_state, _num_samples(X), n_draw, bootstrap)
    if indices is not None:
        fit_params = _check_method_params(X, fit_params, indices)
        X, y = _safe_indexing(X, indices), _safe_indexing(y, indices)

    def encode(set_index, labels):
        try:
            return encode_labels(labels, classes, label_dtype)
        except ValueError as error:
            error.add_note(f"(recording the scored set {scored_names[set_index]!r})")
            raise

    stages, predictions = RECORDERS[stage_method](
        estimator,
        X,
        y,
        fit_params,
        scored,
        step=step,
        n_epochs=n_epochs,
        classes=classes,
        random_state=random_state,
        encode=encode,
    )
    return estimator, stages, predictions, indices


def fit_member_guarded(function, on_error: str, *args, **kwargs):
    """Run ``function`` (fit_member, cached or not): ``(result, None)``.

    With ``on_error="drop"``, a failure comes back as ``(None, "Type:
    message")`` instead of stopping the other members; failures are never
    cached, so a later fit tries the member again.
    """
    if on_error == "raise":
        return function(*args, **kwargs), None
    try:
        return function(*args, **kwargs), None
    except Exception as error:  # every failure of a member is reported
        return None, f"{type(error).__name__}: {error}"


def align_stages(member_stages: Sequence[np.ndarray], step: int) -> np.ndarray:
    """The common stage grid of all members.

    Every ``step``-th stage up to the last stage any member reached, and that
    last stage. Members that stopped early (early stopping, a perfect fit)
    predict at later stages what their final model predicts.
    """
    last = max(int(stages[-1]) for stages in member_stages)
    grid = np.arange(step, last + 1, step)
    if grid.size == 0 or grid[-1] != last:
        grid = np.append(grid, last)
    return grid


def stage_positions(stages: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Position in a member's ``stages`` of its prediction at each grid stage."""
    return np.searchsorted(stages, grid, side="right") - 1


def build_record(
    results: Sequence,
    *,
    names: Sequence[str],
    n_samples: Sequence[int],
    targets: Sequence[np.ndarray],
    classes: np.ndarray,
    stage_kind: str,
    step: int,
    subsets: bool,
    seeds: np.ndarray,
    folder=None,
) -> PredictionRecord:
    """Put the members' results (from :func:`fit_member`) on one stage grid.

    With ``folder``, the predictions are written into memory-mapped files
    there (the folder format of :meth:`PredictionRecord.save`) instead of
    memory, and the record reads them back memory-mapped.
    """
    stages = align_stages([member_stages for _, member_stages, _, _ in results], step)
    n_members = len(results)
    dtype = results[0][2][0].dtype
    shapes = {
        name: (n_members, stages.size, size)
        for name, size in zip(names, n_samples, strict=True)
    }
    if folder is None:
        predictions = {
            name: np.empty(shape, dtype=dtype) for name, shape in shapes.items()
        }
    else:
        predictions = open_record_folder(folder, shapes, dtype)
    in_bag = np.zeros((n_members, n_samples[0]), dtype=bool)
    for member, (_, member_stages, member_predictions, indices) in enumerate(results):
        positions = stage_positions(member_stages, stages)
        for name, labels in zip(names, member_predictions, strict=True):
            predictions[name][member] = labels[positions]
        if subsets:
            in_bag[member, indices] = True
    record = PredictionRecord(
        predictions=predictions,
        targets=dict(zip(names, targets, strict=True)),
        classes=classes,
        stages=stages,
        stage_kind=stage_kind,
        in_bag=in_bag if subsets else None,
        seeds=seeds,
    )
    if folder is None:
        return record
    for array in predictions.values():
        array.flush()  # type: ignore[attr-defined]  # a memmap
    record.save(folder)
    return PredictionRecord.load(folder, mmap_mode="r")


def open_record_folder(folder, shapes: dict, dtype) -> dict:
    """Memory-mapped .npy files, one per scored set, for a record being built."""
    from pathlib import Path

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    return {
        name: np.lib.format.open_memmap(
            folder / f"predictions_{index}.npy", mode="w+", dtype=dtype, shape=shape
        )
        for index, (name, shape) in enumerate(shapes.items())
    }
