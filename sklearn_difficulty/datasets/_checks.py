"""Checks of the options that the loaders and data sets of this package take."""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["check_choice"]


def check_choice(name: str, value: object, choices: Sequence[str]) -> None:
    """A ValueError naming ``name`` unless ``value`` is one of ``choices``.

    >>> check_choice("subset", "val", ("train", "test"))
    Traceback (most recent call last):
    ...
    ValueError: subset must be 'train' or 'test'; got 'val'.
    """
    if value not in choices:
        *first, last = [repr(choice) for choice in choices]
        either = f"{', '.join(first)} or {last}" if first else last
        raise ValueError(f"{name} must be {either}; got {value!r}.")
