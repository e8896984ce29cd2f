"""The registry of recorders: what ``stage_method`` names, and what "auto" asks.

The core recorders register themselves when :mod:`sklearn_difficulty.recorders`
is imported. :mod:`sklearn_difficulty.nets` registers the networks' recorders
(``skorch``, ``vectorised``); this package never imports it: they are loaded
through the package's ``sklearn_difficulty.recorders`` entry points when an
estimator that is not scikit-learn's own needs a recorder, or on ``import
sklearn_difficulty.nets``. A third-party package can register its own
recorder the same way.
"""

from __future__ import annotations

import importlib.metadata

from ._base import Recorder

__all__ = [
    "ENTRY_POINT_GROUP",
    "RECORDERS",
    "get_recorder",
    "load_plugins",
    "register_recorder",
    "resolve_recorder",
]

ENTRY_POINT_GROUP = "sklearn_difficulty.recorders"

RECORDERS: dict[str, Recorder] = {}
"""The registered recorders by name, in the order ``"auto"`` asks them."""

_PLUGINS_LOADED = False


def register_recorder(recorder: Recorder, *, before: str | None = None) -> Recorder:
    """Register a recorder under its name (again: replace it).

    ``before`` puts it ahead of another recorder in the order in which
    ``stage_method="auto"`` asks them (plugins for a kind of estimator that
    a core recorder would also accept go before it).

    Examples
    --------
    >>> from sklearn_difficulty.recorders import (
    ...     RECORDERS, FinalRecorder, get_recorder, register_recorder)
    >>> class OnceRecorder(FinalRecorder):
    ...     name = "once"
    >>> recorder = register_recorder(OnceRecorder(), before="final")
    >>> get_recorder("once") is recorder
    True
    >>> names = list(RECORDERS)
    >>> names.index("once") == names.index("final") - 1
    True
    >>> del RECORDERS["once"]
    """
    if not isinstance(recorder, Recorder):
        raise TypeError(f"a recorder must be a Recorder; got {recorder!r}.")
    RECORDERS.pop(recorder.name, None)
    items = list(RECORDERS.items())
    position = next(
        (i for i, (name, _) in enumerate(items) if name == before), len(items)
    )
    items.insert(position, (recorder.name, recorder))
    RECORDERS.clear()
    RECORDERS.update(items)
    return recorder


def load_plugins() -> None:
    """Import the recorders other packages declare (once per process).

    Packages declare them as entry points of the group
    ``sklearn_difficulty.recorders``; one whose dependencies are missing is
    skipped (its recorders cannot be needed without them).

    Examples
    --------
    >>> import importlib.util
    >>> from importlib.metadata import entry_points
    >>> from sklearn_difficulty.recorders import (
    ...     ENTRY_POINT_GROUP, RECORDERS, load_plugins)
    >>> sorted(entry.name for entry in entry_points(group=ENTRY_POINT_GROUP))
    ['skorch', 'vectorised']
    >>> load_plugins()
    >>> has_torch = all(importlib.util.find_spec(name) for name in ("torch", "skorch"))
    >>> ("skorch" in RECORDERS) == has_torch  # registered where torch is installed
    True
    """
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for entry_point in importlib.metadata.entry_points(group=ENTRY_POINT_GROUP):
        try:
            entry_point.load()
        except ImportError as error:
            if _missing_dependency(error):
                continue
            raise
        except Exception as error:
            raise RuntimeError(
                f"the recorder plugin {entry_point.name!r} ({entry_point.value}) "
                f"failed to load: {error}"
            ) from error


def _missing_dependency(error: BaseException | None) -> bool:
    """Whether an import failed for a package that is not installed (not a bug)."""
    while error is not None:
        if isinstance(error, ModuleNotFoundError):
            return (error.name or "").split(".")[0] != __name__.split(".")[0]
        error = error.__cause__
    return False


def _from_scikit_learn(estimator) -> bool:
    return type(estimator).__module__.split(".")[0] == "sklearn"


def get_recorder(name: str) -> Recorder:
    """The registered recorder called ``name``.

    Examples
    --------
    >>> from sklearn_difficulty.recorders import get_recorder
    >>> get_recorder("partial_fit").kind, get_recorder("staged_predict").kind
    ('epoch', 'round')
    >>> try:
    ...     get_recorder("partial-fit")
    ... except ValueError as error:
    ...     print(str(error).split(":")[0])
    stage_method='partial-fit' names no registered recorder
    """
    if name not in RECORDERS:
        load_plugins()
    if name not in RECORDERS:
        raise ValueError(
            f"stage_method={name!r} names no registered recorder: the "
            f"'stage_method' parameter must be 'auto' or one of {sorted(RECORDERS)}. "
            "The networks' recorders (skorch, vectorised) need the torch extra: "
            'pip install "sklearn-difficulty[torch]".'
        )
    return RECORDERS[name]


def resolve_recorder(estimator, stage_method: str = "auto") -> Recorder:
    """The recorder for ``estimator``: the one named, or the first that accepts it.

    What the recorder can record of the estimator is checked in ``fit``
    (:meth:`Recorder.check`), with the fit parameters and outputs.

    Examples
    --------
    >>> from sklearn.ensemble import AdaBoostClassifier
    >>> from sklearn.svm import SVC
    >>> from sklearn_difficulty.recorders import resolve_recorder
    >>> resolve_recorder(AdaBoostClassifier()).name, resolve_recorder(SVC()).name
    ('staged_predict', 'final')
    """
    if stage_method != "auto":
        return get_recorder(stage_method)
    if not _from_scikit_learn(estimator):
        load_plugins()  # a network's recorder must be asked before partial_fit
    return next(r for r in RECORDERS.values() if r.accepts(estimator))
