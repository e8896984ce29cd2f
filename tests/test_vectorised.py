"""The vectorised trainer: N networks trained as one batched model."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from torch import nn  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty, MemberFailedWarning  # noqa: E402
from sklearn_difficulty._random import MemberStreams  # noqa: E402
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import MNISTNet, SkorchCNN, VectorisedCNN  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images(return_X_y=True)
    return X[:300], y[:300], X[300:420], y[300:420]


NO_DROPOUT = {"dropout": False}


def reference_losses(X, y, seed, *, epochs, batch_size, lr, momentum):
    """The same member trained alone, by hand, with the same seeds and batches."""
    streams = MemberStreams.from_seed(seed)
    torch.manual_seed(streams.init)
    module = MNISTNet(input_shape=(1, 8, 8), n_classes=10, dropout=False)
    generator = torch.Generator().manual_seed(streams.order)
    optimizer = torch.optim.SGD(module.parameters(), lr=lr, momentum=momentum)
    X, y = torch.as_tensor(X), torch.as_tensor(y)
    losses = []
    for _ in range(epochs):
        order = torch.randperm(len(y), generator=generator)
        total = 0.0
        for start in range(0, len(y), batch_size):
            batch = order[start : start + batch_size]
            loss = nn.functional.cross_entropy(module(X[batch]), y[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * len(batch)
        losses.append(total / len(y))
    return np.array(losses)


def test_one_member_reproduces_the_same_module_trained_alone(digits):
    X, y, _, _ = digits
    trainer = VectorisedCNN(
        "mnist",
        module_kwargs=NO_DROPOUT,
        max_epochs=3,
        batch_size=64,
        optimizer="sgd",
        lr=0.05,
        momentum=0.9,
        lr_step=None,
    )
    seeds = [11, 22, 33]
    results = trainer.fit_members(X, y, seeds, [], n_classes=10)
    for index, seed in [(0, 11), (2, 33)]:
        expected = reference_losses(
            X, y, seed, epochs=3, batch_size=64, lr=0.05, momentum=0.9
        )
        history = results[index].estimator.history_
        np.testing.assert_allclose(history, expected, rtol=1e-4)


def test_members_differ_and_chunks_change_nothing(digits):
    X, y, X_test, _ = digits
    trainer = VectorisedCNN(
        "mnist", max_epochs=2, batch_size=64, optimizer="sgd", lr=0.05
    )
    together = trainer.fit_members(X, y, [1, 2, 3, 4, 5], [X_test], n_classes=10)
    trainer.set_params(member_chunk=2)
    chunked = trainer.fit_members(X, y, [1, 2, 3, 4, 5], [X_test], n_classes=10)
    first = together[0].estimator.module_.features[0].weight
    second = together[1].estimator.module_.features[0].weight
    assert not torch.equal(first, second)
    for a, b in zip(together, chunked, strict=True):
        np.testing.assert_allclose(
            a.estimator.history_, b.estimator.history_, rtol=1e-4
        )


def test_ensemble_difficulty_records_every_epoch(digits):
    X, y, X_test, y_test = digits
    names = np.array([f"digit {k}" for k in range(10)])
    net = VectorisedCNN("mnist", max_epochs=3, batch_size=50)
    ed = EnsembleDifficulty(net, n_estimators=4, max_samples=0.8, random_state=0)
    ed.fit(X, names[y], eval_set={"test": (X_test, names[y_test])})
    assert ed.stage_method_ == "vectorised" and ed.record_.stage_kind == "epoch"
    np.testing.assert_array_equal(ed.stages_, [0, 1, 2, 3])
    assert ed.record_.predictions["train"].shape == (4, 4, 300)
    assert ed.record_.predictions["train"].dtype == np.uint8
    assert ed.record_.in_bag.sum(axis=1).tolist() == [240] * 4
    for m, member in enumerate(ed.estimators_):
        np.testing.assert_array_equal(
            ed.record_.predictions["test"][m, -1], member.predict(X_test)
        )
    assert set(ed.predict(X_test)) <= set(names)
    assert len({tuple(p) for p in ed.record_.predictions["train"][:, -1]}) > 1


def test_statistically_equivalent_to_members_trained_one_by_one(digits):
    """Same data and settings, 8 members each way, 4 epochs.

    The test: at every epoch, the two mean test accuracies of the members
    differ by at most 3 standard errors of that difference (a two-sample z
    test at about 3 sigma); at the last epoch the consistency distributions
    agree: the share of test images every member gets right, and the share
    none gets right, each within 0.15.
    """
    X, y, X_test, y_test = digits
    settings = dict(max_epochs=4, batch_size=50, lr=0.05)
    vectorised = EnsembleDifficulty(
        VectorisedCNN("mnist", optimizer="sgd", momentum=0.9, **settings),
        n_estimators=8,
        random_state=1,
    ).fit(X, y, eval_set={"test": (X_test, y_test)})
    one_by_one = EnsembleDifficulty(
        SkorchCNN(
            "mnist", optimizer=torch.optim.SGD, optimizer__momentum=0.9, **settings
        ),
        n_estimators=8,
        random_state=1,
    ).fit(X, y, eval_set={"test": (X_test, y_test)})
    a, b = (e.eval_member_accuracy_["test"] for e in (vectorised, one_by_one))
    error = np.sqrt(a.var(axis=0, ddof=1) / 8 + b.var(axis=0, ddof=1) / 8)
    assert np.all(np.abs(a.mean(axis=0) - b.mean(axis=0)) <= 3 * error + 0.01)
    last = [e.eval_consistency_["test"][-1] for e in (vectorised, one_by_one)]
    assert abs(np.mean(last[0] == 1) - np.mean(last[1] == 1)) <= 0.15
    assert abs(np.mean(last[0] == 0) - np.mean(last[1] == 0)) <= 0.15


def test_a_diverging_member_fails_alone(digits):
    X, y, _, _ = digits
    net = VectorisedCNN("mnist", max_epochs=2, optimizer="sgd", lr=1e12, batch_size=50)
    with pytest.raises(FloatingPointError, match="training loss"):
        EnsembleDifficulty(net, n_estimators=2).fit(X, y)
    with pytest.warns(MemberFailedWarning), pytest.raises(ValueError, match="only 0"):
        EnsembleDifficulty(net, n_estimators=2, on_error="drop").fit(X, y)


class WithBatchNorm(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(), nn.Linear(64, 8), nn.BatchNorm1d(8), nn.Linear(8, 10)
        )

    def forward(self, X):
        return self.layers(X)


def test_batch_norm_uses_batch_statistics(digits):
    X, y, X_test, y_test = digits
    net = VectorisedCNN(WithBatchNorm, max_epochs=3, optimizer="adam", lr=0.01)
    net.fit(X, y)
    norm = net.module_.layers[2]
    assert not norm.track_running_stats and norm.running_mean is None
    assert net.score(X_test, y_test) > 0.5
    ed = EnsembleDifficulty(net, n_estimators=2, random_state=0).fit(X, y)
    assert ed.member_accuracy_[:, -1].mean() > 0.5


def test_bad_settings(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="optimizer must be"):
        VectorisedCNN("mnist", optimizer="lbfgs").fit(X, y)
    with pytest.raises(TypeError, match="module class"):
        VectorisedCNN(MNISTNet((1, 8, 8), 10)).fit(X, y)
    with pytest.raises(ValueError, match="class indices"):
        VectorisedCNN("mnist").fit(X, np.array(["a", "b"])[y % 2])
    for chunk in (0, "some"):  # refused before any member trains
        net = VectorisedCNN("mnist", max_epochs=1, member_chunk=chunk)
        with pytest.raises(ValueError, match="member_chunk must be"):
            EnsembleDifficulty(net, n_estimators=2, on_error="drop").fit(X, y)


class WithDropout2d(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Dropout2d(0.2), nn.Flatten(), nn.Linear(64, 10))

    def forward(self, X):
        return self.layers(X)


def test_shared_random_draws_are_refused(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="nn.Dropout layers only"):
        VectorisedCNN(WithDropout2d, max_epochs=1).fit(X, y)


def test_adam_and_a_users_own_module(digits):
    X, y, X_test, y_test = digits

    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.Sequential(
                nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10)
            )

        def forward(self, X):
            return self.layers(X)

    net = VectorisedCNN(Tiny, optimizer="adam", lr=0.01, max_epochs=5, batch_size=32)
    assert net.fit(X, y).score(X_test, y_test) > 0.6


@pytest.mark.parametrize("name", ["mnist", "small_st_vgg", "st_vgg"])
def test_channels_last_grouped_convolutions_match_vmap(digits, name):
    X, y, X_test, _ = digits
    settings = dict(max_epochs=2, batch_size=64, optimizer="sgd", lr=0.05, momentum=0.9)
    plain = VectorisedCNN(name, **settings).fit_members(
        X, y, [4, 5], [X_test], n_classes=10
    )
    grouped = VectorisedCNN(name, channels_last=True, **settings).fit_members(
        X, y, [4, 5], [X_test], n_classes=10
    )
    for a, b in zip(plain, grouped, strict=True):  # dropout on: the same masks
        np.testing.assert_allclose(
            a.estimator.history_, b.estimator.history_, rtol=1e-4
        )
        agreement = np.mean(a.predictions[0] == b.predictions[0])
        assert agreement > 0.98  # the same predictions, up to rounding at ties
        torch.testing.assert_close(
            a.estimator.module_.classifier[-1].weight,
            b.estimator.module_.classifier[-1].weight,
            rtol=1e-3,
            atol=1e-4,
        )


def test_channels_last_with_dropout_in_an_ensemble(digits):
    X, y, X_test, y_test = digits
    net = VectorisedCNN("mnist", channels_last=True, max_epochs=3, batch_size=50)
    ed = EnsembleDifficulty(net, n_estimators=4, random_state=0).fit(
        X, y, eval_set={"test": (X_test, y_test)}
    )
    assert len({tuple(p) for p in ed.record_.predictions["test"][:, -1]}) > 1
    assert ed.eval_member_accuracy_["test"][:, -1].mean() > 0.5
    with pytest.raises(ValueError, match="grouped convolutions"):
        VectorisedCNN(TinyForGrouping, channels_last=True, max_epochs=1).fit(X, y)


class TinyForGrouping(nn.Module):
    def __init__(self):
        super().__init__()
        self.layers = nn.Sequential(nn.Flatten(), nn.Linear(64, 10))

    def forward(self, X):
        return self.layers(X)


def test_a_torchvision_network_with_batch_norm_is_vectorised(digits):
    X, y, X_test, y_test = digits
    net = VectorisedCNN("resnet18", max_epochs=1, batch_size=50)
    ed = EnsembleDifficulty(net, n_estimators=2, random_state=0).fit(
        X[:100], y[:100], eval_set={"test": (X_test, y_test)}
    )
    np.testing.assert_array_equal(ed.stages_, [0, 1])
    assert type(ed.estimators_[0].module_).__name__ == "ResNet"
    assert ed.member_accuracy_[:, -1].mean() > ed.member_accuracy_[:, 0].mean()
