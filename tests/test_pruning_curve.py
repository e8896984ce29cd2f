"""Pruning curves: what dropping each end costs a model, against random."""

import json

import joblib
import matplotlib
import numpy as np
import pytest
from scipy import stats
from sklearn.neighbors import KNeighborsClassifier
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.cli import main
from sklearn_difficulty.plotting import PruningCurveDisplay
from sklearn_difficulty.pruning_curve import (
    PruningCurve,
    kept_examples,
    pruning_curve,
)
from sklearn_difficulty.runs import load_subset, prune, run
from sklearn_difficulty.scores import score_examples
from sklearn_difficulty.selection import select_examples

matplotlib.use("Agg")


def _noisy_blobs(n_train=200, n_test=200, flip=0.2, seed=0):
    """Two well separated blobs; ``flip`` of the training labels flipped.

    The hand-built scores put exactly the flipped examples at the hard end.
    """
    rng = np.random.RandomState(seed)

    def blobs(n):
        y = np.arange(n) % 2
        return rng.randn(n, 2) + 4 * y[:, None], y

    X, y = blobs(n_train)
    X_test, y_test = blobs(n_test)
    flipped = np.zeros(n_train, bool)
    flipped[rng.choice(n_train, int(flip * n_train), replace=False)] = True
    noisy = np.where(flipped, 1 - y, y)
    scores = np.where(flipped, -1.0, 1.0) + 0.1 * rng.rand(n_train)
    return X, noisy, X_test, y_test, scores, flipped


ONE_NN = KNeighborsClassifier(n_neighbors=1)


@pytest.fixture(scope="module")
def task():
    return _noisy_blobs()


@pytest.fixture(scope="module")
def curve(task):
    X, y, X_test, y_test, scores, _ = task
    return pruning_curve(
        ONE_NN, X, y, X_test, y_test, scores=scores, keep=(0.8, 0.5),
        n_repeats=3, random_state=0,
    )  # fmt: skip


def test_dropping_the_flipped_labels_beats_random_which_beats_dropping_clean(curve):
    easiest, hardest, random = curve.mean
    assert curve.drop == ("easiest", "hardest", "random")
    assert curve.n_kept.tolist() == [160, 100]
    # Dropping the hardest removes exactly the 40 flipped labels: 1-NN is
    # then right on the clean test set; random keeps 20% noise (about 80%
    # right), dropping the easiest concentrates it (25%, then 40%).
    assert np.all(hardest > 0.97)
    assert np.all(hardest > random + 0.1)
    assert np.all(random > easiest + 0.03)
    assert easiest[1] < easiest[0] - 0.1
    assert 0.7 < curve.full_mean < 0.9


def test_identical_for_any_n_jobs_and_the_same_seed(task):
    X, y, X_test, y_test, scores, _ = task
    tree = DecisionTreeClassifier(max_features=1)  # random: seeded per repeat
    kwargs = dict(scores=scores, keep=(0.9, 0.6), n_repeats=3)
    one = pruning_curve(tree, X, y, X_test, y_test, random_state=1, **kwargs)
    # Threads: the fits run concurrently and finish in any order, without the
    # seconds that starting loky's processes costs.
    with joblib.parallel_config(backend="threading"):
        two = pruning_curve(tree, X, y, X_test, y_test, random_state=1, n_jobs=2,
                            **kwargs)  # fmt: skip
    other = pruning_curve(tree, X, y, X_test, y_test, random_state=2, **kwargs)
    np.testing.assert_array_equal(one.test_scores, two.test_scores)
    np.testing.assert_array_equal(one.full_scores, two.full_scores)
    assert not np.array_equal(one.test_scores, other.test_scores)
    assert np.unique(one.full_scores).size > 1  # each repeat its own seed


def test_each_repeat_uses_one_seed_for_every_end_and_fraction(task):
    X, y, X_test, y_test, scores, _ = task
    tree = DecisionTreeClassifier(max_features=1)
    # Kept everything, every end trains on every example: with the repeat's
    # seed, each gives the full model's score exactly.
    whole = pruning_curve(tree, X, y, X_test, y_test, scores=scores, keep=(1.0,),
                          n_repeats=4, random_state=0)  # fmt: skip
    for row in whole.test_scores:
        np.testing.assert_array_equal(row[0], whole.full_scores)
    # The random subset of fraction f and repeat r does not depend on which
    # ends or which other fractions are asked.
    alone = pruning_curve(ONE_NN, X, y, X_test, y_test, scores=scores,
                          keep=(0.5,), drop=("random",), n_repeats=4,
                          random_state=0)  # fmt: skip
    together = pruning_curve(ONE_NN, X, y, X_test, y_test, scores=scores,
                             keep=(0.8, 0.5), n_repeats=4, random_state=0)  # fmt: skip
    np.testing.assert_array_equal(alone.test_scores[0, 0], together.test_scores[2, 1])
    assert np.unique(alone.test_scores).size > 1  # the subsets differ by repeat


def test_kept_examples_follow_select_examples_and_random_is_nested():
    rng = np.random.RandomState(0)
    scores, y = rng.rand(90), np.arange(90) % 3
    for per_class in (False, True):
        for end in ("hardest", "easiest"):
            np.testing.assert_array_equal(
                kept_examples(scores, y, keep=0.7, drop=end, per_class=per_class),
                select_examples(scores, y, remove=end, amount=0.3,
                                per_class=per_class),
            )  # fmt: skip
        big, small = (
            kept_examples(scores, y, keep=k, drop="random", per_class=per_class,
                          random_state=3)
            for k in (0.7, 0.3)
        )  # fmt: skip
        assert big.size == 63 and small.size == 27 and np.isin(small, big).all()
        if per_class:
            assert np.bincount(y[small]).tolist() == [9, 9, 9]
    assert kept_examples(scores, y, keep=1, drop="hardest").size == 90
    # An end may take every example of a class (select_examples refuses).
    y = (np.arange(90) < 30).astype(int)
    easy_class = np.where(y == 1, 1.0 + scores, scores)
    kept = kept_examples(easy_class, y, keep=0.5, drop="easiest")
    assert set(y[kept]) == {0}


def test_the_interval_is_students_t_over_the_repeats(task):
    X, y, X_test, y_test, scores, _ = task
    curve = pruning_curve(DecisionTreeClassifier(max_features=1), X, y, X_test,
                          y_test, scores=scores, keep=(0.7,), n_repeats=5,
                          confidence=0.9, random_state=0)  # fmt: skip
    values = curve.test_scores
    half = stats.t.ppf(0.95, 4) * values.std(axis=-1, ddof=1) / np.sqrt(5)
    low, high = curve.interval
    np.testing.assert_allclose(low, values.mean(axis=-1) - half)
    np.testing.assert_allclose(high, values.mean(axis=-1) + half)
    assert np.all(half > 0)
    full_half = stats.t.ppf(0.95, 4) * curve.full_scores.std(ddof=1) / np.sqrt(5)
    np.testing.assert_allclose(
        curve.full_interval, [curve.full_mean - full_half, curve.full_mean + full_half]
    )
    one = pruning_curve(ONE_NN, X, y, X_test, y_test, scores=scores, keep=(0.7,),
                        n_repeats=1, random_state=0)  # fmt: skip
    assert np.isnan(one.interval[0]).all() and np.isnan(one.full_interval).all()
    assert np.isfinite(one.mean).all()


@pytest.fixture(scope="module")
def ensemble(task):
    X, y, *_ = task
    return EnsembleDifficulty(
        DecisionTreeClassifier(max_depth=3), n_estimators=3, max_samples=0.7,
        random_state=0,
    ).fit(X, y)  # fmt: skip


def test_records_ensembles_and_paths_give_the_curve_of_their_scores(
    task, ensemble, tmp_path
):
    X, y, X_test, y_test, *_ = task
    path = tmp_path / "record.npz"
    ensemble.record_.save(path)
    kwargs = dict(keep=(0.7, 0.4), n_repeats=2, random_state=0)
    scores = score_examples(ensemble.record_, score="consistency", stage=0)
    by_array = pruning_curve(ONE_NN, X, y, X_test, y_test, scores=scores, **kwargs)
    assert by_array.score is None
    for source in (ensemble, ensemble.record_, path, str(path)):
        curve = pruning_curve(ONE_NN, X, y, X_test, y_test, scores=source,
                              score="consistency", stage=0, **kwargs)  # fmt: skip
        np.testing.assert_array_equal(curve.test_scores, by_array.test_scores)
        assert curve.score == "consistency"
    auto = pruning_curve(ONE_NN, X, y, X_test, y_test, scores=ensemble, **kwargs)
    assert auto.score == "learning_speed"  # no margins or norms recorded
    with pytest.raises(ValueError, match="labels of the record differ"):
        pruning_curve(ONE_NN, X, 1 - y, X_test, y_test, scores=ensemble, **kwargs)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        (dict(keep=(0.5, 0.0)), r"keep must be a number in \(0, 1\]"),
        (dict(keep=(1.5,)), r"keep must be a number in \(0, 1\]"),
        (dict(keep=(float("nan"),)), "keep must be"),
        (dict(keep=()), "at least one"),
        (dict(drop=("middle",)), "drop must be"),
        (dict(drop=("random", "random")), "twice"),
        (dict(n_repeats=0), "n_repeats must be an integer >= 1"),
        (dict(confidence=1.0), "confidence must be"),
        (dict(scores=np.ones(5)), "one number per training example"),
        (dict(scores=np.r_[np.nan, np.ones(199)]), "NaN"),
        (dict(score="aum"), "score and stage choose a score from a record"),
        (dict(scores="missing.npz"), "missing.npz"),
        (dict(scores=EnsembleDifficulty(ONE_NN)), "a fitted EnsembleDifficulty"),
    ],
)
def test_bad_inputs_are_refused_clearly(task, kwargs, message):
    X, y, X_test, y_test, scores, _ = task
    kwargs = {"scores": scores, **kwargs}
    with pytest.raises((ValueError, TypeError, OSError), match=message):
        pruning_curve(ONE_NN, X, y, X_test, y_test, n_repeats=kwargs.pop(
            "n_repeats", 1), **kwargs)  # fmt: skip


def test_a_curve_goes_through_json_and_back(curve):
    back = PruningCurve.from_dict(json.loads(json.dumps(curve.to_dict())))
    for name in ("keep", "n_kept", "test_scores", "full_scores"):
        np.testing.assert_array_equal(getattr(back, name), getattr(curve, name))
    assert (back.drop, back.score, back.scoring, back.confidence) == (
        curve.drop, None, "accuracy", 0.95,
    )  # fmt: skip
    broken = curve.to_dict() | {"test_scores": [[[0.5]]]}
    with pytest.raises(ValueError, match="shape"):
        PruningCurve.from_dict(broken)
    with pytest.raises(ValueError, match="needs"):
        PruningCurve.from_dict({"keep": [0.5]})


def test_the_display_draws_the_means_of_the_curve(curve, task, ensemble):
    display = PruningCurveDisplay.from_curve(curve, line_kw={"lw": 3})
    assert len(display.lines_) == len(display.bands_) == 3
    for line, mean in zip(display.lines_, curve.mean, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), curve.keep)
        np.testing.assert_array_equal(line.get_ydata(), mean)
        assert line.get_linewidth() == 3
    assert display.full_line_.get_ydata()[0] == curve.full_mean
    assert display.ax_.get_ylabel() == "test accuracy"
    X, y, X_test, y_test, *_ = task
    fitted = PruningCurveDisplay.from_estimator(
        ensemble, ONE_NN, X, y, X_test, y_test, keep=(0.6,), drop=("hardest",),
        n_repeats=2, random_state=0,
    )  # fmt: skip
    expected = pruning_curve(ONE_NN, X, y, X_test, y_test, scores=ensemble,
                             keep=(0.6,), drop=("hardest",), n_repeats=2,
                             random_state=0)  # fmt: skip
    assert len(fitted.lines_) == 1
    np.testing.assert_array_equal(fitted.lines_[0].get_ydata(), expected.mean[0])
    assert "learning_speed" in fitted.ax_.get_title()


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    root = tmp_path_factory.mktemp("prune")
    rng = np.random.RandomState(0)
    y = np.arange(60) % 3
    X = rng.randn(60, 4) + y[:, None]
    np.savez(root / "data.npz", X_train=X, y_train=y)
    return run(
        out=root / "run", data=str(root / "data.npz"),
        model="sklearn.tree.DecisionTreeClassifier", members=3, max_samples=0.7,
        n_jobs=1, verbose=0, memory=None,  # no member cache: skops is slow to import
    )  # fmt: skip


def test_prune_writes_the_kept_indices_of_a_run(run_folder, tmp_path, capsys):
    out = tmp_path / "subset.npz"
    assert main(["prune", str(run_folder.path), "--keep", "0.7", "--drop",
                 "hardest", "--out", str(out)]) == 0  # fmt: skip
    assert "kept 42 of 60" in capsys.readouterr().out
    with np.load(out, allow_pickle=False) as content:
        indices, scores = content["indices"], content["scores"]
        settings = json.loads(str(content["settings"]))
    speed = score_examples(run_folder.record, score="learning_speed")
    labels = run_folder.record.classes[run_folder.record.scored_set("train")[1]]
    expected = select_examples(speed, labels, amount=0.3, per_class=False)
    np.testing.assert_array_equal(indices, expected)
    np.testing.assert_array_equal(scores, speed[expected])
    assert settings["keep"] == 0.7 and settings["drop"] == "hardest"
    assert settings["score"] == "learning_speed" and settings["n_kept"] == 42
    # Refuses to overwrite unless told; random drops are seeded.
    assert main(["prune", str(run_folder.path), "--keep", "0.5", "--out",
                 str(out)]) == 1  # fmt: skip
    assert "already exists" in capsys.readouterr().err
    for seed in (1, 1, 2):
        main(["prune", str(run_folder.path), "--keep", "0.5", "--drop", "random",
              "--per-class", "--seed", str(seed), "--out", str(out),
              "--overwrite"])  # fmt: skip
        subset = load_subset(out)
        assert np.bincount(labels[subset.indices]).tolist() == [10, 10, 10]
        if seed == 1 and "first" not in locals():
            first = subset.indices
    assert not np.array_equal(first, subset.indices)
    np.testing.assert_array_equal(
        first, prune(run_folder, out=tmp_path / "again.npz", keep=0.5,
                     drop="random", per_class=True, random_state=1).indices,
    )  # fmt: skip


@pytest.mark.parametrize(
    "args, message",
    [
        (["--keep", "0.7", "--score", "aum"], "margin"),
        (["--keep", "0.7", "--score", "consistency", "--stage", "9"], "stage"),
        (["--keep", "0.7", "--out-suffix", ".txt"], "must name an .npz file"),
    ],
)
def test_prune_errors_a_person_can_act_on(run_folder, tmp_path, capsys, args,
                                          message):  # fmt: skip
    suffix = ".npz"
    if "--out-suffix" in args:
        suffix = args[args.index("--out-suffix") + 1]
        args = args[: args.index("--out-suffix")]
    out = tmp_path / f"subset{suffix}"
    assert main(["prune", str(run_folder.path), *args, "--out", str(out)]) == 1
    assert message in capsys.readouterr().err
    assert not out.exists()
    with pytest.raises(SystemExit):
        main(["prune", str(run_folder.path), "--keep", "1.5", "--out", str(out)])


@pytest.mark.parametrize(
    "change, message",
    [
        ({"indices": np.array([3, 2, 5])}, "increasing"),
        ({"indices": np.array([0, 1, 60])}, "within the 60"),
        ({"indices": np.array([-1, 2, 5])}, "increasing"),
        ({"indices": np.array([0.0, 1.0, 2.0])}, "integer"),
        ({"scores": np.array([0.1, np.nan, 0.3])}, "NaN"),
        ({"scores": np.array([0.1, 0.2])}, "one per kept"),
        ({"n_train": "60"}, "n_train"),
        ({"n_kept": 4}, "n_kept"),
        ({"format": "something else"}, "not a pruned subset"),
    ],
)
def test_a_subset_file_from_elsewhere_is_checked_value_by_value(
    tmp_path, change, message
):
    settings = {
        "format": "sklearn-difficulty pruned subset",
        "n_train": 60,
        "n_kept": 3,
    }
    arrays = {"indices": np.array([0, 2, 5]), "scores": np.array([0.1, 0.2, 0.3])}
    settings.update({k: v for k, v in change.items() if k not in arrays})
    arrays.update({k: v for k, v in change.items() if k in arrays})
    path = tmp_path / "subset.npz"
    np.savez(path, settings=json.dumps(settings), **arrays)
    with pytest.raises(ValueError, match=message):
        load_subset(path)
    # The same file unchanged is read.
    settings = {
        "format": "sklearn-difficulty pruned subset",
        "n_train": 60,
        "n_kept": 3,
    }
    np.savez(path, settings=json.dumps(settings), indices=np.array([0, 2, 5]),
             scores=np.array([0.1, 0.2, 0.3]))  # fmt: skip
    assert load_subset(path).indices.tolist() == [0, 2, 5]
