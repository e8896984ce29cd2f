"""The skorch recorder: a skorch network's predictions after every epoch.

:class:`EpochPredictionRecorder` is the skorch callback that records each
scored set from its own eval-mode pass; :class:`SkorchRecorder` trains each
member (a clone of the user's net, seeded from its own streams) with it. The
torch plumbing it uses (seeding, devices, DataLoader settings) is
:mod:`sklearn_difficulty.nets._torch`'s.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.base import clone
from skorch.callbacks import Callback
from skorch.dataset import ValidSplit
from skorch.history import History
from skorch.utils import is_dataset

from .._random import MemberStreams, seed_estimator
from ..record import OUTPUTS
from ..recorders import (
    MemberPlan,
    MemberTraining,
    PartialFitRecorder,
    Recorder,
    RecorderSettings,
    StageStore,
    check_sample_weight,
    register_recorder,
    true_class_outputs,
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


def predict_labels(net, dataset) -> np.ndarray:
    """Class index of each example from one eval-mode pass (dropout off, no grad)."""
    labels = [labels for labels, _ in _eval_pass(net, dataset)]
    return np.concatenate(labels) if labels else np.empty(0, dtype=np.int64)


def _eval_pass(net, dataset) -> Iterator[tuple[np.ndarray, torch.Tensor]]:
    """Each batch's predicted class indices and the module's output for it.

    One eval-mode pass (dropout off, no gradient) over ``dataset`` in order;
    the output is the module's own (its first element if it gives several).
    """
    for output in net.forward_iter(dataset, training=False, device=net.device):
        if isinstance(output, tuple):
            output = output[0]
        yield output.argmax(dim=1).cpu().numpy(), output


def _is_softmax(nonlinearity) -> bool:
    """Whether skorch's predict nonlinearity is a softmax over the classes."""
    return (
        isinstance(nonlinearity, functools.partial)
        and nonlinearity.func in (torch.softmax, torch.nn.functional.softmax)
        and nonlinearity.keywords.get("dim") in (-1, 1)
        and not nonlinearity.args
    )


def output_scores(net, output: torch.Tensor) -> dict[str, np.ndarray]:
    """What a batch of the module's outputs gives the outputs: logits or probabilities.

    A net whose ``predict_proba`` is the softmax of its module's output (a
    ``CrossEntropyLoss``, skorch's "auto" nonlinearity) gives its logits,
    ``{"scores": ...}``: the margin is measured on them. Any other net
    (``NLLLoss``, whose module gives probabilities, or a nonlinearity of the
    user's) gives what ``predict_proba`` gives, ``{"proba": ...}``: the
    margin then comes from the log-probabilities. Either way the recorded
    probabilities are those of ``predict_proba``.
    """
    nonlinearity = net._get_predict_nonlinearity()
    if _is_softmax(nonlinearity):
        return {"scores": output.detach().double().cpu().numpy()}
    proba = nonlinearity(output)
    return {"proba": torch.as_tensor(proba).detach().double().cpu().numpy()}


class EpochPredictionRecorder(Callback):
    """A skorch callback: each scored set's predicted classes after every epoch.

    Before the first epoch (the untrained network, epoch 0, unless
    ``initial=False``) and at the end of every ``every``-th epoch (and of
    the last one), it runs its own pass over each scored set with the
    network in eval mode (dropout off, no gradient, in batches), and keeps
    the predicted class index of every example. It never reuses the
    outputs of the training batches, which come from a shuffled order, with
    dropout on, while the weights move.

    With ``outputs``, the same pass also keeps, for every example, values
    measured against its true class (``targets``): the probability of the
    true class, the margin of its score, the norm of the probability error
    (see :func:`~sklearn_difficulty.recorders.true_class_outputs`). They are
    computed batch by batch; only the values per example are kept, in
    ``output_dtype``, never the module's outputs.

    Parameters
    ----------
    X_scored : sequence of array-like or Dataset
        The sets to predict on, each as the network's ``predict`` takes it.
    every : int, default=1
        Record every ``every``-th epoch, and always the last one.
    initial : bool, default=True
        Record the untrained network before the first epoch, as epoch 0.
    outputs : sequence of {"proba", "margin", "error_norm"}, default=()
        What to keep beyond the predicted classes. The probabilities are
        those of the net's ``predict_proba``; the margin is measured on the
        module's logits when ``predict_proba`` is their softmax (a
        ``CrossEntropyLoss``), else on the log-probabilities (an ``NLLLoss``,
        whose module gives probabilities).
    targets : sequence of array-like of int, default=None
        With ``outputs``: the true class index of every example of each
        scored set (the position of its label in the net's ``classes_``).
    output_dtype : {"float32", "float16"} or numpy dtype, default="float32"
        The dtype of the kept outputs.

    Attributes
    ----------
    epochs_ : list of int
        The recorded epochs (0 is before the first epoch, 1 its end).
    predictions_ : list of list of ndarray
        For each scored set, the predicted class indices at each recorded epoch.
    outputs_ : dict of str to list of list of ndarray
        For each kind of ``outputs``, for each scored set, the values of its
        examples at each recorded epoch (empty without ``outputs``).

    Examples
    --------
    >>> from sklearn_difficulty.datasets import load_digits_images
    >>> from sklearn_difficulty.nets import EpochPredictionRecorder, SkorchCNN
    >>> X, y = load_digits_images(return_X_y=True)
    >>> recorder = EpochPredictionRecorder([X[:50]])
    >>> net = SkorchCNN("mnist", max_epochs=2, callbacks=[recorder])
    >>> net = net.fit(X[:100], y[:100])
    >>> recorder.epochs_, recorder.predictions_[0][-1].shape
    ([0, 1, 2], (50,))

    The probability of each example's true class after every epoch:

    >>> recorder = EpochPredictionRecorder(
    ...     [X[:50]], outputs=["proba"], targets=[y[:50]])
    >>> net = SkorchCNN("mnist", max_epochs=2, callbacks=[recorder])
    >>> net = net.fit(X[:100], y[:100])
    >>> len(recorder.outputs_["proba"][0]), recorder.outputs_["proba"][0][-1].dtype
    (3, dtype('float32'))
    """

    def __init__(
        self,
        X_scored: Sequence,
        *,
        every: int = 1,
        initial: bool = True,
        outputs: Sequence[str] = (),
        targets: Sequence | None = None,
        output_dtype="float32",
    ):
        self.X_scored = X_scored
        self.every = every
        self.initial = initial
        self.outputs = outputs
        self.targets = targets
        self.output_dtype = output_dtype

    def initialize(self):
        kinds = tuple(self.outputs or ())
        unknown = sorted(set(kinds) - set(OUTPUTS))
        if unknown:
            raise ValueError(
                f"outputs names unknown outputs {unknown}; the outputs are "
                f"{list(OUTPUTS)}."
            )
        if kinds and (self.targets is None or len(self.targets) != len(self.X_scored)):
            raise ValueError(
                "outputs are measured against the true classes: give targets, "
                "one array of class indices per scored set."
            )
        self.epochs_ = []
        self.predictions_ = [[] for _ in self.X_scored]
        self.outputs_ = {kind: [[] for _ in self.X_scored] for kind in kinds}
        self._targets = (
            [np.asarray(t, dtype=np.intp) for t in self.targets] if kinds else None
        )
        self._datasets = None
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._datasets = [net.get_dataset(X_set) for X_set in self.X_scored]
        if self.initial and len(net.history) == 0:
            self._record(net, 0)

    def on_epoch_end(self, net, **kwargs):
        epoch = len(net.history)
        if epoch % self.every == 0:
            self._record(net, epoch)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        epoch = len(net.history)
        if epoch and (not self.epochs_ or self.epochs_[-1] != epoch):
            self._record(net, epoch)
        self._datasets = None

    def _record(self, net, epoch: int) -> None:
        self.epochs_.append(epoch)
        for index, dataset in enumerate(self._datasets):
            labels, outputs = self._predict(net, index, dataset)
            self.predictions_[index].append(labels)
            for kind, values in outputs.items():
                self.outputs_[kind][index].append(values)

    def _predict(self, net, index: int, dataset):
        """One pass: the set's labels, and its outputs (computed per batch)."""
        kinds = tuple(self.outputs_)
        labels: list[np.ndarray] = []
        outputs: dict[str, list[np.ndarray]] = {kind: [] for kind in kinds}
        start = 0
        for batch_labels, output in _eval_pass(net, dataset):
            labels.append(batch_labels)
            if kinds:
                stop = start + len(batch_labels)
                values = true_class_outputs(
                    kinds,
                    self._targets[index][start:stop],
                    dtype=self.output_dtype,
                    **output_scores(net, output),
                )
                for kind in kinds:
                    outputs[kind].append(values[kind])
                start = stop
        if kinds and start != len(self._targets[index]):
            raise ValueError(
                f"the scored set {index} has {start} examples but "
                f"{len(self._targets[index])} targets."
            )
        return (
            np.concatenate(labels) if labels else np.empty(0, dtype=np.int64),
            {
                kind: np.concatenate(values)
                if values
                else np.empty(0, dtype=self.output_dtype)
                for kind, values in outputs.items()
            },
        )


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
    """Whether ``estimator`` is a skorch network."""
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


@dataclass(frozen=True)
class SkorchOptions:
    """What the skorch recorder decides from the user's own net, once.

    Attributes
    ----------
    drop_default_split : bool
        The net holds skorch's own default validation split (not one the
        user passed): members train on all their data instead.
    """

    drop_default_split: bool


class SkorchRecorder(Recorder):
    """One stage per epoch of a skorch classifier, and the untrained net as 0.

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
    """

    name = "skorch"
    kind = "epoch"
    uses_codes = True

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
        epochs = plan.n_epochs
        if epochs is None:
            epochs = getattr(estimator, "resolved_max_epochs", None)
            epochs = epochs() if callable(epochs) else estimator.max_epochs
        if not isinstance(epochs, int | np.integer):
            return None
        return int(epochs) + int(plan.record_initial)

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
        store.stages.extend(recorder.epochs_)
        for index, per_stage in enumerate(recorder.predictions_):
            for stage, labels in enumerate(per_stage):
                outputs = {
                    kind: values[index][stage]
                    for kind, values in recorder.outputs_.items()
                }
                store.add(index, plan.encode(index, labels), outputs)
        return store.result()


register_recorder(SkorchRecorder(), before=PartialFitRecorder.name)
