"""Checks the recorders share: the fit parameters a member's method takes."""

from __future__ import annotations

from collections.abc import Mapping
from inspect import Parameter, signature

from sklearn.utils.validation import has_fit_parameter

__all__ = ["check_fit_parameters", "check_sample_weight"]


def check_sample_weight(estimator, method: str, fit_params: Mapping) -> None:
    """A clear error when a ``sample_weight`` was given that ``method`` lacks.

    Examples
    --------
    >>> from sklearn.linear_model import SGDClassifier
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_difficulty.recorders import check_sample_weight
    >>> check_sample_weight(SGDClassifier(), "partial_fit", {"sample_weight": [1, 2]})
    >>> check_sample_weight(KNeighborsClassifier(), "fit", {"sample_weight": [1, 2]})
    Traceback (most recent call last):
    ...
    ValueError: sample_weight was given but KNeighborsClassifier.fit does not take \
sample_weight. For a pipeline, pass it to its last step as <step \
name>__sample_weight=...
    """
    if "sample_weight" not in fit_params:
        return
    if method == "fit":
        accepts = has_fit_parameter(estimator, "sample_weight")
    else:
        accepts = "sample_weight" in signature(getattr(estimator, method)).parameters
    if not accepts:
        raise ValueError(
            f"sample_weight was given but {type(estimator).__name__}.{method} does "
            "not take sample_weight. For a pipeline, pass it to its last step as "
            "<step name>__sample_weight=..."
        )


def check_fit_parameters(estimator, method: str, fit_params: Mapping) -> None:
    """A clear error, before any member trains, for parameters ``method`` lacks.

    ``sample_weight`` is checked by :func:`check_sample_weight`; a method
    that takes ``**kwargs`` takes any parameter.

    Examples
    --------
    >>> from sklearn.tree import DecisionTreeClassifier
    >>> from sklearn_difficulty.recorders import check_fit_parameters
    >>> check_fit_parameters(DecisionTreeClassifier(), "fit", {"sample_weight": [1]})
    >>> check_fit_parameters(DecisionTreeClassifier(), "fit", {"groups": [0]})
    Traceback (most recent call last):
    ...
    TypeError: DecisionTreeClassifier.fit takes no parameter 'groups'; it takes \
['check_input', 'sample_weight'].
    """
    check_sample_weight(estimator, method, fit_params)
    if not fit_params or not hasattr(estimator, method):
        return
    parameters = signature(getattr(estimator, method)).parameters
    if any(p.kind is Parameter.VAR_KEYWORD for p in parameters.values()):
        return
    unknown = sorted(set(fit_params) - set(parameters))
    if unknown:
        raise TypeError(
            f"{type(estimator).__name__}.{method} takes no parameter "
            f"{', '.join(map(repr, unknown))}; it takes "
            f"{sorted(set(parameters) - {'X', 'y', 'self'})}."
        )
