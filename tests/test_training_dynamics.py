"""Outputs beyond the labels, and the scores of the field computed from them.

Every score is checked against a hand computation; the recorded outputs are
checked against the fitted members' own ``predict_proba`` and
``decision_function``.
"""

from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import load_breast_cancer, load_digits
from sklearn.ensemble import AdaBoostClassifier
from sklearn.linear_model import LogisticRegression, SGDClassifier
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord
from sklearn_difficulty.pruning import DifficultyPruner
from sklearn_difficulty.recorders import class_columns, true_class_outputs
from sklearn_difficulty.scores import aum, data_map, el2n, forgetting_events
from sklearn_difficulty.selection import score_examples

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X[:300]), y[:300]


def record_with(outputs, predictions=None, targets=None, stages=(0, 1, 2)):
    """A record of 2 members and 3 examples (true classes 0, 1, 0)."""
    if predictions is None:
        predictions = np.zeros((2, len(stages), 3), np.uint8)
    targets = np.array([0, 1, 0]) if targets is None else targets
    return PredictionRecord(
        predictions={"train": predictions},
        targets={"train": targets},
        classes=np.array(["a", "b"]),
        stages=np.array(stages),
        outputs={kind: {"train": values} for kind, values in outputs.items()},
    )


# The record ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "outputs, message",
    [
        ({"logits": np.zeros((2, 3, 3))}, "unknown kind 'logits'"),
        ({"proba": np.zeros((2, 3, 3), int)}, "floating-point array"),
        ({"proba": np.zeros((2, 2, 3))}, r"shape of predictions\['train'\]"),
    ],
)
def test_record_checks_its_outputs(outputs, message):
    with pytest.raises(ValueError, match=message):
        record_with(outputs)


def test_record_output_names_what_is_missing():
    labels_only = record_with({})
    assert labels_only.output_kinds == ()
    with pytest.raises(ValueError, match="holds labels only.*record_outputs"):
        labels_only.output("proba")
    margins = record_with({"margin": np.zeros((2, 3, 3), np.float32)})
    with pytest.raises(ValueError, match=r"holds \['margin'\]"):
        margins.output("error_norm")
    with pytest.raises(ValueError, match="no scored set named 'test'"):
        margins.output("margin", "test")
    with pytest.raises(ValueError, match="kind must be one of"):
        margins.output("logit")


@pytest.mark.parametrize("suffix", [".npz", ""])
def test_outputs_save_and_load_without_pickle(tmp_path, suffix):
    rng = np.random.default_rng(0)
    proba = rng.random((2, 3, 3)).astype(np.float16)
    record = record_with({"proba": proba, "margin": proba.astype(np.float32) - 0.5})
    path = tmp_path / f"record{suffix}"
    record.save(path)
    loaded = PredictionRecord.load(path, **({} if suffix else {"mmap_mode": "r"}))
    assert loaded.output_kinds == ("proba", "margin")
    assert loaded.output("proba").dtype == np.float16
    np.testing.assert_array_equal(loaded.output("proba"), proba)
    np.testing.assert_array_equal(loaded.output("margin"), proba - np.float32(0.5))
    if not suffix:
        assert isinstance(loaded.output("proba"), np.memmap)


@pytest.mark.parametrize("name", ["record_v1.npz", "record_v1_folder"])
def test_records_of_format_version_1_still_load(name):
    # Written by sklearn-difficulty 0.1 (format version 1, labels only).
    record = PredictionRecord.load(f"{DATA}/{name}")
    assert record.output_kinds == ()
    assert record.set_names == ("train", "test")
    assert record.predictions["train"].tolist() == [
        [[0, 1, 1], [1, 1, 0]],
        [[0, 0, 1], [1, 1, 1]],
    ]
    assert record.stages.tolist() == [0, 1] and record.seeds.tolist() == [11, 12]


def test_select_members_keeps_outputs_and_member_data():
    proba = np.arange(18, dtype=np.float32).reshape(2, 3, 3)
    record = PredictionRecord(
        predictions={"train": np.arange(18).reshape(2, 3, 3) % 2},
        targets={"train": np.array([0, 1, 0])},
        classes=np.array([0, 1]),
        stages=np.array([1, 2, 3]),
        seeds=np.array([5, 6]),
        in_bag=np.array([[True, False, True], [False, True, True]]),
        outputs={"proba": {"train": proba}},
    )
    picked = record.select_members([1, 1, 0])
    assert picked.n_members == 3
    assert picked.seeds.tolist() == [6, 6, 5]
    np.testing.assert_array_equal(picked.output("proba"), proba[[1, 1, 0]])
    assert picked.in_bag[2].tolist() == [True, False, True]
    assert record.select_members(np.array([False, True])).seeds.tolist() == [6]
    with pytest.raises(ValueError, match="outside"):
        record.select_members([2])


# From a member's probabilities and scores to outputs -------------------------------


def test_true_class_outputs_by_hand():
    proba = np.array([[0.7, 0.2, 0.1], [0.1, 0.3, 0.6]])
    out = true_class_outputs(
        ["proba", "margin", "error_norm"], [0, 1], proba=proba, dtype=np.float64
    )
    np.testing.assert_allclose(out["proba"], [0.7, 0.3])
    np.testing.assert_allclose(
        out["error_norm"],
        [np.sqrt(0.3**2 + 0.2**2 + 0.1**2), np.sqrt(0.1**2 + 0.7**2 + 0.6**2)],
    )
    # Without scores, the margin is that of the log-probabilities.
    np.testing.assert_allclose(
        out["margin"], [np.log(0.7 / 0.2), np.log(0.3 / 0.6)], rtol=1e-12
    )


def test_margins_of_logits_and_of_their_softmax_agree():
    logits = np.array([[3.0, 1.0, -2.0], [0.5, 0.5, 4.0]])
    from_logits = true_class_outputs(["margin", "proba"], [0, 0], scores=logits)
    np.testing.assert_allclose(from_logits["margin"], [2.0, -3.5], rtol=1e-6)
    softmax = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    from_proba = true_class_outputs(["margin"], [0, 0], proba=softmax)
    np.testing.assert_allclose(from_proba["margin"], from_logits["margin"], rtol=1e-5)
    np.testing.assert_allclose(from_logits["proba"], softmax[:, 0], rtol=1e-6)


def test_class_columns_widen_a_member_that_missed_a_class():
    # A member that saw classes 0 and 2 of 3; a binary decision function.
    widened = class_columns(np.array([[0.4, 0.6]]), np.array([0, 2]), 3, 0.0)
    assert widened.tolist() == [[0.4, 0.0, 0.6]]
    binary = class_columns(np.array([1.5, -2.0]), np.array([0, 1]), 2, -np.inf)
    margins = true_class_outputs(["margin"], [1, 1], scores=binary, dtype=np.float64)
    assert margins["margin"].tolist() == [1.5, -2.0]


# Recorded by the ensemble ----------------------------------------------------------


def test_final_member_outputs_are_its_own(digits):
    X, y = digits
    ensemble = EnsembleDifficulty(
        LogisticRegression(max_iter=200),
        n_estimators=2,
        max_samples=0.6,
        record_outputs="all",
        random_state=0,
    ).fit(X[:200], y[:200], eval_set={"test": (X[200:], y[200:])})
    record = ensemble.record_
    assert record.output_kinds == ("proba", "margin", "error_norm")
    for member, estimator in enumerate(ensemble.estimators_):
        for name, X_set, y_set in (
            ("train", X[:200], y[:200]),
            ("test", X[200:], y[200:]),
        ):
            proba = estimator.predict_proba(X_set)
            rows = np.arange(y_set.size)
            np.testing.assert_allclose(
                record.output("proba", name)[member, 0], proba[rows, y_set], rtol=1e-5
            )
            decision = estimator.decision_function(X_set)
            others = decision.copy()
            others[rows, y_set] = -np.inf
            np.testing.assert_allclose(
                record.output("margin", name)[member, 0],
                decision[rows, y_set] - others.max(axis=1),
                rtol=1e-4, atol=1e-5,
            )  # fmt: skip
            onehot = np.eye(10)[y_set]
            np.testing.assert_allclose(
                record.output("error_norm", name)[member, 0],
                np.linalg.norm(proba - onehot, axis=1),
                rtol=1e-5,
            )


def test_staged_outputs_follow_every_round(digits):
    X, y = digits
    ensemble = EnsembleDifficulty(
        AdaBoostClassifier(n_estimators=6),
        n_estimators=2,
        max_samples=0.7,
        stage_step=2,
        record_outputs=["proba"],
        output_dtype="float16",
        random_state=0,
    ).fit(X, y)
    proba = ensemble.record_.output("proba")
    assert proba.dtype == np.float16 and proba.shape == (2, 3, 300)
    staged = list(ensemble.estimators_[1].staged_predict_proba(X))
    for position, stage in enumerate(ensemble.record_.stages):
        expected = staged[stage - 1][np.arange(300), y]
        np.testing.assert_allclose(proba[1, position], expected, atol=1e-3)


def test_partial_fit_margins_from_log_probabilities(digits):
    X, y = digits
    ensemble = EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=3),
        n_estimators=2,
        record_outputs=("margin", "proba"),
        random_state=0,
    ).fit(X, y)
    record = ensemble.record_
    assert record.n_stages == 3
    last = ensemble.estimators_[0].predict_proba(X)
    log = np.log(last)
    rows = np.arange(y.size)
    others = log.copy()
    others[rows, y] = -np.inf
    np.testing.assert_allclose(
        record.output("margin")[0, -1], log[rows, y] - others.max(axis=1), rtol=1e-4
    )
    # A positive margin is a correct prediction, and the other way round.
    right = record.predictions["train"] == y
    assert np.array_equal(record.output("margin") > 0, right)


def test_binary_margin_is_the_signed_decision_function():
    X, y = load_breast_cancer(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ensemble = EnsembleDifficulty(
        SGDClassifier(random_state=0),
        n_estimators=1,
        stage_method="final",
        record_outputs=["margin"],
        random_state=0,
    ).fit(X, y)
    decision = ensemble.estimators_[0].decision_function(X)
    expected = np.where(y == 1, decision, -decision)
    np.testing.assert_allclose(
        ensemble.record_.output("margin")[0, 0], expected, rtol=1e-5
    )


def test_outputs_leave_the_labels_unchanged(digits):
    X, y = digits
    kwargs = dict(n_estimators=2, max_samples=0.5, random_state=3)
    estimator = MLPClassifier(hidden_layer_sizes=(8,), max_iter=2)
    plain = EnsembleDifficulty(estimator, **kwargs).fit(X, y).record_
    rich = EnsembleDifficulty(estimator, record_outputs="all", **kwargs).fit(X, y)
    np.testing.assert_array_equal(
        plain.predictions["train"], rich.record_.predictions["train"]
    )


def test_members_without_probabilities_are_refused_before_training(digits):
    X, y = digits
    with pytest.raises(ValueError, match="'proba'.*SVC has no predict_proba"):
        EnsembleDifficulty(SVC(), record_outputs=["proba"]).fit(X, y)
    with pytest.raises(ValueError, match="staged_predict_proba|unknown outputs"):
        EnsembleDifficulty(SVC(), record_outputs=["logits"]).fit(X, y)
    margins = EnsembleDifficulty(
        SVC(), n_estimators=2, max_samples=0.5, record_outputs=["margin"],
        random_state=0,
    ).fit(X, y)  # fmt: skip
    assert margins.record_.output_kinds == ("margin",)
    with pytest.raises(ValueError, match="no 'proba' output"):
        data_map(margins)


def test_outputs_in_a_record_folder_and_through_the_cache(digits, tmp_path):
    X, y = digits
    kwargs = dict(
        n_estimators=2, max_samples=0.5, random_state=0, memory=tmp_path / "cache"
    )
    estimator = LogisticRegression(max_iter=100)
    EnsembleDifficulty(estimator, **kwargs).fit(X, y)  # labels only, cached
    rich = EnsembleDifficulty(
        estimator, record_outputs=["proba"], record_folder=tmp_path / "rec", **kwargs
    ).fit(X, y)
    proba = rich.record_.output("proba")
    assert isinstance(proba, np.memmap) and np.isfinite(proba).all()
    assert (tmp_path / "rec" / "outputs_proba_0.npy").is_file()
    loaded = PredictionRecord.load(tmp_path / "rec")
    np.testing.assert_array_equal(loaded.output("proba"), proba)


# The scores, by hand ------------------------------------------------------------------

# 2 members, stages 0, 1, 2, 3; true classes 0, 1, 0.
PROBA = np.array(
    [
        [[0.5, 0.5, 0.5], [0.2, 0.9, 0.6], [0.4, 0.8, 0.6], [0.9, 0.7, 0.3]],
        [[0.5, 0.5, 0.5], [0.6, 0.9, 0.2], [0.8, 0.9, 0.4], [0.7, 0.9, 0.1]],
    ],
    dtype=np.float32,
)
LABELS = np.array(
    [
        [[1, 1, 1], [1, 1, 0], [1, 1, 0], [0, 1, 1]],
        [[1, 1, 1], [0, 1, 1], [0, 1, 1], [0, 1, 1]],
    ],
    dtype=np.uint8,
)


def dynamics_record():
    margin = PROBA - 0.5
    return record_with(
        {"proba": PROBA, "margin": margin, "error_norm": 1 - PROBA},
        predictions=LABELS,
        stages=(0, 1, 2, 3),
    )


def test_data_map_per_member_and_pooled_by_hand():
    record = dynamics_record()
    trained = PROBA[:, 1:].astype(np.float64)
    result = data_map(record)
    np.testing.assert_allclose(result.confidence, trained.mean(axis=(0, 1)))
    np.testing.assert_allclose(
        result.variability, trained.std(axis=1).mean(axis=0), rtol=1e-6
    )
    # Correct: member 0 at stages 1-3: [0,1,0], [0,1,0], [1,1,0] ... by hand.
    np.testing.assert_allclose(result.correctness, [(1 + 3) / 6, 1.0, (2 + 0) / 6])
    pooled = data_map(record, aggregate="pooled")
    np.testing.assert_allclose(pooled.confidence, result.confidence)
    np.testing.assert_allclose(
        pooled.variability, trained.reshape(6, 3).std(axis=0), rtol=1e-6
    )
    assert (pooled.variability >= result.variability - 1e-9).all()
    with pytest.raises(ValueError, match="aggregate"):
        data_map(record, aggregate="mean")


def test_aum_is_the_mean_margin_over_training_stages():
    np.testing.assert_allclose(
        aum(dynamics_record()), (PROBA[:, 1:] - 0.5).mean(axis=(0, 1)), rtol=1e-6
    )


def test_forgetting_events_by_hand():
    result = forgetting_events(dynamics_record())
    # Example 0, member 0: wrong, wrong, right -> 0 events; member 1: right x3.
    # Example 2, member 0: right, right, wrong -> 1; member 1: never right.
    assert result.per_member.tolist() == [[0, 0, 1], [0, 0, -1]]
    np.testing.assert_allclose(result.events, [0.0, 0.0, 1.0])
    np.testing.assert_allclose(result.never_learnt, [0.0, 0.0, 0.5])
    np.testing.assert_allclose(result.score, [0.0, 0.0, (1 + 3) / 2])
    never = record_with({}, predictions=np.ones((2, 3, 3), np.uint8), stages=(1, 2, 3))
    assert np.isnan(forgetting_events(never).events[[0, 2]]).all()


def test_el2n_at_an_early_stage_and_a_chosen_one():
    record = dynamics_record()
    np.testing.assert_allclose(el2n(record), (1 - PROBA[:, 1]).mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(
        el2n(record, stage=3), (1 - PROBA[:, 3]).mean(axis=0), rtol=1e-6
    )
    with pytest.raises(ValueError, match="stage=7 is not a recorded stage"):
        el2n(record, stage=7)


def test_scores_take_a_fitted_ensemble_and_evaluation_sets(digits):
    X, y = digits
    ensemble = EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(16,), max_iter=4),
        n_estimators=2,
        record_outputs="all",
        random_state=0,
    ).fit(X[:200], y[:200], eval_set={"test": (X[200:], y[200:])})
    for function in (aum, el2n):
        assert function(ensemble, scored_set="test").shape == (100,)
    np.testing.assert_array_equal(aum(ensemble), aum(ensemble.record_))
    assert data_map(ensemble, scored_set="test").confidence.shape == (100,)
    assert forgetting_events(ensemble, scored_set="test").score.shape == (100,)
    with pytest.raises(TypeError, match="PredictionRecord or a fitted"):
        aum(np.zeros((2, 3, 4)))


# As rank_by --------------------------------------------------------------------------


@pytest.mark.parametrize("score", ["aum", "confidence", "forgetting", "el2n"])
def test_new_scores_rank_flipped_labels_as_hard(score, digits):
    X, y = digits
    rng = np.random.default_rng(0)
    flipped = rng.choice(y.size, 30, replace=False)
    noisy = y.copy()
    noisy[flipped] = (y[flipped] + 1 + rng.integers(0, 9, 30)) % 10
    scorer = EnsembleDifficulty(
        MLPClassifier(hidden_layer_sizes=(32,), learning_rate_init=0.01, max_iter=15),
        n_estimators=3,
        record_outputs="all",
        random_state=0,
    )
    pruner = DifficultyPruner(
        scorer, amount=30, by="count", per_class=False, rank_by=score
    )
    pruner.fit_resample(X, noisy)
    removed = np.setdiff1d(np.arange(y.size), pruner.sample_indices_)
    # Random removal would catch 10% of them.
    assert np.isin(removed, flipped).mean() >= 0.7
    np.testing.assert_array_equal(
        pruner.scores_, score_examples(pruner.record_, score=score)
    )


def test_the_default_scorer_records_what_rank_by_needs(digits):
    X, y = digits[0][:120], digits[1][:120]
    for score, used in (
        ("auto", "el2n"),
        ("aum", "aum"),
        ("confidence", "confidence"),
        ("el2n", "el2n"),
    ):
        pruner = DifficultyPruner(rank_by=score, random_state=0)
        pruner.fit_resample(X, y)
        assert pruner.rank_by_ == used
        assert pruner.scores_.shape == (y.size,)
        np.testing.assert_array_equal(
            pruner.scores_, score_examples(pruner.record_, score=used)
        )
    labels_only = EnsembleDifficulty(
        LogisticRegression(max_iter=50), n_estimators=2, max_samples=0.7,
        random_state=0,
    )  # fmt: skip
    pruner = DifficultyPruner(labels_only)
    pruner.fit_resample(X, y)
    assert pruner.rank_by_ == "learning_speed"


def test_scoring_a_memory_mapped_record_reads_it_member_by_member(tmp_path):
    import tracemalloc

    shape = (40, 30, 2000)  # float32 outputs: 9.6 MB per kind
    rng = np.random.default_rng(0)
    record = PredictionRecord(
        predictions={"train": rng.integers(0, 2, shape, dtype=np.uint8)},
        targets={"train": rng.integers(0, 2, shape[2])},
        classes=np.array([0, 1]),
        stages=np.arange(shape[1]),
        outputs={
            kind: {"train": rng.random(shape, dtype=np.float32)}
            for kind in ("proba", "margin", "error_norm")
        },
    )
    record.save(tmp_path / "record")
    mapped = PredictionRecord.load(tmp_path / "record", mmap_mode="r")
    size = 4 * np.prod(shape)
    for score in (
        lambda r: data_map(r),
        lambda r: data_map(r, aggregate="pooled"),
        aum,
        el2n,
        forgetting_events,
    ):
        tracemalloc.start()
        score(mapped)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert peak < 0.2 * size, (score, peak / size)
    np.testing.assert_allclose(aum(mapped), aum(record))


def test_a_labels_only_recorder_refuses_outputs_up_front():
    from sklearn_difficulty.recorders import RECORDERS, Recorder, register_recorder

    class LabelsOnly(Recorder):
        name = "labels_only"
        kind = "final"

        def train(self, estimator, X, y, fit_params, plan, streams):
            estimator.fit(X, y)
            return [1], [plan.encode(0, estimator.predict(plan.scored[0]))[None]]

    register_recorder(LabelsOnly())
    try:
        X = np.random.RandomState(0).rand(30, 3)
        y = (X[:, 0] > 0.5).astype(int)
        ensemble = EnsembleDifficulty(
            LogisticRegression(), n_estimators=2, stage_method="labels_only",
            max_samples=0.8, record_outputs=["proba"],
        )  # fmt: skip
        with pytest.raises(ValueError, match="'labels_only' records labels only"):
            ensemble.fit(X, y)
        assert ensemble.set_params(record_outputs=None).fit(X, y).record_.n_stages == 1
    finally:
        RECORDERS.pop("labels_only")
