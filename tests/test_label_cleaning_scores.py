"""EL2N's default stage in optimiser steps, and the held-out probability score."""

import warnings

import numpy as np
import pytest
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier
from sklearn.preprocessing import StandardScaler

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord
from sklearn_difficulty.scores import (
    el2n,
    get_score,
    heldout_consistency,
    heldout_probability,
    score_examples,
    score_names,
)

# EL2N's default stage -------------------------------------------------------


def norms_record(stages, steps=None, seed=0):
    """2 members, 5 examples, error norms that differ at every stage."""
    stages = np.asarray(stages)
    norms = np.random.RandomState(seed).uniform(size=(2, stages.size, 5))
    record = PredictionRecord(
        predictions={"train": np.zeros(norms.shape, np.uint8)},
        targets={"train": np.zeros(5, int)},
        classes=np.array([0, 1]),
        stages=stages,
        stage_kind="epoch" if steps is None else "step",
        steps=None if steps is None else np.asarray(steps),
        outputs={"error_norm": {"train": norms}},
    )
    return record, norms


@pytest.mark.parametrize(
    "steps, expected",
    [
        # 10% of 2,000 steps is 200: read at the first stage of 1,000 steps
        (np.arange(0, 2001, 200), 5),
        # 10% of 20,000 steps is 2,000, above the floor: read there
        (np.arange(0, 20001, 1000), 2),
        # the floor between two stages: the first one past it
        ([0, 10, 300, 900, 1500, 4000], 4),
        # 30 steps in all (the wine data set, 30 epochs): the last stage
        (np.arange(31), 30),
    ],
)
def test_el2n_default_stage_is_10_percent_and_at_least_1000_steps(steps, expected):
    record, norms = norms_record(np.arange(len(steps)), steps)
    np.testing.assert_allclose(el2n(record), norms[:, expected].mean(axis=0))
    np.testing.assert_allclose(
        score_examples(record, score="el2n"), -norms[:, expected].mean(axis=0)
    )


def test_el2n_stage_labels_need_not_be_steps():
    # stages labelled by epoch, with the steps of 100 per epoch: 20 epochs,
    # 2,000 steps; 1,000 steps is epoch 10, the stage at index 10
    stages = np.arange(21)
    record, norms = norms_record(stages, stages * 100)
    np.testing.assert_allclose(el2n(record), norms[:, 10].mean(axis=0))


def test_el2n_records_without_steps_read_10_percent_of_their_stage_labels():
    # 30 epochs, no steps (a record saved before steps were recorded): epoch 3
    record, norms = norms_record(np.arange(31))
    assert record.steps is None
    np.testing.assert_allclose(el2n(record), norms[:, 3].mean(axis=0))
    # without stage 0: stages 1..30, the stage labelled 3 at index 2
    record, norms = norms_record(np.arange(1, 31))
    np.testing.assert_allclose(el2n(record), norms[:, 2].mean(axis=0))


def test_el2n_stage_is_still_a_stage_label():
    record, norms = norms_record(np.arange(11), np.arange(0, 2001, 200))
    np.testing.assert_allclose(el2n(record, stage=1), norms[:, 1].mean(axis=0))
    np.testing.assert_allclose(
        score_examples(record, score="el2n", stage=-1), -norms[:, -1].mean(axis=0)
    )
    with pytest.raises(ValueError, match="stage=11 is not a recorded stage"):
        el2n(record, stage=11)


# The held-out probability ---------------------------------------------------

#: 3 members, stages 0, 1, 2, 4 examples; the probability of the true class.
PROBA = np.array(
    [
        [[0.5, 0.5, 0.5, 0.5], [0.9, 0.2, 0.6, 0.1], [1.0, 0.4, 0.8, 0.3]],
        [[0.5, 0.5, 0.5, 0.5], [0.5, 0.4, np.nan, 0.2], [0.7, 0.6, np.nan, 0.4]],
        [[0.5, 0.5, 0.5, 0.5], [0.1, 0.3, 0.7, 0.6], [0.3, 0.1, 0.9, 0.8]],
    ]
)
IN_BAG = np.array(
    [
        [True, True, False, False],
        [False, True, False, True],
        [False, True, True, False],
    ]
)
#: By hand: example 0 is held out by members 1 and 2, example 1 by none,
#: example 2 by members 0 and 1 (member 1 gave NaN: member 0 alone),
#: example 3 by members 0 and 2.
BY_HAND = np.array(
    [
        [0.5, np.nan, 0.5, 0.5],
        [(0.5 + 0.1) / 2, np.nan, 0.6, (0.1 + 0.6) / 2],
        [(0.7 + 0.3) / 2, np.nan, 0.8, (0.3 + 0.8) / 2],
    ]
)


def proba_record(proba=PROBA, in_bag=IN_BAG):
    n_members, n_stages, n_samples = proba.shape
    return PredictionRecord(
        predictions={"train": np.zeros(proba.shape, np.uint8)},
        targets={"train": np.zeros(n_samples, int)},
        classes=np.array([0, 1]),
        stages=np.arange(n_stages),
        in_bag=in_bag,
        outputs={"proba": {"train": proba.astype(np.float32)}},
    )


def test_heldout_probability_by_hand():
    np.testing.assert_allclose(heldout_probability(PROBA, IN_BAG), BY_HAND)
    np.testing.assert_allclose(heldout_probability(proba_record()), BY_HAND, rtol=1e-6)
    # one stage: 2-D in, 1-D out; counts in in_bag (a bootstrap) work as bools
    np.testing.assert_allclose(
        heldout_probability(PROBA[:, 2], IN_BAG.astype(int) * 2), BY_HAND[2]
    )


def test_heldout_probability_is_nan_where_no_held_out_member_has_a_value():
    proba = PROBA.copy()
    proba[0, :, 2] = np.nan  # example 2: both of its held-out members give NaN
    result = heldout_probability(proba, IN_BAG)
    assert np.isnan(result[:, 1]).all()  # no held-out member
    assert np.isnan(result[1:, 2]).all()  # no value at stages 1 and 2
    assert result[0, 2] == 0.5  # member 1's at stage 0
    np.testing.assert_allclose(result[:, [0, 3]], BY_HAND[:, [0, 3]])


def test_heldout_probability_errors():
    record = proba_record()
    no_bags = proba_record(in_bag=None)
    with pytest.raises(ValueError, match="no in_bag.*held-out probability"):
        heldout_probability(no_bags)
    with pytest.raises(ValueError, match="training set only"):
        heldout_probability(record, scored_set="test")
    with pytest.raises(ValueError, match="in_bag must be None"):
        heldout_probability(record, IN_BAG)
    with pytest.raises(ValueError, match="in_bag is required"):
        heldout_probability(PROBA)
    with pytest.raises(ValueError, match=r"in_bag must have shape .*\(3, 4\)"):
        heldout_probability(PROBA, IN_BAG[:, :3])
    with pytest.raises(ValueError, match="proba must have shape"):
        heldout_probability(PROBA[0, 0], IN_BAG)
    labels_only = PredictionRecord(
        predictions=record.predictions, targets=record.targets,
        classes=record.classes, stages=record.stages, in_bag=IN_BAG,
    )  # fmt: skip
    with pytest.raises(ValueError, match="holds no 'proba' output"):
        heldout_probability(labels_only)


def test_the_registry_has_heldout_proba():
    assert "heldout_proba" in score_names()
    score = get_score("heldout_proba")
    assert score.outputs == ("proba",)
    assert score.needs_subsets
    assert score.easy == "high"
    assert "did not train" in score.description


def test_heldout_proba_is_the_mean_over_training_stages():
    in_bag = IN_BAG.copy()
    in_bag[0, 1] = False  # example 1 held out by member 0 alone
    record = proba_record(in_bag=in_bag)
    expected = BY_HAND[1:].mean(axis=0)  # stage 0 left out
    expected[1] = (0.2 + 0.4) / 2
    np.testing.assert_allclose(
        score_examples(record, score="heldout_proba"), expected, rtol=1e-6
    )
    # the stage is not read: every training stage counts
    np.testing.assert_allclose(
        score_examples(record, score="heldout_proba", stage=1), expected, rtol=1e-6
    )


def test_heldout_proba_refuses_examples_without_a_held_out_value():
    with pytest.raises(ValueError, match="1 examples were trained on by every"):
        score_examples(proba_record(), score="heldout_proba")
    in_bag = IN_BAG.copy()
    in_bag[0, 1] = False
    proba = PROBA.copy()
    proba[0, :, 2] = np.nan
    with pytest.raises(ValueError, match="1 examples have no held-out probability"):
        score_examples(proba_record(proba, in_bag), score="heldout_proba")


def test_heldout_proba_on_a_fitted_ensemble(iris):
    X, y = iris[0], iris[1].copy()
    X = StandardScaler().fit_transform(X)
    flipped = np.arange(0, 100, 10)  # 10 labels flipped to the next class
    y[flipped] = (y[flipped] + 1) % 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ensemble = EnsembleDifficulty(
            MLPClassifier(hidden_layer_sizes=(16,), max_iter=20,
                          learning_rate_init=0.02),
            n_estimators=8, max_samples=0.5, record_outputs=("proba",),
            random_state=1,
        ).fit(X, y)  # fmt: skip
    record = ensemble.record_
    assert not record.in_bag.all(axis=0).any()  # every example held out (seed 1)
    scores = score_examples(record, score="heldout_proba")
    # by hand: each example's held-out members, each training stage
    proba = record.output("proba")
    trained = record.stages != 0
    expected = [
        proba[~record.in_bag[:, i]][:, trained, i].mean(axis=0).mean()
        for i in range(y.size)
    ]
    np.testing.assert_allclose(scores, expected, rtol=1e-5)
    # the members that never saw a flipped label give it a low probability
    kept = np.setdiff1d(np.arange(100), flipped)
    assert scores[flipped].mean() < scores[kept].mean() - 0.3
    assert scores.shape == (100,) and ((0 <= scores) & (scores <= 1)).all()
    # beside held-out consistency, from the same members
    held_out = heldout_consistency(record)[trained].mean(axis=0)
    assert np.corrcoef(scores, held_out)[0, 1] > 0.8
