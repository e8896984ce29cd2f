"""The vectorised trainer: groups of members trained as one model, step by step.

:func:`train_members` trains one member per seed, in groups of the
settings' ``member_chunk`` (:func:`chunk_size`); :class:`GroupTrainer`
trains one group, one method per step: build the members, stack their
state, the forward pass (vmap, or grouped convolutions), the optimiser and
its schedule, one epoch of steps, the recording pass (after every epoch,
or after the optimiser steps of ``record_every``), the members' results.
:class:`TrainingSettings` are an estimator's parameters with the recipe's
values for "auto", checked, which is all the trainer reads of it; they, and
what they decide (each member's network, the group sizes), live in
``_settings`` and are exported here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as np
import torch
from torch import nn
from torch.func import stack_module_state

from ..._inputs import is_augmented
from ..._random import MemberStreams
from ...recorders import MemberPlan, MemberTraining, StageStore, true_class_outputs
from .._torch import autocast, generators_untouched, resolve_device
from ..recipes import optimizer_class
from ._settings import (
    TrainingSettings,
    build_network,
    chunk_size,
    group_size,
    image_shape,
    steps_per_epoch,
)
from .grouped_conv import GroupedConvNet
from .images import ImageLoader
from .perceptron import BatchedPerceptrons, PerceptronNet, ScikitLearnOptimizer
from .vmapped import VmappedNet

__all__ = [
    "GroupTrainer",
    "SetPredictions",
    "TrainedMember",
    "TrainingData",
    "TrainingSettings",
    "build_network",
    "chunk_size",
    "group_size",
    "image_shape",
    "steps_per_epoch",
    "train_members",
]

_RECORDING_BATCH = 1000  # images per batch of the recording pass


# Training -------------------------------------------------------------------------


class TrainingData(NamedTuple):
    """What every group of one call trains on and is recorded on.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import TrainingData
    >>> from sklearn_difficulty.recorders import MemberPlan
    >>> X, y = np.zeros((6, 8, 8, 1)), np.array([0, 1, 2, 0, 1, 2])  # NHWC
    >>> plan = MemberPlan(X, y, {}, (X,), ("train",), (y,), np.arange(3), (8, 8, 1))
    >>> data = TrainingData.of(VectorisedCNN("mnist").training_settings(), plan)
    >>> data.X.tensor.shape, data.y.tolist(), data.image_shape, data.device.type
    (torch.Size([6, 1, 8, 8]), [0, 1, 2, 0, 1, 2], (1, 8, 8), 'cpu')
    """

    X: ImageLoader
    y: torch.Tensor
    scored: list[ImageLoader]
    image_shape: tuple[int, ...]
    device: torch.device

    @classmethod
    def of(cls, settings: TrainingSettings, plan: MemberPlan) -> TrainingData:
        """The plan's images and labels on the settings' device."""
        device = torch.device(resolve_device(settings.device))

        def loader(data) -> ImageLoader:
            return ImageLoader(
                data,
                channels=settings.channels,
                num_workers=settings.num_workers,
                device=device,
            )

        return cls(
            X=loader(plan.X),
            y=torch.as_tensor(np.asarray(plan.y, dtype=np.int64), device=device),
            scored=[loader(scored) for scored in plan.scored],
            image_shape=image_shape(plan, settings.channels),
            device=device,
        )


class TrainedMember(NamedTuple):
    """One member trained by a :class:`GroupTrainer`.

    Attributes
    ----------
    module : torch module
        Its network, trained, in eval mode, on the CPU.
    history : list of float
        Its mean training loss per epoch.
    training : MemberTraining
        Its recorded stages, predictions and outputs.
    indices : ndarray or None
        The training examples it was given (None: all of them).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import train_members
    >>> from sklearn_difficulty.recorders import MemberPlan
    >>> X, y = np.zeros((4, 1, 8, 8)), np.array([0, 1, 0, 1])
    >>> plan = MemberPlan(X, y, {}, (X,), ("train",), (y,), np.arange(2), (1, 8, 8))
    >>> settings = VectorisedCNN("mnist", max_epochs=1).training_settings()
    >>> member = train_members(settings, plan, seeds=[0])[0]
    >>> member.module.training, len(member.history), member.indices
    (False, 1, None)
    >>> member.training.stages  # the untrained member, then epoch 1
    array([0, 1])
    """

    module: nn.Module
    history: list
    training: MemberTraining
    indices: np.ndarray | None


def train_members(
    settings: TrainingSettings, plan: MemberPlan, seeds: Sequence[int]
) -> list[TrainedMember | Exception]:
    """Train one member per seed, in groups; a member whose loss diverged fails alone.

    Each member gets its subset, initial weights, batch order and dropout
    masks from its own seed (:class:`~sklearn_difficulty._random.
    MemberStreams`), so it trains the same whichever group it is in.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.datasets import load_digits
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import train_members
    >>> from sklearn_difficulty.recorders import MemberPlan
    >>> X, y = load_digits(return_X_y=True)
    >>> X, y = X[:10].reshape(-1, 1, 8, 8) / 16, y[:10]
    >>> plan = MemberPlan(X, y, {}, (X,), ("train",), (y,), np.arange(10), (1, 8, 8))
    >>> net = VectorisedCNN("mnist", max_epochs=1, member_chunk=1)  # groups of 1
    >>> members = train_members(net.training_settings(), plan, seeds=[0, 1])
    >>> [member.training.predictions[0].shape for member in members]  # (stages, X)
    [(2, 10), (2, 10)]
    """
    if is_augmented(plan.X):
        raise ValueError(
            "VectorisedCNN loads each image once per step for all the members "
            "whose batches hold it, so it cannot give each member its own "
            "random augmentation: train augmented data with SkorchCNN."
        )
    data = TrainingData.of(settings, plan)
    device = data.device
    streams = [MemberStreams.from_seed(seed) for seed in seeds]
    chunk = chunk_size(
        settings, len(seeds), data.image_shape, len(plan.classes), device
    )
    results: list[TrainedMember | Exception] = []
    for start in range(0, len(seeds), chunk):
        group = streams[start : start + chunk]
        results += GroupTrainer(settings, plan, data, group).train()
    return results


class SetPredictions(NamedTuple):
    """A group's predictions on one scored set at one stage.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty.nets.vectorised.trainer import SetPredictions
    >>> predicted = SetPredictions(
    ...     labels=np.array([[0, 1, 1], [0, 0, 1]]),  # 2 members, 3 examples
    ...     outputs={"proba": np.array([[0.9, 0.6, 0.7], [0.8, 0.4, 0.6]])})
    >>> predicted.labels[1], predicted.outputs["proba"][1]  # the second member's
    (array([0, 0, 1]), array([0.8, 0.4, 0.6]))
    """

    labels: np.ndarray  # (members, examples): class indices
    outputs: dict[str, np.ndarray]  # kind -> (members, examples)


class GroupTrainer:
    """A group of members trained as one batched model, one method per step.

    Built, it holds the members' networks (:meth:`build_members`), their
    stacked state (:meth:`stack_state`), the engine that runs them
    (:meth:`engine`) and the optimiser (:meth:`optimiser`); :meth:`train`
    then records the untrained members, runs every epoch
    (:meth:`run_epoch`, :meth:`step`), records the kept ones
    (:meth:`record_stage`) and gives the members' :meth:`results`.

    With the plan's ``schedule`` (``record_every``), the members are
    recorded inside :meth:`run_epoch` after each scheduled optimiser step
    (steps counted over the whole training, from 1; an epoch has one step
    per batch of a member's training rows, the same for all members of a
    group), the stage labelled by its step; otherwise after every kept
    epoch, labelled by the epoch. Either way each stage carries its
    position (step, epoch as a fraction). The recording pass changes
    nothing training reads: the batch orders are drawn at the start of the
    epoch from the members' own generators, dropout masks are keyed by the
    step (and off in the recording pass), the optimiser and its schedule
    are not touched, torch's global generators are forked around it, and
    the engine is put back into training mode after it.

    Parameters
    ----------
    settings : TrainingSettings
    plan : MemberPlan
    data : TrainingData
    streams : list of MemberStreams
        One per member of the group.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_difficulty._random import MemberStreams
    >>> from sklearn_difficulty.nets import VectorisedCNN
    >>> from sklearn_difficulty.nets.vectorised.trainer import (
    ...     GroupTrainer, TrainingData)
    >>> from sklearn_difficulty.recorders import MemberPlan
    >>> X, y = np.zeros((4, 1, 8, 8)), np.array([0, 1, 0, 1])
    >>> plan = MemberPlan(X, y, {}, (X,), ("train",), (y,), np.arange(2), (1, 8, 8))
    >>> settings = VectorisedCNN("mnist", max_epochs=1).training_settings()
    >>> streams = [MemberStreams.from_seed(seed) for seed in (0, 1)]
    >>> group = GroupTrainer(settings, plan, TrainingData.of(settings, plan), streams)
    >>> type(group.net).__name__, group.n_members, group.steps_per_epoch
    ('VmappedNet', 2, 1)
    >>> [member.training.stages for member in group.train()]
    [array([0, 1]), array([0, 1])]
    """

    def __init__(self, settings, plan: MemberPlan, data: TrainingData, streams):
        self.settings = settings
        self.plan = plan
        self.data = data
        self.streams = streams
        self.n_members = len(streams)
        self.n_epochs = plan.n_epochs or settings.max_epochs
        device = data.device
        # Each member's dropout seed and training step, read by the keyed dropout.
        self.keys = torch.zeros(self.n_members, 2, dtype=torch.int64, device=device)
        self.keys[:, 0] = torch.as_tensor([s.dropout for s in streams], device=device)
        self.steps = 0
        self.modules = self.build_members()
        self.params, self.buffers = self.stack_state(self.modules)
        self.net = self.engine(self.modules[0])
        self.optimizer, self.schedule = self.optimiser()
        self.indices = [plan.member_indices(s) for s in streams]
        rows = [np.arange(len(data.y)) if i is None else i for i in self.indices]
        self.rows = torch.as_tensor(np.stack(rows), device=device)  # (members, n)
        self.orders = [
            torch.Generator(device=device).manual_seed(s.order) for s in streams
        ]
        self.autocast = autocast(device.type, settings.precision)
        self.stores = [StageStore(plan) for _ in streams]
        self.history = np.zeros((self.n_members, self.n_epochs))
        self.steps_per_epoch = steps_per_epoch(self.rows.shape[1], settings.batch_size)
        if settings.sampler is not None:
            self.check_sampler()
        self.recorded_steps = frozenset(
            ()
            if plan.schedule is None
            else plan.schedule.steps(self.steps_per_epoch, self.n_epochs).tolist()
        )

    def build_members(self) -> list[nn.Module]:
        """Each member's network, its initial weights from its own "init" stream."""
        n_classes = len(self.plan.classes)
        return [
            build_network(self.settings, self.data.image_shape, n_classes, seed=s.init)
            for s in self.streams
        ]

    def stack_state(self, modules) -> tuple[dict, dict]:
        """The members' parameters and buffers, stacked members first, on the device."""
        params, buffers = stack_module_state(modules)
        device = self.data.device
        params = {k: v.to(device).detach().requires_grad_() for k, v in params.items()}
        return params, {k: v.to(device) for k, v in buffers.items()}

    def engine(
        self, template: nn.Module
    ) -> GroupedConvNet | VmappedNet | BatchedPerceptrons:
        """What runs the members forward: grouped convolutions, batched matrix
        products for perceptrons, or vmap."""
        if isinstance(template, PerceptronNet):
            return BatchedPerceptrons(template)
        if self.settings.channels_last:
            return GroupedConvNet(template, self.n_members, self.keys)
        return VmappedNet(template, self.keys)

    def optimiser(self):
        """The optimiser of all the members' parameters, and its schedule (or None).

        SGD, AdaDelta and Adam work element-wise: each member's update is
        exactly its own. Without ``decay_biases``, weight decay (an L2
        penalty's gradient) reaches the weights only, as scikit-learn's MLP.
        """
        settings = self.settings
        kwargs: dict[str, Any] = {"lr": settings.lr}
        if settings.optimizer == "sgd":
            kwargs.update(momentum=settings.momentum, nesterov=settings.nesterov)
        elif settings.optimizer == "adam":
            kwargs.update(betas=settings.betas, eps=settings.eps)
        decayed = [
            p
            for name, p in self.params.items()
            if settings.decay_biases or not name.endswith("bias")
        ]
        others = [p for p in self.params.values() if all(p is not d for d in decayed)]
        groups = [{"params": decayed, "weight_decay": settings.weight_decay}]
        if others:
            groups.append({"params": others, "weight_decay": 0.0})
        if settings.optimizer.startswith("scikit-learn "):
            optimizer = ScikitLearnOptimizer(
                groups, solver=settings.optimizer.removeprefix("scikit-learn "),
                lr=settings.lr, betas=settings.betas, eps=settings.eps,
                momentum=settings.momentum, nesterov=settings.nesterov,
            )  # fmt: skip
        else:
            optimizer = optimizer_class(settings.optimizer)(groups, **kwargs)
        if settings.lr_step is None:
            return optimizer, None
        return optimizer, torch.optim.lr_scheduler.StepLR(
            optimizer, step_size=settings.lr_step, gamma=1 / settings.lr_decay
        )

    def train(self) -> list[TrainedMember | Exception]:
        """Train and record the group; one result (or error) per member."""
        if self.plan.record_initial:
            self.record_stage(0)
        for epoch in range(1, self.n_epochs + 1):
            self.history[:, epoch - 1] = self.run_epoch()
            if self.plan.schedule is None and self.plan.is_kept(epoch, self.n_epochs):
                self.record_stage(epoch)
        return self.results()

    def check_sampler(self) -> None:
        """A clear error unless the sampler fits the training set and the members."""
        sampler = self.settings.sampler
        if any(indices is not None for indices in self.indices):
            raise ValueError(
                "a curriculum sampler draws from all the training examples: it "
                "cannot train members on subsets (max_samples, bootstrap)."
            )
        sampler.check_n_samples(len(self.data.y))
        if int(sampler.batch_size) != self.settings.batch_size:
            raise ValueError(
                f"the sampler's batch_size ({sampler.batch_size}) differs from the "
                f"network's ({self.settings.batch_size}): give them the same."
            )

    def epoch_batches(self) -> list[torch.Tensor]:
        """The members' batches of the next epoch, each (members, batch size):
        from each member's "order" generator, a permutation of its rows or,
        with a sampler, its batch at each step (counted from 0 over training)."""
        sampler, device = self.settings.sampler, self.data.device
        if sampler is not None:
            steps = range(self.steps, self.steps + self.steps_per_epoch)
            return [
                torch.stack([sampler.batch(s, g) for g in self.orders]) for s in steps
            ]
        n_rows = self.rows.shape[1]
        order = torch.stack(
            [torch.randperm(n_rows, generator=g, device=device) for g in self.orders]
        )
        batches = torch.gather(self.rows, 1, order)
        return list(batches.split(self.settings.batch_size, dim=1))

    def run_epoch(self) -> np.ndarray:
        """One epoch, each member in its own batch order; its mean training loss.

        In step mode, the members are recorded after each scheduled step,
        and put back into training mode.
        """
        self.net.train(True)
        batches = self.epoch_batches()
        losses = torch.zeros(self.n_members, device=self.data.device)
        n_drawn = 0
        for batch, images in zip(batches, self.data.X.batches(batches), strict=True):
            losses += self.step(batch, images) * batch.shape[1]
            n_drawn += batch.shape[1]
            if self.steps in self.recorded_steps:
                self.record_stage(self.steps)
                self.net.train(True)
        if self.schedule is not None:
            self.schedule.step()
        return (losses / n_drawn).cpu().numpy()

    def step(self, batch: torch.Tensor, images: torch.Tensor) -> torch.Tensor:
        """One training step of every member on its batch; its mean loss."""
        self.keys[:, 1] = self.steps
        self.steps += 1
        if isinstance(self.net, BatchedPerceptrons):  # backpropagation written out
            self.optimizer.zero_grad(set_to_none=True)
            loss = self.net.loss_and_gradients(self.params, images, self.data.y[batch])
            self.optimizer.step()
            return loss
        with self.autocast:
            logits = self.net.batched(self.params, self.buffers, images)
        per_member = (
            nn.functional.cross_entropy(
                logits.float().flatten(0, 1),
                self.data.y[batch].flatten(),
                reduction="none",
            )
            .view(self.n_members, -1)
            .mean(dim=1)
        )
        self.optimizer.zero_grad(set_to_none=True)
        per_member.sum().backward()
        self.optimizer.step()
        return per_member.detach()

    def record_stage(self, stage: int) -> None:
        """The recording pass: every member's predictions on every scored set.

        The stage is placed after the steps taken so far. It leaves the
        engine in eval mode, and torch's global generators as they were (a
        DataLoader reading a Dataset draws its base seed from them).
        """
        self.net.train(False)
        with torch.no_grad(), generators_untouched(self.data.device):
            sets = [
                self.predict_set(index, images)
                for index, images in enumerate(self.data.scored)
            ]
        epoch = self.steps / self.steps_per_epoch
        for m, store in enumerate(self.stores):
            store.begin(stage, step=self.steps, epoch=epoch)
            for index, predicted in enumerate(sets):
                outputs = {kind: v[m] for kind, v in predicted.outputs.items()}
                store.add(index, self.plan.encode(index, predicted.labels[m]), outputs)

    def predict_set(self, index: int, images: ImageLoader) -> SetPredictions:
        """The members' labels on one scored set, and the outputs the plan asks for.

        The outputs come from the same logits, moved to numpy batch by batch
        (:func:`~sklearn_difficulty.recorders.true_class_outputs`).
        """
        kinds = tuple(self.plan.outputs)
        labels: list[torch.Tensor] = []
        values: dict[str, list[np.ndarray]] = {kind: [] for kind in kinds}
        start = 0
        for batch in images.in_order(_RECORDING_BATCH):
            with self.autocast:
                logits = self.net.shared(self.params, self.buffers, batch)
            labels.append(logits.argmax(2))
            if kinds:
                stop = start + logits.shape[1]
                outputs = true_class_outputs(
                    kinds,
                    self.plan.targets[index][start:stop],
                    scores=logits.detach().double().cpu().numpy(),
                    dtype=self.plan.output_dtype,
                )
                for kind in kinds:
                    values[kind].append(outputs[kind])
                start = stop
        return SetPredictions(
            torch.cat(labels, dim=1).cpu().numpy(),
            {kind: np.concatenate(v, axis=1) for kind, v in values.items()},
        )

    def results(self) -> list[TrainedMember | Exception]:
        """Each member's network and record; a FloatingPointError if it diverged."""
        results: list[TrainedMember | Exception] = []
        for m, module in enumerate(self.modules):
            history = self.history[m]
            if not np.isfinite(history).all():
                epoch = int(np.flatnonzero(~np.isfinite(history))[0]) + 1
                results.append(
                    FloatingPointError(
                        f"the training loss of the member with seed "
                        f"{self.streams[m].seed} became {history[epoch - 1]} at "
                        f"epoch {epoch}."
                    )
                )
                continue
            module.load_state_dict(
                {k: v[m].detach().cpu() for k, v in self.params.items()}, strict=False
            )
            results.append(
                TrainedMember(
                    module.eval(),
                    history.tolist(),
                    self.stores[m].result(),
                    self.indices[m],
                )
            )
        return results
