"""One registry of the scores that give one number per example, by name.

Each score is an :class:`ExampleScore`: its name, the function that gives
its raw value for every example of a scored set, the outputs it needs
recorded beyond the labels, and which of its values are easy.
:func:`score_examples` reads it (higher is easier, whatever the score), and
so do everything that takes a score by name: ``rank_by`` of the pruners, the
reliability of a score, the default scorer (which records what a score
needs). :func:`register_score` adds a score of one's own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .._validation import check_one_per_example, check_stage_indices
from ..record import OUTPUTS, PredictionRecord
from ._labels import (
    consistency,
    heldout_consistency,
    heldout_probability,
    learning_speed,
)
from ._training import mean_over_training
from ._training_dynamics import aum, data_map, el2n, forgetting_events

__all__ = [
    "SCORES",
    "SCORE_OUTPUTS",
    "ExampleScore",
    "get_score",
    "outputs_needed",
    "register_score",
    "resolve_score",
    "score_examples",
    "score_names",
    "unregister_score",
]


@dataclass(frozen=True)
class ExampleScore:
    """A score that gives one number per example, as :func:`score_examples` reads it.

    Parameters
    ----------
    name : str
        The name ``score`` and ``rank_by`` take; not "auto".
    function : callable
        ``function(record, scored_set, stage)`` gives the raw value of every
        example of the record's scored set ``scored_set``, an array of shape
        (n_samples,). ``stage`` is None or a stage index already checked to
        be in [0, n_stages); a score that reads every training stage may
        ignore it.
    outputs : tuple of str, default=()
        What the score needs recorded beyond the labels (kinds of
        :data:`~sklearn_difficulty.record.OUTPUTS`), what ``record_outputs``
        must ask for.
    easy : {"high", "low"}, default="high"
        Which raw values mean an easy example. :func:`score_examples`
        negates a score whose low values are easy, so that higher is easier.
    description : str, default=""
        One line: what the score is, and its source.
    needs_subsets : bool, default=False
        The score is measured over the members that did not train on each
        example, so it needs members trained on subsets (``max_samples`` or
        ``bootstrap``): a run can refuse it before training anything.

    Examples
    --------
    >>> from sklearn_difficulty.scores import ExampleScore, consensus
    >>> agreement = ExampleScore(
    ...     "final_consensus",
    ...     lambda record, scored_set, stage: consensus(record, scored_set=scored_set)[
    ...         -1 if stage is None else stage],
    ...     description="how many members agree on any one label")
    >>> agreement.easy, agreement.outputs
    ('high', ())
    """

    name: str
    function: Callable[[PredictionRecord, str, int | None], ArrayLike]
    outputs: tuple[str, ...] = ()
    easy: Literal["high", "low"] = "high"
    description: str = ""
    needs_subsets: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name or self.name == "auto":
            raise ValueError(
                f"a score's name must be a non-empty str other than 'auto'; got "
                f"{self.name!r}."
            )
        if not callable(self.function):
            raise TypeError(
                f"the function of score {self.name!r} must be callable; got "
                f"{self.function!r}."
            )
        outputs = (self.outputs,) if isinstance(self.outputs, str) else self.outputs
        object.__setattr__(self, "outputs", tuple(outputs))
        unknown = sorted(set(self.outputs) - set(OUTPUTS))
        if unknown:
            raise ValueError(
                f"score {self.name!r} needs unknown outputs {unknown}; the outputs "
                f"are {OUTPUTS}."
            )
        if self.easy not in ("high", "low"):
            raise ValueError(
                f"easy must be 'high' or 'low' (which raw values are easy); got "
                f"{self.easy!r}."
            )


_REGISTRY: dict[str, ExampleScore] = {}

# What "auto" stands for: the first of these whose outputs the record holds.
_AUTO = ("el2n", "aum", "learning_speed")


def register_score(score: ExampleScore, *, replace: bool = False) -> ExampleScore:
    """Add a score to the registry, so that every use of a score name knows it.

    Parameters
    ----------
    score : ExampleScore
        The score.
    replace : bool, default=False
        Replace a registered score of the same name (in its place in the
        order of :func:`score_names`); else a name already registered raises.

    Returns
    -------
    score : ExampleScore

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.scores import (
    ...     ExampleScore, register_score, score_examples, unregister_score)
    >>> def wrong_stages(record, scored_set, stage):
    ...     predictions, targets = record.scored_set(scored_set)
    ...     return (predictions != targets).sum(axis=(0, 1))
    >>> register_score(ExampleScore("wrong_stages", wrong_stages, easy="low"))
    ExampleScore(name='wrong_stages', ...)
    >>> record = PredictionRecord(  # 1 member, 2 epochs, 2 examples
    ...     predictions={"train": np.array([[[1, 0], [1, 1]]])},
    ...     targets={"train": np.array([0, 1])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]))
    >>> score_examples(record, score="wrong_stages")  # negated: higher is easier
    array([-2., -1.])
    >>> _ = unregister_score("wrong_stages")
    """
    if not isinstance(score, ExampleScore):
        raise TypeError(f"a score must be an ExampleScore; got {score!r}.")
    if score.name in _REGISTRY and not replace:
        raise ValueError(
            f"a score named {score.name!r} is registered already; pass "
            "replace=True to replace it."
        )
    _REGISTRY[score.name] = score
    return score


def unregister_score(name: str) -> ExampleScore:
    """Remove the score ``name`` from the registry, and return it.

    Examples
    --------
    >>> from sklearn_difficulty.scores import (
    ...     ExampleScore, register_score, score_names, unregister_score)
    >>> _ = register_score(ExampleScore("zero", lambda record, scored_set, stage: 0))
    >>> "zero" in score_names()
    True
    >>> unregister_score("zero").name, "zero" in score_names()
    ('zero', False)
    """
    return _REGISTRY.pop(get_score(name).name)


def score_names() -> tuple[str, ...]:
    """The names of the registered scores, in the order they were registered.

    Examples
    --------
    >>> from sklearn_difficulty.scores import score_names
    >>> score_names()[:2]
    ('learning_speed', 'consistency')
    """
    return tuple(_REGISTRY)


def get_score(name: str) -> ExampleScore:
    """The registered score called ``name``.

    Examples
    --------
    >>> from sklearn_difficulty.scores import get_score
    >>> get_score("el2n").easy, get_score("el2n").outputs
    ('low', ('error_norm',))
    """
    if not isinstance(name, str) or name not in _REGISTRY:
        raise ValueError(
            f"score must be 'auto' or one of {list(_REGISTRY)}; got {name!r}."
        )
    return _REGISTRY[name]


def outputs_needed(score: str) -> tuple[str, ...]:
    """What ``score`` needs recorded beyond the labels ("auto": what AUM needs).

    Examples
    --------
    >>> from sklearn_difficulty.scores import outputs_needed
    >>> outputs_needed("auto"), outputs_needed("learning_speed")
    (('error_norm',), ())
    """
    return get_score(_AUTO[0] if score == "auto" else score).outputs


def resolve_score(record: PredictionRecord, score: str) -> str:
    """The score that ``"auto"`` stands for with this record.

    EL2N when the record holds error norms: it found flipped labels best of
    all the scores on the "choose" group of data sets of
    ``benchmarks/bench_label_noise.py`` (mean PR-AUC 0.827 over 12 settings
    and 3 seeds, against 0.802 for AUM and 0.777 for cleanlab on the same
    features), and was confirmed on the "confirm" group
    (``docs/guide/label_cleaning.md``); else AUM when it holds margins; else
    learning speed, from the labels.
    Any other name is returned as it is.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.scores import resolve_score
    >>> labels_only = PredictionRecord(  # 1 member, 1 epoch, 2 examples
    ...     predictions={"train": np.array([[[0, 0]]])},
    ...     targets={"train": np.array([0, 1])}, classes=np.array([0, 1]),
    ...     stages=np.array([1]))
    >>> resolve_score(labels_only, "auto"), resolve_score(labels_only, "consistency")
    ('learning_speed', 'consistency')
    >>> with_margins = PredictionRecord(
    ...     predictions=labels_only.predictions, targets=labels_only.targets,
    ...     classes=labels_only.classes, stages=labels_only.stages,
    ...     outputs={"margin": {"train": np.array([[[0.8, -0.3]]])}})
    >>> resolve_score(with_margins, "auto")
    'aum'
    """
    if score != "auto":
        return score
    held = set(record.output_kinds)
    return next(name for name in _AUTO if set(get_score(name).outputs) <= held)


def score_examples(
    record: PredictionRecord,
    *,
    score: str = "auto",
    stage: int | None = None,
    scored_set: str = "train",
) -> NDArray[np.float64]:
    """One difficulty score per example, higher is easier (what ``rank_by`` names).

    Parameters
    ----------
    record : PredictionRecord
    score : str, default="auto"
        "auto" or the name of a registered score (:func:`score_names`). The
        scores of this package:

        - "auto": "el2n" when the record holds error norms, else "aum" when
          it holds margins, else "learning_speed" (see :func:`resolve_score`);
        - "learning_speed": mean consistency over the training stages
          (Hacohen & Weinshall);
        - "learning_speed_steps": the area under the consistency curve over
          the optimiser steps, for stages that are not evenly spaced
          (``record_every``; see
          :func:`~sklearn_difficulty.scores.learning_speed`);
        - "consistency", "heldout_consistency": the (held-out) consistency at
          the stage ``stage``;
        - "heldout_proba": the mean probability of the true class over the
          members that did not train on the example, averaged over the
          training stages (needs "proba" and members trained on subsets; see
          :func:`~sklearn_difficulty.scores.heldout_probability`);
        - "aum": area under the margin (Pleiss et al.; needs "margin");
        - "confidence": the data map's confidence (Swayamdipta et al.; needs
          "proba");
        - "forgetting": minus the forgetting score (Toneva et al.; never
          learnt counts as forgotten at every stage);
        - "el2n": minus EL2N at the stage ``stage`` (Paul et al.; needs
          "error_norm").

        Scores that need outputs beyond the labels need a record fitted with
        ``record_outputs`` (see :func:`outputs_needed`). A score whose low
        values are easy is negated.
    stage : int, default=None
        A position in ``record.stages`` (-1, the last). None: the last stage
        for the consistencies, an early one for EL2N (see
        :func:`~sklearn_difficulty.scores.el2n`). Other scores use every
        training stage and ignore it.
    scored_set : str, default="train"

    Returns
    -------
    scores : ndarray of shape (n_samples,)

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty import PredictionRecord
    >>> from sklearn_difficulty.scores import score_examples
    >>> record = PredictionRecord(  # 2 members, 2 epochs, 2 examples
    ...     predictions={"train": np.array([[[0, 0], [0, 1]], [[1, 0], [0, 0]]])},
    ...     targets={"train": np.array([0, 1])}, classes=np.array([0, 1]),
    ...     stages=np.array([1, 2]))
    >>> score_examples(record)  # learning speed: no margins recorded
    array([0.75, 0.25])
    >>> score_examples(record, score="consistency", stage=0)
    array([0.5, 0. ])
    """
    definition = get_score(resolve_score(record, score))
    if stage is not None:
        stage = int(check_stage_indices(stage, record.n_stages, name="stage"))
    values = check_one_per_example(
        definition.function(record, scored_set, stage),
        record.scored_set(scored_set)[1].size,
        scored_set=scored_set,
    )
    if definition.outputs and np.isnan(values).any():
        raise ValueError(
            f"{np.isnan(values).sum()} examples of {scored_set!r} have no "
            f"{definition.name!r} score: no member has an output for them (every "
            "member's subset lacked their class); use more members or a larger "
            "max_samples."
        )
    return values if definition.easy == "high" else -values


# The scores of this package ------------------------------------------------------


def _at_stage(per_stage: NDArray, stage: int | None) -> NDArray:
    return per_stage[-1 if stage is None else stage]


def _heldout_at_stage(record, scored_set, stage):
    scores = _at_stage(heldout_consistency(record, scored_set=scored_set), stage)
    if np.isnan(scores).any():
        raise ValueError(
            f"{np.isnan(scores).sum()} examples were trained on by every member, "
            "so they have no held-out consistency: use more members or a smaller "
            "max_samples."
        )
    return scores


def _heldout_over_training(record, scored_set, stage):
    """The held-out probability, averaged over the training stages."""
    probability = heldout_probability(record, scored_set=scored_set)
    never = record.in_bag.all(axis=0)
    if never.any():
        raise ValueError(
            f"{never.sum()} examples were trained on by every member, so they have "
            "no held-out probability: use more members or a smaller max_samples."
        )
    scores = mean_over_training(probability, record.stages)
    if np.isnan(scores).any():
        raise ValueError(
            f"{np.isnan(scores).sum()} examples have no held-out probability at "
            "some training stage: every member that held them out gave NaN (it "
            "never saw their class). Use more members or a larger max_samples."
        )
    return scores


def _el2n_at_stage(record, scored_set, stage):
    label = None if stage is None else record.stages[stage]
    return el2n(record, scored_set=scored_set, stage=label)


for _score in (
    ExampleScore(
        "learning_speed",
        lambda record, scored_set, stage: learning_speed(record, scored_set=scored_set),
        description="mean consistency over the training stages (Hacohen & Weinshall)",
    ),
    ExampleScore(
        "consistency",
        lambda record, scored_set, stage: _at_stage(
            consistency(record, scored_set=scored_set), stage
        ),
        description="fraction of members right at a stage, the last by default "
        "(Hacohen & Weinshall)",
    ),
    ExampleScore(
        "heldout_consistency",
        _heldout_at_stage,
        description="consistency over the members that did not train on the "
        "example, at a stage (the C-score of Jiang et al., 2021)",
        needs_subsets=True,
    ),
    ExampleScore(
        "aum",
        lambda record, scored_set, stage: aum(record, scored_set=scored_set),
        outputs=("margin",),
        description="area under the margin (Pleiss et al., 2020)",
    ),
    ExampleScore(
        "confidence",
        lambda record, scored_set, stage: (
            data_map(record, scored_set=scored_set).confidence
        ),
        outputs=("proba",),
        description="mean probability of the true class, the data map's "
        "confidence (Swayamdipta et al., 2020)",
    ),
    ExampleScore(
        "forgetting",
        lambda record, scored_set, stage: (
            forgetting_events(record, scored_set=scored_set).score
        ),
        easy="low",
        description="forgetting events, never learnt counting as forgotten at "
        "every stage (Toneva et al., 2019)",
    ),
    ExampleScore(
        "el2n",
        _el2n_at_stage,
        outputs=("error_norm",),
        easy="low",
        description="norm of the error vector early in training or at a stage "
        "(Paul et al., 2021)",
    ),
    ExampleScore(
        "learning_speed_steps",
        lambda record, scored_set, stage: learning_speed(
            record, scored_set=scored_set, average="steps"
        ),
        description="area under the consistency curve over the optimiser steps: "
        "learning_speed weighing each stage by the steps it stands for (the same "
        "on evenly spaced stages)",
    ),
    ExampleScore(
        "heldout_proba",
        _heldout_over_training,
        outputs=("proba",),
        description="mean probability of the true class over the members that "
        "did not train on the example, averaged over the training stages (a soft "
        "C-score)",
        needs_subsets=True,
    ),
):
    register_score(_score)

SCORES = score_names()
"""The names of this package's scores (``rank_by`` takes them, besides "auto").

Taken from the registry at import; :func:`score_names` gives the names
registered now, scores of one's own included.
"""

SCORE_OUTPUTS = {
    **{name: get_score(name).outputs for name in SCORES if get_score(name).outputs},
    "auto": outputs_needed("auto"),
}
"""What each of this package's scores needs recorded beyond the labels.

Scores from the labels alone are left out; "auto" prefers AUM. Taken from
the registry at import; :func:`outputs_needed` answers for any registered
score.
"""
