"""How many members are enough: split-half reliability, Spearman-Brown, bootstraps."""

import numpy as np
import pytest
from sklearn.utils import Bunch

from sklearn_difficulty import (
    PredictionRecord,
    learning_speed,
    members_needed,
    spearman_brown,
    split_half_reliability,
)
from sklearn_difficulty.compare import compare_records
from sklearn_difficulty.reliability import (
    bootstrap_correlation,
    projected_reliability,
)

N_SAMPLES, N_STAGES = 2000, 5


def record_of(right, *, outputs=None):
    """A two-class record whose true class is 1: ``right`` gives the predictions."""
    right = np.asarray(right, dtype=np.uint8)
    return PredictionRecord(
        predictions={"train": right},
        targets={"train": np.ones(right.shape[2], np.uint8)},
        classes=np.array([0, 1]),
        stages=np.arange(1, right.shape[1] + 1),
        outputs=outputs,
    )


def learnt_at_random(n_members, p, rng):
    """Members that each learn example i for good, by the last stage with prob p_i.

    A member draws u_i uniform in [0, 1] and is right at stage s once
    u_i < p_i s / n_stages: members differ, stages of one member do not.
    """
    u = rng.uniform(size=(n_members, 1, p.size))
    progress = np.arange(1, N_STAGES + 1)[:, np.newaxis] / N_STAGES
    return record_of(u < p * progress)


def one_member_plus_noise(n_members, base, rng, noise=0.4):
    """Copies of one member's predictions, each flipped with probability ``noise``."""
    flips = rng.uniform(size=(n_members, N_STAGES, base.size)) < noise
    return record_of(base ^ flips)


MODELS = {
    "learnt at random": (
        lambda rng: rng.uniform(0.3, 0.7, N_SAMPLES),
        learnt_at_random,
    ),
    "one member plus noise": (
        lambda rng: rng.uniform(size=N_SAMPLES) < 0.5,
        one_member_plus_noise,
    ),
}


def test_spearman_brown_by_hand():
    assert spearman_brown(0.6, 2) == pytest.approx(2 * 0.6 / 1.6)  # 0.75
    assert spearman_brown(0.75, 0.5) == pytest.approx(0.6)  # and back
    assert spearman_brown(0.5, 3) == pytest.approx(1.5 / 2)
    assert spearman_brown(0.3, 1) == pytest.approx(0.3)
    assert spearman_brown(1.0, 7) == 1.0 and spearman_brown(0.0, 7) == 0.0
    np.testing.assert_allclose(spearman_brown([0.2, 0.5], [4, 4]), [0.8 / 1.6, 2 / 2.5])
    assert np.isnan(spearman_brown(np.nan, 2))
    with pytest.raises(ValueError, match="factor must be > 0"):
        spearman_brown(0.5, 0)
    with pytest.raises(ValueError, match=r"reliability must be in \[-1, 1\]"):
        spearman_brown(1.5, 2)


def test_split_half_reliability_of_two_members_by_hand():
    # 2 members x 2 stages x 5 examples: one split only, member 0 against member 1
    right = [
        [[1, 1, 0, 0, 1], [1, 1, 1, 0, 0]],
        [[1, 0, 0, 0, 1], [1, 1, 0, 1, 1]],
    ]
    speeds = [np.mean(member, axis=0) for member in np.array(right)]
    r = np.corrcoef(*speeds)[0, 1]
    result = split_half_reliability(record_of(right), n_splits=3, random_state=0)
    assert (result.n_members, result.n_half) == (2, 1)
    np.testing.assert_allclose(result.correlations, [r, r, r])
    assert result.half == pytest.approx(r)
    assert result.reliability == pytest.approx(2 * r / (1 + r))
    assert result.score == "learning_speed" and result.scored_set == "train"
    # the last stage only: consistency
    final = split_half_reliability(record_of(right), "consistency", n_splits=1)
    assert final.half == pytest.approx(np.corrcoef(right[0][1], right[1][1])[0, 1])


@pytest.mark.parametrize("model", MODELS)
def test_projected_reliability_matches_simulated_ensembles(model):
    """Split-half of 20 members, projected to 10, 20 and 40, against simulation.

    The simulated reliability at N members is the correlation of the learning
    speeds of two independent ensembles of N members of the same examples,
    averaged over 40 pairs.
    """
    truth, simulate = MODELS[model]
    rng = np.random.RandomState(0)
    p = truth(rng)
    result = split_half_reliability(simulate(20, p, rng), n_splits=20, random_state=0)
    for n_members in (10, 20, 40):
        simulated = np.mean(
            [
                np.corrcoef(
                    learning_speed(simulate(n_members, p, rng)),
                    learning_speed(simulate(n_members, p, rng)),
                )[0, 1]
                for _ in range(40)
            ]
        )
        projected = projected_reliability(result, n_members)
        assert abs(projected - simulated) < 0.05, (n_members, projected, simulated)
    assert result.reliability == pytest.approx(projected_reliability(result, 20))
    # the projection is needed: a half is well below the whole
    assert result.reliability - result.half > 0.1


def test_members_needed_reaches_the_target_and_no_fewer_do():
    rng = np.random.RandomState(1)
    record = learnt_at_random(10, rng.uniform(0.3, 0.7, 500), rng)
    result = split_half_reliability(record, random_state=0)
    for target in (0.5, 0.9, 0.95, 0.99):
        needed = members_needed(result, target)
        assert projected_reliability(result, needed) >= target - 1e-12
        if needed > 1:
            assert projected_reliability(result, needed - 1) < target
    # from the record itself, with the same splits, the same answer
    assert members_needed(record, 0.95, random_state=0) == members_needed(result, 0.95)
    # r_h = 0.5 at 10 members: k = 0.95 * 0.5 / (0.5 * 0.05) = 19 times 10
    assert members_needed(Bunch(half=0.5, n_half=10), 0.95) == 190
    assert members_needed(Bunch(half=0.99, n_half=10), 0.5) == 1  # at least one


def test_named_scores_and_callables_reuse_the_scores():
    rng = np.random.RandomState(2)
    right = rng.uniform(size=(6, 3, 200)) < rng.uniform(0.2, 0.8, 200)
    proba = np.where(right, 0.7, 0.3) + rng.normal(0, 0.05, right.shape)
    outputs = {
        kind: {"train": values.astype(np.float32)}
        for kind, values in {
            "proba": proba,
            "margin": 2 * proba - 1,
            "error_norm": np.sqrt(2) * (1 - proba),
        }.items()
    }
    record = record_of(right, outputs=outputs)
    for score in ("learning_speed", "consistency", "aum", "confidence", "el2n",
                  "forgetting"):  # fmt: skip
        result = split_half_reliability(record, score, n_splits=3, random_state=0)
        assert np.all(np.isfinite(result.correlations)), score
        assert 0 < result.half < result.reliability < 1, score
    by_name = split_half_reliability(record, "learning_speed", random_state=3)
    by_function = split_half_reliability(record, learning_speed, random_state=3)
    np.testing.assert_allclose(by_name.correlations, by_function.correlations)
    assert by_function.score == "learning_speed"


def test_a_constant_score_gives_nan_not_an_error_until_members_are_asked_for():
    record = record_of(np.ones((4, 2, 10)))  # every member always right
    result = split_half_reliability(record, n_splits=2)
    assert np.isnan(result.half) and np.isnan(result.reliability)
    with pytest.raises(ValueError, match="do not order the examples alike"):
        members_needed(result)


def test_nan_scores_are_left_out_of_the_correlation():
    rng = np.random.RandomState(4)
    record = learnt_at_random(8, rng.uniform(0.2, 0.8, 300), rng)

    def speed_with_holes(r):
        speed = learning_speed(r)
        speed[:50] = np.nan
        return speed

    holes = split_half_reliability(record, speed_with_holes, random_state=0)
    splits = np.random.RandomState(0)
    for r in holes.correlations:  # the same splits, by hand, without the holes
        order = splits.permutation(8)
        halves = (record.select_members(order[:4]), record.select_members(order[4:]))
        assert r == pytest.approx(
            np.corrcoef(*(learning_speed(h)[50:] for h in halves))[0, 1]
        )


@pytest.mark.parametrize(
    "call, error, message",
    [
        (lambda r: split_half_reliability(r.select_members([0])), ValueError,
         "at least 2 members"),
        (lambda r: split_half_reliability(r, "speed"), ValueError,
         "score must be one of"),
        (lambda r: split_half_reliability(r, n_splits=0), ValueError,
         "n_splits must be an integer >= 1"),
        (lambda r: split_half_reliability(r, scored_set="test"), ValueError,
         "no scored set named 'test'"),
        (lambda r: split_half_reliability(r, "aum"), ValueError,
         "holds no 'margin' output"),
        (lambda r: split_half_reliability(r, lambda x: np.zeros(3)), ValueError,
         r"one number per example of 'train', an array of shape \(40,\)"),
        (lambda r: split_half_reliability(np.zeros((2, 1, 3))), TypeError,
         "PredictionRecord or a fitted EnsembleDifficulty"),
        (lambda r: members_needed(r, target=1.0), ValueError,
         r"target must be a number in \(0, 1\)"),
        (lambda r: members_needed(r, target=0), ValueError,
         r"target must be a number in \(0, 1\)"),
        (lambda r: members_needed({"half": 0.5}), TypeError,
         "result of split_half_reliability"),
        (lambda r: bootstrap_correlation(r, r, n_bootstraps=0), ValueError,
         "n_bootstraps must be an integer >= 1"),
        (lambda r: compare_records(r, r, n_bootstraps=-1), ValueError,
         "n_bootstraps must be an integer >= 0"),
        (lambda r: compare_records(r, r, confidence_level=1.5), ValueError,
         r"confidence_level must be a number in \(0, 1\)"),
    ],
)  # fmt: skip
def test_errors_for_bad_input(call, error, message):
    rng = np.random.RandomState(5)
    record = learnt_at_random(4, rng.uniform(size=40), rng)
    with pytest.raises(error, match=message):
        call(record)


def test_bootstrap_interval_holds_the_estimate_and_narrows_with_more_members():
    rng = np.random.RandomState(6)
    p = rng.uniform(0.3, 0.7, 500)
    widths = []
    for n_members in (5, 40):
        a, b = learnt_at_random(n_members, p, rng), learnt_at_random(n_members, p, rng)
        comparison = compare_records(a, b, n_bootstraps=200, random_state=0)
        low, high = comparison.pearson_ci
        assert low < comparison.pearson[0] < high
        assert comparison.pearson_bootstrap.shape == (200,)
        assert comparison.confidence_level == 0.95
        # resamples of members drawn with replacement correlate less: the
        # interval is shifted by that bias, not read off their percentiles
        assert comparison.pearson_bootstrap.mean() < comparison.pearson[0]
        widths.append(high - low)
        again = compare_records(a, b, n_bootstraps=200, random_state=0)
        assert again.pearson_ci == comparison.pearson_ci  # seeded
    assert widths[1] < widths[0]


def test_bootstrap_intervals_cover_the_correlation_of_new_ensembles():
    """Over 40 pairs of ensembles, the 90% interval covers the mean correlation."""
    rng = np.random.RandomState(7)
    p = rng.uniform(0.3, 0.7, 300)

    def pair():
        return learnt_at_random(10, p, rng), learnt_at_random(10, p, rng)

    expected = np.mean(
        [np.corrcoef(*(learning_speed(r) for r in pair()))[0, 1] for _ in range(200)]
    )
    covered = []
    for seed in range(40):
        interval = bootstrap_correlation(
            *pair(), n_bootstraps=100, confidence_level=0.9, random_state=seed
        )
        covered.append(interval.low <= expected <= interval.high)
    assert 0.75 <= np.mean(covered) <= 1.0


def test_without_bootstraps_a_comparison_is_what_it_was():
    rng = np.random.RandomState(8)
    p = rng.uniform(size=100)
    a, b = learnt_at_random(3, p, rng), learnt_at_random(4, p, rng)
    plain = compare_records(a, b)
    assert np.isnan(plain.pearson_ci).all() and plain.pearson_bootstrap.size == 0
    booted = compare_records(a, b, n_bootstraps=20, random_state=0)
    np.testing.assert_array_equal(plain.pairs, booted.pairs)
    assert plain.pearson == booted.pearson and plain.spearman == booted.spearman


def test_both_halves_hold_half_the_members_and_never_the_same_one():
    rng = np.random.RandomState(0)
    record = learnt_at_random(7, rng.uniform(0.3, 0.7, N_SAMPLES), rng)
    seen = []

    def score(half):
        seen.append(half.predictions["train"])
        return learning_speed(half)

    result = split_half_reliability(record, score, n_splits=4, random_state=0)
    assert result.n_half == 3 and len(seen) == 8
    assert {p.shape[0] for p in seen} == {3}  # the odd member left out
    members = record.predictions["train"]
    for first, second in zip(seen[::2], seen[1::2], strict=True):
        chosen = [
            {m for q in half for m in range(7) if np.array_equal(members[m], q)}
            for half in (first, second)
        ]
        assert all(len(c) == 3 for c in chosen) and not chosen[0] & chosen[1]
