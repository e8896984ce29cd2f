"""The skorch callback that records a network's predictions during training.

:class:`EpochPredictionRecorder` runs its own eval-mode pass over each
scored set after every epoch, or after the optimiser steps of a schedule
(:mod:`sklearn_difficulty.stages`), without changing the training it
watches; :mod:`~sklearn_difficulty.nets.skorch_recorder` trains the
ensemble's members with it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from skorch.callbacks import Callback

from ..record import OUTPUTS
from ..recorders import true_class_outputs
from ..stages import check_record_every
from ._torch import generators_untouched

__all__ = ["EpochPredictionRecorder", "output_scores", "predict_labels"]


def predict_labels(net, dataset) -> np.ndarray:
    """Class index of each example from one eval-mode pass (dropout off, no grad).

    Examples
    --------
    >>> import numpy as np
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from sklearn_difficulty.nets.skorch_callback import predict_labels
    >>> net = NeuralNetClassifier(
    ...     torch.nn.Linear, module__in_features=2, module__out_features=2,
    ...     criterion=torch.nn.CrossEntropyLoss).initialize()
    >>> with torch.no_grad():  # logits = inputs
    ...     _ = net.module_.weight.copy_(torch.eye(2)), net.module_.bias.zero_()
    >>> predict_labels(net, np.array([[1, 0], [0, 1], [3, 2]], dtype=np.float32))
    array([0, 1, 0])
    """
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

    Examples
    --------
    >>> import torch
    >>> from skorch import NeuralNetClassifier
    >>> from sklearn_difficulty.nets.skorch_callback import output_scores
    >>> def net(criterion):
    ...     return NeuralNetClassifier(
    ...         torch.nn.Linear, module__in_features=2, module__out_features=3,
    ...         criterion=criterion).initialize()
    >>> output_scores(net(torch.nn.CrossEntropyLoss), torch.tensor([[2.0, 0.0, -1.0]]))
    {'scores': array([[ 2.,  0., -1.]])}
    >>> output_scores(net(torch.nn.NLLLoss), torch.tensor([[0.5, 0.25, 0.25]]))
    {'proba': array([[0.5 , 0.25, 0.25]])}
    """
    nonlinearity = net._get_predict_nonlinearity()
    if _is_softmax(nonlinearity):
        return {"scores": output.detach().double().cpu().numpy()}
    proba = nonlinearity(output)
    return {"proba": torch.as_tensor(proba).detach().double().cpu().numpy()}


def _step_rule(steps):
    """What ``steps`` says: a function of (steps per epoch, epochs), or None."""
    if steps is None:
        return None
    if callable(getattr(steps, "steps", None)):  # a StepSchedule, LogSpacedSteps
        return steps.steps
    if callable(steps):
        return steps
    schedule = check_record_every(steps)
    return None if schedule is None else schedule.steps


def _training_batches(epoch: dict) -> int:
    """The training batches (optimiser steps) of one epoch of a net's history."""
    return sum("train_loss" in batch for batch in epoch.get("batches", ()))


def _max_epochs(net) -> int:
    """The epochs a net's ``fit`` trains (a SkorchCNN resolves its recipe's)."""
    resolved = getattr(net, "resolved_max_epochs", None)
    return int(resolved() if callable(resolved) else net.max_epochs)


@contextmanager
def _training_untouched(net) -> Iterator[None]:
    """Training goes on afterwards as if nothing had run in between.

    torch's global generators are given back as they were
    (:func:`generators_untouched`), and every submodule of the net's modules
    and criteria (its attributes that are torch modules) its mode, train or
    eval; a pass in eval mode would otherwise leave dropout off.
    """
    modes = [
        (module, module.training)
        for attribute in vars(net).values()
        if isinstance(attribute, torch.nn.Module)
        for module in attribute.modules()
    ]
    try:
        with generators_untouched(net.device):
            yield
    finally:
        for module, training in modes:
            module.training = training


class EpochPredictionRecorder(Callback):
    """A skorch callback: each scored set's predicted classes after every epoch.

    Before the first epoch (the untrained network, epoch 0, unless
    ``initial=False``) and at the end of every ``every``-th epoch (and of
    the last one), it runs its own pass over each scored set with the
    network in eval mode (dropout off, no gradient, in batches), and keeps
    the predicted class index of every example. It never reuses the
    outputs of the training batches, which come from a shuffled order, with
    dropout on, while the weights move.

    With ``steps``, it records after optimiser steps instead (a step is one
    training batch: one update of the weights), counted over the training
    from 1: once the first epoch begins it knows the batches in an epoch
    (the length of the net's training iterator) and asks ``steps`` which
    steps to record in the net's ``max_epochs`` epochs. A step that ends an
    epoch is recorded at the epoch's end (after the validation batches and
    the callbacks before this one, as an epoch is), the others right after
    their batch; the last step is always recorded when training ends,
    early or not. Validation batches are not steps. A later ``partial_fit``
    goes on counting, with the steps worked out for the first ``fit``.

    Recording never changes training: the pass runs with torch's global
    generators forked and given back (a DataLoader without a generator of
    its own draws its base seed from the CPU's, which also draws dropout
    masks), and every module and criterion of the net goes back to the
    mode, train or eval, it was in. A net trained with this callback is the
    net trained without it, whatever it records.

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
        Record every ``every``-th epoch, and always the last one (1 with
        ``steps``).
    steps : int, "log", LogSpacedSteps, StepSchedule, array-like of int or \
callable, default=None
        Record after these optimiser steps instead of epochs: what
        ``EnsembleDifficulty``'s ``record_every`` takes (every k-th step,
        log-spaced steps, those steps; see :mod:`sklearn_difficulty.stages`),
        or a callable ``steps(steps_per_epoch, n_epochs)`` that gives the
        step numbers. The steps after the last one of ``max_epochs`` epochs
        are never reached; the last step is recorded anyway. None records
        after epochs.
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
    epochs_ : list of int, or of float with ``steps``
        The epochs completed at each recorded stage (0 is before the first
        epoch, 1 its end); with ``steps``, a fraction: the steps taken over
        the steps in an epoch.
    steps_ : list of int
        The optimiser steps (training batches) taken before each recorded
        stage: the recorded steps with ``steps``.
    steps_per_epoch_ : int or None
        The training batches in an epoch, with ``steps`` (None before the
        first epoch, and without ``steps``).
    predictions_ : list of list of ndarray
        For each scored set, the predicted class indices at each recorded
        stage.
    outputs_ : dict of str to list of list of ndarray
        For each kind of ``outputs``, for each scored set, the values of its
        examples at each recorded stage (empty without ``outputs``).

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

    After every third optimiser step (batches of 25: 4 steps an epoch):

    >>> recorder = EpochPredictionRecorder([X[:50]], steps=3)
    >>> net = SkorchCNN("mnist", max_epochs=2, batch_size=25, callbacks=[recorder])
    >>> net = net.fit(X[:100], y[:100])
    >>> recorder.steps_, recorder.epochs_
    ([0, 3, 6, 8], [0.0, 0.75, 1.5, 2.0])
    """

    def __init__(
        self,
        X_scored: Sequence,
        *,
        every: int = 1,
        steps=None,
        initial: bool = True,
        outputs: Sequence[str] = (),
        targets: Sequence | None = None,
        output_dtype="float32",
    ):
        self.X_scored = X_scored
        self.every = every
        self.steps = steps
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
        self._rule = _step_rule(self.steps)
        if self._rule is not None and self.every != 1:
            raise ValueError(
                f"every={self.every} keeps every k-th epoch, but steps records "
                "after optimiser steps: give one or the other."
            )
        self.epochs_ = []
        self.steps_ = []
        self.steps_per_epoch_ = None
        self.predictions_ = [[] for _ in self.X_scored]
        self.outputs_ = {kind: [[] for _ in self.X_scored] for kind in kinds}
        self._targets = (
            [np.asarray(t, dtype=np.intp) for t in self.targets] if kinds else None
        )
        self._datasets = None
        self._step = 0  # optimiser steps taken (the net's training batches)
        self._batch = 0  # training batches in this epoch
        self._rows_counted = 0  # epochs of the history whose steps are in...
        self._steps_before = 0  # ...this count
        self._scheduled = None  # the steps to record, once known
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._datasets = [net.get_dataset(X_set) for X_set in self.X_scored]
        self._step = self._steps_taken(net)  # earlier fits' steps (partial_fit)
        if self.initial and len(net.history) == 0:
            self._record(net, 0)

    def on_epoch_begin(self, net, dataset_train=None, **kwargs):
        self._batch = 0
        if self._rule is not None and self._scheduled is None:
            self._schedule(net, dataset_train)

    def on_batch_end(self, net, training=False, **kwargs):
        if not training:  # a validation batch
            return
        self._step += 1
        self._batch += 1
        if (
            self._scheduled is not None
            and self._step in self._scheduled
            and self._batch != self.steps_per_epoch_  # else at the epoch's end
        ):
            self._record(net, self._step)

    def on_epoch_end(self, net, **kwargs):
        self._step = self._steps_taken(net)
        if self._rule is None:
            epoch = len(net.history)
            if epoch % self.every == 0:
                self._record(net, epoch)
        elif self._scheduled is not None and self._step in self._scheduled:
            self._record(net, self._step)

    def on_train_end(self, net, X=None, y=None, **kwargs):
        # A callback before this one may have ended training in a batch's end.
        self._step = self._steps_taken(net)
        if self._rule is None:
            epoch = len(net.history)
            if epoch and (not self.epochs_ or self.epochs_[-1] != epoch):
                self._record(net, epoch)
        elif self._step and (not self.steps_ or self.steps_[-1] != self._step):
            self._record(net, self._step)
        self._datasets = None

    def _steps_taken(self, net) -> int:
        """The optimiser steps so far: the training batches in the net's history.

        What :meth:`on_batch_end` counts, read where it is written first
        (skorch logs a batch's loss before any callback sees it), at the
        end of an epoch and of training. Each finished epoch is read once.
        """
        history = net.history
        for row in range(self._rows_counted, len(history) - 1):
            self._steps_before += _training_batches(history[row])
        self._rows_counted = max(self._rows_counted, len(history) - 1)
        last = _training_batches(history[-1]) if len(history) else 0
        return self._steps_before + last

    def _schedule(self, net, dataset_train) -> None:
        """The steps to record, once the batches in an epoch are known."""
        try:
            steps_per_epoch = len(net.get_iterator(dataset_train, training=True))
        except TypeError as error:
            raise ValueError(
                "recording after optimiser steps needs the number of training "
                "batches in an epoch, but the net's training iterator has no "
                f"length ({error}); record after epochs instead."
            ) from error
        steps = np.asarray(self._rule(steps_per_epoch, _max_epochs(net)))
        if steps.ndim != 1 or steps.dtype.kind not in "iu":
            raise ValueError(
                "steps must give a 1-D array of integer step numbers; got "
                f"{steps.dtype} of shape {steps.shape}."
            )
        self.steps_per_epoch_ = steps_per_epoch
        self._scheduled = frozenset(int(step) for step in steps)

    def _record(self, net, stage: int) -> None:
        """One stage (an epoch, or a step with ``steps``): a pass over each set."""
        if self._rule is None:
            self.epochs_.append(stage)
            self.steps_.append(self._step)
        else:
            self.steps_.append(stage)
            self.epochs_.append(stage / self.steps_per_epoch_ if stage else 0.0)
        with _training_untouched(net):
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
