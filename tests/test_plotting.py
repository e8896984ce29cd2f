"""Every Display renders with the Agg backend, from an ensemble or a saved record."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra is not installed")
matplotlib.use("Agg")

from sklearn.ensemble import AdaBoostClassifier  # noqa: E402
from sklearn.neighbors import KNeighborsClassifier  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord  # noqa: E402
from sklearn_difficulty.compare import compare_records  # noqa: E402
from sklearn_difficulty.plotting import (  # noqa: E402
    DataMapDisplay,
    GroupAccuracyDisplay,
    JointConsistencyDisplay,
    LearningSpeedDisplay,
    ReliabilityDisplay,
    ScoreHistogramDisplay,
    TrajectoryDisplay,
)


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


def test_histograms_over_stages_for_train_and_test(ensembles):
    boosted, _ = ensembles
    display = ScoreHistogramDisplay.from_estimator(boosted, stages=[0, 2, -1])
    assert display.axes_.shape == (2, 3)
    assert display.axes_[1, 2].get_title() == "test, round 6"
    counts = [p.get_height() for p in display.axes_[0, 0].patches]
    assert sum(counts) == 100  # every training example in one bar
    assert len(counts) == 5  # one bar per possible score k / 4
    consensus = ScoreHistogramDisplay.from_record(
        boosted.record_, score="consensus", scored_sets=["test"]
    )
    assert consensus.axes_.shape[0] == 1
    assert consensus.axes_[0, 0].get_xlabel() == "consensus"


def test_histograms_coloured_by_majority_label(ensembles):
    boosted, _ = ensembles
    display = ScoreHistogramDisplay.from_estimator(
        boosted, stages=[-1], color_by_label=True
    )
    assert display.axes_[0, 0].get_legend() is not None
    heights = sum(p.get_height() for p in display.axes_[0, 0].patches)
    assert heights == 100


def test_comparison_displays(ensembles, tmp_path):
    boosted, knn = ensembles
    comparison = compare_records(
        boosted, knn, names=("AdaBoost", "k-NN"), tolerance=0.1
    )
    assert comparison.pairs.size
    joint = JointConsistencyDisplay.from_comparison(comparison)
    assert "accuracy" in joint.ax_.get_title()
    assert joint.ax_.get_xlabel() == "consistency, AdaBoost"
    scatter = LearningSpeedDisplay.from_comparison(comparison)
    assert scatter.ax_.get_title().startswith("r = ")
    LearningSpeedDisplay.from_estimators(boosted, knn)
    groups = GroupAccuracyDisplay.from_records(boosted, knn)
    assert [t.get_text() for t in groups.ax_.get_legend().get_texts()] == [
        "easy",
        "intermediate",
        "hard",
    ]
    joint.figure_.savefig(tmp_path / "joint.png")
    assert (tmp_path / "joint.png").stat().st_size > 1000


def test_trajectories_from_a_saved_record(ensembles, tmp_path):
    boosted, _ = ensembles
    boosted.record_.save(tmp_path / "run.npz")
    record = PredictionRecord.load(tmp_path / "run.npz")
    display = TrajectoryDisplay.from_record(record, [0, 5, 7])
    assert len(display.ax_.get_lines()) == 3
    np.testing.assert_allclose(
        display.ax_.get_lines()[1].get_ydata(), boosted.consistency_[:, 5]
    )
    ScoreHistogramDisplay.from_record(record)


def test_displays_draw_on_given_axes(ensembles):
    import matplotlib.pyplot as plt

    boosted, _ = ensembles
    figure, axes = plt.subplots(2, 2)
    display = ScoreHistogramDisplay.from_estimator(boosted, stages=[0, -1], ax=axes)
    assert display.figure_ is figure
    _, ax = plt.subplots()
    assert TrajectoryDisplay.from_estimator(boosted, [1], ax=ax).ax_ is ax
    with pytest.raises(ValueError, match="stage indices"):
        ScoreHistogramDisplay.from_estimator(boosted, stages=[99])
    with pytest.raises(ValueError, match="score must be"):
        ScoreHistogramDisplay.from_estimator(boosted, score="speed")


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


def test_data_map_shows_variability_confidence_and_correctness(tmp_path):
    from sklearn_difficulty.scores import data_map

    record = synthetic_record()
    display = DataMapDisplay.from_record(record, scatter_kw={"s": 9})
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
    assert (display.ax_.get_xlabel(), display.ax_.get_ylabel()) == (
        "variability",
        "confidence",
    )
    display.figure_.savefig(tmp_path / "map.png")
    assert (tmp_path / "map.png").stat().st_size > 1000
    pooled = DataMapDisplay.from_record(record, aggregate="pooled", colorbar=False)
    assert pooled.colorbar_ is None and "pooled" in pooled.ax_.get_title()
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
    display = DataMapDisplay.from_estimator(ensemble)
    assert display.scatter_.get_offsets().shape == (100, 2)


def test_reliability_curve_points_target_and_members_needed():
    from sklearn_difficulty import members_needed, split_half_reliability
    from sklearn_difficulty.reliability import projected_reliability

    record = synthetic_record(n_members=8)
    result = split_half_reliability(record, n_splits=5, random_state=0)
    display = ReliabilityDisplay.from_reliability(
        result, target=0.9, line_kw={"color": "black"}, target_kw={"color": "red"}
    )
    n_members, curve = display.line_.get_data()
    np.testing.assert_allclose(curve, projected_reliability(result, n_members))
    assert display.line_.get_color() == "black"
    np.testing.assert_allclose(
        display.scatter_.get_offsets(),
        [[4, result.half], [8, result.reliability]],
    )
    assert display.splits_.get_offsets().shape == (5, 2)
    needed = members_needed(result, 0.9)
    assert display.members_needed == needed
    assert display.needed_line_.get_xdata()[0] == needed
    assert display.target_line_.get_ydata()[0] == 0.9
    assert display.target_line_.get_color() == "red"
    assert n_members.max() >= needed  # the curve reaches the answer
    assert display.ax_.get_ylabel() == "reliability of learning_speed"
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


def test_new_displays_draw_on_given_axes(ensembles):
    import matplotlib.pyplot as plt

    boosted, _ = ensembles
    _, ax = plt.subplots()
    assert ReliabilityDisplay.from_estimator(boosted, random_state=0, ax=ax).ax_ is ax
    _, ax = plt.subplots()
    display = DataMapDisplay.from_record(synthetic_record(), ax=ax)
    assert display.ax_ is ax and display.figure_ is ax.figure
