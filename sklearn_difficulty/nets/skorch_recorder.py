"""The skorch recorder: a skorch network's predictions after every epoch or step.

:class:`EpochPredictionRecorder` (:mod:`~sklearn_difficulty.nets.skorch_callback`)
is the skorch callback that records each scored set from its own eval-mode
pass; :class:`SkorchRecorder` trains each member (a clone of the user's net,
seeded from its own streams) with it. The torch plumbing it uses (seeding,
devices, DataLoader settings) is :mod:`sklearn_difficulty.nets._torch`'s.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.base import clone
from skorch.callbacks import Callback
from skorch.dataset import ValidSplit
from skorch.history import History
from skorch.utils import is_dataset
from torch.utils.data import DataLoader

from .._inputs import n_samples
from .._random import MemberStreams, seed_estimator
from ..recorders import (
    MemberPlan,
    MemberTraining,
    PartialFitRecorder,
    Recorder,
    RecorderSettings,
    StageStore,
    check_sample_weight,
    register_recorder,
)
from ._member_state import dump_state, load_state
from ._torch import (
    loader_defaults,
    placed_on_gpu,
    resolve_device,
    seed_torch,
    torch_member_session,
    uses_cuda,
)
from .skorch_callback import EpochPredictionRecorder, output_scores, predict_labels
from .skorch_cnn import SkorchCNN

__all__ = [
    "EpochPredictionRecorder",
    "SkorchOptions",
    "SkorchRecorder",
    "is_skorch_net",
    "output_scores",
    "predict_labels",
]

RECORDER_NAME = "sklearn_difficulty_recorder"


class _SeedDropout(Callback):
    """Seeds torch's generator with the member's dropout stream once built.

    The net's weights are drawn first (from the "init" stream); from the
    start of training on, the generator serves dropout masks only.
    """

    def __init__(self, seed: int, cuda: bool):
        self.seed = seed
        self.cuda = cuda

    def on_train_begin(self, net, **kwargs):
        seed_torch(self.seed, cuda=self.cuda)


def is_skorch_net(estimator) -> bool:
    """Whether ``estimator`` is a skorch network.

    Examples
    --------
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from sklearn.linear_model import LogisticRegression
    >>> from sklearn_difficulty.nets.skorch_recorder import is_skorch_net
    >>> is_skorch_net(NeuralNetClassifier(torch.nn.Linear))
    True
    >>> is_skorch_net(LogisticRegression())
    False
    """
    return any(
        cls.__module__.split(".")[0] == "skorch" for cls in type(estimator).__mro__
    )


def _is_default_split(estimator) -> bool:
    """Whether the net holds its class's own default split, not one passed to it.

    skorch's default (a stratified 5-fold ``ValidSplit``) is one object made
    when the class is defined: a net left with it holds that very object.
    """
    default = inspect.signature(type(estimator)).parameters.get("train_split")
    split = estimator.get_params(deep=False).get("train_split")
    return (
        default is not None
        and split is default.default
        and isinstance(split, ValidSplit)
    )


def _steps_per_epoch(estimator, plan: MemberPlan) -> int | None:
    """The training batches in a member's epoch, when the parameters say it.

    Its examples (all, or ``max_samples``) in batches of its batch size,
    through skorch's own DataLoader, without a validation split or a
    sampler of the user's; None otherwise.
    """
    params = estimator.get_params(deep=False)
    if params.get("train_split") is not None and not plan.options.drop_default_split:
        return None
    if params.get("iterator_train") is not DataLoader or any(
        f"iterator_train__{name}" in params for name in ("sampler", "batch_sampler")
    ):
        return None
    batch_size = params.get("iterator_train__batch_size", params.get("batch_size"))
    if not isinstance(batch_size, int | np.integer) or batch_size == 0:
        return None
    examples = plan.n_draw if plan.n_draw is not None else n_samples(plan.X)
    batch_size = examples if batch_size == -1 else int(batch_size)
    if params.get("iterator_train__drop_last", False):
        return examples // batch_size
    return -(-examples // batch_size)


@dataclass(frozen=True)
class SkorchOptions:
    """What the skorch recorder decides from the user's own net, once.

    Attributes
    ----------
    drop_default_split : bool
        The net holds skorch's own default validation split (not one the
        user passed): members train on all their data instead.

    Examples
    --------
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from sklearn_difficulty.nets import SkorchRecorder
    >>> net = NeuralNetClassifier(torch.nn.Linear)
    >>> SkorchRecorder().settings(net, n_epochs=2).options
    SkorchOptions(drop_default_split=True)
    >>> net = NeuralNetClassifier(torch.nn.Linear, train_split=None)  # no split
    >>> SkorchRecorder().settings(net, n_epochs=2).options
    SkorchOptions(drop_default_split=False)
    """

    drop_default_split: bool


class SkorchRecorder(Recorder):
    """One stage per epoch (or after optimiser steps) of a skorch classifier.

    A member is a clone of the net with an :class:`EpochPredictionRecorder`
    among its callbacks, trained on class indices. Its initial weights come
    from torch's generator seeded with its "init" stream (inside
    :func:`torch_member_session`), its dropout masks from the same generator
    reseeded with its "dropout" stream when training begins, its batch order
    from a generator
    of its own seeded with its "order" stream; it shuffles its batches
    unless told otherwise and trains on all its data unless it was given a
    validation split (skorch's own default split is removed). An ``int``
    ``n_epochs`` of the ensemble sets the members' ``max_epochs``. The
    outputs of ``record_outputs`` come from the same eval-mode pass as the
    labels (the module's logits, or its probabilities for a net whose
    ``predict_proba`` is not their softmax; see
    :class:`EpochPredictionRecorder`).

    Stage 0 is the untrained member; then every epoch, or, with the
    ensemble's ``record_every``, the optimiser steps of its schedule (the
    stage is then the step, counted over the member's training batches;
    validation batches are not steps). Recording never changes training: a
    member recorded after steps is, at the end of each epoch, the member
    recorded after epochs, and predicts the same.

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from sklearn.datasets import load_iris
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> X, y = load_iris(return_X_y=True)
    >>> net = NeuralNetClassifier(
    ...     torch.nn.Linear, module__in_features=4, module__out_features=3,
    ...     criterion=torch.nn.CrossEntropyLoss, max_epochs=2, lr=0.05, verbose=0)
    >>> ed = EnsembleDifficulty(net, n_estimators=2, random_state=0)
    >>> ed = ed.fit(X.astype(np.float32), y)
    >>> ed.stage_method_, ed.stages_  # the untrained members, then 2 epochs
    ('skorch', array([0, 1, 2]))
    >>> ed.consistency_.shape
    (3, 150)
    """

    name = "skorch"
    kind = "epoch"
    uses_codes = True
    records_steps = True

    def accepts(self, estimator) -> bool:
        return is_skorch_net(estimator)

    def check(self, estimator, *, fit_params, outputs) -> None:
        """A skorch classifier with its callbacks on; any fit parameter, any output.

        skorch's ``fit`` passes its parameters on to the module, so any name
        goes (but ``sample_weight``, which it does not take); a network's
        module gives logits (or probabilities), so every output can be
        recorded.
        """
        check_sample_weight(estimator, "fit", fit_params)
        if not is_skorch_net(estimator):
            raise ValueError(
                f"stage_method='skorch' needs a skorch network; got "
                f"{type(estimator).__name__}."
            )
        if not hasattr(estimator, "classes"):
            raise ValueError(
                f"{type(estimator).__name__} is not a skorch classifier with "
                "one output per class (NeuralNetClassifier or SkorchCNN)."
            )
        callbacks = estimator.get_params(deep=False).get("callbacks")
        if isinstance(callbacks, str):
            raise ValueError(
                f"callbacks={callbacks!r} switches off the callbacks, and with them "
                "the recording of every epoch; keep them on."
            )

    def settings(self, estimator, *, n_epochs) -> RecorderSettings:
        return RecorderSettings(
            n_epochs=None if n_epochs == "auto" else int(n_epochs),
            options=SkorchOptions(drop_default_split=_is_default_split(estimator)),
        )

    def n_stages(self, estimator, plan):
        """The epochs (or scheduled steps) a member records, stage 0 included.

        After steps, counted when the batches in an epoch follow from the
        data and the batch size alone (skorch's DataLoader, no validation
        split, no sampler of the user's); else None.
        """
        epochs = plan.n_epochs
        if epochs is None:
            epochs = getattr(estimator, "resolved_max_epochs", None)
            epochs = epochs() if callable(epochs) else estimator.max_epochs
        if not isinstance(epochs, int | np.integer) or epochs < 1:
            return None
        if plan.schedule is None:
            return int(epochs) + int(plan.record_initial)
        steps_per_epoch = _steps_per_epoch(estimator, plan)
        if not steps_per_epoch:  # unknown, or none: the member will say so
            return None
        steps = plan.schedule.steps(steps_per_epoch, int(epochs))
        return len(steps) + int(plan.record_initial)

    def place(self, estimator, group: int):
        return placed_on_gpu(estimator, group)

    def member_params(self, estimator, plan: MemberPlan, streams) -> tuple[dict, Any]:
        """What a member changes of the user's net, and the device it trains on.

        Its classes, its epochs, a shuffled batch order of its own, skorch's
        default split dropped, the DataLoader defaults; its callbacks are
        the recording's (set in :meth:`train`).
        """
        params = estimator.get_params(deep=False)
        device = params.get("device", "cpu")
        if not isinstance(estimator, SkorchCNN):  # it resolves its device itself
            device = resolve_device(device)
        updates: dict[str, Any] = {"classes": list(plan.classes)}
        if not isinstance(estimator, SkorchCNN):
            updates["device"] = device
        if plan.n_epochs is not None:
            updates["max_epochs"] = plan.n_epochs
        if "iterator_train__shuffle" not in params:
            updates["iterator_train__shuffle"] = True
        if "iterator_train__generator" not in params:
            updates["iterator_train__generator"] = torch.Generator().manual_seed(
                streams.order
            )
        if plan.options.drop_default_split:
            updates["train_split"] = None
        for kind in ("iterator_train", "iterator_valid"):
            updates.update(loader_defaults(params, kind, device))
        return updates, device

    def save_member(self, estimator) -> bytes:
        """Its module's weights and its history (tensors and JSON, no pickle)."""
        return dump_state(estimator.module_, estimator.history, estimator)

    def load_member(self, template, plan: MemberPlan, seed: int, data: bytes):
        """A clone of the user's net, seeded and set as the member, with its weights.

        Read with ``torch.load(..., weights_only=True)``.
        """
        state = load_state(data)
        streams = MemberStreams.from_seed(seed)
        net = clone(template)
        seed_estimator(net, streams.random_state("estimator"))
        updates, device = self.member_params(net, plan, streams)
        net.set_params(**updates)
        for name, value in state.shapes.items():  # what fit learnt from the data
            setattr(net, name, value)
        with torch_member_session(streams.init, device):
            net.initialize()
        net.module_.load_state_dict(state.weights)
        net.history = History(state.history)
        return net

    def train(
        self, estimator, X, y, fit_params, plan: MemberPlan, streams
    ) -> MemberTraining:
        callbacks = estimator.get_params(deep=False).get("callbacks")
        updates, device = self.member_params(estimator, plan, streams)
        recorder = EpochPredictionRecorder(
            plan.scored,
            every=plan.step,
            steps=plan.schedule,
            initial=plan.record_initial,
            outputs=plan.outputs,
            targets=list(plan.targets) if plan.outputs else None,
            output_dtype=plan.output_dtype,
        )
        updates["callbacks"] = [
            *(callbacks or []),
            (RECORDER_NAME, recorder),
            (
                f"{RECORDER_NAME}_dropout",
                _SeedDropout(streams.dropout, uses_cuda(device)),
            ),
        ]
        estimator.set_params(**updates)
        with torch_member_session(streams.init, device):
            # A Dataset brings its labels (class indices) itself, as skorch reads it.
            estimator.fit(X, None if is_dataset(X) else y, **fit_params)
        losses = np.asarray(estimator.history[:, "train_loss"], dtype=float)
        if not np.isfinite(losses).all():
            epoch = int(np.flatnonzero(~np.isfinite(losses))[0]) + 1
            raise FloatingPointError(
                f"the training loss became {losses[epoch - 1]} at epoch {epoch}."
            )

        # The member keeps no reference to the recorder, nor to the scored data.
        estimator.callbacks = callbacks
        estimator.callbacks_ = [
            (name, callback)
            for name, callback in estimator.callbacks_
            if not name.startswith(RECORDER_NAME)
        ]
        store = StageStore(plan)
        for step, epoch in zip(recorder.steps_, recorder.epochs_, strict=True):
            stage = epoch if plan.schedule is None else step
            store.begin(stage, step=step, epoch=epoch)
        for index, per_stage in enumerate(recorder.predictions_):
            for stage, labels in enumerate(per_stage):
                outputs = {
                    kind: values[index][stage]
                    for kind, values in recorder.outputs_.items()
                }
                store.add(index, plan.encode(index, labels), outputs)
        return store.result()


register_recorder(SkorchRecorder(), before=PartialFitRecorder.name)
