"""Warnings raised by sklearn-difficulty."""


class DifficultyWarning(UserWarning):
    """Base class of every warning this package raises.

    A subclass of ``UserWarning``: filter it to silence (or turn into
    errors) all of this package's warnings at once.

    Examples
    --------
    >>> import warnings
    >>> from sklearn_difficulty import DifficultyWarning, MemberFailedWarning
    >>> issubclass(MemberFailedWarning, DifficultyWarning)
    True
    >>> with warnings.catch_warnings():
    ...     warnings.simplefilter("error", DifficultyWarning)
    ...     warnings.warn("a member failed", MemberFailedWarning)
    Traceback (most recent call last):
    ...
    sklearn_difficulty.exceptions.MemberFailedWarning: a member failed"""


class IdenticalMembersWarning(DifficultyWarning):
    """All members of an ensemble made the same predictions at every stage.

    Consistency is then 0 or 1 for every example and says nothing about
    difficulty. Deterministic learners (k-NN, SVM, naive Bayes, AdaBoost on
    decision stumps) trained on the same data give identical members whatever
    their seed: train each member on a random subset of the data instead
    (``max_samples`` or ``bootstrap`` of :class:`EnsembleDifficulty`).

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> from sklearn.neighbors import KNeighborsClassifier
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = EnsembleDifficulty(KNeighborsClassifier(), n_estimators=2).fit(X, y)
    >>> caught[0].category.__name__
    'IdenticalMembersWarning'
    >>> print(str(caught[0].message).split(": ")[-1])
    train members on random subsets with max_samples=... or bootstrap=True.
    """


class DeviceWarning(DifficultyWarning):
    """The device asked for is not available; the work runs on the CPU.

    Raised by the networks (:mod:`sklearn_difficulty.nets`) asked for
    ``device="cuda"`` on a machine whose torch sees no GPU.

    Examples
    --------
    >>> from sklearn_difficulty import DeviceWarning, DifficultyWarning
    >>> issubclass(DeviceWarning, DifficultyWarning)
    True"""


class MemberFailedWarning(DifficultyWarning):
    """A member failed and was dropped (``on_error="drop"``).

    Examples
    --------
    A logistic regression fails on a subset of one class:

    >>> import warnings
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> X, y = np.arange(6.0).reshape(-1, 1), np.array([0, 0, 1, 0, 1, 1])
    >>> ensemble = EnsembleDifficulty(LogisticRegression(), n_estimators=3,
    ...                               max_samples=2, on_error="drop", random_state=1)
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = ensemble.fit(X, y)
    >>> caught[0].category.__name__, str(caught[0].message).split(":")[0]
    ('MemberFailedWarning', 'member 2 (seed 946286476) failed and is dropped')
    >>> len(ensemble.estimators_), [f["member"] for f in ensemble.failed_members_]
    (2, [2])"""


class MemberCacheWarning(DifficultyWarning):
    """A member's cache entry was not used (the member trains again), or not written.

    An entry (``EnsembleDifficulty(memory=...)``) is not used when it cannot
    be read, holds a pickle, does not match the key it is stored under (a
    file copied over another member's), or does not fit the plan; it is not
    written when the member cannot be saved in a format that loads without
    running code. The message names the member, the file and the reason.

    Examples
    --------
    >>> from sklearn_difficulty import DifficultyWarning, MemberCacheWarning
    >>> issubclass(MemberCacheWarning, DifficultyWarning)
    True
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

    Examples
    --------
    >>> from sklearn_difficulty import MembersLostError
    >>> error = MembersLostError([3, 7], "KilledWorker: out of memory")
    >>> isinstance(error, RuntimeError), error.members
    (True, [3, 7])
    >>> print(error)
    the engine gave up on members 3, 7: their worker was lost (KilledWorker: out \
of memory).
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
