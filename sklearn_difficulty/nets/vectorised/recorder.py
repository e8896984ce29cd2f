"""The vectorised recorder: the members of a VectorisedCNN, trained as one model."""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from ..._inputs import n_samples
from ..._random import MemberStreams
from ...recorders import (
    PartialFitRecorder,
    Recorder,
    RecorderSettings,
    check_sample_weight,
    register_recorder,
)
from .._member_state import dump_state, load_state
from .._torch import placed_on_gpu
from .estimator import VectorisedMembers
from .trainer import build_network, group_size, image_shape, steps_per_epoch

__all__ = ["VectorisedRecorder"]


class VectorisedRecorder(Recorder):
    """All members of a VectorisedCNN or VectorisedMLP trained as one batched model.

    One job trains a group of ``member_chunk`` members (all of them by
    default); the per-member cache, failures (a diverging member fails
    alone), progress and record assembly are the ensemble's, as for every
    recorder. Fit parameters are refused: the trainer takes none. The
    outputs of ``record_outputs`` come from the logits of the pass that
    gives the labels, batch by batch.

    It reaches the network through its public methods:
    :meth:`VectorisedCNN.training_settings` (checked, and what the groups
    are sized from), :meth:`VectorisedCNN.resolved_max_epochs` and
    :meth:`VectorisedCNN.record_members`.

    It records after optimiser steps (``records_steps``): with
    ``EnsembleDifficulty(record_every=...)`` each member is recorded after
    the scheduled steps, one step per batch of its training rows, and the
    stages are labelled by their step; at the steps that end an epoch it
    predicts exactly what it predicts recorded every epoch.

    Examples
    --------
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_difficulty import EnsembleDifficulty
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.recorders import resolve_recorder
    >>> X, y = load_digits(return_X_y=True)
    >>> X, y = X[:40].reshape(-1, 1, 8, 8) / 16, y[:40]
    >>> net = VectorisedCNN("mnist", max_epochs=1, batch_size=20)
    >>> resolve_recorder(net).name
    'vectorised'
    >>> ed = EnsembleDifficulty(net, n_estimators=2, record_every=1, random_state=0)
    >>> ed.fit(X, y).stages_  # the untrained members, then each of 2 steps
    array([0, 1, 2])
    """

    name = "vectorised"
    kind = "epoch"
    uses_codes = True
    records_steps = True

    def accepts(self, estimator) -> bool:
        return isinstance(estimator, VectorisedMembers)

    def check(self, estimator, *, fit_params, outputs) -> None:
        """A VectorisedCNN or VectorisedMLP with valid settings, no fit parameter.

        The members' logits give every output.
        """
        if not isinstance(estimator, VectorisedMembers):
            raise ValueError(
                "stage_method='vectorised' needs a network that trains its members "
                "together (nets.VectorisedCNN or nets.VectorisedMLP); got "
                f"{type(estimator).__name__}."
            )
        estimator.training_settings()
        check_sample_weight(estimator, "fit", fit_params)
        if fit_params:
            raise TypeError(
                f"{type(estimator).__name__} takes no fit parameters; got "
                f"{sorted(fit_params)}."
            )

    def settings(self, estimator, *, n_epochs) -> RecorderSettings:
        return RecorderSettings(n_epochs=None if n_epochs == "auto" else int(n_epochs))

    def n_stages(self, estimator, plan):
        """Epochs (or scheduled steps), and stage 0 with ``record_initial``."""
        epochs = int(plan.n_epochs or estimator.resolved_max_epochs())
        if plan.schedule is None:
            return epochs + int(plan.record_initial)
        rows = n_samples(plan.X) if plan.n_draw is None else plan.n_draw
        per_epoch = steps_per_epoch(rows, estimator.training_settings().batch_size)
        return len(plan.schedule.steps(per_epoch, epochs)) + int(plan.record_initial)

    def group_size(self, estimator, plan, n_members: int) -> int:
        """``member_chunk``; for "auto", sized here from the device's free memory.

        Each group is one job, cached as soon as it finishes, so a killed run
        loses one group at most.
        """
        return group_size(estimator.training_settings(), plan, n_members)

    def place(self, estimator, group: int):
        return placed_on_gpu(estimator, group)

    def cache_token(self, estimator):
        return clone(estimator).set_params(member_chunk=None)

    def save_member(self, estimator) -> bytes:
        """Its network's weights and its history (tensors and JSON, no pickle)."""
        return dump_state(estimator.module_, estimator.history_)

    def load_member(self, template, plan, seed: int, data: bytes):
        """A clone of the user's network holding the member's weights.

        Its network is built as the trainer builds it (from the member's
        "init" stream), then given the saved weights, read with
        ``torch.load(..., weights_only=True)``.
        """
        state = load_state(data)
        member = clone(template)
        settings = member.training_settings()
        module = build_network(
            settings,
            image_shape(plan, settings.channels),
            len(plan.classes),
            seed=MemberStreams.from_seed(seed).init,
        )
        module.load_state_dict(state.weights)
        member.module_ = module.eval()
        member.classes_ = np.arange(len(plan.classes))
        member.history_ = state.history
        return member

    def record(self, estimator, plan, seeds):
        return estimator.record_members(plan, seeds)


register_recorder(VectorisedRecorder(), before=PartialFitRecorder.name)
