"""Fitted scikit-learn members as bytes for the per-member cache, through skops.

A cache folder may come from someone else (a shared folder on a cluster), so
a member is never pickled: it is saved with :mod:`skops.io`, and loaded with
an explicit list of trusted types. Beyond skops' own defaults, a type is
trusted only when it is a class of scikit-learn, numpy, scipy or this
package (never one of their file-reading or testing modules, never a
function), or exactly the class of the user's estimator or of an estimator
nested in it. A member holding any other type is not cached; an entry
holding one is refused.
"""

from __future__ import annotations

import importlib
import zipfile

import numpy as np

__all__ = ["dump_estimator", "estimator_classes", "load_estimator"]

#: The libraries whose classes a member may hold beyond skops' defaults.
TRUSTED_ROOTS = frozenset({"sklearn", "numpy", "scipy", "sklearn_difficulty"})

#: Parts of a module name that disqualify its classes (files, tests, ctypes).
UNSAFE_MODULE_PARTS = frozenset(
    {"io", "_io", "npyio", "_npyio_impl", "_datasource", "format", "_format_impl"}
    | {"ctypeslib", "testing", "_testing", "externals", "_joblib", "datasets"}
)


def _type_name(cls: type) -> str:
    return f"{cls.__module__}.{cls.__qualname__}"


def estimator_classes(estimator) -> set[str]:
    """The names of the classes of ``estimator`` and of the estimators in it."""
    names = {_type_name(type(estimator))}
    get_params = getattr(estimator, "get_params", None)
    if callable(get_params):
        for value in get_params(deep=True).values():
            if hasattr(value, "get_params") and not isinstance(value, type):
                names.add(_type_name(type(value)))
    return names


def _resolve(name: str):
    """The object a fully qualified name stands for; None if it is not found."""
    parts = name.split(".")
    for split in range(len(parts) - 1, 0, -1):
        module_name = ".".join(parts[:split])
        if UNSAFE_MODULE_PARTS.intersection(parts[:split]):
            return None
        try:
            obj: object = importlib.import_module(module_name)
        except ImportError:
            continue
        for attribute in parts[split:]:
            obj = getattr(obj, attribute, None)
        return obj
    return None


def _is_trusted(name: str, own: set[str]) -> bool:
    if name in own:
        return True
    if name.split(".")[0] not in TRUSTED_ROOTS:
        return False
    obj = _resolve(name)
    return isinstance(obj, type) and not issubclass(obj, np.memmap)


def _checked_types(untrusted, own: set[str]) -> list[str]:
    """``untrusted``, all trusted by the rules above; else a ValueError naming them."""
    refused = sorted(name for name in untrusted if not _is_trusted(name, own))
    if refused:
        raise ValueError(
            f"it holds types that are not trusted: {', '.join(refused)} (only "
            "classes of scikit-learn, numpy, scipy, sklearn-difficulty and the "
            "estimator's own classes are)"
        )
    return list(untrusted)


def dump_estimator(estimator) -> bytes:
    """``estimator`` in skops' format; a ValueError if it holds an untrusted type.

    The check is the one :func:`load_estimator` makes, so that a member is
    never cached that could not be loaded again.
    """
    import skops.io as sio

    # deflated: an AdaBoost of 40 stumps is 70 KB instead of 711, as fast
    data = sio.dumps(estimator, compression=zipfile.ZIP_DEFLATED, compresslevel=6)
    _checked_types(sio.get_untrusted_types(data=data), estimator_classes(estimator))
    return data


def load_estimator(data: bytes, template):
    """The estimator saved by :func:`dump_estimator`, of ``template``'s class.

    Raises a ValueError (naming the types) for an entry holding a type that
    is not trusted, and for one of another class than ``template``.
    """
    import skops.io as sio

    own = estimator_classes(template)
    trusted = _checked_types(sio.get_untrusted_types(data=bytes(data)), own)
    estimator = sio.loads(bytes(data), trusted=trusted)
    if type(estimator) is not type(template):
        raise ValueError(
            f"it holds a {type(estimator).__name__}, not a {type(template).__name__}"
        )
    return estimator
