"""Curricula: pacing functions, orders and the sampler (tiny data, no network)."""

import math
import subprocess
import sys

import numpy as np
import pytest

from sklearn_difficulty.curriculum import (
    balance_order,
    curriculum_order,
    fixed_exponential_pacing,
    linear_pacing,
    order_from_record,
    root_pacing,
    self_taught_order,
    single_step_pacing,
    varied_exponential_pacing,
)

# Pacing ---------------------------------------------------------------------------


def test_fixed_exponential_pacing_has_the_authors_published_values():
    # N=2500, starting_percent=100/2500, increase 1.9 every 100 batches:
    # ceil(2500 * 0.04 * 1.9**k) = 100, 190, 361, 685.9 -> 686, 1303.21 -> 1304,
    # 2476.099 -> 2477, then everything.
    expected = {0: 100, 99: 100, 100: 190, 199: 190, 200: 361, 300: 686}
    expected |= {400: 1304, 500: 2477, 599: 2477, 600: 2500, 10_000: 2500}
    for step, size in expected.items():
        assert fixed_exponential_pacing(step, 2500) == size, step
    assert fixed_exponential_pacing(0, 2500, starting_percent=100 / 2500) == 100


def test_fixed_exponential_pacing_with_other_settings():
    kw = dict(starting_percent=0.1, increase=2.0, step_length=10)
    assert [fixed_exponential_pacing(s, 45, **kw) for s in (0, 9, 10, 20, 30, 40)] == [
        5,  # ceil(4.5)
        5,
        9,
        18,
        36,
        45,
    ]


def test_varied_exponential_pacing_repeats_the_last_length():
    kw = dict(starting_percent=0.05, increase=2.0, step_lengths=[30, 20, 5])
    # increases at steps 30, 50, 55, 60, 65, ...
    sizes = {0: 5, 29: 5, 30: 10, 49: 10, 50: 20, 54: 20, 55: 40, 60: 80, 65: 100}
    for step, size in sizes.items():
        assert varied_exponential_pacing(step, 100, **kw) == size, step
    fixed = dict(starting_percent=0.04, increase=1.9, step_lengths=[100])
    for step in (0, 150, 250, 420):
        assert varied_exponential_pacing(step, 2500, **fixed) == (
            fixed_exponential_pacing(step, 2500)
        )


def test_single_step_pacing():
    kw = dict(starting_percent=0.25, step_length=40)
    assert [single_step_pacing(s, 10, **kw) for s in (0, 39, 40, 500)] == [3, 3, 10, 10]


def test_linear_and_root_pacing_as_understanding_curricula():
    # index_start = b * N; rate = (N - b N) / (a T) (** 0.5 for root)
    kw = dict(starting_percent=0.1, full_at=200)
    assert [linear_pacing(s, 1000, **kw) for s in (0, 1, 100, 199, 200, 900)] == [
        100,
        int(100 + 900 / 200),
        550,
        int(100 + 900 * 199 / 200),
        1000,
        1000,
    ]
    assert [root_pacing(s, 1000, **kw) for s in (0, 2, 50, 200)] == [
        100,
        int(100 + 900 / math.sqrt(200) * math.sqrt(2)),
        550,
        1000,
    ]
    # never below one example
    assert linear_pacing(0, 5, starting_percent=0.01, full_at=10) == 1


@pytest.mark.parametrize(
    "call",
    [
        lambda: fixed_exponential_pacing(-1, 10),
        lambda: fixed_exponential_pacing(0, 0),
        lambda: fixed_exponential_pacing(0, 10, starting_percent=0),
        lambda: fixed_exponential_pacing(0, 10, step_length=0),
        lambda: varied_exponential_pacing(
            0, 10, starting_percent=0.5, increase=2, step_lengths=[]
        ),
        lambda: linear_pacing(0, 10, starting_percent=1.5, full_at=3),
    ],
)
def test_pacing_rejects_bad_parameters(call):
    with pytest.raises(ValueError):
        call()


# Orders ---------------------------------------------------------------------------


def _scores_and_labels(n_per_class=(20, 20, 20), seed=0):
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(len(n_per_class)), n_per_class)
    rng.shuffle(y)
    return rng.permutation(y.size) / y.size, y  # distinct scores


def test_curriculum_order_is_easiest_first_without_balance():
    scores, _ = _scores_and_labels()
    order = curriculum_order(scores, balance=False)
    assert np.all(np.diff(scores[order]) < 0)


def test_balance_keeps_every_prefix_balanced():
    scores, y = _scores_and_labels()
    order = curriculum_order(scores, y)
    assert sorted(order) == list(range(y.size))
    for k in range(1, y.size + 1):
        counts = np.bincount(y[order[:k]], minlength=3)
        assert counts.max() - counts.min() <= 1, k
    # within each class, the easiest first
    for c in range(3):
        assert np.all(np.diff(scores[order[y[order] == c]]) < 0)


def test_balance_of_unequal_classes_as_understanding_curricula():
    y = np.array([0, 0, 0, 0, 1, 1])
    assert balance_order([0, 1, 4, 2, 3, 5], y).tolist() == [0, 4, 1, 5, 2, 3]


def test_anti_is_the_exact_reverse_of_the_curriculum_order():
    scores, y = _scores_and_labels()
    curriculum = curriculum_order(scores, y)
    anti = curriculum_order(scores, y, kind="anti")
    np.testing.assert_array_equal(anti, curriculum[::-1])
    # what the authors do: balance, then flip
    np.testing.assert_array_equal(anti, np.flip(balance_order(np.argsort(-scores), y)))
    unbalanced = curriculum_order(scores, kind="anti", balance=False)
    np.testing.assert_array_equal(
        unbalanced, curriculum_order(scores, balance=False)[::-1]
    )


def test_anti_of_unequal_classes_keeps_prefixes_balanced():
    scores, y = _scores_and_labels((30, 10))
    anti = curriculum_order(scores, y, kind="anti")
    counts = np.bincount(y[anti[:20]])
    assert counts.tolist() == [10, 10]
    assert np.all(np.diff(scores[anti[y[anti] == 0]]) > 0)  # hardest first


def test_random_order_is_a_seeded_balanced_permutation():
    scores, y = _scores_and_labels()
    a = curriculum_order(scores, y, kind="random", random_state=0)
    b = curriculum_order(scores, y, kind="random", random_state=0)
    c = curriculum_order(scores, y, kind="random", random_state=1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)
    assert sorted(a) == list(range(y.size))
    for k in range(1, y.size + 1):
        counts = np.bincount(y[a[:k]], minlength=3)
        assert counts.max() - counts.min() <= 1
    # unrelated to the scores: not sorted by them within a class
    assert not np.all(np.diff(scores[a[y[a] == 0]]) < 0)
    raw = curriculum_order(scores, kind="random", balance=False, random_state=0)
    np.testing.assert_array_equal(raw, np.random.RandomState(0).permutation(y.size))


def test_order_errors():
    with pytest.raises(ValueError, match="kind"):
        curriculum_order([0.1, 0.2], [0, 1], kind="easy")
    with pytest.raises(ValueError, match="labels"):
        curriculum_order([0.1, 0.2])
    with pytest.raises(ValueError, match="NaN"):
        curriculum_order([0.1, np.nan], [0, 1])
    with pytest.raises(ValueError, match="same length"):
        curriculum_order([0.1, 0.2], [0, 1, 1])


@pytest.fixture(scope="module")
def iris_ensemble():
    from sklearn.datasets import load_iris
    from sklearn.linear_model import SGDClassifier

    from sklearn_difficulty import EnsembleDifficulty

    X, y = load_iris(return_X_y=True)
    ensemble = EnsembleDifficulty(
        SGDClassifier(max_iter=5, tol=None), n_estimators=4, random_state=0
    )
    return ensemble.fit(X, y), X, y


def test_order_from_record_orders_by_the_records_scores(iris_ensemble, tmp_path):
    from sklearn_difficulty.scores import score_examples

    ensemble, _, y = iris_ensemble
    scores = score_examples(ensemble.record_)
    expected = curriculum_order(scores, y)
    np.testing.assert_array_equal(order_from_record(ensemble.record_, y), expected)
    np.testing.assert_array_equal(order_from_record(ensemble), expected)
    path = tmp_path / "record.npz"
    ensemble.record_.save(path)
    np.testing.assert_array_equal(order_from_record(path, y), expected)
    with pytest.raises(ValueError, match="labels"):
        order_from_record(ensemble.record_, np.roll(y, 1))
    with pytest.raises(ValueError, match="150"):
        order_from_record(ensemble.record_, y[:10])


def test_self_taught_order_fits_the_scorer_first(iris_ensemble):
    from sklearn.base import clone

    ensemble, X, y = iris_ensemble
    order = self_taught_order(clone(ensemble), X, y)
    np.testing.assert_array_equal(order, order_from_record(ensemble.record_, y))


def test_the_curriculum_module_does_not_import_torch():
    code = (
        "import sys, sklearn_difficulty.curriculum as c;"
        "c.curriculum_order([1.0, 2.0], [0, 1]);"
        "assert 'torch' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


# The sampler ---------------------------------------------------------------------


def _sampler(**kw):
    pytest.importorskip("torch")
    from sklearn_difficulty.curriculum import CurriculumSampler

    params = dict(batch_size=10, pacing="fixed_exponential")
    params["pacing_params"] = dict(starting_percent=0.1, increase=2.0, step_length=3)
    return CurriculumSampler(np.random.RandomState(0).permutation(200), **(params | kw))


def test_sampler_draws_only_from_the_allowed_pool_then_everything():
    sampler = _sampler(random_state=0)
    order = np.asarray(sampler.order)
    assert sampler.steps_per_epoch == 20 and len(sampler) == 200
    seen = set()
    for epoch in range(2):
        batches = np.array(list(sampler)).reshape(20, 10)
        for i, batch in enumerate(batches):
            step = 20 * epoch + i
            pool = order[: sampler.pool_size(step)]
            assert len(set(batch)) == 10  # without replacement
            assert set(batch) <= set(pool), step
            if step >= 12:  # the pool is complete: 20 * 2**4 >= 200
                seen |= set(batch)
    assert sampler.step_ == 40
    assert sampler.pool_size(0) == 20 and sampler.pool_size(12) == 200
    first = np.array(list(_sampler(random_state=0))).reshape(20, 10)[:3]
    assert set(first.ravel()) <= set(order[:20]) and len(set(first.ravel())) > 10
    # the whole set is drawn from at the end (28 batches of 10 out of 200)
    assert len(seen) > 120 and len(seen & set(order[150:])) > 20


def test_sampler_is_reproducible_and_resets():
    a, b, c = (
        _sampler(random_state=3),
        _sampler(random_state=3),
        _sampler(random_state=4),
    )
    first = list(a)
    assert first == list(b) and first != list(c)
    second = list(a)
    assert second != first  # the steps go on across epochs
    a.reset()
    assert a.step_ == 0 and list(a) == first


def test_sampler_without_seed_draws_one_from_torch_at_reset():
    import torch

    sampler = _sampler()
    torch.manual_seed(0)
    first = list(sampler.reset())
    torch.manual_seed(0)
    assert list(sampler.reset()) == first
    assert list(sampler.reset(seed=5)) == list(sampler.reset(seed=5)) != first


def test_sampler_pool_smaller_than_a_batch_is_taken_whole():
    sampler = _sampler(batch_size=30, random_state=0)  # the first pool holds 20
    batch = next(iter(np.array(list(sampler)).reshape(-1, 30)))
    assert set(batch) == set(np.asarray(sampler.order)[:20])


def test_sampler_copies_start_anew():
    import copy
    import pickle

    sampler = _sampler(random_state=0)
    first = list(sampler)
    assert list(copy.deepcopy(sampler)) == first
    assert list(pickle.loads(pickle.dumps(sampler))) == first


def test_sampler_errors():
    from sklearn_difficulty.curriculum import CurriculumSampler

    with pytest.raises(ValueError, match="distinct"):
        CurriculumSampler([0, 0, 1], batch_size=2)
    with pytest.raises(ValueError, match="batch_size"):
        CurriculumSampler([0, 1], batch_size=0)
    with pytest.raises(ValueError, match="pacing"):
        CurriculumSampler([0, 1], batch_size=1, pacing="fast")
    with pytest.raises(TypeError, match="full_at"):
        CurriculumSampler([0, 1], batch_size=1, pacing="linear",
                          pacing_params=dict(starting_percent=0.5))  # fmt: skip
    with pytest.raises(ValueError, match="permutation"):
        _sampler().check_n_samples(150)
    with pytest.raises(ValueError, match="pacing function gave"):
        CurriculumSampler([0, 1], batch_size=1, pacing=lambda s, n: 0)
