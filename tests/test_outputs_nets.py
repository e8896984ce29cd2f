"""Outputs beyond the labels (``record_outputs``) for the network recorders.

The skorch recorder and the vectorised trainer compute the outputs from the
very pass that gives the labels (the logits of each batch of the eval-mode
pass after every epoch). These tests check them against the fitted members,
against the labels, against the recorders' reference formulas, and, for the
scores built on them, against probabilities a test callback records itself.
"""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from skorch import NeuralNetClassifier  # noqa: E402
from skorch.callbacks import Callback  # noqa: E402
from torch import nn  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord  # noqa: E402
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import (  # noqa: E402
    EpochPredictionRecorder,
    SkorchCNN,
    VectorisedCNN,
)
from sklearn_difficulty.nets.skorch_recorder import SkorchRecorder  # noqa: E402
from sklearn_difficulty.nets.vectorised import VectorisedRecorder  # noqa: E402
from sklearn_difficulty.record import OUTPUTS  # noqa: E402
from sklearn_difficulty.recorders import true_class_outputs  # noqa: E402

N_TRAIN, N_TEST = 160, 60


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images(return_X_y=True)
    train = slice(0, N_TRAIN)
    test = slice(N_TRAIN, N_TRAIN + N_TEST)
    return X[train], y[train], X[test], y[test]


def make(kind):
    if kind == "skorch":
        return SkorchCNN("mnist", max_epochs=2)  # dropout on
    return VectorisedCNN("mnist", max_epochs=2, batch_size=40, optimizer="sgd", lr=0.05)


def fit(kind, digits, **params):
    X, y, X_test, y_test = digits
    ensemble = EnsembleDifficulty(make(kind), n_estimators=2, random_state=4, **params)
    return ensemble.fit(X, y, eval_set={"test": (X_test, y_test)})


@pytest.fixture(scope="module", params=["skorch", "vectorised"])
def fitted(request, digits):
    """Each recorder fitted with every output, and with the labels alone."""
    kind = request.param
    return (
        kind,
        fit(kind, digits, record_outputs="all"),
        fit(kind, digits),
    )


def test_every_output_is_recorded_for_every_stage_and_set(fitted):
    kind, ensemble, _ = fitted
    record = ensemble.record_
    assert record.output_kinds == OUTPUTS
    for name in ("train", "test"):
        shape = record.predictions[name].shape
        assert shape == (2, 3, N_TRAIN if name == "train" else N_TEST)
        for output in OUTPUTS:
            values = record.output(output, name)
            assert values.shape == shape
            assert values.dtype == np.float32
            assert np.isfinite(values).all()
        # The members learnt something, so the outputs moved with training.
        proba = record.output("proba", name)
        assert not np.allclose(proba[:, 0], proba[:, -1])


def test_outputs_agree_with_the_labels_of_the_same_pass(fitted):
    kind, ensemble, _ = fitted
    record = ensemble.record_
    for name in ("train", "test"):
        predictions, targets = record.scored_set(name)
        correct = predictions == targets
        margin = record.output("margin", name).astype(np.float64)
        proba = record.output("proba", name).astype(np.float64)
        error = record.output("error_norm", name).astype(np.float64)
        # The true class has the largest logit exactly where the label is right.
        tie = margin == 0
        assert np.array_equal((margin > 0)[~tie], correct[~tie])
        assert tie.mean() < 0.01
        # Softmax of the same logits: sigma(m) >= p_y >= 1 / (1 + (K-1) e^-m).
        n_classes = record.n_classes
        tol = 1e-5
        assert np.all(proba <= 1 / (1 + np.exp(-margin)) + tol)
        assert np.all(proba >= 1 / (1 + (n_classes - 1) * np.exp(-margin)) - tol)
        # ||p - onehot|| lies between 1 - p_y and sqrt(2) (1 - p_y).
        assert np.all(error >= 1 - proba - tol)
        assert np.all(error <= np.sqrt(2) * (1 - proba) + tol)
        # A probability above one half is the largest one: the label is right.
        assert np.all(correct[proba > 0.5 + tol])


def test_the_last_stage_is_what_the_fitted_members_predict(fitted, digits):
    kind, ensemble, _ = fitted
    X, y, X_test, y_test = digits
    record = ensemble.record_
    rtol, atol = (1e-5, 1e-6) if kind == "skorch" else (1e-4, 1e-5)
    for name, X_set, y_set in (("train", X, y), ("test", X_test, y_test)):
        rows = np.arange(y_set.size)
        for k, member in enumerate(ensemble.estimators_):
            proba = np.asarray(member.predict_proba(X_set), dtype=np.float64)
            assert np.array_equal(record.predictions[name][k, -1], proba.argmax(axis=1))
            expected = true_class_outputs(OUTPUTS, y_set, proba=proba)
            np.testing.assert_allclose(
                record.output("proba", name)[k, -1], proba[rows, y_set], rtol, atol
            )
            np.testing.assert_allclose(
                record.output("error_norm", name)[k, -1],
                expected["error_norm"],
                rtol,
                atol,
            )
            # For a softmax, the log-probabilities' margin is the logits'.
            np.testing.assert_allclose(
                record.output("margin", name)[k, -1], expected["margin"], 1e-4, 1e-4
            )


def test_outputs_do_not_change_what_the_members_learn(fitted):
    kind, with_outputs, labels_only = fitted
    assert labels_only.record_.output_kinds == ()
    assert np.array_equal(with_outputs.record_.stages, labels_only.record_.stages)
    for name in ("train", "test"):
        assert np.array_equal(
            with_outputs.record_.predictions[name],
            labels_only.record_.predictions[name],
        )


def test_float16_outputs(fitted, digits):
    kind, ensemble, _ = fitted
    half = fit(kind, digits, record_outputs=("proba", "margin"), output_dtype="float16")
    record = half.record_
    assert record.output_kinds == ("proba", "margin")
    for name in ("train", "test"):
        assert np.array_equal(
            record.predictions[name], ensemble.record_.predictions[name]
        )
        for output in ("proba", "margin"):
            values = record.output(output, name)
            assert values.dtype == np.float16
            single = ensemble.record_.output(output, name)
            # The same members and pass, rounded to float16's 11 bits.
            np.testing.assert_allclose(values, single, rtol=2**-10, atol=2**-24)
    with pytest.raises(ValueError, match="error_norm"):
        record.output("error_norm")


@pytest.mark.parametrize("as_folder", [False, True])
def test_saved_records_keep_the_outputs(fitted, tmp_path, as_folder):
    kind, ensemble, _ = fitted
    record = ensemble.record_
    path = tmp_path / ("record" if as_folder else "record.npz")
    record.save(path)
    loaded = PredictionRecord.load(path, **({"mmap_mode": "r"} if as_folder else {}))
    assert loaded.output_kinds == record.output_kinds
    for output in OUTPUTS:
        for name in ("train", "test"):
            values = loaded.output(output, name)
            assert values.dtype == np.float32
            np.testing.assert_array_equal(values, record.output(output, name))


def test_the_recorders_give_every_output():
    SkorchRecorder().check(SkorchCNN("mnist"), fit_params={}, outputs=OUTPUTS)
    VectorisedRecorder().check(VectorisedCNN("mnist"), fit_params={}, outputs=OUTPUTS)


# The vectorised trainer's formulas, against the reference ones ------------------


@pytest.mark.parametrize("scale", [1.0, 30.0, 1e3])
def test_a_group_of_members_outputs_are_each_members_own(scale):
    """The vectorised trainer computes a group's outputs in one call."""
    generator = np.random.default_rng(0)
    logits = generator.normal(size=(3, 50, 7)) * scale
    logits[0, 0] = logits[0, 0, 0]  # all tied
    targets = generator.integers(0, 7, size=50)
    batched = true_class_outputs(
        OUTPUTS, targets, scores=logits.astype(np.float32), dtype=np.float64
    )
    for m in range(3):
        expected = true_class_outputs(
            OUTPUTS,
            targets,
            scores=logits[m].astype(np.float32),
            dtype=np.float64,
        )
        for output in OUTPUTS:
            values = batched[output][m]
            assert values.dtype == np.float64
            np.testing.assert_allclose(values, expected[output], rtol=1e-12, atol=1e-15)


def test_fit_members_records_outputs_on_its_own(digits):
    X, y, X_test, y_test = digits
    net = make("vectorised")
    (plain,) = net.fit_members(X, y, [7], [X_test], n_classes=10)
    assert dict(plain.outputs) == {}
    (member,) = net.fit_members(
        X,
        y,
        [7],
        [X_test],
        n_classes=10,
        outputs=("margin",),
        targets=[y_test],
        output_dtype="float16",
    )
    (margin,) = member.outputs["margin"]
    assert margin.dtype == np.float16 and margin.shape == (3, N_TEST)
    assert np.array_equal(member.predictions[0], plain.predictions[0])
    correct = member.predictions[0] == y_test
    assert np.array_equal((margin > 0)[margin != 0], correct[margin != 0])
    with pytest.raises(ValueError, match="targets"):
        net.fit_members(X, y, [7], [X_test], n_classes=10, outputs=("proba",))


# The skorch callback on its own, and nets whose modules give probabilities ------


class SoftmaxMLP(nn.Module):
    """A module that outputs probabilities, for skorch's default NLLLoss."""

    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(64, 10), nn.Softmax(-1))

    def forward(self, X):
        return self.layers(X)


def probability_net(**params):
    return NeuralNetClassifier(
        SoftmaxMLP, max_epochs=2, lr=0.1, train_split=None, **params
    )


def test_a_module_that_outputs_probabilities(digits):
    """NLLLoss: the module's outputs are the probabilities, not logits."""
    X, y, _, _ = digits
    ensemble = EnsembleDifficulty(
        probability_net(), n_estimators=1, random_state=0, record_outputs="all"
    ).fit(X, y)
    record, member = ensemble.record_, ensemble.estimators_[0]
    proba = np.asarray(member.predict_proba(X), dtype=np.float64)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    expected = true_class_outputs(OUTPUTS, y, proba=proba)  # margin: log-proba
    for output in OUTPUTS:
        np.testing.assert_allclose(
            record.output(output)[0, -1], expected[output], rtol=1e-5, atol=1e-6
        )
    # Logits would have given another margin: the softmax of a softmax.
    assert not np.allclose(
        record.output("proba")[0, -1],
        true_class_outputs(["proba"], y, scores=proba)["proba"],
        atol=1e-3,
    )


def test_the_callback_keeps_outputs_itself(digits):
    X, y, X_test, y_test = digits
    callback = EpochPredictionRecorder(
        [X_test, X],
        outputs=["proba", "error_norm"],
        targets=[y_test, y],
        output_dtype="float16",
    )
    net = SkorchCNN("mnist", max_epochs=2).set_params(callbacks=[callback]).fit(X, y)
    assert callback.epochs_ == [0, 1, 2]
    assert set(callback.outputs_) == {"proba", "error_norm"}
    for index, (X_set, y_set) in enumerate([(X_test, y_test), (X, y)]):
        assert len(callback.outputs_["proba"][index]) == 3
        last = callback.outputs_["proba"][index][-1]
        assert last.dtype == np.float16 and last.shape == y_set.shape
        proba = net.predict_proba(X_set)
        np.testing.assert_allclose(
            last, proba[np.arange(y_set.size), y_set], rtol=1e-3, atol=1e-3
        )
        assert np.array_equal(callback.predictions_[index][-1], proba.argmax(1))
    plain = EpochPredictionRecorder([X_test])
    SkorchCNN("mnist", max_epochs=2).set_params(callbacks=[plain]).fit(X, y)
    assert plain.outputs_ == {}
    with pytest.raises(ValueError, match="targets"):
        EpochPredictionRecorder([X_test], outputs=["proba"]).initialize()
    with pytest.raises(ValueError, match="unknown"):
        EpochPredictionRecorder([X_test], outputs=["loss"], targets=[y]).initialize()


# Scores built on the outputs, against probabilities recorded by the test --------


class ProbabilityProbe(Callback):
    """Keeps ``net.predict_proba(X)`` at the end of every epoch (eval mode)."""

    def __init__(self, X):
        self.X = X

    def initialize(self):
        self.proba_ = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.proba_.append(np.asarray(net.predict_proba(self.X), dtype=np.float64))


def test_scores_match_probabilities_a_callback_recorded_per_epoch(digits):
    """Data maps, forgetting, AUM and EL2N of a record, computed by hand.

    Each member's net carries a callback of the test's own that keeps
    ``predict_proba`` of the training set after every epoch; the scores of
    the ensemble's record must be those of these probabilities.
    """
    from sklearn_difficulty import scores

    X, y, _, _ = digits
    n_epochs, n_members = 4, 2
    net = SkorchCNN(
        "mnist", max_epochs=n_epochs, callbacks=[("probe", ProbabilityProbe(X))]
    )
    ensemble = EnsembleDifficulty(
        net, n_estimators=n_members, random_state=1, record_outputs="all"
    ).fit(X, y)
    record = ensemble.record_
    assert record.stages.tolist() == list(range(n_epochs + 1))

    # Each member kept its own clone of the probe, which saw epochs 1..E.
    rows = np.arange(y.size)
    p_true, correct, log_margin, norms = [], [], [], []
    for k, member in enumerate(ensemble.estimators_):
        probe = dict(member.callbacks_)["probe"]
        proba = np.stack(probe.proba_)  # (epochs, samples, classes)
        assert proba.shape == (n_epochs, y.size, 10)
        p_true.append(proba[:, rows, y])
        correct.append(proba.argmax(axis=2) == y)
        log_proba = np.log(proba)
        others = log_proba.copy()
        others[:, rows, y] = -np.inf
        log_margin.append(log_proba[:, rows, y] - others.max(axis=2))
        onehot = np.eye(10)[y]
        norms.append(np.linalg.norm(proba - onehot, axis=2))
        # The recorder's own pass saw the same network at the same moments.
        np.testing.assert_allclose(
            record.output("proba")[k, 1:], p_true[-1], rtol=1e-5, atol=1e-6
        )
        assert np.array_equal(record.predictions["train"][k, 1:] == y, correct[-1])
    p_true, correct = np.stack(p_true), np.stack(correct)  # (members, epochs, n)
    log_margin, norms = np.stack(log_margin), np.stack(norms)

    data_map = scores.data_map(record)
    np.testing.assert_allclose(
        data_map.confidence, p_true.mean(axis=1).mean(axis=0), rtol=1e-5, atol=1e-6
    )
    np.testing.assert_allclose(
        data_map.variability, p_true.std(axis=1).mean(axis=0), rtol=1e-4, atol=1e-5
    )
    np.testing.assert_allclose(
        data_map.correctness, correct.mean(axis=1).mean(axis=0), atol=1e-12
    )
    pooled = scores.data_map(record, aggregate="pooled")
    np.testing.assert_allclose(pooled.confidence, data_map.confidence, rtol=1e-12)
    np.testing.assert_allclose(
        pooled.variability, p_true.std(axis=(0, 1)), rtol=1e-4, atol=1e-5
    )

    forgotten = (correct[:, :-1] & ~correct[:, 1:]).sum(axis=1)  # (members, n)
    learnt = correct.any(axis=1)
    per_member = np.where(learnt, forgotten, -1)
    forgetting = scores.forgetting_events(record)
    np.testing.assert_array_equal(forgetting.per_member, per_member)
    with np.errstate(invalid="ignore"):
        events = np.where(learnt, forgotten, 0).sum(0) / learnt.sum(0)
    np.testing.assert_allclose(forgetting.events, events, equal_nan=True)
    np.testing.assert_allclose(forgetting.never_learnt, (~learnt).mean(axis=0))

    # The margin of logits is that of log-probabilities, for a softmax.
    np.testing.assert_allclose(
        scores.aum(record), log_margin.mean(axis=1).mean(axis=0), rtol=1e-4, atol=1e-4
    )
    np.testing.assert_allclose(
        scores.el2n(record, stage=2), norms[:, 1].mean(axis=0), rtol=1e-5, atol=1e-6
    )

    # The run is long enough for the scores to be worth checking.
    assert forgotten.sum() > 0 and (~learnt).any() and learnt.any()
    assert 0 < np.ptp(data_map.variability)
