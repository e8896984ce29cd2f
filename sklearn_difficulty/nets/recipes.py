"""The paper's training recipe of each of its networks, in one place.

Hacohen & Weinshall, "All Neural Networks are Created Equal", supplementary A
("Architectures"):

- st-VGG: "We trained the network using the SGD optimizer, with cross-entropy
  loss. When training st-VGG, we used a learning rate of 0.05 which we decayed
  by a factor of 1.8 every 20 epochs." "The batch size we used was 100."
- small st-VGG: "We trained this network with the same learning rate and
  batch size as st-VGG."
- MNIST network: "We used a learning rate of 1 for 12 epochs, using AdaDelta
  optimizer and a batch size of 100."

Supplementary A gives no number of epochs for the st-VGGs: 140 is the end of
learning in the paper's figures (Figs. 5 and 7, "end of learning (epoch
140)"). It mentions neither momentum nor weight decay: both are 0.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .modules import MODULES, resolve_module

__all__ = [
    "RECIPES",
    "Recipe",
    "is_auto",
    "optimizer_class",
    "recipe_for",
    "resolve_setting",
]

_OPTIMIZERS: dict[str, type[torch.optim.Optimizer]] = {
    "sgd": torch.optim.SGD,
    "adadelta": torch.optim.Adadelta,
    "adam": torch.optim.Adam,
}

DEFAULT_RECIPE = "st_vgg"


def optimizer_class(name: str) -> type[torch.optim.Optimizer]:
    """The torch optimizer class of a recipe's optimizer name.

    Parameters
    ----------
    name : {"sgd", "adadelta", "adam"}

    Returns
    -------
    optimizer : subclass of torch.optim.Optimizer

    Examples
    --------
    >>> from sklearn_difficulty.nets.recipes import optimizer_class
    >>> optimizer_class("adadelta")
    <class 'torch.optim.adadelta.Adadelta'>
    """
    if name not in _OPTIMIZERS:
        raise ValueError(
            f"unknown optimizer {name!r}: use one of {sorted(_OPTIMIZERS)}, or a "
            "torch.optim.Optimizer class."
        )
    return _OPTIMIZERS[name]


@dataclass(frozen=True)
class Recipe:
    """How one of the paper's networks is trained.

    Parameters
    ----------
    optimizer : {"sgd", "adadelta", "adam"}
        The name of the optimizer; :func:`optimizer_class` gives its class.
    lr : float
        The initial learning rate.
    lr_step : int or None
        Epochs between two divisions of the learning rate by ``lr_decay``;
        None for a constant learning rate.
    lr_decay : float or None
        What the learning rate is divided by every ``lr_step`` epochs; None
        (with ``lr_step`` None) for a constant learning rate.
    max_epochs : int
        Epochs of training.
    batch_size : int
        Examples per mini-batch.
    momentum : float, default=0.0
        The optimizer's momentum (SGD).
    weight_decay : float, default=0.0
        The optimizer's L2 penalty.

    Examples
    --------
    >>> from sklearn_difficulty.nets.recipes import Recipe
    >>> Recipe("adam", lr=1e-3, lr_step=None, lr_decay=None, max_epochs=10,
    ...        batch_size=64).momentum
    0.0
    """

    optimizer: str
    lr: float
    lr_step: int | None
    lr_decay: float | None
    max_epochs: int
    batch_size: int
    momentum: float = 0.0
    weight_decay: float = 0.0

    def __post_init__(self):
        optimizer_class(self.optimizer)  # a known name
        if (self.lr_step is None) != (self.lr_decay is None):
            raise ValueError(
                "lr_step and lr_decay are both None (a constant learning rate) or "
                f"both set; got lr_step={self.lr_step!r}, lr_decay={self.lr_decay!r}."
            )


_ST_VGG = Recipe(
    optimizer="sgd", lr=0.05, lr_step=20, lr_decay=1.8, max_epochs=140, batch_size=100
)

RECIPES: dict[str, Recipe] = {
    "st_vgg": _ST_VGG,
    "small_st_vgg": _ST_VGG,
    "mnist": Recipe(
        optimizer="adadelta",
        lr=1.0,
        lr_step=None,
        lr_decay=None,
        max_epochs=12,
        batch_size=100,
    ),
}
"""The recipe of each network of :data:`~sklearn_difficulty.nets.MODULES`."""


def recipe_for(module) -> Recipe:
    """The recipe of a network: a name of ``MODULES``, a module class or instance.

    The paper's network classes (and their subclasses) get their own recipe;
    any other module gets st-VGG's, the recipe the paper used for most
    experiments.

    Parameters
    ----------
    module : str, torch module class or instance
        "st_vgg", "small_st_vgg", "mnist", or a module.

    Returns
    -------
    recipe : Recipe

    Examples
    --------
    >>> from sklearn_difficulty.nets.recipes import recipe_for
    >>> recipe = recipe_for("mnist")
    >>> recipe.optimizer, recipe.lr, recipe.max_epochs
    ('adadelta', 1.0, 12)
    >>> recipe_for("st_vgg").lr_decay
    1.8
    """
    module = resolve_module(module)  # an error for an unknown name
    cls = module if isinstance(module, type) else type(module)
    names = {network: name for name, network in MODULES.items()}
    for ancestor in cls.__mro__:
        if ancestor in names:
            return RECIPES.get(names[ancestor], RECIPES[DEFAULT_RECIPE])
    return RECIPES[DEFAULT_RECIPE]


def is_auto(value) -> bool:
    """Whether a training setting is left to the recipe ("auto").

    Examples
    --------
    >>> from sklearn_difficulty.nets.recipes import is_auto
    >>> is_auto("auto"), is_auto(0.05), is_auto(None)
    (True, False, False)
    """
    return isinstance(value, str) and value == "auto"


def resolve_setting(module, name: str, value):
    """A training setting: ``value``, or the recipe's ``name`` for "auto".

    Parameters
    ----------
    module : str, torch module class or instance
        The network whose recipe (:func:`recipe_for`) fills in "auto".
    name : str
        A field of :class:`Recipe` ("lr", "max_epochs", ...).
    value : object
        The setting given.

    Examples
    --------
    >>> from sklearn_difficulty.nets.recipes import resolve_setting
    >>> resolve_setting("mnist", "lr", "auto"), resolve_setting("mnist", "lr", 0.1)
    (1.0, 0.1)
    """
    return getattr(recipe_for(module), name) if is_auto(value) else value
