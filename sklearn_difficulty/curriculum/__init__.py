"""Curriculum learning: train on the easiest examples first (Hacohen & Weinshall).

A curriculum is an order of the training examples, easiest first
(:func:`curriculum_order`, :func:`order_from_record` for transfer scoring,
:func:`self_taught_order` for self-taught scoring), and a pacing function
that says how many of the easiest examples the batch of each optimiser step
may be drawn from (:func:`fixed_exponential_pacing` and the others).
:class:`CurriculumSampler` puts them together as a torch sampler, for
skorch nets and for the vectorised nets' ``sampler`` parameter.

This module imports torch only when :class:`CurriculumSampler` is used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._orders import (
    KINDS,
    balance_order,
    curriculum_order,
    order_from_record,
    self_taught_order,
)
from ._pacing import (
    PACING_FUNCTIONS,
    fixed_exponential_pacing,
    linear_pacing,
    resolve_pacing,
    root_pacing,
    single_step_pacing,
    varied_exponential_pacing,
)

if TYPE_CHECKING:
    from ._sampler import CurriculumSampler

__all__ = [
    "KINDS",
    "PACING_FUNCTIONS",
    "CurriculumSampler",
    "balance_order",
    "curriculum_order",
    "fixed_exponential_pacing",
    "linear_pacing",
    "order_from_record",
    "resolve_pacing",
    "root_pacing",
    "self_taught_order",
    "single_step_pacing",
    "varied_exponential_pacing",
]


def __getattr__(name: str) -> Any:
    if name == "CurriculumSampler":  # torch, imported on first use
        from ._sampler import CurriculumSampler

        return CurriculumSampler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
