"""VectorisedMLP: scikit-learn's multi-layer perceptron, N members as one model."""

import warnings

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from scipy.sparse import csr_matrix  # noqa: E402
from sklearn.datasets import load_digits, load_iris  # noqa: E402
from sklearn.exceptions import ConvergenceWarning  # noqa: E402
from sklearn.neural_network import MLPClassifier  # noqa: E402
from sklearn.preprocessing import StandardScaler  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty  # noqa: E402
from sklearn_difficulty._random import MemberStreams  # noqa: E402
from sklearn_difficulty.nets import VectorisedMLP  # noqa: E402
from sklearn_difficulty.nets.vectorised.perceptron import PerceptronNet  # noqa: E402
from sklearn_difficulty.nets.vectorised.trainer import build_network  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits(return_X_y=True)
    return StandardScaler().fit_transform(X)[:600], y[:600]


def records_equal(a, b) -> None:
    for name in a.predictions:
        np.testing.assert_array_equal(a.predictions[name], b.predictions[name])
    for kind in a.output_kinds:
        np.testing.assert_array_equal(
            a.outputs[kind]["train"], b.outputs[kind]["train"]
        )


def test_initial_weights_are_glorot_uniform_as_scikit_learn():
    torch.manual_seed(0)
    for activation, factor in (("relu", 6.0), ("logistic", 2.0)):
        net = PerceptronNet((64,), 10, hidden_layer_sizes=(50,), activation=activation)
        linears = [m for m in net.layers if isinstance(m, torch.nn.Linear)]
        for layer in linears:
            fan_out, fan_in = layer.weight.shape
            bound = np.sqrt(factor / (fan_in + fan_out))
            for values in (layer.weight, layer.bias):
                assert values.abs().max() <= bound
            assert layer.weight.abs().max() > 0.95 * bound
        assert [m.__class__.__name__ for m in net.layers] == [
            "Flatten", "Linear", "ReLU" if activation == "relu" else "Sigmoid",
            "Linear",
        ]  # fmt: skip


@pytest.mark.parametrize(
    "solver, activation", [("adam", "relu"), ("sgd", "tanh"), ("adam", "logistic")]
)
def test_one_member_trains_as_scikit_learns_mlp_on_the_same_batches(
    digits, solver, activation
):
    """Same initial weights, same batches, the optimiser and the L2 penalty.

    scikit-learn's MLPClassifier is fed the member's batches one
    ``partial_fit`` call each, from the member's initial weights: after two
    epochs the weights agree to float32 rounding, 3e-5 on steps of 1e-2
    (Adam as scikit-learn writes it; SGD with Nesterov's momentum; the
    penalty on the weights only; backpropagation written out).
    """
    X, y = digits
    seed, batch, alpha = 7, 100, 0.5  # a large alpha: the penalty shows
    ours = VectorisedMLP(
        hidden_layer_sizes=(20, 15), batch_size=batch, alpha=alpha, max_iter=2,
        learning_rate_init=0.01, solver=solver, activation=activation,
    )  # fmt: skip
    (result,) = ours.fit_members(X, y, [seed], [], n_classes=10)
    streams = MemberStreams.from_seed(seed)
    initial = build_network(ours.training_settings(), (64,), 10, seed=streams.init)
    linears = [m for m in initial.layers if isinstance(m, torch.nn.Linear)]

    reference = MLPClassifier(
        hidden_layer_sizes=(20, 15), alpha=alpha, batch_size=batch,
        learning_rate_init=0.01, shuffle=False, random_state=0, solver=solver,
        activation=activation,
    )  # fmt: skip
    reference.partial_fit(X[:10], y[:10], classes=np.arange(10))
    reference.coefs_ = [m.weight.detach().double().numpy().T for m in linears]
    reference.intercepts_ = [m.bias.detach().double().numpy() for m in linears]
    del reference._optimizer  # a fresh Adam from these weights
    order = torch.Generator().manual_seed(streams.order)
    for _ in range(2):
        rows = torch.randperm(len(y), generator=order).numpy()
        for start in range(0, len(y), batch):
            part = rows[start : start + batch]
            reference.partial_fit(X[part], y[part])
    trained = [
        m for m in result.estimator.module_.layers if isinstance(m, torch.nn.Linear)
    ]
    for layer, coef, intercept in zip(
        trained, reference.coefs_, reference.intercepts_, strict=True
    ):
        np.testing.assert_allclose(layer.weight.detach().numpy().T, coef, atol=3e-5)
        np.testing.assert_allclose(layer.bias.detach().numpy(), intercept, atol=3e-5)
    moved = np.abs(linears[0].weight.detach().numpy().T - reference.coefs_[0]).max()
    assert moved > 1e-2  # training moved the weights far beyond the tolerance


def test_a_member_alone_equals_the_same_member_among_ten(digits):
    X, y = digits
    net = VectorisedMLP(hidden_layer_sizes=(30,), max_iter=3)
    seeds = list(range(100, 110))
    together = net.fit_members(
        X, y, seeds, [X], n_classes=10, outputs=("margin",), targets=[y]
    )
    alone = net.fit_members(
        X, y, [seeds[6]], [X], n_classes=10, outputs=("margin",), targets=[y]
    )
    np.testing.assert_array_equal(together[6].predictions, alone[0].predictions)
    np.testing.assert_array_equal(
        together[6].outputs["margin"][0], alone[0].outputs["margin"][0]
    )
    assert not np.array_equal(together[5].predictions, together[6].predictions)


def test_the_record_is_the_same_whatever_n_jobs_and_groups(digits):
    X, y = digits

    def record(member_chunk, n_jobs):
        net = VectorisedMLP(
            hidden_layer_sizes=(30,), max_iter=3, member_chunk=member_chunk
        )
        ensemble = EnsembleDifficulty(
            net, n_estimators=6, random_state=3, n_jobs=n_jobs, max_samples=0.8,
            record_outputs=("margin", "proba"),
        )  # fmt: skip
        return ensemble.fit(X, y).record_

    records_equal(record(None, None), record(4, 2))


def test_learning_curve_follows_scikit_learns_mlp_on_the_digits():
    """Mean member accuracy per epoch, 5 members each, within 0.04 of scikit-learn's."""
    X, y = load_digits(return_X_y=True)
    X = StandardScaler().fit_transform(X)
    ours = EnsembleDifficulty(
        VectorisedMLP(max_iter=8), n_estimators=5, random_state=0
    ).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        theirs = EnsembleDifficulty(
            MLPClassifier(max_iter=8), n_estimators=5, random_state=0
        ).fit(X, y)
    curve = ours.member_accuracy_[:, 1:].mean(axis=0)  # stage 0 is untrained
    reference = theirs.member_accuracy_.mean(axis=0)
    np.testing.assert_array_equal(ours.stages_[1:], theirs.stages_)
    assert np.abs(curve - reference).max() < 0.04
    assert curve[0] < 0.8 < curve[-1]  # a curve, not two flat lines


def test_standalone_fit_takes_any_labels_and_sparse_input():
    X, y = load_iris(return_X_y=True)
    names = np.array(["setosa", "versicolor", "virginica"])[y]
    net = VectorisedMLP(hidden_layer_sizes=(16,), max_iter=60, learning_rate_init=0.05,
                        random_state=0).fit(X, names)  # fmt: skip
    assert net.n_features_in_ == 4 and list(net.classes_) == list(names[[0, 50, 100]])
    assert (net.predict(X) == names).mean() > 0.9
    proba = net.predict_proba(X)
    assert proba.shape == (150, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1, rtol=1e-5)
    sparse = VectorisedMLP(hidden_layer_sizes=(16,), max_iter=60,
                           learning_rate_init=0.05, random_state=0)  # fmt: skip
    sparse.fit(csr_matrix(X), names)
    np.testing.assert_array_equal(sparse.predict(csr_matrix(X)), net.predict(X))
    with pytest.raises(ValueError, match="features"):
        net.predict(X[:, :3])


@pytest.mark.parametrize(
    "params, name",
    [
        ({"activation": "softplus"}, "activation"),
        ({"solver": "lbfgs"}, "solver"),
        ({"max_iter": 0}, "max_iter"),
        ({"batch_size": True}, "batch_size"),
        ({"alpha": -1.0}, "alpha"),
        ({"hidden_layer_sizes": (10, 0)}, "hidden_layer_sizes"),
    ],
)
def test_invalid_parameters_are_named_before_training(params, name):
    X, y = load_iris(return_X_y=True)
    ensemble = EnsembleDifficulty(VectorisedMLP(**params), n_estimators=2)
    with pytest.raises(ValueError, match=name):
        ensemble.fit(X, y)


def test_non_finite_features_are_named_not_taken_for_divergence(digits):
    X, y = digits
    X = X.copy()
    X[3, 5] = np.nan
    ensemble = EnsembleDifficulty(VectorisedMLP(max_iter=1), n_estimators=2)
    with pytest.raises(ValueError, match="NaN or infinity"):
        ensemble.fit(X, y)


def test_it_is_chosen_by_the_vectorised_recorder_and_cached(tmp_path, digits):
    X, y = digits
    net = VectorisedMLP(hidden_layer_sizes=(20,), max_iter=2)
    first = EnsembleDifficulty(net, n_estimators=3, random_state=0, memory=tmp_path)
    first.fit(X, y)
    assert first.stage_method_ == "vectorised"
    again = EnsembleDifficulty(net, n_estimators=3, random_state=0, memory=tmp_path)
    again.fit(X, y)
    records_equal(first.record_, again.record_)
    np.testing.assert_array_equal(
        again.estimators_[1].predict(X), first.estimators_[1].predict(X)
    )


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_on_the_gpu_it_learns_what_it_learns_on_the_cpu(digits):  # pragma: no cover
    """Same seeds on the GPU: the same curve, up to the rounding of other kernels."""
    X, y = digits

    def accuracy(device):
        net = VectorisedMLP(hidden_layer_sizes=(50,), max_iter=5, device=device)
        ensemble = EnsembleDifficulty(net, n_estimators=4, random_state=0)
        return ensemble.fit(X, y).member_accuracy_.mean(axis=0)

    np.testing.assert_allclose(accuracy("cuda"), accuracy("cpu"), atol=0.02)


def test_without_a_gpu_cuda_falls_back_to_the_cpu_with_a_warning(digits):
    if torch.cuda.is_available():  # pragma: no cover
        pytest.skip("a GPU is here")
    X, y = digits
    net = VectorisedMLP(hidden_layer_sizes=(10,), max_iter=1, device="cuda")
    with pytest.warns(Warning, match="(?i)cuda|gpu"):
        EnsembleDifficulty(net, n_estimators=2, random_state=0).fit(X, y)
