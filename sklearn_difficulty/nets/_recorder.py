"""Recording a skorch network's predictions after every epoch."""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import numpy as np
import torch
from skorch.callbacks import Callback
from skorch.dataset import ValidSplit

from .._members import MAX_SEED
from ._classifier import resolve_device

RECORDER_NAME = "sklearn_difficulty_recorder"


def predict_labels(net, dataset) -> np.ndarray:
    """Class index of each example from one eval-mode pass (dropout off, no grad)."""
    labels = []
    for output in net.forward_iter(dataset, training=False, device=net.device):
        if isinstance(output, tuple):
            output = output[0]
        labels.append(output.argmax(dim=1).cpu().numpy())
    return np.concatenate(labels) if labels else np.empty(0, dtype=np.int64)


class EpochPredictionRecorder(Callback):
    """A skorch callback: each scored set's predicted classes after every epoch.

    At the end of every ``every``-th epoch (and of the last one), it runs its
    own pass over each scored set with the network in eval mode (dropout
    off, no gradient, in batches), and keeps the predicted class index of
    every example. It never reuses the outputs of the training batches,
    which come from a shuffled order, with dropout on, while the weights
    move.

    Parameters
    ----------
    X_scored : sequence of array-like or Dataset
        The sets to predict on, each as the network's ``predict`` takes it.
    every : int, default=1
        Record every ``every``-th epoch, and always the last one.

    Attributes
    ----------
    epochs_ : list of int
        The recorded epochs (1 is the end of the first epoch).
    predictions_ : list of list of ndarray
        For each scored set, the predicted class indices at each recorded epoch.

    Examples
    --------
    >>> from sklearn_difficulty.datasets import load_digits_images
    >>> from sklearn_difficulty.nets import EpochPredictionRecorder, SkorchCNN
    >>> X, y = load_digits_images(return_X_y=True)
    >>> recorder = EpochPredictionRecorder([X[:50]])
    >>> net = SkorchCNN("mnist", max_epochs=2, callbacks=[recorder])
    >>> net = net.fit(X[:100], y[:100])
    >>> recorder.epochs_, recorder.predictions_[0][-1].shape
    ([1, 2], (50,))
    """

    def __init__(self, X_scored: Sequence, *, every: int = 1):
        self.X_scored = X_scored
        self.every = every

    def initialize(self):
        self.epochs_ = []
        self.predictions_ = [[] for _ in self.X_scored]
        self._datasets = None
        return self

    def on_train_begin(self, net, X=None, y=None, **kwargs):
        self._datasets = [net.get_dataset(X_set) for X_set in self.X_scored]

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
        for store, dataset in zip(self.predictions_, self._datasets, strict=True):
            store.append(predict_labels(net, dataset))


_member_lock = threading.Lock()


@contextmanager
def torch_member_session(seed: int) -> Iterator[None]:
    """Train one member alone in this process, on one CPU thread, from ``seed``.

    torch's random generator (weight initialisation, dropout) is global to a
    process, so members sharing a process (joblib's threading backend) take
    turns; members in separate processes (loky, the default, or dask) train
    in parallel, on CPUs or sharing a GPU. One CPU thread each: how many
    threads share a convolution changes the order of its sums, and with it
    the trained network, so members then come out the same whether they are
    fitted one after another or in parallel.
    """
    with _member_lock:
        threads = torch.get_num_threads()
        torch.set_num_threads(1)
        torch.manual_seed(seed)
        try:
            yield
        finally:
            torch.set_num_threads(threads)


def _is_default_split(train_split) -> bool:
    """skorch's own default: a stratified 5-fold ValidSplit, seeded by nobody."""
    return (
        isinstance(train_split, ValidSplit)
        and train_split.cv == 5
        and train_split.stratified
        and train_split.random_state is None
    )


def record_skorch(
    estimator, X, y, fit_params, scored, *, step, classes, random_state, encode, **_
):
    """Fit a skorch classifier, recording every scored set after each epoch.

    The member gets its own seeds for weight initialisation and dropout
    (torch's global generator) and for the order of its mini-batches (a
    generator of its own), shuffles its training data every epoch unless
    told otherwise, trains on all of it unless it was given a validation
    split of its own, and uses one CPU thread (see :func:`torch_member_session`).
    """
    params = estimator.get_params(deep=False)
    callbacks = params.get("callbacks")
    if isinstance(callbacks, str):
        raise ValueError(
            f"callbacks={callbacks!r} switches off the callbacks, and with them "
            "the recording of every epoch; keep them on."
        )
    recorder = EpochPredictionRecorder(scored, every=step)
    updates = {
        "callbacks": [*(callbacks or []), (RECORDER_NAME, recorder)],
        "classes": list(classes),
        "device": resolve_device(params.get("device", "cpu")),
    }
    if "iterator_train__shuffle" not in params:
        updates["iterator_train__shuffle"] = True
    if "iterator_train__generator" not in params:
        batch_order = torch.Generator().manual_seed(int(random_state.randint(MAX_SEED)))
        updates["iterator_train__generator"] = batch_order
    if _is_default_split(params.get("train_split")):
        updates["train_split"] = None
    estimator.set_params(**updates)
    with torch_member_session(int(random_state.randint(MAX_SEED))):
        estimator.fit(X, y, **fit_params)
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
        if callback is not recorder
    ]
    predictions = [
        np.stack([encode(index, labels) for labels in store])
        for index, store in enumerate(recorder.predictions_)
    ]
    return np.asarray(recorder.epochs_), predictions
