"""Curricula in training: the vectorised nets' ``sampler`` parameter."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from sklearn.datasets import load_digits  # noqa: E402
from torch import nn  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty  # noqa: E402
from sklearn_difficulty._random import MemberStreams  # noqa: E402
from sklearn_difficulty.curriculum import (  # noqa: E402
    CurriculumSampler,
    curriculum_order,
)
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import MNISTNet, VectorisedCNN, VectorisedMLP  # noqa: E402
from sklearn_difficulty.phases import learning_phases  # noqa: E402
from sklearn_difficulty.scores import learning_speed  # noqa: E402

PACING = dict(starting_percent=0.2, increase=2.0, step_length=2)


def _sampler(scores, y, batch_size, kind="curriculum", **kw):
    order = curriculum_order(scores, y, kind=kind, random_state=0)
    return CurriculumSampler(order, batch_size=batch_size, pacing_params=PACING, **kw)


@pytest.fixture(scope="module")
def images():
    X, y = load_digits_images(return_X_y=True)
    X, y = X[:200], y[:200]
    scores = -np.asarray(X.reshape(len(X), -1).std(axis=1))  # any fixed scores
    return X, y, scores


@pytest.fixture(scope="module")
def features():
    X, y = load_digits(return_X_y=True)
    X = (X[:300] - X[:300].mean(0)) / (X[:300].std(0) + 1)
    return X.astype(np.float32), y[:300], -np.abs(X[:300]).sum(axis=1)


def test_vectorised_member_trains_on_the_samplers_batches(images):
    """One member equals the same module trained by hand on the sampler's batches."""
    X, y, scores = images
    sampler = _sampler(scores, y, 40)
    net = VectorisedCNN(
        "mnist", module_kwargs={"dropout": False}, max_epochs=2, batch_size=40,
        optimizer="sgd", lr=0.05, lr_step=None, sampler=sampler,
    )  # fmt: skip
    (result,) = net.fit_members(X, y, [5], [], n_classes=10, record_initial=False)
    streams = MemberStreams.from_seed(5)
    torch.manual_seed(streams.init)
    module = MNISTNet(input_shape=(1, 8, 8), n_classes=10, dropout=False)
    generator = torch.Generator().manual_seed(streams.order)
    optimizer = torch.optim.SGD(module.parameters(), lr=0.05)
    Xt, yt = torch.as_tensor(X), torch.as_tensor(y)
    losses, pools = [], []
    for epoch in range(2):
        total = 0.0
        for i in range(5):  # ceil(200 / 40) steps per epoch
            batch = sampler.batch(5 * epoch + i, generator)
            pools.append(
                set(batch.tolist())
                <= set(sampler.order[: sampler.pool_size(5 * epoch + i)])
            )
            loss = nn.functional.cross_entropy(module(Xt[batch]), yt[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += loss.item() * 40
        losses.append(total / 200)
    assert all(pools) and sampler.pool_size(0) == 40 < 200
    np.testing.assert_allclose(result.estimator.history_, losses, rtol=1e-4)


def _mlp(sampler=None, **kw):
    return VectorisedMLP((16,), max_iter=4, batch_size=50, sampler=sampler, **kw)


def _ensemble(estimator, **kw):
    return EnsembleDifficulty(estimator, n_estimators=4, random_state=0, **kw)


def test_an_ensemble_records_a_curriculum(features):
    X, y, scores = features
    curriculum = _ensemble(_mlp(_sampler(scores, y, 50))).fit(X, y).record_
    vanilla = _ensemble(_mlp()).fit(X, y).record_
    anti = _ensemble(_mlp(_sampler(scores, y, 50, kind="anti"))).fit(X, y).record_
    train = curriculum.predictions["train"]
    assert not np.array_equal(train, vanilla.predictions["train"])
    assert not np.array_equal(train, anti.predictions["train"])
    # members differ from one another (each its own batch order)
    assert not np.array_equal(train[0], train[1])
    again = _ensemble(_mlp(_sampler(scores, y, 50)), n_jobs=2).fit(X, y).record_
    np.testing.assert_array_equal(again.predictions["train"], train)
    # the analyses run on it
    assert learning_speed(curriculum).shape == (300,)
    assert learning_phases(curriculum).shape == (len(curriculum.stages),)


def test_the_sampler_enters_the_cache_key(features, tmp_path):
    X, y, scores = features
    kw = dict(memory=tmp_path)
    vanilla = _ensemble(_mlp(), **kw).fit(X, y).record_
    curriculum = _ensemble(_mlp(_sampler(scores, y, 50)), **kw).fit(X, y).record_
    anti = _ensemble(_mlp(_sampler(scores, y, 50, kind="anti")), **kw)
    anti = anti.fit(X, y).record_
    fresh = _ensemble(_mlp(_sampler(scores, y, 50))).fit(X, y).record_
    for record in (vanilla, anti):
        assert not np.array_equal(
            record.predictions["train"], curriculum.predictions["train"]
        )
    np.testing.assert_array_equal(
        fresh.predictions["train"], curriculum.predictions["train"]
    )
    cached = _ensemble(_mlp(_sampler(scores, y, 50)), **kw).fit(X, y).record_
    np.testing.assert_array_equal(
        cached.predictions["train"], curriculum.predictions["train"]
    )


def test_the_vectorised_sampler_errors(features):
    X, y, scores = features
    with pytest.raises(ValueError, match="batch_size"):
        _mlp(_sampler(scores, y, 30)).fit(X, y)
    with pytest.raises(ValueError, match="permutation"):
        _mlp(_sampler(scores[:100], y[:100], 50)).fit(X, y)
    with pytest.raises(ValueError, match="subsets"):
        _ensemble(_mlp(_sampler(scores, y, 50)), max_samples=0.5).fit(X, y)
