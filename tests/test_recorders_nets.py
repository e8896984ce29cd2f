"""The recorder contract for networks: skorch members and the vectorised trainer.

Tolerance: member k's predictions trained alone and in any group agree on
every (stage, example) pair for skorch members; for the vectorised trainer,
whose kernels batch a member with others, on all but at most 1% of them
(rounding of batched convolutions; on this CPU they agree exactly).
"""

import dataclasses
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from skorch import NeuralNetClassifier  # noqa: E402
from skorch.dataset import ValidSplit  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty, IdenticalMembersWarning  # noqa: E402
from sklearn_difficulty._files import TEMPORARY_PREFIX  # noqa: E402
from sklearn_difficulty._random import MemberStreams  # noqa: E402
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import MNISTNet, SkorchCNN, VectorisedCNN  # noqa: E402

TOLERANCE = 0.01


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images(return_X_y=True)
    return X[:200], y[:200], X[200:300], y[200:300]


def member(ed, k):
    return {name: p[k] for name, p in ed.record_.predictions.items()}


def differ(a, b):
    return max(np.mean(a[name] != b[name]) for name in a)


def vectorised(**params):
    settings = dict(max_epochs=2, batch_size=50, optimizer="sgd", lr=0.05)
    return VectorisedCNN("mnist", **{**settings, **params})  # dropout on


def test_vectorised_member_is_the_same_alone_in_any_chunk_and_any_n_jobs(digits):
    X, y, X_test, y_test = digits

    def fit(n, chunk, n_jobs=1):
        return EnsembleDifficulty(
            vectorised(member_chunk=chunk), n_estimators=n, n_jobs=n_jobs,
            max_samples=0.9, random_state=5,
        ).fit(X, y, eval_set={"test": (X_test, y_test)})  # fmt: skip

    together = fit(4, None)
    alone = fit(1, None)
    assert differ(member(alone, 0), member(together, 0)) <= TOLERANCE
    for chunk, n_jobs in [(1, 1), (2, 1), (2, 2)]:
        other = fit(4, chunk, n_jobs)
        for k in range(4):
            assert differ(member(other, k), member(together, k)) <= TOLERANCE
    assert not np.array_equal(member(together, 0)["test"], member(together, 1)["test"])


def test_skorch_member_is_the_same_alone_and_in_an_ensemble(digits):
    X, y, X_test, y_test = digits
    net = SkorchCNN("mnist", max_epochs=2)  # dropout on

    def fit(n, n_jobs):
        return EnsembleDifficulty(
            net, n_estimators=n, n_jobs=n_jobs, random_state=2
        ).fit(X, y, eval_set={"test": (X_test, y_test)})

    together = fit(3, 2)
    assert differ(member(fit(1, 1), 0), member(together, 0)) == 0
    one_process = fit(3, 1)
    for k in range(3):
        assert differ(member(one_process, k), member(together, k)) == 0


# Each random stream is the member's own --------------------------------------------


def hold_fixed(monkeypatch, *streams):
    """Make every member share the named streams (as broken code would)."""
    original = MemberStreams.from_seed.__func__

    def from_seed(cls, seed):
        shared = original(cls, 12345)
        return dataclasses.replace(
            original(cls, seed), **{name: getattr(shared, name) for name in streams}
        )

    monkeypatch.setattr(MemberStreams, "from_seed", classmethod(from_seed))


def final_weights(results):
    return [
        torch.cat([p.detach().flatten() for p in r.estimator.module_.parameters()])
        for r in results
    ]


STREAMS = ("init", "order", "dropout")


@pytest.mark.parametrize("own", STREAMS)
def test_vectorised_members_each_have_their_own_stream(digits, monkeypatch, own):
    """Only one stream differs between two members: their training must differ."""
    X, y, _, _ = digits
    hold_fixed(monkeypatch, *(s for s in STREAMS if s != own))
    first, second = final_weights(
        vectorised(max_epochs=1).fit_members(X, y, [1, 2], [], n_classes=10)
    )
    assert not torch.allclose(first, second)


def test_vectorised_members_sharing_every_stream_are_identical(digits, monkeypatch):
    X, y, _, _ = digits
    hold_fixed(monkeypatch, *STREAMS)
    first, second = final_weights(
        vectorised(max_epochs=1).fit_members(X, y, [1, 2], [], n_classes=10)
    )
    torch.testing.assert_close(first, second)


def skorch_member_weights(X, y):
    """Final weights of two plain skorch members (the skorch recorder's streams)."""
    net = NeuralNetClassifier(
        MNISTNet, module__input_shape=(1, 8, 8), module__n_classes=10,
        max_epochs=1, lr=0.05, batch_size=50, criterion=torch.nn.CrossEntropyLoss,
        verbose=0,
    )  # fmt: skip
    ed = EnsembleDifficulty(net, n_estimators=2, random_state=0).fit(X, y)
    return [
        torch.cat([p.detach().flatten() for p in e.module_.parameters()])
        for e in ed.estimators_
    ]


@pytest.mark.parametrize("own", STREAMS)
def test_skorch_members_each_have_their_own_stream(digits, monkeypatch, own):
    X, y, _, _ = digits
    hold_fixed(monkeypatch, *(s for s in STREAMS if s != own))
    first, second = skorch_member_weights(X, y)
    assert not torch.allclose(first, second)


def test_skorch_members_sharing_every_stream_are_identical(digits, monkeypatch):
    X, y, _, _ = digits
    hold_fixed(monkeypatch, *STREAMS)
    with pytest.warns(IdenticalMembersWarning):
        first, second = skorch_member_weights(X, y)
    torch.testing.assert_close(first, second)


# Stage 0, dtypes, global generators, fit parameters ---------------------------------


@pytest.mark.parametrize(
    "make",  # the MNIST network's recipe: AdaDelta
    [
        lambda: SkorchCNN("mnist", max_epochs=2, batch_size=50),
        lambda: VectorisedCNN("mnist", max_epochs=2, batch_size=50),
    ],
)
def test_networks_record_the_untrained_members_as_stage_0(digits, make):
    X, y, X_test, y_test = digits
    ed = EnsembleDifficulty(make(), n_estimators=3, random_state=0).fit(
        X, y, eval_set={"test": (X_test, y_test)}
    )
    np.testing.assert_array_equal(ed.stages_, [0, 1, 2])
    assert ed.record_.predictions["train"].dtype == np.uint8
    untrained = ed.member_accuracy_[:, 0].mean()
    assert abs(untrained - 0.1) < 0.1  # around chance, for 10 classes
    assert ed.member_accuracy_[:, -1].mean() > untrained + 0.2
    ed.set_params(record_initial=False).fit(X, y)
    np.testing.assert_array_equal(ed.stages_, [1, 2])


def test_nothing_reseeds_the_users_global_generator(digits):
    X, y, _, _ = digits
    torch.manual_seed(123)
    state = torch.get_rng_state()
    EnsembleDifficulty(SkorchCNN("mnist", max_epochs=1), n_estimators=2).fit(X, y)
    EnsembleDifficulty(vectorised(max_epochs=1), n_estimators=2).fit(X, y)
    vectorised(max_epochs=1, random_state=0).fit(X, y)
    assert torch.equal(torch.get_rng_state(), state)


def test_vectorised_random_state_on_its_own(digits):
    X, y, X_test, _ = digits
    a = vectorised(max_epochs=1, random_state=0).fit(X, y).predict_proba(X_test)
    b = vectorised(max_epochs=1, random_state=0).fit(X, y).predict_proba(X_test)
    c = vectorised(max_epochs=1, random_state=1).fit(X, y).predict_proba(X_test)
    np.testing.assert_allclose(a, b)
    assert not np.allclose(a, c)


def test_vectorised_refuses_unknown_fit_parameters(digits):
    X, y, _, _ = digits
    with pytest.raises(TypeError, match="takes no fit parameters"):
        EnsembleDifficulty(vectorised(), n_estimators=2).fit(X, y, colour=1)


def test_an_explicit_validation_split_is_kept(digits):
    X, y, _, _ = digits

    def net(**params):
        return NeuralNetClassifier(
            MNISTNet, module__input_shape=(1, 8, 8),
            module__n_classes=10, max_epochs=1, lr=0.05, verbose=0,
            criterion=torch.nn.CrossEntropyLoss, **params,
        )  # fmt: skip

    default = EnsembleDifficulty(net(), n_estimators=1).fit(X, y).estimators_[0]
    assert "valid_loss" not in default.history[-1]
    explicit = net(train_split=ValidSplit(5))
    kept = EnsembleDifficulty(explicit, n_estimators=1).fit(X, y).estimators_[0]
    assert "valid_loss" in kept.history[-1]


# A killed vectorised run resumes ----------------------------------------------------

RUN = """
import numpy as np
from sklearn_difficulty import EnsembleDifficulty
from sklearn_difficulty.datasets import load_digits_images
from sklearn_difficulty.nets import VectorisedCNN
X, y = load_digits_images(return_X_y=True)
net = VectorisedCNN("mnist", max_epochs={epochs}, batch_size=50, member_chunk=1)
EnsembleDifficulty(net, n_estimators=6, random_state=0, memory={memory!r}).fit(
    X[:300], y[:300])
"""


def cached(folder: Path) -> int:
    """Finished entries: not the temporary file (also ``.npz``) that a member
    is written to before it is renamed, which a SIGKILL may catch or leave."""
    entries = (folder / "sklearn_difficulty_members").glob("*.npz")
    return sum(not path.name.startswith(TEMPORARY_PREFIX) for path in entries)


def test_a_killed_vectorised_run_resumes_and_matches_an_uninterrupted_one(
    tmp_path, monkeypatch
):
    cache = tmp_path / "cache"
    script = RUN.format(epochs=3, memory=str(cache))
    process = subprocess.Popen([sys.executable, "-c", script])
    deadline = time.time() + 240
    while cached(cache) < 2 and time.time() < deadline and process.poll() is None:
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    done = cached(cache)
    assert 2 <= done < 6

    trained = []
    record_members = VectorisedCNN.record_members

    def counting(self, plan, seeds):
        trained.extend(seeds)
        return record_members(self, plan, seeds)

    monkeypatch.setattr(VectorisedCNN, "record_members", counting)
    X, y = load_digits_images(return_X_y=True)
    net = VectorisedCNN("mnist", max_epochs=3, batch_size=50, member_chunk=1)
    resumed = EnsembleDifficulty(net, n_estimators=6, random_state=0, memory=cache).fit(
        X[:300], y[:300]
    )
    assert len(trained) == 6 - done  # only the missing members
    uninterrupted = EnsembleDifficulty(
        net.set_params(member_chunk=None), n_estimators=6, random_state=0
    ).fit(X[:300], y[:300])
    assert len(trained) == 6 - done + 6
    for k in range(6):
        assert differ(member(resumed, k), member(uninterrupted, k)) <= TOLERANCE
