"""Every Display renders with the Agg backend, from an ensemble or a saved record.

Displays draw what public functions computed, keep what they drew as
attributes, take style through ``*_kw`` dictionaries and draw on the axes
they are given.
"""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra is not installed")
matplotlib.use("Agg")

from matplotlib.colors import to_rgba  # noqa: E402
from sklearn.datasets import load_iris  # noqa: E402
from sklearn.ensemble import AdaBoostClassifier  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord  # noqa: E402
from sklearn_difficulty.compare import compare_records, group_accuracy  # noqa: E402
from sklearn_difficulty.dynamics import (  # noqa: E402
    PHASES,
    learning_phases,
    phase_stages,
    score_histograms,
)
from sklearn_difficulty.plotting import (  # noqa: E402
    DataMapDisplay,
    GroupAccuracyDisplay,
    JointConsistencyDisplay,
    LearningSpeedDisplay,
    LearningSpeedHistogramDisplay,
    PruningCurveDisplay,
    ReliabilityDisplay,
    ScoreHistogramDisplay,
    TrajectoryDisplay,
)
from sklearn_difficulty.scores import consensus, consistency  # noqa: E402


@pytest.fixture(scope="module")
def ensembles(iris):
    X, y, X_test, y_test = iris
    boosted = EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=6),
        n_estimators=4,
        max_samples=0.6,
        random_state=0,
    ).fit(X, y, eval_set={"test": (X_test, y_test)})
    knn = EnsembleDifficulty(
        KNeighborsClassifier(), n_estimators=4, max_samples=0.5, random_state=0
    ).fit(X, y, eval_set={"test": (X_test, y_test)})
    return boosted, knn


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def synthetic_record(n_members=6, n_samples=120, *, proba=True, seed=0):
    """Members right on example i with probability p_i at each of 4 stages."""
    rng = np.random.RandomState(seed)
    p = rng.uniform(0.1, 0.9, n_samples)
    right = rng.uniform(size=(n_members, 4, n_samples)) < p
    outputs = None
    if proba:
        values = np.clip(
            np.where(right, 0.75, 0.3) + rng.normal(0, 0.1, right.shape), 0, 1
        )
        outputs = {"proba": {"train": values.astype(np.float32)}}
    return PredictionRecord(
        predictions={"train": right.astype(np.uint8)},
        targets={"train": np.ones(n_samples, np.uint8)},
        classes=np.array([0, 1]),
        stages=np.arange(1, 5),
        outputs=outputs,
    )


def four_phase_record(n_members=8, n_samples=200, seed=0):
    """Epochs 0-5 of 4 classes that go through the four phases, train and test.

    Epoch 0: random answers (initialization); 1: each member right half the
    time on every example (a bell, beginning of learning); 2-3: right on
    half the examples and wrong on the others (bi-modality); 4-5: right on
    almost all (end of learning).
    """
    rng = np.random.RandomState(seed)
    predictions, targets = {}, {}
    for name in ("train", "test"):
        target = np.arange(n_samples) % 4
        easy = rng.uniform(size=n_samples) < 0.5
        chance = [
            np.full(n_samples, 0.5),
            np.where(easy, 0.95, 0.05),
            np.where(easy, 0.95, 0.05),
            np.full(n_samples, 0.99),
            np.full(n_samples, 0.99),
        ]
        stages = [rng.randint(4, size=(n_members, n_samples))]
        for p in chance:
            right = rng.uniform(size=(n_members, n_samples)) < p
            wrong = (target + rng.randint(1, 4, size=(n_members, n_samples))) % 4
            stages.append(np.where(right, target, wrong))
        predictions[name] = np.stack(stages, axis=1).astype(np.uint8)
        targets[name] = target.astype(np.uint8)
    return PredictionRecord(
        predictions=predictions,
        targets=targets,
        classes=np.array(["a", "b", "c", "d"]),
        stages=np.arange(6),
        stage_kind="epoch",
    )


def colors_of(bars):
    return {to_rgba(patch.get_facecolor()) for patch in bars}


# ScoreHistogramDisplay


def test_histograms_over_stages_for_train_and_test(ensembles):
    boosted, _ = ensembles
    display = ScoreHistogramDisplay.from_estimator(boosted, stages=[0, 2, -1])
    assert display.axes_.shape == display.bars_.shape == (2, 3)
    assert display.axes_[1, 2].get_title() == "test, round 6"
    assert len(display.bars_[0, 0]) == 5  # one bar per possible score k / 4
    heights = [bar.get_height() for bar in display.bars_[0, 0]]
    expected, _ = np.histogram(
        consistency(boosted.record_)[0],
        bins=[-1 / 8, 1 / 8, 3 / 8, 5 / 8, 7 / 8, 9 / 8],
    )
    assert heights == expected.tolist() and sum(heights) == 100
    for axis, bars in zip(display.axes_.flat, display.bars_.flat, strict=True):
        assert list(bars) == list(axis.patches)  # each panel holds its bars only
    consensus_display = ScoreHistogramDisplay.from_record(
        boosted.record_, score="consensus", scored_sets=["test"], stages=[-1]
    )
    assert consensus_display.bars_.shape == (1, 1)
    assert consensus_display.axes_[0, 0].get_xlabel() == "consensus"
    expected, _ = np.histogram(
        consensus(boosted.record_, scored_set="test")[-1],
        bins=consensus_display.edges,
    )
    heights = [bar.get_height() for bar in consensus_display.bars_[0, 0]]
    assert heights == expected.tolist()


def test_score_histograms_count_each_scored_set_at_the_stages_shown():
    record = four_phase_record()
    histograms = score_histograms(record, stages=[1, -1], bins=4)
    assert histograms.positions.tolist() == [1, 5]
    assert histograms.stages.tolist() == [1, 5]
    assert histograms.labels is None and histograms.phases is None
    np.testing.assert_allclose(histograms.edges, [0, 0.25, 0.5, 0.75, 1])
    for name in ("train", "test"):
        scores = consistency(record, scored_set=name)
        for row, stage in enumerate([1, 5]):
            expected, _ = np.histogram(scores[stage], bins=histograms.edges)
            np.testing.assert_array_equal(histograms.counts[name][row], expected)
    spread = score_histograms(record)
    assert spread.positions.tolist() == [0, 1, 2, 3, 4, 5]
    with pytest.raises(ValueError, match="stage indices"):
        score_histograms(record, stages=[6])
    with pytest.raises(ValueError, match="stages must be"):
        score_histograms(record, stages="all")
    with pytest.raises(ValueError, match="score must be"):
        score_histograms(record, score="speed")


def test_histograms_stacked_by_majority_label(ensembles):
    boosted, _ = ensembles
    display = ScoreHistogramDisplay.from_estimator(
        boosted, stages=[-1], color_by_label=True, cmap="tab10"
    )
    labels = display.label_names
    assert display.bars_.shape == (2, 1, len(labels))
    assert display.legend_ is display.axes_[0, 0].get_legend()
    assert [t.get_text() for t in display.legend_.get_texts()] == [
        str(label) for label in labels
    ]
    stacked = display.bars_[0, 0]
    assert sum(bar.get_height() for bars in stacked for bar in bars) == 100
    # each label has its colour, the same in every panel
    tab10 = matplotlib.colormaps["tab10"]
    for layer, (train, test) in enumerate(zip(*display.bars_[:, 0], strict=True)):
        assert colors_of(train) == colors_of(test) == {tab10(layer)}


def test_bar_kw_reaches_the_bars_and_overrides_the_defaults(ensembles):
    boosted, _ = ensembles
    default = ScoreHistogramDisplay.from_estimator(boosted, stages=[0])
    assert colors_of(default.bars_[0, 0]) == {to_rgba("C0")}
    display = ScoreHistogramDisplay.from_estimator(
        boosted, stages=[0], bar_kw={"color": "red", "ec": "black"}
    )
    for bars in display.bars_.flat:
        assert colors_of(bars) == {to_rgba("red")}
        assert {to_rgba(bar.get_edgecolor()) for bar in bars} == {to_rgba("black")}


def test_phases_choose_the_stages_and_label_the_columns():
    record = four_phase_record()
    phases = learning_phases(record)
    assert set(phases) == set(PHASES)  # the record goes through all four
    positions = phase_stages(record)
    assert positions.tolist() == [0, 1, 2, 4, 5]
    assert set(phases[positions]) == set(PHASES)
    np.testing.assert_array_equal(phase_stages(phases), positions)

    display = ScoreHistogramDisplay.from_record(record, stages="phases", phases=True)
    assert display.bars_.shape == (2, 5)
    assert list(display.stages) == [0, 1, 2, 4, 5]
    titles = [axis.get_title() for axis in display.axes_[0]]
    assert titles[0] == "train, epoch 0\ninitialization"
    assert [title.split("\n")[1] for title in titles] == [
        "initialization",
        "beginning of learning",
        "bi-modality",
        "end of learning",
        "end of learning",
    ]
    assert "\n" not in display.axes_[1, 0].get_title()  # the column is labelled once
    without = ScoreHistogramDisplay.from_record(record, stages="phases")
    assert without.phases is None and "\n" not in without.axes_[0, 0].get_title()
    labelled = ScoreHistogramDisplay.from_record(record, stages=[3], phases=True)
    assert labelled.axes_[0, 0].get_title() == "train, epoch 3\nbi-modality"


def test_phase_stages_keep_the_first_and_last_stage():
    assert phase_stages(["bi-modality"]).tolist() == [0]
    assert phase_stages(["end of learning"] * 4).tolist() == [0, 3]
    with pytest.raises(ValueError, match="non-empty"):
        phase_stages([])


def test_histograms_draw_on_given_axes(ensembles):
    import matplotlib.pyplot as plt

    boosted, _ = ensembles
    figure, axes = plt.subplots(2, 2)
    display = ScoreHistogramDisplay.from_estimator(boosted, stages=[0, -1], ax=axes)
    assert display.figure_ is figure
    assert display.axes_[1, 1] is axes[1, 1]
    assert list(display.bars_[1, 1]) == list(axes[1, 1].patches)
    with pytest.raises(ValueError, match="ax must hold 2 x 3 Axes"):
        ScoreHistogramDisplay.from_estimator(boosted, stages=[0, 1, 2], ax=axes)


# Displays of two records


def test_comparison_displays_from_a_comparison_or_two_ensembles(ensembles, tmp_path):
    boosted, knn = ensembles
    comparison = compare_records(
        boosted, knn, names=("AdaBoost", "k-NN"), tolerance=0.1
    )
    assert comparison.pairs.size and comparison.stage_kinds == ("round", "final")
    joint = JointConsistencyDisplay.from_comparison(comparison)
    assert joint.ax_.get_title().startswith("accuracy ")
    assert "AdaBoost round" in joint.ax_.get_title()
    assert joint.ax_.get_xlabel() == "consistency, AdaBoost"
    histogram, _, _ = comparison.joint_histogram(-1)
    np.testing.assert_allclose(joint.image_.get_array().filled(0), histogram.T)
    assert joint.colorbar_.ax.get_ylabel() == "fraction of examples"
    again = JointConsistencyDisplay.from_comparison(
        boosted, knn, names=("AdaBoost", "k-NN"), tolerance=0.1
    )
    np.testing.assert_allclose(again.histogram, joint.histogram)
    assert again.ax_.get_title() == joint.ax_.get_title()

    speed = LearningSpeedDisplay.from_comparison(comparison)
    assert speed.ax_.get_title().startswith("r = ")
    np.testing.assert_allclose(
        speed.scatter_.get_offsets(),
        np.column_stack([comparison.learning_speed_a, comparison.learning_speed_b]),
    )
    assert speed.diagonal_.get_xydata().tolist() == [[0, 0], [1, 1]]
    pair = LearningSpeedDisplay.from_comparison(boosted, knn, names=("x", "y"))
    assert pair.ax_.get_xlabel() == "learning speed, x"
    np.testing.assert_allclose(pair.speed_a, speed.speed_a)

    groups = GroupAccuracyDisplay.from_comparison(boosted, knn, names=("A", "K"))
    assert [line.get_label() for line in groups.lines_] == [
        "easy",
        "intermediate",
        "hard",
    ]
    assert groups.ax_.get_title() == "A on the groups of K"
    assert groups.ax_.get_xlabel() == "round"
    np.testing.assert_allclose(groups.accuracy, group_accuracy(boosted, knn))
    np.testing.assert_allclose(groups.lines_[2].get_ydata(), groups.accuracy[2])
    from_comparison = GroupAccuracyDisplay.from_comparison(comparison, n_groups=2)
    np.testing.assert_allclose(
        from_comparison.accuracy, group_accuracy(boosted, knn, n_groups=2)
    )
    assert len(from_comparison.lines_) == 2
    assert from_comparison.ax_.get_title() == "AdaBoost on the groups of k-NN"
    joint.figure_.savefig(tmp_path / "joint.png")
    assert (tmp_path / "joint.png").stat().st_size > 1000


def test_comparison_displays_take_style_and_axes(ensembles):
    import matplotlib.pyplot as plt

    boosted, knn = ensembles
    comparison = compare_records(boosted, knn, tolerance=0.1)
    figure, axes = plt.subplots(1, 3)
    joint = JointConsistencyDisplay.from_comparison(
        comparison, ax=axes[0], log=False, cmap="magma", colorbar=False
    )
    assert joint.ax_ is axes[0] and joint.figure_ is figure
    assert joint.image_.get_cmap().name == "magma" and joint.colorbar_ is None
    styled = JointConsistencyDisplay.from_comparison(
        comparison, image_kw={"cmap": "Greys", "alpha": 0.5}
    )
    assert styled.image_.get_cmap().name == "Greys"
    assert styled.image_.get_alpha() == 0.5
    speed = LearningSpeedDisplay.from_comparison(
        comparison,
        ax=axes[1],
        scatter_kw={"color": "red", "s": 9},
        diagonal_kw={"c": "black", "ls": ":"},
    )
    assert speed.ax_ is axes[1]
    assert to_rgba(speed.scatter_.get_facecolor()[0]) == to_rgba("red", 0.4)
    assert speed.scatter_.get_sizes().tolist() == [9]
    assert speed.diagonal_.get_color() == "black"
    assert speed.diagonal_.get_linestyle() == ":"
    groups = GroupAccuracyDisplay.from_comparison(
        comparison, ax=axes[2], line_kw={"color": "green", "marker": "s"}
    )
    assert groups.ax_ is axes[2]
    assert {line.get_color() for line in groups.lines_} == {"green"}
    assert {line.get_marker() for line in groups.lines_} == {"s"}
    for display in (JointConsistencyDisplay, LearningSpeedDisplay):
        with pytest.raises(TypeError, match="a must be a RecordComparison"):
            display.from_comparison(boosted)
    with pytest.raises(TypeError, match="a must be a RecordComparison"):
        GroupAccuracyDisplay.from_comparison(boosted)


# One record: trajectories, data maps, reliability


def test_trajectories_from_a_saved_record(ensembles, tmp_path):
    boosted, _ = ensembles
    boosted.record_.save(tmp_path / "run.npz")
    record = PredictionRecord.load(tmp_path / "run.npz")
    display = TrajectoryDisplay.from_record(record, [0, 5, 7])
    assert len(display.lines_) == 3 and display.lines_ == list(display.ax_.get_lines())
    np.testing.assert_allclose(
        display.lines_[1].get_ydata(), boosted.consistency_[:, 5]
    )
    assert [t.get_text() for t in display.legend_.get_texts()] == [
        "example 0",
        "example 5",
        "example 7",
    ]
    import matplotlib.pyplot as plt

    _, ax = plt.subplots()
    styled = TrajectoryDisplay.from_estimator(
        boosted, 1, ax=ax, line_kw={"c": "red", "lw": 3}
    )
    assert styled.ax_ is ax
    assert styled.lines_[0].get_color() == "red"
    assert styled.lines_[0].get_linewidth() == 3
    with pytest.raises(TypeError, match="record must be a PredictionRecord"):
        TrajectoryDisplay.from_record(np.zeros((3, 4)), [0])


def test_data_map_shows_variability_confidence_and_correctness(tmp_path):
    from sklearn_difficulty.scores import data_map

    record = synthetic_record()
    display = DataMapDisplay.from_record(
        record, scatter_kw={"s": 9}, text_kw={"color": "red", "ha": "center"}
    )
    expected = data_map(record)
    np.testing.assert_allclose(
        display.scatter_.get_offsets(),
        np.column_stack([expected.variability, expected.confidence]),
    )
    np.testing.assert_allclose(display.scatter_.get_array(), expected.correctness)
    assert display.scatter_.get_sizes().tolist() == [9]
    assert display.colorbar_.ax.get_ylabel() == "correctness"
    assert [t.get_text() for t in display.annotations_] == [
        "easy-to-learn",
        "ambiguous",
        "hard-to-learn",
    ]
    assert {t.get_color() for t in display.annotations_} == {"red"}
    assert {t.get_horizontalalignment() for t in display.annotations_} == {"center"}
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == (
        "variability",
        "confidence",
    )
    display.figure_.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 1000
    pooled = DataMapDisplay.from_record(
        record, aggregate="pooled", colorbar=False, annotate=False
    )
    assert pooled.colorbar_ is None and "pooled" in pooled.ax_.get_title()
    assert pooled.annotations_ == []
    with pytest.raises(ValueError, match="holds no 'proba' output"):
        DataMapDisplay.from_record(synthetic_record(proba=False))


def test_data_map_from_an_ensemble_that_recorded_probabilities(iris):
    X, y, _, _ = iris
    ensemble = EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=4),
        n_estimators=3,
        max_samples=0.6,
        record_outputs=("proba",),
        random_state=0,
    ).fit(X, y)
    display = DataMapDisplay.from_estimator(ensemble, scatter_kw={"cmap": "magma"})
    assert display.scatter_.get_offsets().shape == (100, 2)
    assert display.scatter_.get_cmap().name == "magma"


def test_reliability_curve_points_target_and_members_needed():
    from sklearn_difficulty import members_needed, split_half_reliability
    from sklearn_difficulty.reliability import projected_reliability

    record = synthetic_record(n_members=8)
    result = split_half_reliability(record, n_splits=5, random_state=0)
    display = ReliabilityDisplay.from_reliability(
        result,
        target=0.9,
        line_kw={"color": "black"},
        splits_kw={"color": "blue"},
        target_kw={"color": "red"},
    )
    n_members, curve = display.line_.get_data()
    np.testing.assert_allclose(curve, projected_reliability(result, n_members))
    assert display.line_.get_color() == "black"
    np.testing.assert_allclose(
        display.scatter_.get_offsets(),
        [[4, result.half], [8, result.reliability]],
    )
    assert display.splits_.get_offsets().shape == (5, 2)
    assert to_rgba(display.splits_.get_facecolor()[0]) == to_rgba("blue", 0.5)
    needed = members_needed(result, 0.9)
    assert display.members_needed == needed
    assert display.needed_line_.get_xdata()[0] == needed
    assert display.target_line_.get_ydata()[0] == 0.9
    assert display.target_line_.get_color() == "red"
    assert n_members.max() >= needed  # the curve reaches the answer
    assert display.ax_.get_ylabel() == "reliability of learning_speed"
    assert display.legend_ is display.ax_.get_legend()
    # from a record, the same numbers
    again = ReliabilityDisplay.from_record(
        record, n_splits=5, random_state=0, target=0.9
    )
    assert again.members_needed == needed


def test_reliability_without_target_and_with_a_constant_score():
    record = synthetic_record(n_members=4, proba=False)
    display = ReliabilityDisplay.from_record(
        record, "consistency", random_state=0, target=None, max_members=30
    )
    assert display.target_line_ is None and display.needed_line_ is None
    assert display.n_members.max() == 30
    constant = PredictionRecord(
        predictions={"train": np.ones((4, 2, 10), np.uint8)},
        targets={"train": np.ones(10, np.uint8)},
        classes=np.array([0, 1]),
        stages=np.array([1, 2]),
    )
    display = ReliabilityDisplay.from_record(constant, n_splits=2)
    assert display.members_needed is None  # no number of members reaches it
    with pytest.raises(ValueError, match="at least 2 members"):
        ReliabilityDisplay.from_record(constant.select_members([0]))


def test_single_axes_displays_draw_on_given_axes(ensembles):
    import matplotlib.pyplot as plt

    boosted, _ = ensembles
    _, ax = plt.subplots()
    assert ReliabilityDisplay.from_estimator(boosted, random_state=0, ax=ax).ax_ is ax
    _, ax = plt.subplots()
    display = DataMapDisplay.from_record(synthetic_record(), ax=ax)
    assert display.ax_ is ax and display.figure_ is ax.figure
    assert display.scatter_ in ax.collections


def test_save_figure_writes_and_closes(tmp_path):
    import matplotlib.pyplot as plt

    from sklearn_difficulty.plotting import save_figure

    display = TrajectoryDisplay.from_record(synthetic_record(), [0, 1])
    path = save_figure(display, tmp_path / "trajectories.png")
    assert path.stat().st_size > 1000
    assert not plt.fignum_exists(display.figure_.number)
    figure, _ = plt.subplots()
    save_figure(figure, tmp_path / "figure.svg")
    assert (tmp_path / "figure.svg").read_text().startswith("<?xml")


# The package: one module per Display; from_estimator is from_record

DISPLAY_MODULES = {
    "DataMapDisplay": "data_map",
    "GroupAccuracyDisplay": "group_accuracy",
    "JointConsistencyDisplay": "joint_consistency",
    "LearningSpeedDisplay": "learning_speed",
    "LearningSpeedHistogramDisplay": "learning_speed_histogram",
    "PruningCurveDisplay": "pruning_curve",
    "ReliabilityDisplay": "reliability",
    "ScoreHistogramDisplay": "score_histogram",
    "TrajectoryDisplay": "trajectory",
}


@pytest.mark.parametrize("name, module", sorted(DISPLAY_MODULES.items()))
def test_each_display_imports_from_its_module_and_the_package(name, module):
    import importlib

    import sklearn_difficulty.plotting as plotting

    own = importlib.import_module(f"sklearn_difficulty.plotting.{module}")
    assert own.__all__ == [name]
    assert getattr(own, name) is getattr(plotting, name)
    assert getattr(own, name).__module__ == own.__name__


def test_the_package_exports_every_display_and_save_figure():
    import sklearn_difficulty.plotting as plotting

    assert sorted(plotting.__all__) == sorted([*DISPLAY_MODULES, "save_figure"])
    for name in plotting.__all__:
        assert callable(getattr(plotting, name))


@pytest.fixture(scope="module")
def proba_ensemble(iris):
    """An ensemble that recorded probabilities, of a training and a test set."""
    X, y, X_test, y_test = iris
    return EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=4),
        n_estimators=4,
        max_samples=0.6,
        record_outputs=("proba",),
        random_state=0,
    ).fit(X, y, eval_set={"test": (X_test, y_test)})


def _iris_split():
    """The ``iris`` fixture's split (the proba ensemble's training set first)."""
    X, y = load_iris(return_X_y=True)
    order = np.random.RandomState(0).permutation(len(y))
    X, y = X[order], y[order]
    return X[:100], y[:100], X[100:], y[100:]


# each Display built from one record, with arguments other than the defaults
FROM_RECORD_ARGUMENTS = {
    DataMapDisplay: ((), {"scored_set": "test", "aggregate": "pooled"}),
    LearningSpeedHistogramDisplay: ((), {"scored_sets": ["test"], "bins": 5}),
    PruningCurveDisplay: (
        (KNeighborsClassifier(n_neighbors=1), *_iris_split()),
        {"keep": (0.6, 0.3), "drop": ("hardest", "random"), "random_state": 0},
    ),
    ReliabilityDisplay: (
        ("consistency",),
        {"scored_set": "test", "n_splits": 3, "random_state": 0, "target": 0.8},
    ),
    ScoreHistogramDisplay: (
        (),
        {"score": "consensus", "stages": [0, -1], "scored_sets": ["test"]},
    ),
    TrajectoryDisplay: (([2, 7],), {"scored_set": "test"}),
}


def data_of(display) -> dict:
    """What a Display holds: its constructor's arguments, not what it drew."""
    return {key: value for key, value in vars(display).items() if key[-1] != "_"}


def assert_same_data(first, second):
    if isinstance(first, dict):
        assert first.keys() == second.keys()
        for key in first:
            assert_same_data(first[key], second[key])
    else:
        np.testing.assert_array_equal(first, second)


def test_displays_of_one_record_are_those_with_from_estimator():
    import sklearn_difficulty.plotting as plotting

    displays = [getattr(plotting, name) for name in DISPLAY_MODULES]
    with_estimator = {
        display for display in displays if hasattr(display, "from_estimator")
    }
    assert with_estimator == set(FROM_RECORD_ARGUMENTS)


@pytest.mark.parametrize(
    "display", sorted(FROM_RECORD_ARGUMENTS, key=lambda display: display.__name__)
)
def test_from_estimator_shows_the_same_data_as_from_record(display, proba_ensemble):
    args, kwargs = FROM_RECORD_ARGUMENTS[display]
    from_record = display.from_record(proba_ensemble.record_, *args, **kwargs)
    from_estimator = display.from_estimator(proba_ensemble, *args, **kwargs)
    assert type(from_estimator) is display
    assert_same_data(data_of(from_estimator), data_of(from_record))
    default = display.from_record(proba_ensemble.record_, *args)
    with pytest.raises(AssertionError):  # the arguments change what is shown
        assert_same_data(data_of(default), data_of(from_record))
    with pytest.raises(TypeError, match="estimator must be a PredictionRecord"):
        display.from_estimator(np.zeros((3, 4)), *args)
