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


class MemberCacheWarning(DifficultyWarning):
    """A member's cache entry was not used (the member trains again), or not written.

    An entry (``EnsembleDifficulty(memory=...)``) is not used when it cannot
    be read, holds a pickle, does not match the key it is stored under (a
    file copied over another member's), or does not fit the plan; it is not
    written when the member cannot be saved in a format that loads without
    running code. The message names the member, the file and the reason.
    """


class MembersLostError(RuntimeError):
    """The engine running the members gave up on some of them.

    A worker process died (killed, out of memory, its machine lost) more
    often than the engine retries a task (dask's ``allowed-failures``, Ray's
    ``max_retries``), or an engine that never retries (loky) lost one.

    Attributes
    ----------
    members : list of int
        The members whose jobs did not finish.
    """

    def __init__(self, members, reason: str, resume: str = "") -> None:
        self.members = list(members)
        shown = ", ".join(map(str, self.members[:20]))
        more = f" and {len(self.members) - 20} more" if len(self.members) > 20 else ""
        message = (
            f"the engine gave up on members {shown}{more}: their worker was lost "
            f"({reason})."
        )
        super().__init__(f"{message} {resume}".strip())
