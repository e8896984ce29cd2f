"""Warnings raised by sklearn-difficulty."""


class DifficultyWarning(UserWarning):
    """Base class of every warning this package raises."""


class IdenticalMembersWarning(DifficultyWarning):
    """All members of an ensemble made the same predictions at every stage.

    Consistency is then 0 or 1 for every example and says nothing about
    difficulty. Deterministic learners (k-NN, SVM, naive Bayes, AdaBoost on
    decision stumps) trained on the same data give identical members whatever
    their seed: train each member on a random subset of the data instead
    (``max_samples`` or ``bootstrap`` of :class:`EnsembleDifficulty`).
    """


class DeviceWarning(DifficultyWarning):
    """The device asked for is not available; the work runs on the CPU."""


class MemberFailedWarning(DifficultyWarning):
    """A member failed and was dropped (``on_error="drop"``)."""
