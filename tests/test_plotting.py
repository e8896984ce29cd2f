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
    GroupAccuracyDisplay,
    JointConsistencyDisplay,
    LearningSpeedDisplay,
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
