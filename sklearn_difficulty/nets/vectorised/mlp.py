"""VectorisedMLP: scikit-learn's multi-layer perceptron, N members as one model."""

from __future__ import annotations

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.preprocessing import LabelEncoder
from sklearn.utils import check_random_state
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..._random import MAX_SEED
from .estimator import VectorisedMembers
from .perceptron import ACTIVATIONS, PerceptronNet
from .trainer import TrainingSettings

__all__ = ["VectorisedMLP"]

_AUTO_BATCH = 200  # scikit-learn's batch_size="auto": min(200, n_samples)


class VectorisedMLP(VectorisedMembers, ClassifierMixin, BaseEstimator):
    """scikit-learn's ``MLPClassifier``, trained N members at a time as one model.

    Wrapped in :class:`~sklearn_difficulty.EnsembleDifficulty`, all members
    train together as one batched torch model (the "vectorised" recorder,
    chosen automatically): each step multiplies every member's own
    mini-batch by its own weights in one batched product, and one pass
    after each epoch (or each step of ``record_every``) records every
    member's labels and outputs. Each member draws its initial weights, its
    subset and its batch order from its own seed alone, so it trains the
    same alone or among others, with any ``n_jobs`` (up to the rounding of
    batched kernels). On its own it trains one network.

    It trains as ``MLPClassifier(solver="adam" or "sgd",
    learning_rate="constant")`` does, with the same parameters: Glorot
    initialisation, the cross-entropy of each mini-batch plus ``alpha / 2``
    times the squared weights (not the biases) over the batch size, Adam
    (or SGD with Nesterov's momentum) with a constant learning rate, and the
    examples reshuffled every epoch. It differs in that it always trains
    ``max_iter`` epochs (no ``tol``, no early stopping: a recorded ensemble
    trains a fixed number of epochs), a binary problem has two softmax
    outputs rather than one logistic unit, the penalty is divided by the
    full batch size on the last, smaller batch of an epoch too, and the
    arithmetic is float32 in torch rather than float64 in numpy.

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(100,)
    activation : {"relu", "tanh", "logistic", "identity"}, default="relu"
    solver : {"adam", "sgd"}, default="adam"
    alpha : float, default=1e-4
        Strength of the L2 penalty on the weights.
    batch_size : int or "auto", default="auto"
        ``min(200, n_samples)``.
    learning_rate_init : float, default=1e-3
    max_iter : int, default=200
        Epochs each member trains.
    momentum : float, default=0.9
        SGD's momentum.
    nesterovs_momentum : bool, default=True
    beta_1, beta_2 : float, default=0.9, 0.999
        Adam's decay rates.
    epsilon : float, default=1e-8
        Adam's numerical stability term.
    device : str, default="cpu"
        "cuda" when there is a GPU (else the CPU, with a DeviceWarning).
    member_chunk : int, "auto" or None, default=None
        Train members in groups of this size (see
        :class:`~sklearn_difficulty.nets.VectorisedCNN`); None: all at once.
    random_state : int, RandomState instance or None, default=None
        The seed of the network fitted on its own. In an ensemble each
        member gets its own seed from the ensemble's ``random_state``.
    sampler : CurriculumSampler or None, default=None
        A curriculum: each step's batch drawn from the sampler's pool (see
        :class:`~sklearn_difficulty.nets.VectorisedCNN`); its ``batch_size``
        must equal ``batch_size`` (200 for "auto").

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (one member).
    classes_ : ndarray
    n_features_in_ : int
    n_iter_ : int
        The epochs it trained: ``max_iter``.
    history_ : list of float
        Mean training loss (cross-entropy) per epoch.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.nets import VectorisedMLP
    >>> X, y = load_iris(return_X_y=True)
    >>> ensemble = EnsembleDifficulty(
    ...     VectorisedMLP((16,), max_iter=5, learning_rate_init=0.01),
    ...     n_estimators=4, random_state=0).fit(X, y)
    >>> ensemble.consistency_.shape  # stage 0 and 5 epochs, 150 examples
    (6, 150)
    """

    def __init__(
        self,
        hidden_layer_sizes=(100,),
        activation="relu",
        *,
        solver="adam",
        alpha=1e-4,
        batch_size="auto",
        learning_rate_init=1e-3,
        max_iter=200,
        momentum=0.9,
        nesterovs_momentum=True,
        beta_1=0.9,
        beta_2=0.999,
        epsilon=1e-8,
        device="cpu",
        member_chunk=None,
        random_state=None,
        sampler=None,
    ):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.max_iter = max_iter
        self.momentum = momentum
        self.nesterovs_momentum = nesterovs_momentum
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.device = device
        self.member_chunk = member_chunk
        self.random_state = random_state
        self.sampler = sampler

    # Settings ---------------------------------------------------------------------

    def resolved_max_epochs(self) -> int:
        """The number of epochs each member trains: ``max_iter``."""
        self._check_params()
        return int(self.max_iter)

    def _check_params(self) -> None:
        sizes = np.atleast_1d(np.asarray(self.hidden_layer_sizes, dtype=object))
        if not all(_positive_int(size) for size in sizes):
            raise ValueError(
                "hidden_layer_sizes must hold positive integers; got "
                f"{self.hidden_layer_sizes!r}."
            )
        checks = {
            "activation": self.activation in ACTIVATIONS,
            "solver": self.solver in ("adam", "sgd"),
            "max_iter": _positive_int(self.max_iter),
            "batch_size": self.batch_size == "auto" or _positive_int(self.batch_size),
            "alpha": _number(self.alpha) and self.alpha >= 0,
            "learning_rate_init": _number(self.learning_rate_init)
            and self.learning_rate_init > 0,
            "momentum": _number(self.momentum) and 0 <= self.momentum <= 1,
            "beta_1": _number(self.beta_1) and 0 <= self.beta_1 < 1,
            "beta_2": _number(self.beta_2) and 0 <= self.beta_2 < 1,
            "epsilon": _number(self.epsilon) and self.epsilon > 0,
        }
        for name, valid in checks.items():
            if not valid:
                raise ValueError(
                    f"VectorisedMLP's {name} is invalid: {getattr(self, name)!r} "
                    "(see MLPClassifier's parameter of the same name)."
                )

    def training_settings(self) -> TrainingSettings:
        """The parameters as the vectorised trainer reads them, checked.

        Raises a ValueError for an invalid parameter, before anything trains.
        """
        self._check_params()
        batch = _AUTO_BATCH if self.batch_size == "auto" else int(self.batch_size)
        sizes = tuple(int(s) for s in np.atleast_1d(self.hidden_layer_sizes))
        return TrainingSettings(
            module=PerceptronNet,
            module_kwargs={"hidden_layer_sizes": sizes, "activation": self.activation},
            max_epochs=int(self.max_iter),
            batch_size=batch,
            optimizer=f"scikit-learn {self.solver}",
            lr=float(self.learning_rate_init),
            momentum=float(self.momentum),
            weight_decay=float(self.alpha) / batch,
            lr_step=None,
            lr_decay=None,
            device=self.device,
            precision="float32",
            channels_last=False,
            member_chunk=self.member_chunk,
            channels=None,
            num_workers=0,
            betas=(float(self.beta_1), float(self.beta_2)),
            eps=float(self.epsilon),
            nesterov=bool(self.nesterovs_momentum) and self.momentum > 0,
            decay_biases=False,
            sampler=self.sampler,
        )

    # One network on its own -----------------------------------------------------

    def fit(self, X, y):
        """Train one network (use EnsembleDifficulty to train many at once).

        Parameters
        ----------
        X : array-like or sparse matrix of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : VectorisedMLP
        """
        X, y = validate_data(self, X, y, accept_sparse="csr", dtype=np.float32)
        check_classification_targets(y)
        encoder = LabelEncoder().fit(y)
        seed = check_random_state(self.random_state).randint(MAX_SEED)
        n_classes = max(len(encoder.classes_), 2)
        (result,) = self.fit_members(
            X, encoder.transform(y), [seed], [], n_classes=n_classes,
            record_initial=False,
        )  # fmt: skip
        if isinstance(result, Exception):
            raise result
        self.module_ = result.estimator.module_
        self.history_ = result.estimator.history_
        self.classes_ = encoder.classes_
        self.n_iter_ = int(self.max_iter)
        return self

    def predict_proba(self, X):
        """Class probabilities from the trained network."""
        check_is_fitted(self)
        X = validate_data(self, X, accept_sparse="csr", dtype=np.float32, reset=False)
        device = next(self.module_.parameters()).device
        with torch.no_grad():
            proba = [
                torch.softmax(self.module_(torch.as_tensor(rows, device=device)), 1)
                for rows in _dense_chunks(X, 4096)
            ]
        return torch.cat(proba).cpu().numpy()[:, : len(self.classes_)]

    def predict(self, X):
        """The class of highest probability."""
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = True
        return tags


def _dense_chunks(X, size: int):
    for start in range(0, X.shape[0], size):
        rows = X[start : start + size]
        yield np.ascontiguousarray(rows.toarray() if hasattr(rows, "toarray") else rows)


def _positive_int(value) -> bool:
    return (
        isinstance(value, Integral) and not isinstance(value, bool) and int(value) >= 1
    )


def _number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool)
