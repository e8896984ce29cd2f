"""Curricula in training: a CurriculumSampler as SkorchCNN's sampler."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")
pytest.importorskip("skorch", reason="the torch extra is not installed")

from sklearn.base import clone  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty  # noqa: E402
from sklearn_difficulty.curriculum import (  # noqa: E402
    CurriculumSampler,
    curriculum_order,
)
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import SkorchCNN  # noqa: E402

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


def _skorch(sampler, **kw):
    kw = dict(max_epochs=2, batch_size=40) | kw
    return SkorchCNN("mnist", iterator_train__sampler=sampler, **kw)


def _weights(net):
    return torch.cat([p.detach().flatten() for p in net.module_.parameters()])


def test_skorch_trains_on_the_sampler_and_each_fit_starts_at_step_0(images):
    X, y, scores = images
    sampler = _sampler(scores, y, 40)
    net = _skorch(sampler, random_state=0).fit(X, y)
    assert sampler.step_ == 10  # 2 epochs of ceil(200 / 40) steps
    first = _weights(net)
    net.fit(X, y)  # the same net fitted again: the sampler starts again
    torch.testing.assert_close(_weights(net), first)
    net.partial_fit(X, y)  # goes on
    assert sampler.step_ == 20  # partial_fit trains max_epochs more
    vanilla = SkorchCNN("mnist", max_epochs=2, batch_size=40, random_state=0)
    assert not torch.equal(_weights(vanilla.fit(X, y)), first)


def test_skorch_draws_only_from_the_pool(images):
    X, y, scores = images
    sampler = _sampler(scores, y, 40)
    seen = []

    class Recording(torch.utils.data.Dataset):
        def __len__(self):
            return len(y)

        def __getitem__(self, i):
            seen.append(i)
            return torch.as_tensor(X[i]), int(y[i])

    _skorch(sampler, random_state=0).fit(Recording(), y)
    steps = np.array(seen[-400:]).reshape(10, 40)  # after reading its shape
    for step, batch in enumerate(steps):
        assert set(batch) <= set(sampler.order[: sampler.pool_size(step)]), step


def test_skorch_sampler_errors(images):
    X, y, scores = images
    with pytest.raises(ValueError, match="batch_size"):
        _skorch(_sampler(scores, y, 30)).fit(X, y)
    with pytest.raises(ValueError, match="permutation"):
        _skorch(_sampler(scores, y, 40)).fit(X[:100], y[:100])


def test_skorch_ensemble_under_a_curriculum_is_the_same_whatever_n_jobs(images):
    X, y, scores = images
    net = _skorch(_sampler(scores, y, 40), max_epochs=1)
    one = EnsembleDifficulty(net, n_estimators=3, random_state=0).fit(X, y).record_
    two = EnsembleDifficulty(clone(net), n_estimators=3, random_state=0, n_jobs=2)
    two = two.fit(X, y).record_
    np.testing.assert_array_equal(one.predictions["train"], two.predictions["train"])
    assert not np.array_equal(one.predictions["train"][0], one.predictions["train"][1])
