"""Every analysis of a record reads stages that are not evenly spaced (issue 20).

Records made after optimiser steps (``record_every``) have many stages in
the first epoch and one per epoch later, and carry each stage's step and
epoch. The records here are built by hand, so that every number can be
worked out on paper.
"""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib", reason="the plot extra is not installed")
matplotlib.use("Agg")

from sklearn_difficulty import PredictionRecord  # noqa: E402
from sklearn_difficulty.compare import compare_records, group_accuracy  # noqa: E402
from sklearn_difficulty.frames import example_table  # noqa: E402
from sklearn_difficulty.histograms import score_histograms, stage_name  # noqa: E402
from sklearn_difficulty.phases import (  # noqa: E402
    learning_phases,
    phase_spans,
    phase_stages,
)
from sklearn_difficulty.plotting import (  # noqa: E402
    GroupAccuracyDisplay,
    JointConsistencyDisplay,
    LearningSpeedDisplay,
    LearningSpeedHistogramDisplay,
    ScoreHistogramDisplay,
    TrajectoryDisplay,
)
from sklearn_difficulty.ranking import difficulty_groups, difficulty_ranking  # noqa: E402
from sklearn_difficulty.reliability import split_half_reliability  # noqa: E402
from sklearn_difficulty.scores import (  # noqa: E402
    aum,
    consistency,
    data_map,
    el2n,
    learning_speed,
    mean_over_training,
    score_examples,
    training_weights,
)
from sklearn_difficulty.stages import LogSpacedSteps, stage_weights  # noqa: E402

#: An uneven schedule: 18 steps an epoch, dense early, then every epoch.
STEPS = np.array([0, 1, 2, 4, 8, 18, 36])
#: The share of training each of STEPS[1:] stands for, worked out by hand:
#: halfway to each neighbour, the ends extended by half their gap.
BY_HAND = np.array([1, 1.5, 3, 7, 14, 18]) / 44.5


@pytest.fixture(autouse=True)
def close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


def record_of(right, targets, steps=None, *, steps_per_epoch=18, kind="step"):
    """A record of two classes: member m is right on example i at stage s or not.

    With ``steps``, the stages are those steps (labels, steps and epochs);
    without, the record has epochs 0, 1, ... and no positions.
    """
    right = np.asarray(right, dtype=bool)
    targets = np.asarray(targets)
    predictions = np.where(right, targets, 1 - targets).astype(np.uint8)
    n_stages = right.shape[1]
    if steps is None:
        return PredictionRecord(
            predictions={"train": predictions},
            targets={"train": targets},
            classes=np.array(["a", "b"]),
            stages=np.arange(n_stages),
            stage_kind=kind,
        )
    steps = np.asarray(steps)
    return PredictionRecord(
        predictions={"train": predictions},
        targets={"train": targets},
        classes=np.array(["a", "b"]),
        stages=steps if kind == "step" else np.arange(n_stages),
        stage_kind=kind,
        steps=steps,
        epochs=steps / steps_per_epoch,
    )


def learnt_from(learnt, steps, n_members=1):
    """Right from step ``learnt[i]`` on, for every member: shape (M, S, N)."""
    right = np.asarray(steps)[:, None] >= np.asarray(learnt)[None, :]
    return np.broadcast_to(right, (n_members, *right.shape))


def random_record(steps, seed=0, n_members=6, n_samples=40):
    rng = np.random.RandomState(seed)
    skill = rng.uniform(0.2, 0.9, n_samples)
    right = rng.uniform(size=(n_members, len(steps), n_samples)) < skill
    return record_of(right, rng.randint(0, 2, n_samples), steps)


# 1. learning speed: the mean over stages, or the area over steps --------------


def test_the_speed_over_steps_is_the_mean_when_stages_are_evenly_spaced():
    rng = np.random.RandomState(0)
    right = rng.uniform(size=(5, 6, 30)) < 0.6
    targets = rng.randint(0, 2, 30)
    for record in (
        record_of(right, targets, steps=np.arange(0, 60, 10)),  # steps 0, 10, ...
        record_of(right, targets),  # epochs 0..5, no positions
        record_of(right, targets, steps=np.arange(0, 60, 10), kind="epoch"),
    ):
        mean = learning_speed(record)
        np.testing.assert_allclose(learning_speed(record, average="steps"), mean)
        np.testing.assert_allclose(
            score_examples(record, score="learning_speed_steps"), mean
        )
        np.testing.assert_array_equal(mean, consistency(record)[1:].mean(axis=0))


def test_the_speed_over_steps_weighs_each_stage_by_the_steps_it_stands_for():
    # example 0 learnt at step 8, example 1 right at stage 0 only (never learnt)
    right = learnt_from([8, 99], STEPS, n_members=2).copy()
    right[:, 0, 1] = True
    record = record_of(right, [0, 1], STEPS)
    np.testing.assert_allclose(training_weights(STEPS, average="steps")[1:], BY_HAND)
    np.testing.assert_allclose(stage_weights(STEPS[1:]), BY_HAND)
    by_hand = (7 + 14 + 18) / 44.5  # right at steps 8, 18 and 36
    np.testing.assert_allclose(learning_speed(record, average="steps"), [by_hand, 0])
    np.testing.assert_allclose(learning_speed(record), [3 / 6, 0])  # stage 0 out
    assert abs(by_hand - 0.5) > 0.3  # the two averages differ on uneven stages
    # the stage labels are the positions of a record without steps
    unlabelled = PredictionRecord(
        predictions=record.predictions,
        targets=record.targets,
        classes=record.classes,
        stages=STEPS,
        stage_kind="step",
    )
    np.testing.assert_allclose(
        learning_speed(unlabelled, average="steps"), [by_hand, 0]
    )


def test_a_dense_early_schedule_over_steps_gives_the_speed_of_the_epoch_curve():
    """The same members, recorded every epoch and on a log schedule.

    Each member learns each example at its own time (in epochs) and keeps
    it; the epoch-level record samples that curve at epoch ends, the dense
    one at LogSpacedSteps. Over steps, the dense record's speed is the
    epoch record's within the width of an epoch; the plain mean over its
    stages is not, as its 24 stages in the first epoch outvote the rest.
    """
    rng = np.random.RandomState(0)
    n_members, n_samples, steps_per_epoch, n_epochs = 8, 60, 50, 30
    scale = rng.uniform(0.05, 4.0, n_samples)  # fast ... slow examples
    learnt = rng.exponential(scale, size=(n_members, 1, n_samples))
    targets = rng.randint(0, 2, n_samples)

    def recorded_at(steps, kind):
        right = steps[None, :, None] / steps_per_epoch >= learnt
        return record_of(right, targets, steps, steps_per_epoch=50, kind=kind)

    dense_steps = np.r_[0, LogSpacedSteps(24).steps(steps_per_epoch, n_epochs)]
    epoch_steps = np.arange(n_epochs + 1) * steps_per_epoch
    dense = recorded_at(dense_steps, "step")
    epochs = recorded_at(epoch_steps, "epoch")
    assert (dense.epochs[1:] <= 1).sum() >= 15 and epochs.n_stages == 31
    at_epoch_ends = np.isin(dense.steps, epoch_steps)
    np.testing.assert_array_equal(  # the dense record holds the epoch record
        dense.predictions["train"][:, at_epoch_ends], epochs.predictions["train"]
    )
    epoch_speed = learning_speed(epochs)
    over_steps = learning_speed(dense, average="steps")
    over_stages = learning_speed(dense)
    assert np.abs(over_steps - epoch_speed).max() < 1.2 / n_epochs
    assert np.abs(over_stages - epoch_speed).max() > 0.3
    assert np.corrcoef(over_steps, epoch_speed)[0, 1] > 0.99


def test_the_average_is_checked():
    record = random_record(STEPS)
    with pytest.raises(ValueError, match="average must be 'stages' or 'steps'"):
        learning_speed(record, average="epochs")
    with pytest.raises(ValueError, match="average must be 'stages' or 'steps'"):
        compare_records(record, record, average="area")
    with pytest.raises(ValueError, match="pass a PredictionRecord"):
        learning_speed([[[0, 1]], [[1, 1]]], [1, 1], average="steps")
    with pytest.raises(ValueError, match="must be non-decreasing"):
        training_weights([1, 2, 3], [5, 3, 9], average="steps")


def test_tied_positions_share_their_weight():
    weights = training_weights([0, 1, 2, 3], [0, 5, 5, 10], average="steps")
    np.testing.assert_allclose(weights, [0, 0.25, 0.25, 0.5])
    np.testing.assert_allclose(training_weights([0], average="steps"), [1.0])


def test_the_scores_over_training_take_the_same_average():
    rng = np.random.RandomState(1)
    record = random_record(STEPS, seed=1)
    margin = rng.normal(size=record.predictions["train"].shape)
    proba = rng.uniform(size=margin.shape)
    record = PredictionRecord(
        predictions=record.predictions,
        targets=record.targets,
        classes=record.classes,
        stages=record.stages,
        stage_kind="step",
        steps=record.steps,
        epochs=record.epochs,
        outputs={
            "margin": {"train": margin},
            "proba": {"train": proba},
            "error_norm": {"train": proba},
        },
    )
    np.testing.assert_allclose(
        aum(record, average="steps"), (BY_HAND @ margin[:, 1:]).mean(axis=0)
    )
    np.testing.assert_allclose(aum(record), margin[:, 1:].mean(axis=(0, 1)))
    mapped = data_map(record, average="steps")
    confidence = BY_HAND @ proba[:, 1:]  # per member
    np.testing.assert_allclose(mapped.confidence, confidence.mean(axis=0))
    spread = np.sqrt(
        np.einsum("s,msn->mn", BY_HAND, (proba[:, 1:] - confidence[:, None]) ** 2)
    )
    np.testing.assert_allclose(mapped.variability, spread.mean(axis=0))
    pooled = data_map(record, average="steps", aggregate="pooled")
    np.testing.assert_allclose(pooled.confidence, mapped.confidence)
    # EL2N: 10% of the steps and at least 1,000 of them, so the last of these 36
    np.testing.assert_allclose(el2n(record), proba[:, -1].mean(axis=0))


def test_el2n_reads_the_same_stage_as_before_on_even_stages():
    rng = np.random.RandomState(2)
    norms = rng.uniform(size=(2, 21, 5))
    record = PredictionRecord(
        predictions={"train": np.zeros((2, 21, 5), np.uint8)},
        targets={"train": np.zeros(5, int)},
        classes=np.array([0, 1]),
        stages=np.arange(21),
        outputs={"error_norm": {"train": norms}},
    )
    # 20 training epochs: the 2nd (ceil(10% of 20)), as it always was
    np.testing.assert_allclose(el2n(record), norms[:, 2].mean(axis=0))


# ranking and tables read the same average ----------------------------------


def flip_record():
    """Example 0 right only early (steps 2-8), example 1 from step 18 on."""
    right = np.zeros((1, STEPS.size, 3), dtype=bool)
    right[0, 2:5, 0] = True
    right[0, 5:, 1] = True
    return record_of(right, [0, 1, 0], STEPS)


def test_ranking_and_tables_read_the_average_they_are_given():
    record = flip_record()
    np.testing.assert_allclose(learning_speed(record), [3 / 6, 2 / 6, 0])
    np.testing.assert_allclose(
        learning_speed(record, average="steps"),
        [(1.5 + 3 + 7) / 44.5, (14 + 18) / 44.5, 0],
    )
    assert difficulty_ranking(record).tolist() == [0, 1, 2]
    assert difficulty_ranking(record, average="steps").tolist() == [1, 0, 2]
    assert difficulty_groups(record, n_groups=3, average="steps").tolist() == [1, 0, 2]
    table = example_table(record, average="steps")
    np.testing.assert_allclose(
        table["learning_speed"], learning_speed(record, average="steps")
    )
    np.testing.assert_allclose(
        example_table(record)["learning_speed"], learning_speed(record)
    )
    accuracy = group_accuracy(record, record, n_groups=3, average="steps")
    np.testing.assert_array_equal(accuracy[0], consistency(record)[:, 1])


def test_the_score_over_steps_is_registered_and_reliability_reads_it():
    record = random_record(STEPS, n_members=8)
    np.testing.assert_allclose(
        score_examples(record, score="learning_speed_steps"),
        learning_speed(record, average="steps"),
    )
    result = split_half_reliability(
        record, "learning_speed_steps", n_splits=2, random_state=0
    )
    assert result.correlations.shape == (2,)


# 2. comparisons -----------------------------------------------------------------


def test_stage_zero_never_counts_in_the_learning_speeds_of_a_comparison():
    """Two records that differ at stage 0 only: their speeds agree exactly.

    Stage 0 is the untrained members; counting it in either record's
    learning speed would bring r down from 1 (checked below).
    """
    a = random_record(STEPS, seed=3)
    rng = np.random.RandomState(4)
    predictions = a.predictions["train"].copy()
    predictions[:, 0] = rng.randint(0, 2, predictions[:, 0].shape)
    b = PredictionRecord(
        predictions={"train": predictions},
        targets=a.targets,
        classes=a.classes,
        stages=a.stages,
        stage_kind="step",
        steps=a.steps,
        epochs=a.epochs,
    )
    for average in ("stages", "steps"):
        comparison = compare_records(a, b, average=average)
        assert comparison.pearson[0] == pytest.approx(1.0)
        assert comparison.spearman[0] == pytest.approx(1.0)
        np.testing.assert_allclose(
            comparison.learning_speed_b, learning_speed(b, average=average)
        )
    # the test can fail: with stage 0 counted, r is not 1
    with_stage_zero = [
        np.average(consistency(record), axis=0, weights=[1, *BY_HAND])
        for record in (a, b)
    ]
    assert np.corrcoef(*with_stage_zero)[0, 1] < 0.99
    assert np.corrcoef(*(consistency(r).mean(axis=0) for r in (a, b)))[0, 1] < 0.99


def members_on_two_schedules():
    """The same 4 members recorded after uneven steps and every epoch.

    Learnt examples stay learnt; every example is learnt by the end of
    epoch 2, so epochs 2 and 3 have the same accuracy (1.0).
    """
    steps = np.array([0, 1, 2, 4, 8, 12, 18, 27, 36, 54])
    rng = np.random.RandomState(5)
    learnt = rng.choice(steps[1:8], size=(4, 1, 30))
    right = steps[None, :, None] >= learnt
    targets = rng.randint(0, 2, 30)
    by_steps = record_of(right, targets, steps)
    at_epoch_ends = np.isin(steps, [0, 18, 36, 54])
    by_epochs = record_of(right[:, at_epoch_ends], targets, steps[at_epoch_ends],
                          kind="epoch")  # fmt: skip
    return by_steps, by_epochs


def test_a_step_record_matches_the_epoch_record_of_its_members_at_epoch_ends():
    by_steps, by_epochs = members_on_two_schedules()
    assert by_epochs.stages.tolist() == [0, 1, 2, 3]
    assert by_epochs.epochs.tolist() == [0, 1, 2, 3]

    comparison = compare_records(by_epochs, by_steps, names=("epochs", "steps"))
    assert comparison.unmatched.size == 0
    i, j = comparison.pairs.T
    np.testing.assert_array_equal(comparison.epochs_a[i], comparison.epochs_b[j])
    assert comparison.steps_b[j].tolist() == [0, 18, 36, 54]  # 54, not 36, for 3
    assert comparison.stage_axis_a[1] == "epoch" == comparison.stage_axis_b[1]
    np.testing.assert_array_equal(comparison.stage_axis_b[0], by_steps.steps / 18)
    assert comparison.pair_names(-1) == ("epoch 3", "epoch 3 (step 54)")

    reverse = compare_records(by_steps, by_epochs)
    ends = np.flatnonzero(np.isin(by_steps.steps, [0, 18, 36, 54]))
    matched = dict(map(tuple, reverse.pairs.tolist()))
    assert [matched[k] for k in ends] == [0, 1, 2, 3]
    for k, other in matched.items():  # every match is one of equal accuracy
        assert reverse.accuracy_a[k] == pytest.approx(
            reverse.accuracy_b[other], abs=0.01
        )


def test_boosting_rounds_compare_with_a_step_record():
    by_steps, _ = members_on_two_schedules()
    right = by_steps.predictions["train"] == by_steps.targets["train"]
    rounds = PredictionRecord(  # rounds 1..5: the step record's stages 2..6
        predictions={"train": by_steps.predictions["train"][:, 2:7]},
        targets=by_steps.targets,
        classes=by_steps.classes,
        stages=np.arange(1, 6),
        stage_kind="round",
    )
    comparison = compare_records(by_steps, rounds, average="steps", n_bootstraps=3,
                                 random_state=0)  # fmt: skip
    assert comparison.epochs_b is None and comparison.steps_b is None
    assert comparison.stage_axis_b[1] == "round"
    matched = dict(map(tuple, comparison.pairs.tolist()))
    assert all(matched[k] == k - 2 for k in range(2, 7))
    assert comparison.pair_names(0)[1].startswith("round ")
    np.testing.assert_allclose(
        comparison.learning_speed_a, learning_speed(by_steps, average="steps")
    )
    assert right.any() and comparison.pearson_bootstrap.shape == (3,)


# 3. phases ----------------------------------------------------------------------


def bimodal_in_the_first_epoch(late_bell=False):
    """20 steps an epoch; half the examples learnt at step 4, all at step 20.

    Before step 4 the 10 members guess (consistency a bell around 0.5:
    initialization); from step 4 to 7 the easy half is right for all
    members and the hard half wrong for all (consistency 0 or 1:
    bi-modality); from step 20 (epoch 1) on every example is learnt.
    """
    steps = np.array([0, 1, 2, 4, 5, 6, 7, 20, 40, 60])
    rng = np.random.RandomState(6)
    n_members, n_samples = 10, 40
    targets = np.tile([0, 1], n_samples // 2)
    easy = np.arange(n_samples) < n_samples // 2
    right = rng.uniform(size=(n_members, steps.size, n_samples)) < 0.5
    right[:, 3:7] = easy
    right[:, 7:] = True
    if late_bell:  # a stage out of line after them: a bell, not learnt yet
        right[:, 7] = rng.uniform(size=(n_members, n_samples)) < 0.75
    return record_of(right, targets, steps, steps_per_epoch=20)


def test_a_bimodal_phase_inside_the_first_epoch_is_seen_with_its_epochs():
    record = bimodal_in_the_first_epoch()
    phases = learning_phases(record)
    assert (
        phases.tolist()
        == ["initialization"] * 3 + ["bi-modality"] * 4 + ["end of learning"] * 3
    )
    bimodal = record.epochs[phases == "bi-modality"]
    assert (bimodal > 0).all() and (bimodal < 1).all()
    spans = phase_spans(record)
    assert [span.phase for span in spans] == [
        "initialization",
        "bi-modality",
        "end of learning",
    ]
    assert spans[1].epochs == (0.2, 0.35) and spans[1].steps == (4, 7)
    assert spans[1].stages == (4, 7) and (spans[1].first, spans[1].last) == (3, 6)
    np.testing.assert_allclose(
        record.stage_axis[0][phase_stages(record)], [0, 0.2, 1, 3]
    )
    # recorded every epoch, the same members show no bi-modal phase at all
    at_epoch_ends = np.isin(record.steps, [0, 20, 40, 60])
    by_epochs = record_of(
        record.predictions["train"][:, at_epoch_ends] == record.targets["train"],
        record.targets["train"],
        record.steps[at_epoch_ends],
        steps_per_epoch=20,
        kind="epoch",
    )
    assert "bi-modality" not in learning_phases(by_epochs)


def test_each_stage_counts_once_in_the_ordering_whatever_its_steps():
    """One later stage standing for 16 steps does not outvote 4 short ones."""
    record = bimodal_in_the_first_epoch(late_bell=True)
    own = learning_phases(record, ordered=False)
    assert own[7] == "beginning of learning"  # out of line with its neighbours
    ordered = learning_phases(record)
    assert (ordered[3:7] == "bi-modality").all()
    assert ordered[7] == "bi-modality"  # read as noise, as on even stages
    # by steps, stage 7 (steps 13.5 to 30) outweighs the four bi-modal stages
    weights = stage_weights(record.steps)
    assert weights[7] > weights[3:7].sum()


# 4. plots -----------------------------------------------------------------------


def test_histograms_keep_the_positions_of_the_stages_they_show():
    record = random_record(STEPS)
    histograms = score_histograms(record, stages=[0, 4, -1])
    assert histograms.steps.tolist() == [0, 8, 36]
    np.testing.assert_allclose(histograms.epochs, [0, 8 / 18, 2])
    assert histograms.stage_names == [
        "epoch 0 (step 0)",
        "epoch 0.44 (step 8)",
        "epoch 2 (step 36)",
    ]
    display = ScoreHistogramDisplay.from_record(record, stages=[0, 3, -1])
    titles = [axis.get_title() for axis in display.axes_[0]]
    assert titles == [
        "train, epoch 0 (step 0)",
        "train, epoch 0.22 (step 4)",
        "train, epoch 2 (step 36)",
    ]
    unplaced = record_of(record.predictions["train"] == record.targets["train"],
                         record.targets["train"], kind="epoch")  # fmt: skip
    assert score_histograms(unplaced).steps is None
    plain = ScoreHistogramDisplay.from_record(unplaced, stages=[1])
    assert plain.axes_[0, 0].get_title() == "train, epoch 1"


def test_stages_are_named_by_their_epoch_where_known():
    assert stage_name(4, "step", step=4, epoch=4 / 18) == "epoch 0.22 (step 4)"
    assert stage_name(1, "step", step=1, epoch=1 / 600) == "epoch 0.0017 (step 1)"
    assert stage_name(3, "epoch", step=54, epoch=3.0) == "epoch 3"
    assert stage_name(27, "step", step=27, epoch=1.5) == "epoch 1.5 (step 27)"
    assert stage_name(12, "round") == "round 12"


def test_curves_over_stages_are_drawn_against_epochs():
    by_steps, by_epochs = members_on_two_schedules()
    trajectory = TrajectoryDisplay.from_record(by_steps, [0, 3])
    np.testing.assert_allclose(trajectory.lines_[0].get_xdata(), by_steps.steps / 18)
    np.testing.assert_allclose(
        trajectory.lines_[1].get_ydata(), consistency(by_steps)[:, 3]
    )
    assert trajectory.ax_.get_xlabel() == "epoch"

    groups = GroupAccuracyDisplay.from_comparison(by_steps, by_epochs)
    np.testing.assert_allclose(groups.lines_[0].get_xdata(), by_steps.epochs)
    assert groups.ax_.get_xlabel() == "epoch"
    comparison = compare_records(by_steps, by_epochs, names=("steps", "epochs"))
    again = GroupAccuracyDisplay.from_comparison(comparison)
    np.testing.assert_allclose(again.lines_[2].get_xdata(), by_steps.epochs)
    np.testing.assert_allclose(
        again.lines_[2].get_ydata(), comparison.group_accuracy(3)[2]
    )

    rounds = PredictionRecord(
        predictions={"train": by_steps.predictions["train"][:, 2:7]},
        targets=by_steps.targets,
        classes=by_steps.classes,
        stages=np.arange(1, 6),
        stage_kind="round",
    )
    boosted = GroupAccuracyDisplay.from_comparison(rounds, by_steps, average="steps")
    assert boosted.ax_.get_xlabel() == "round"
    assert boosted.lines_[0].get_xdata().tolist() == [1, 2, 3, 4, 5]


def test_comparison_plots_name_the_stages_and_the_average():
    by_steps, by_epochs = members_on_two_schedules()
    comparison = compare_records(by_epochs, by_steps, names=("E", "S"),
                                 average="steps")  # fmt: skip
    joint = JointConsistencyDisplay.from_comparison(comparison, pair=-1)
    assert joint.ax_.get_title() == "accuracy 1.00: E epoch 3, S epoch 3 (step 54)"
    speeds = LearningSpeedDisplay.from_comparison(comparison)
    np.testing.assert_allclose(
        speeds.scatter_.get_offsets()[:, 1], learning_speed(by_steps, average="steps")
    )
    assert speeds.ax_.get_xlabel() == "learning speed over steps, E"
    plain = LearningSpeedDisplay.from_comparison(by_epochs, by_steps)
    assert plain.ax_.get_xlabel() == "learning speed, a"
    np.testing.assert_allclose(
        plain.scatter_.get_offsets()[:, 1], learning_speed(by_steps)
    )

    histogram = LearningSpeedHistogramDisplay.from_record(
        by_steps, average="steps", bins=4
    )
    counts, _ = np.histogram(learning_speed(by_steps, average="steps"), bins=4,
                             range=(0, 1))  # fmt: skip
    heights = [bar.get_height() for bar in histogram.bars_["train"]]
    assert heights == counts.tolist()
    assert "over steps" in histogram.ax_.get_xlabel()


def test_the_weighted_mean_is_the_mean_of_the_scores_module():
    scores = np.random.RandomState(7).uniform(size=(STEPS.size, 5))
    np.testing.assert_allclose(
        mean_over_training(scores, STEPS, average="steps"), BY_HAND @ scores[1:]
    )
    np.testing.assert_allclose(
        mean_over_training(scores, np.arange(7), steps=STEPS, average="steps"),
        BY_HAND @ scores[1:],
    )
