"""EL2N's default stage in optimiser steps."""

import numpy as np
import pytest

from sklearn_difficulty import PredictionRecord
from sklearn_difficulty.scores import (
    el2n,
    score_examples,
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
