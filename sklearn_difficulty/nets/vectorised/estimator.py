"""VectorisedCNN: a network that an ensemble trains N at a time, as one model."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ..._inputs import dataset_labels, first_example_shape, is_torch_dataset
from ..._random import MAX_SEED
from ...recorders import MemberPlan, MemberRecord
from ..recipes import resolve_setting
from .images import ImageLoader
from .trainer import TrainedMember, TrainingSettings, train_members

__all__ = ["VectorisedCNN", "VectorisedMembers"]


class VectorisedMembers:
    """What the networks that an ensemble trains N at a time share.

    A subclass gives :meth:`training_settings` (its parameters as the
    trainer reads them, checked) and :meth:`resolved_max_epochs`; the
    "vectorised" recorder reaches it through these and
    :meth:`record_members`.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> X, y = load_digits(return_X_y=True)
    >>> X, y = X[:20].reshape(-1, 1, 8, 8) / 16, y[:20]
    >>> net = VectorisedCNN("mnist", max_epochs=2, batch_size=20)
    >>> records = net.fit_members(X, y, seeds=[0, 1], scored=[X], n_classes=10)
    >>> records[1].stages, records[1].predictions[0].shape  # (stages, examples)
    (array([0, 1, 2]), (3, 20))
    """

    def training_settings(self) -> TrainingSettings:  # pragma: no cover - abstract
        raise NotImplementedError

    def resolved_max_epochs(self) -> int:  # pragma: no cover - abstract
        raise NotImplementedError

    # Training N members ---------------------------------------------------------

    def fit_members(
        self,
        X,
        y,
        seeds,
        scored,
        *,
        n_classes,
        step=1,
        n_draw=None,
        bootstrap=False,
        record_initial=True,
        outputs=(),
        targets=None,
        output_dtype="float32",
    ) -> list[MemberRecord | Exception]:
        """Train one member per seed together; record every scored set per epoch.

        Parameters
        ----------
        X : array of images
        y : array of class indices 0..n_classes-1
        seeds : array of int
            One per member: its subset, initial weights, batch order, dropout.
        scored : list of arrays of images
            The sets to predict on before the first epoch (with
            ``record_initial``) and after every ``step``-th epoch (and the
            last).
        n_classes : int
        step : int, default=1
        n_draw : int or None
            Training examples per member (None: all of them).
        bootstrap : bool
            Draw them with replacement.
        record_initial : bool, default=True
        outputs : sequence of {"proba", "margin", "error_norm"}, default=()
            What to record beyond the labels, from the same pass (see
            :func:`~sklearn_difficulty.recorders.true_class_outputs`; the
            margin is measured on the logits).
        targets : list of arrays of int, default=None
            With ``outputs``: the true class index of every example of each
            scored set.
        output_dtype : {"float32", "float16"}, default="float32"

        Returns
        -------
        results : list of MemberRecord or Exception
            One per seed, in order; a member whose loss diverged gives a
            FloatingPointError.
        """
        outputs = tuple(outputs)
        if outputs and (targets is None or len(targets) != len(scored)):
            raise ValueError(
                "outputs are measured against the true classes: give targets, "
                "one array of class indices per scored set."
            )
        plan = MemberPlan(
            X=X,
            y=np.asarray(y),
            fit_params={},
            scored=tuple(scored),
            names=tuple(f"set_{i}" for i in range(len(scored))),
            targets=tuple(np.asarray(t) for t in targets) if outputs else (),
            classes=np.arange(n_classes),
            sample_shape=(
                first_example_shape(X) if is_torch_dataset(X) else np.shape(X)[1:]
            ),
            n_epochs=None,
            step=step,
            n_draw=n_draw,
            bootstrap=bootstrap,
            record_initial=record_initial,
            outputs=outputs,
            output_dtype=np.dtype(output_dtype),
        )
        return self.record_members(plan, seeds)

    def record_members(self, plan: MemberPlan, seeds) -> list[MemberRecord | Exception]:
        """Train one member per seed on the plan's data; record them as it says.

        What the "vectorised" recorder runs for a group of members (and
        :meth:`fit_members` for arrays): the members train in groups of
        ``member_chunk``, each from its own seed alone.

        Parameters
        ----------
        plan : MemberPlan
            The training data, the scored sets and what to record.
        seeds : sequence of int
            One per member.

        Returns
        -------
        results : list of MemberRecord or Exception
            One per seed, in order: a fitted copy of this network with its
            record, or the FloatingPointError of a member whose loss
            diverged.
        """
        trained = train_members(self.training_settings(), plan, seeds)
        return [
            result if isinstance(result, Exception) else self._member(result, plan)
            for result in trained
        ]

    def _member(self, trained: TrainedMember, plan: MemberPlan) -> MemberRecord:
        """A fitted copy of this network holding one trained member, and its record."""
        member: Any = copy.copy(self)
        member.module_ = trained.module
        member.classes_ = np.arange(len(plan.classes))
        member.history_ = trained.history
        training = trained.training
        return MemberRecord(
            member,
            training.stages,
            training.predictions,
            trained.indices,
            training.outputs,
            training.steps,
            training.epochs,
        )


class VectorisedCNN(VectorisedMembers, ClassifierMixin, BaseEstimator):
    """A network that EnsembleDifficulty trains N at a time, as one batched model.

    Wrapped in :class:`~sklearn_difficulty.EnsembleDifficulty`, all members are
    trained together (the "vectorised" recorder, chosen automatically) in
    groups of ``member_chunk``, through the same per-member cache, failure
    policy, progress and record as every other recorder, and recorded
    before the first epoch (stage 0) and after every epoch like the skorch
    members, or after optimiser steps (one step per batch) with the
    ensemble's ``record_every``: at the steps that end an epoch a member
    predicts exactly what it predicts recorded every epoch, since the
    recording pass changes nothing training reads. On its own it trains
    one network. Training follows the paper's
    recipe for the module (:mod:`sklearn_difficulty.nets.recipes`) wherever
    a parameter is "auto", as for :class:`~sklearn_difficulty.nets.SkorchCNN`.

    Parameters
    ----------
    module : {"st_vgg", "small_st_vgg", "mnist"} or torch module class, default="st_vgg"
        Built once per member (with ``module_kwargs``); the paper's networks
        get ``input_shape`` and ``n_classes`` from the data. Batch norm
        layers keep no running statistics
        (``torch.func.replace_all_batch_norm_modules_``): they normalise with
        the statistics of the batch, in training and in the recording pass
        (batches of 1,000 images, in order), which vmap can run per member.
        Its ``nn.Dropout`` layers draw keyed masks (see the module docs);
        other dropout layers, and random operations in ``forward``, are
        refused, since they would draw from a generator the members share.
    module_kwargs : dict, default=None
    max_epochs : int or "auto", default="auto"
        The recipe's: 140 for st-VGG, 12 for the MNIST network.
    batch_size : int or "auto", default="auto"
    optimizer : {"auto", "sgd", "adadelta", "adam"}, default="auto"
        SGD for st-VGG, AdaDelta for the MNIST network.
    lr : float or "auto", default="auto"
        0.05 for st-VGG, 1.0 for the MNIST network.
    momentum : float, default=0.0
        SGD's momentum.
    weight_decay : float, default=0.0
    lr_step : int, "auto" or None, default="auto"
        Epochs between two divisions of the learning rate by ``lr_decay``;
        None keeps it constant.
    lr_decay : float or "auto", default="auto"
    device : str, default="cpu"
        "cuda" when there is a GPU (else the CPU, with a DeviceWarning).
    precision : {"float32", "bfloat16"}, default="float32"
        "bfloat16" runs the forward pass under bf16 autocast.
    channels_last : bool, default=False
        Run the paper's networks as grouped convolutions on channels-last
        activations (faster convolutions on recent GPUs) instead of
        ``vmap``, which cannot use that memory format.
    member_chunk : int, "auto" or None, default=None
        Train members in groups of this size when N do not fit at once.
        "auto" sizes the groups from the GPU's free memory (all at once on
        the CPU); None trains all members together. It changes how fast
        members train, not what they learn. In an ensemble with ``memory``,
        each group is cached as soon as it finishes.
    channels : {"auto", "first", "last"}, default="auto"
        Where the channel axis of the images is.
    num_workers : int, default=0
        Worker processes of the DataLoaders that read a torch Dataset (X
        given as a Dataset is streamed: each step loads the images its
        members' batches need; the recording pass reads it in order).
        Arrays are moved to the device once instead.
    random_state : int, RandomState instance or None, default=None
        The seed of the network fitted on its own (its initial weights,
        batch order and dropout masks). In an ensemble each member gets its
        own seed from the ensemble's ``random_state``.
    sampler : CurriculumSampler or None, default=None
        A curriculum (:class:`~sklearn_difficulty.curriculum.
        CurriculumSampler`, with the same ``batch_size``): the batch of
        each optimiser step is drawn from the sampler's pool at that step
        (counted from 0 over the whole training), each member with its own
        batch-order generator; an epoch is still ``ceil(n_samples /
        batch_size)`` steps. None: each epoch goes through a new
        permutation of the training examples. Members must train on all the
        examples (no ``max_samples`` in the ensemble).

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network (one member).
    classes_ : ndarray
    history_ : list of float
        Mean training loss per epoch.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> X, y = load_digits(return_X_y=True)
    >>> X, y = X[:40].reshape(-1, 1, 8, 8) / 16, y[:40]  # 40 images, 8x8
    >>> net = VectorisedCNN("mnist", max_epochs=2, batch_size=20)
    >>> ed = EnsembleDifficulty(net, n_estimators=3, random_state=0).fit(X, y)
    >>> ed.stage_method_, ed.consistency_.shape  # stage 0 and 2 epochs
    ('vectorised', (3, 40))
    """

    def __init__(
        self,
        module="st_vgg",
        *,
        module_kwargs=None,
        max_epochs="auto",
        batch_size="auto",
        optimizer="auto",
        lr="auto",
        momentum=0.0,
        weight_decay=0.0,
        lr_step="auto",
        lr_decay="auto",
        device="cpu",
        precision="float32",
        channels_last=False,
        member_chunk=None,
        channels="auto",
        random_state=None,
        num_workers=0,
        sampler=None,
    ):
        self.module = module
        self.module_kwargs = module_kwargs
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.optimizer = optimizer
        self.lr = lr
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.lr_step = lr_step
        self.lr_decay = lr_decay
        self.device = device
        self.precision = precision
        self.channels_last = channels_last
        self.member_chunk = member_chunk
        self.channels = channels
        self.random_state = random_state
        self.num_workers = num_workers
        self.sampler = sampler

    # Settings ---------------------------------------------------------------------

    def resolved_max_epochs(self) -> int:
        """The number of epochs each member trains."""
        return int(resolve_setting(self.module, "max_epochs", self.max_epochs))

    def training_settings(self) -> TrainingSettings:
        """The parameters the trainer reads, "auto" resolved from the recipe, checked.

        Raises a ValueError for an invalid setting, before anything trains.
        """
        return TrainingSettings.from_params(self.get_params(deep=False))

    # One network on its own -----------------------------------------------------

    def fit(self, X, y=None):
        """Train one network (use EnsembleDifficulty to train many at once).

        Parameters
        ----------
        X : array of images (N, C, H, W) or (N, H, W, C), or a torch Dataset
        y : array of class indices 0..n_classes-1, default=None
            None with a Dataset: its own labels.

        Returns
        -------
        self : VectorisedCNN
        """
        y = np.asarray(dataset_labels(X) if y is None and is_torch_dataset(X) else y)
        if y.dtype.kind not in "iu":
            raise ValueError(
                "VectorisedCNN takes class indices 0..n_classes-1 as labels."
            )
        seed = check_random_state(self.random_state).randint(MAX_SEED)
        (result,) = self.fit_members(
            X, y, [seed], [], n_classes=int(y.max()) + 1, record_initial=False
        )
        if isinstance(result, Exception):
            raise result
        member = result.estimator
        self.module_, self.classes_, self.history_ = (
            member.module_,
            member.classes_,
            member.history_,
        )
        return self

    def predict_proba(self, X):
        """Class probabilities from the trained network."""
        check_is_fitted(self)
        device = next(self.module_.parameters()).device
        with torch.no_grad():
            outputs = [
                torch.softmax(self.module_(images), dim=1)
                for images in ImageLoader(
                    X,
                    channels=self.channels,
                    num_workers=self.num_workers,
                    device=device,
                ).in_order(1000)
            ]
        return torch.cat(outputs).cpu().numpy()

    def predict(self, X):
        """The class of highest probability."""
        return self.classes_[self.predict_proba(X).argmax(axis=1)]
