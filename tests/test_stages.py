"""Stages finer than an epoch: schedules, positions in the record, the cache."""

import json

import numpy as np
import pytest
from sklearn.ensemble import AdaBoostClassifier
from sklearn.svm import SVC
from sklearn.tree import DecisionTreeClassifier

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord
from sklearn_difficulty._assembly import align_stages, grid_positions
from sklearn_difficulty.exceptions import MemberCacheWarning
from sklearn_difficulty.recorders import (
    RECORDERS,
    MemberRecord,
    Recorder,
    StageStore,
    register_recorder,
)
from sklearn_difficulty.stages import (
    LogSpacedSteps,
    StepSchedule,
    check_record_every,
    stage_weights,
)

# Schedules ------------------------------------------------------------------------


def test_log_spaced_steps_are_dense_first_then_every_epoch():
    steps = LogSpacedSteps(n_dense=8).steps(steps_per_epoch=50, n_epochs=4)
    assert steps[0] == 1 and steps[-1] == 200
    first = steps[steps <= 50]
    assert len(first) == 8 and first[-1] == 50
    assert np.all(np.diff(first) > 0)
    # log-spaced: the gaps grow
    assert np.diff(first)[-1] > 5 * np.diff(first)[0]
    np.testing.assert_array_equal(steps[steps > 50], [100, 150, 200])


def test_log_spaced_steps_over_several_epochs_and_short_epochs():
    steps = LogSpacedSteps(n_dense=5, dense_epochs=2).steps(10, 3)
    assert steps.tolist() == [1, 2, 4, 9, 20, 30]
    # fewer steps than stages asked for: every step, once
    assert LogSpacedSteps(n_dense=50).steps(4, 2).tolist() == [1, 2, 3, 4, 8]
    # the dense part is cut at the end of training
    assert LogSpacedSteps(n_dense=3, dense_epochs=10).steps(4, 1).tolist() == [1, 2, 4]


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"n_dense": 0}, "n_dense"),
        ({"n_dense": 2.5}, "n_dense"),
        ({"n_dense": True}, "n_dense"),
        ({"dense_epochs": 0}, "dense_epochs"),
        ({"dense_epochs": float("nan")}, "dense_epochs"),
        ({"dense_epochs": "1"}, "dense_epochs"),
    ],
)
def test_log_spaced_steps_refuse_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        LogSpacedSteps(**kwargs)


def test_every_k_steps_always_records_the_last_step():
    schedule = check_record_every(4)
    assert schedule.steps(steps_per_epoch=5, n_epochs=2).tolist() == [4, 8, 10]
    assert schedule.steps(steps_per_epoch=4, n_epochs=2).tolist() == [4, 8]
    assert check_record_every(1).steps(3, 1).tolist() == [1, 2, 3]


def test_an_array_of_steps_is_cut_at_the_end_and_keeps_the_last():
    schedule = check_record_every([1, 3, 7, 50])
    assert schedule.steps(steps_per_epoch=4, n_epochs=2).tolist() == [1, 3, 7, 8]
    assert check_record_every(np.array([2, 4])).steps(2, 2).tolist() == [2, 4]


def test_epoch_and_log_and_schedules_are_resolved():
    assert check_record_every("epoch") is None
    assert check_record_every("log") == StepSchedule(LogSpacedSteps())
    assert check_record_every(LogSpacedSteps(3)) == StepSchedule(LogSpacedSteps(3))
    assert check_record_every(np.int64(5)) == StepSchedule(5)
    assert check_record_every([1, 2]) == StepSchedule(np.array([1, 2]))
    assert hash(check_record_every([1, 2])) == hash(check_record_every((1, 2)))


@pytest.mark.parametrize(
    "value, match",
    [
        ("batch", "'epoch', 'log'"),
        (0, "positive number"),
        (-3, "positive number"),
        (True, "not a bool"),
        (2.5, "got float"),
        ([], "non-empty 1-D array of integers"),
        ([1.0, 2.0], "non-empty 1-D array of integers"),
        ([[1, 2]], "non-empty 1-D array of integers"),
        ([0, 1], "from 1 on"),
        ([3, 2], "strictly increasing"),
        ([2, 2], "strictly increasing"),
    ],
)
def test_bad_record_every_is_refused_with_what_is_wrong(value, match):
    with pytest.raises(ValueError, match=match):
        check_record_every(value)


def test_a_schedule_with_no_step_is_refused():
    with pytest.raises(ValueError, match="at least one step per epoch"):
        check_record_every(2).steps(steps_per_epoch=0, n_epochs=3)


# Weights over steps -------------------------------------------------------------


def test_stage_weights_are_equal_for_even_stages():
    np.testing.assert_allclose(stage_weights([3, 6, 9, 12, 15]), 0.2)
    np.testing.assert_allclose(stage_weights([7]), [1.0])


def test_stage_weights_give_each_stage_the_steps_around_it():
    # gaps 1, 2, 96; each end extended by half its gap
    weights = stage_weights([1, 2, 4, 100])
    expected = np.array([1, 1.5, 49, 96]) / 147.5
    np.testing.assert_allclose(weights, expected)
    assert weights.sum() == pytest.approx(1)


@pytest.mark.parametrize("positions", [[], [1, 1], [2, 1], [1, np.inf], [[1, 2]]])
def test_stage_weights_refuse_positions_that_do_not_increase(positions):
    with pytest.raises(ValueError):
        stage_weights(positions)


# The record --------------------------------------------------------------------


def make_record(**kwargs):
    defaults = dict(
        predictions={"train": np.zeros((2, 4, 3), np.uint8)},
        targets={"train": np.array([0, 1, 0])},
        classes=np.array(["a", "b"]),
        stages=np.array([0, 2, 5, 10]),
        stage_kind="step",
        steps=np.array([0, 2, 5, 10]),
        epochs=np.array([0, 0.4, 1.0, 2.0]),
    )
    return PredictionRecord(**{**defaults, **kwargs})


@pytest.mark.parametrize("path", ["record.npz", "folder"])
def test_a_records_positions_are_saved_and_loaded(tmp_path, path):
    record = make_record()
    record.save(tmp_path / path)
    loaded = PredictionRecord.load(tmp_path / path)
    np.testing.assert_array_equal(loaded.steps, [0, 2, 5, 10])
    np.testing.assert_array_equal(loaded.epochs, [0, 0.4, 1.0, 2.0])
    assert loaded.epochs.dtype == np.float64 and loaded.stage_kind == "step"
    assert loaded.stage_axis[1] == "epoch"
    np.testing.assert_array_equal(loaded.stage_axis[0], loaded.epochs)
    np.testing.assert_array_equal(record.select_members([1]).steps, record.steps)


def test_a_record_without_positions_has_its_stages_as_axis():
    record = make_record(steps=None, epochs=None, stage_kind="round")
    assert record.steps is None and record.epochs is None
    axis, kind = record.stage_axis
    assert kind == "round" and axis.tolist() == [0, 2, 5, 10]


@pytest.mark.parametrize(
    "field, value",
    [
        ("steps", np.array([0, 2, 5])),
        ("steps", np.array([0, 2.0, 5, 10])),
        ("steps", np.array([0, 5, 2, 10])),
        ("steps", np.array([-1, 2, 5, 10])),
        ("epochs", np.array([0, 0.4, np.nan, 2])),
        ("epochs", np.array([0, 1.0, 0.4, 2])),
        ("epochs", np.array(["0", "1", "2", "3"])),
    ],
)
def test_positions_that_lie_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        make_record(**{field: value})


def test_a_version_2_record_loads_without_positions(tmp_path):
    """Records of sklearn-difficulty before stages had positions still load."""
    make_record(steps=None, epochs=None, stage_kind="epoch").save(tmp_path / "r.npz")
    with np.load(tmp_path / "r.npz") as data:
        arrays = dict(data)
    metadata = json.loads(str(arrays["metadata"]))
    assert metadata["version"] == 3
    metadata["version"] = 2
    arrays["metadata"] = np.array(json.dumps(metadata))
    # a version 2 file with arrays named like version 3's: they are not read
    arrays["steps"] = np.array([0, 1, 2, 3])
    np.savez(tmp_path / "old.npz", **arrays)
    loaded = PredictionRecord.load(tmp_path / "old.npz")
    assert loaded.steps is None and loaded.epochs is None


def _rewrite(path, name, value):
    with np.load(path) as data:
        arrays = dict(data)
    arrays[name] = value
    np.savez(path, **arrays)


@pytest.mark.parametrize(
    "name, value, match",
    [
        ("steps", np.array([0, 2, 5]), "'steps' must be numbers of shape \\(4,\\)"),
        ("steps", np.array([0.0, 2, 5, 10]), "'steps' must be numbers"),
        ("epochs", np.array([0, 1, 2, 3]), "'epochs' must be numbers"),
        ("steps", np.array([0, 5, 2, 10]), "steps must be integers"),
        ("epochs", np.array([0, 0.4, np.inf, 2]), "epochs must be numbers"),
    ],
)
def test_a_record_file_with_lying_positions_is_one_clear_error(
    tmp_path, name, value, match
):
    path = tmp_path / "r.npz"
    make_record().save(path)
    _rewrite(path, name, value)
    with pytest.raises(ValueError, match=match) as error:
        PredictionRecord.load(path)
    assert "r.npz" in str(error.value)


def test_a_pickled_positions_array_is_never_unpickled(tmp_path):
    path = tmp_path / "r.npz"
    make_record().save(path)
    _rewrite(path, "epochs", np.array([0, 1, 2, Exploding()], dtype=object))
    with pytest.raises(ValueError, match="pickled objects"):
        PredictionRecord.load(path)


class Exploding:
    def __reduce__(self):
        return (pytest.fail, ("a record's array was unpickled",))


# Members on one grid -------------------------------------------------------------


def member(stages, steps=None, epochs=None):
    stages = np.asarray(stages)
    labels = np.zeros((stages.size, 3), np.uint8)
    return MemberRecord(
        None,
        stages,
        [labels],
        None,
        {},
        None if steps is None else np.asarray(steps),
        None if epochs is None else np.asarray(epochs, float),
    )


def test_step_stages_of_members_are_united_with_their_positions():
    a = member([0, 2, 4, 6], [0, 2, 4, 6], [0, 0.5, 1, 1.5])
    b = member([0, 2, 4, 5], [0, 2, 4, 5], [0, 0.5, 1, 1.25])  # stopped early
    grid = align_stages([a.stages, b.stages], 1, union=True)
    assert grid.tolist() == [0, 2, 4, 5, 6]
    steps, epochs = grid_positions([a, b], grid)
    assert steps.tolist() == [0, 2, 4, 5, 6]
    assert epochs.tolist() == [0, 0.5, 1, 1.25, 1.5]


def test_epoch_stages_keep_positions_only_of_grid_stages():
    # every 2nd epoch; member a stopped at epoch 3, which is not on the grid
    a = member([2, 3], [20, 30], [2, 3])
    b = member([2, 4, 5], [20, 40, 50], [2, 4, 5])
    grid = align_stages([a.stages, b.stages], 2)
    assert grid.tolist() == [2, 4, 5]
    steps, epochs = grid_positions([a, b], grid)
    assert steps.tolist() == [20, 40, 50] and epochs.tolist() == [2, 4, 5]


def test_positions_are_left_out_unless_every_member_gives_them():
    a = member([1, 2], [10, 20], [1, 2])
    grid = np.array([1, 2])
    assert grid_positions([a, member([1, 2])], grid) == (None, None)
    # members whose positions disagree (steps going back along the grid)
    c = member([1], [30], [1])
    d = member([2], [20], [2])
    assert grid_positions([c, d], grid) == (None, None)


# A recorder that records steps, end to end ----------------------------------------


class ToyStepRecorder(Recorder):
    """A tree fitted once; its labels flipped on odd steps; 4 steps per epoch."""

    name = "toy_steps"
    kind = "epoch"
    records_steps = True
    per_epoch = 4

    def train(self, estimator, X, y, fit_params, plan, streams):
        estimator.fit(X, y)
        store = StageStore(plan)
        n_epochs = plan.n_epochs or 2
        steps = (
            np.arange(1, n_epochs + 1) * self.per_epoch
            if plan.schedule is None
            else plan.schedule.steps(self.per_epoch, n_epochs)
        )
        for step in steps:
            epoch = step / self.per_epoch
            label = int(epoch) if plan.schedule is None else int(step)
            store.begin(label, step=int(step), epoch=epoch)
            for index, scored in enumerate(plan.scored):
                labels = plan.encode(index, estimator.predict(scored))
                store.add(index, ((labels + step) % 2).astype(labels.dtype))
        return store.result()


@pytest.fixture
def toy_steps():
    register_recorder(ToyStepRecorder())
    yield
    RECORDERS.pop("toy_steps")


def toy_data(n=30):
    X = np.random.RandomState(0).rand(n, 3)
    return X, (X[:, 0] > 0.5).astype(int)


def test_an_ensemble_recorded_after_steps_holds_their_positions(toy_steps):
    X, y = toy_data()
    ed = EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=3, stage_method="toy_steps",
        record_every=3, n_epochs=2, max_samples=0.8, random_state=0,
    ).fit(X, y)  # fmt: skip
    record = ed.record_
    assert record.stage_kind == "step"
    np.testing.assert_array_equal(ed.stages_, [3, 6, 8])
    np.testing.assert_array_equal(record.steps, [3, 6, 8])
    np.testing.assert_allclose(record.epochs, [0.75, 1.5, 2])
    epoch_mode = EnsembleDifficulty(
        DecisionTreeClassifier(), n_estimators=3, stage_method="toy_steps",
        n_epochs=2, max_samples=0.8, random_state=0,
    ).fit(X, y)  # fmt: skip
    assert epoch_mode.record_.stage_kind == "epoch"
    np.testing.assert_array_equal(epoch_mode.stages_, [1, 2])
    np.testing.assert_array_equal(epoch_mode.record_.steps, [4, 8])
    # the last step ends epoch 2 in both
    last = epoch_mode.record_.predictions["train"][:, -1]
    np.testing.assert_array_equal(record.predictions["train"][:, -1], last)


def test_positions_come_back_from_the_cache_and_a_lying_entry_is_retrained(
    toy_steps, tmp_path
):
    X, y = toy_data()

    def fit():
        return EnsembleDifficulty(
            DecisionTreeClassifier(), n_estimators=2, stage_method="toy_steps",
            record_every="log", n_epochs=2, max_samples=0.8, random_state=0,
            memory=tmp_path,
        ).fit(X, y)  # fmt: skip

    first = fit()
    again = fit()
    assert again.members_from_memory_ == 2
    np.testing.assert_array_equal(again.record_.steps, first.record_.steps)
    np.testing.assert_array_equal(again.record_.epochs, first.record_.epochs)
    assert first.record_.steps.tolist() == [1, 2, 3, 4, 8]
    # an entry whose steps go back is not used, and the user is told
    entry = next((tmp_path / "sklearn_difficulty_members").glob("*.npz"))
    _rewrite(entry, "steps", first.record_.steps[::-1].copy())
    with pytest.warns(MemberCacheWarning, match="steps and epochs"):
        third = fit()
    assert third.members_from_memory_ == 1
    np.testing.assert_array_equal(third.record_.steps, first.record_.steps)


def test_a_new_schedule_does_not_reuse_members_cached_with_another(toy_steps, tmp_path):
    X, y = toy_data()

    def fit(every):
        return EnsembleDifficulty(
            DecisionTreeClassifier(), n_estimators=2, stage_method="toy_steps",
            record_every=every, n_epochs=2, max_samples=0.8, random_state=0,
            memory=tmp_path,
        ).fit(X, y)  # fmt: skip

    fit(2)
    again = fit(3)
    assert again.members_from_memory_ == 0
    assert again.stages_.tolist() == [3, 6, 8]


# What the ensemble refuses --------------------------------------------------------


def test_boosting_rounds_refuse_a_step_schedule_and_point_at_stage_step():
    X, y = toy_data()
    ed = EnsembleDifficulty(AdaBoostClassifier(n_estimators=3), record_every=2)
    with pytest.raises(ValueError, match="does not count.*stage_step"):
        ed.fit(X, y)


def test_a_model_recorded_once_refuses_a_step_schedule():
    X, y = toy_data()
    ed = EnsembleDifficulty(SVC(), record_every="log", max_samples=0.5)
    with pytest.raises(ValueError, match="'final' does not count"):
        ed.fit(X, y)


def test_stage_step_and_a_step_schedule_are_not_given_together(toy_steps):
    X, y = toy_data()
    ed = EnsembleDifficulty(
        DecisionTreeClassifier(), stage_method="toy_steps", record_every=2,
        stage_step=2,
    )  # fmt: skip
    with pytest.raises(ValueError, match="give one or the other"):
        ed.fit(X, y)


@pytest.mark.parametrize("value", ["batch", 0, 1.5, [3, 1]])
def test_the_ensemble_refuses_bad_record_every_before_training(value):
    X, y = toy_data()
    with pytest.raises(ValueError, match="record_every"):
        EnsembleDifficulty(DecisionTreeClassifier(), record_every=value).fit(X, y)
