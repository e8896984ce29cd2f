"""Every public name of sklearn-difficulty 0.2 is importable from where it was.

The list is what 0.2 (before the modules were split by concept) exported in
each public module's ``__all__``, plus every name its tests, examples,
benchmarks, README and doctests imported from a public module. A module that
moved keeps its old import path (a facade: ``dynamics``, ``registries``), and
a module that became a package re-exports what it had.
"""

import importlib
import importlib.util

import pytest

PUBLIC_NAMES = {
    "sklearn_difficulty": [
        "DeviceWarning",
        "DifficultyWarning",
        "EnsembleDifficulty",
        "IdenticalMembersWarning",
        "MemberFailedWarning",
        "MembersLostError",
        "PredictionRecord",
        "__version__",
        "aum",
        "compare",
        "consensus",
        "consistency",
        "data_map",
        "dynamics",
        "el2n",
        "experiments",
        "forgetting_events",
        "heldout_consistency",
        "learning_speed",
        "member_accuracy",
        "members_needed",
        "pruning_curve",
        "registries",
        "scores",
        "spearman_brown",
        "split_half_reliability",
    ],
    "sklearn_difficulty.cli": [
        "build_parser",
        "main",
    ],
    "sklearn_difficulty.compare": [
        "RecordComparison",
        "compare_records",
        "group_accuracy",
        "single_stage_agreement",
    ],
    "sklearn_difficulty.datasets": [
        "ArrayImageDataset",
        "CIFAR100_SUPERCLASSES",
        "IMAGE_EXTENSIONS",
        "ImageFolderDataset",
        "ImageNetFoldersDataset",
        "TinyImageNetDataset",
        "as_dataset",
        "augmented",
        "load_cifar10",
        "load_cifar100",
        "load_cifar100_superclass",
        "load_digits_images",
        "load_image_folder",
        "load_imagenet_folders",
        "load_mnist",
        "load_tiny_imagenet",
    ],
    "sklearn_difficulty.dynamics": [
        "PHASES",
        "ScoreHistograms",
        "bimodality",
        "collapsed_stages",
        "consistency_matrix",
        "difficulty_groups",
        "difficulty_ranking",
        "easiest_examples",
        "hardest_examples",
        "learning_phases",
        "learnt_at_least_as_fast",
        "majority_label",
        "phase_stages",
        "score_edges",
        "score_histograms",
    ],
    "sklearn_difficulty.ensemble": [
        "EnsembleDifficulty",
    ],
    "sklearn_difficulty.exceptions": [
        "DeviceWarning",
        "DifficultyWarning",
        "IdenticalMembersWarning",
        "MemberFailedWarning",
        "MembersLostError",
    ],
    "sklearn_difficulty.experiments": [
        "HardDataset",
        "flip_labels",
        "hard_dataset",
        "move_to_test",
        "shuffle_labels",
    ],
    "sklearn_difficulty.frames": [
        "example_table",
        "record_frame",
    ],
    "sklearn_difficulty.nets": [
        "Architecture",
        "EpochPredictionRecorder",
        "MNISTNet",
        "MODULES",
        "RECIPES",
        "Recipe",
        "STVGG",
        "SkorchCNN",
        "SmallSTVGG",
        "VectorisedCNN",
        "build_architecture",
        "images_to_nchw",
        "list_architectures",
        "recipe_for",
        "resolve_device",
        "spread_over_gpus",
        "xavier_init",
    ],
    "sklearn_difficulty.nets.architectures": [
        "Architecture",
        "SMALL_INPUT_BELOW",
        "SMALL_INPUT_RULES",
        "build_architecture",
        "is_architecture",
        "list_architectures",
        "minimum_input_size",
    ],
    "sklearn_difficulty.nets.modules": [
        "MNISTNet",
        "MODULES",
        "STVGG",
        "SmallSTVGG",
        "adapts_to_data",
        "resolve_module",
        "xavier_init",
    ],
    "sklearn_difficulty.nets.recipes": [
        "RECIPES",
        "Recipe",
        "optimizer_class",
        "recipe_for",
    ],
    "sklearn_difficulty.nets.vectorised": [
        "VectorisedCNN",
        "VectorisedRecorder",
    ],
    "sklearn_difficulty.plotting": [
        "DataMapDisplay",
        "GroupAccuracyDisplay",
        "JointConsistencyDisplay",
        "LearningSpeedDisplay",
        "LearningSpeedHistogramDisplay",
        "PruningCurveDisplay",
        "ReliabilityDisplay",
        "ScoreHistogramDisplay",
        "TrajectoryDisplay",
        "save_figure",
    ],
    "sklearn_difficulty.pruning": [
        "DifficultyFilter",
        "DifficultyPruner",
        "select_examples",
    ],
    "sklearn_difficulty.pruning_curve": [
        "DROPS",
        "PruningCurve",
        "kept_examples",
        "pruning_curve",
    ],
    "sklearn_difficulty.record": [
        "OUTPUTS",
        "PredictionRecord",
        "as_record",
        "label_dtype",
        "record_of",
    ],
    "sklearn_difficulty.recorders": [
        "FinalRecorder",
        "MemberPlan",
        "MemberRecord",
        "PartialFitRecorder",
        "RECORDERS",
        "Recorder",
        "StageStore",
        "StagedPredictRecorder",
        "class_columns",
        "get_recorder",
        "register_recorder",
        "resolve_recorder",
        "true_class_outputs",
    ],
    "sklearn_difficulty.registries": [
        "DATA_SETS",
        "DataSource",
        "MODELS",
        "ModelSource",
        "RunData",
        "build_model",
        "load_data",
        "parse_params",
        "register_data",
        "register_model",
    ],
    "sklearn_difficulty.reliability": [
        "bootstrap_correlation",
        "members_needed",
        "projected_reliability",
        "spearman_brown",
        "split_half_reliability",
    ],
    "sklearn_difficulty.runs": [
        "ComparisonFolder",
        "PrunedSubset",
        "RunFolder",
        "compare",
        "demo",
        "describe_phases",
        "load_subset",
        "prune",
        "report",
        "run",
    ],
    "sklearn_difficulty.scores": [
        "SCORES",
        "SCORE_OUTPUTS",
        "aum",
        "consensus",
        "consistency",
        "data_map",
        "el2n",
        "forgetting_events",
        "heldout_consistency",
        "learning_speed",
        "mean_over_training",
        "member_accuracy",
        "resolve_score",
        "score_examples",
        "training_stages",
    ],
    "sklearn_difficulty.curriculum": [
        "CurriculumSampler",
        "KINDS",
        "PACING_FUNCTIONS",
        "balance_order",
        "curriculum_order",
        "fixed_exponential_pacing",
        "linear_pacing",
        "order_from_record",
        "resolve_pacing",
        "root_pacing",
        "self_taught_order",
        "single_step_pacing",
        "varied_exponential_pacing",
    ],
    "sklearn_difficulty.selection": [
        "SCORES",
        "default_scorer",
        "resolve_score",
        "score_examples",
        "scorer_record",
        "select_examples",
    ],
}

TORCH_MODULES = ("sklearn_difficulty.nets",)


@pytest.mark.parametrize("module", sorted(PUBLIC_NAMES))
def test_every_public_name_of_02_imports_from_where_it_was(module):
    if module.startswith(TORCH_MODULES):
        pytest.importorskip("torch", reason="the torch extra is not installed")
    if module == "sklearn_difficulty.pruning":
        pytest.importorskip("imblearn", reason="the imblearn extra is not installed")
    imported = importlib.import_module(module)
    missing = [
        name
        for name in PUBLIC_NAMES[module]
        if not hasattr(imported, name) and not _is_submodule(module, name)
    ]
    assert missing == []


def _is_submodule(module: str, name: str) -> bool:
    """``from module import name`` imports the submodule ``name``."""
    if not hasattr(importlib.import_module(module), "__path__"):  # not a package
        return False
    return importlib.util.find_spec(f"{module}.{name}") is not None


def test_names_exported_by_all_are_still_exported():
    """What a module listed in ``__all__`` stays there (``import *`` gives it)."""
    for module in (
        "sklearn_difficulty",
        "sklearn_difficulty.scores",
        "sklearn_difficulty.dynamics",
        "sklearn_difficulty.recorders",
        "sklearn_difficulty.plotting",
        "sklearn_difficulty.datasets",
    ):
        exported = set(importlib.import_module(module).__all__)
        wanted = {
            name
            for name in PUBLIC_NAMES[module]
            if not name.startswith("__") and not _is_submodule(module, name)
        }
        assert not wanted - exported - _NOT_IN_ALL.get(module, set()), module


# Names 0.2's tests imported that its ``__all__`` never listed.
_NOT_IN_ALL = {
    "sklearn_difficulty.recorders": {
        "class_columns",
        "encode_labels",
        "resolve_recorder",
    },
    "sklearn_difficulty.dynamics": {"consistency_matrix"},
    "sklearn_difficulty.datasets": {
        "ArrayImageDataset",
        "ImageFilesDataset",
        "ImageFolderDataset",
        "ImageNetFoldersDataset",
        "TinyImageNetDataset",
        "CIFAR10_CLASSES",
    },
    "sklearn_difficulty": set(),
}
