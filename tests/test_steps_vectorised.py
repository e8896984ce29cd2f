"""The vectorised trainer records after optimiser steps (``record_every``)."""

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from torch.utils.data import TensorDataset  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty, PredictionRecord  # noqa: E402
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import VectorisedCNN  # noqa: E402
from sklearn_difficulty.nets.vectorised import VectorisedRecorder  # noqa: E402
from sklearn_difficulty.recorders import MemberPlan  # noqa: E402
from sklearn_difficulty.stages import check_record_every  # noqa: E402

N_TRAIN, BATCH, EPOCHS = 120, 30, 2
STEPS_PER_EPOCH = N_TRAIN // BATCH  # 4 steps an epoch, 8 in all
OUTPUTS = ("proba", "margin")


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images(return_X_y=True)
    return X[:N_TRAIN], y[:N_TRAIN], X[N_TRAIN:180], y[N_TRAIN:180]


def network(**kwargs):
    """The MNIST network (dropout on) on 8x8 digits, 2 epochs of 4 steps."""
    return VectorisedCNN(
        "mnist", max_epochs=EPOCHS, batch_size=BATCH, optimizer="adam", lr=0.01,
        **kwargs,
    )  # fmt: skip


def fit(digits, record_every, *, n_estimators=3, **kwargs):
    X, y, X_test, y_test = digits
    settings = {
        k: kwargs.pop(k) for k in ("channels_last", "member_chunk") if k in kwargs
    }
    return EnsembleDifficulty(
        network(**settings),
        n_estimators=n_estimators,
        random_state=0,
        record_every=record_every,
        record_outputs=OUTPUTS,
        **kwargs,
    ).fit(X, y, eval_set={"test": (X_test, y_test)})


@pytest.fixture(scope="module")
def engine_fits(digits):
    """Epoch recording, every 2 steps and "log", of the same members, by engine."""
    fitted = {}

    def fits(channels_last: bool) -> dict:
        if channels_last not in fitted:
            fitted[channels_last] = {
                every: fit(digits, every, channels_last=channels_last)
                for every in ("epoch", 2, "log")
            }
        return fitted[channels_last]

    return fits


@pytest.fixture(scope="module")
def fits(engine_fits):
    """The fits of the vmap engine."""
    return engine_fits(False)


def assert_same_at_epochs(by_epoch, by_step):
    """Predictions, outputs and fitted weights the same at the steps ending epochs."""
    at = np.searchsorted(by_step.record_.steps, by_epoch.record_.steps)
    np.testing.assert_array_equal(by_step.record_.steps[at], by_epoch.record_.steps)
    for name in ("train", "test"):
        np.testing.assert_array_equal(
            by_step.record_.predictions[name][:, at], by_epoch.record_.predictions[name]
        )
        for kind in OUTPUTS:
            np.testing.assert_array_equal(
                by_step.record_.output(kind, name)[:, at],
                by_epoch.record_.output(kind, name),
            )
    for a, b in zip(by_epoch.estimators_, by_step.estimators_, strict=True):
        assert a.history_ == b.history_
        for (key, left), right in zip(
            a.module_.state_dict().items(), b.module_.state_dict().values(), strict=True
        ):
            assert torch.equal(left, right), key


@pytest.mark.parametrize("every", [2, "log"])
@pytest.mark.parametrize("channels_last", [False, True], ids=["vmap", "grouped"])
def test_a_step_schedule_predicts_at_epoch_ends_what_epoch_recording_does(
    engine_fits, channels_last, every
):
    """The promise: recording between steps changes nothing training does.

    The members have dropout on and record mid-epoch (steps 2 and 6, or
    1, 2, 3), so a recording pass that left them in eval mode, moved a
    batch order or a dropout key would change what follows.
    """
    fits = engine_fits(channels_last)
    by_epoch, by_step = fits["epoch"], fits[every]
    assert len(by_step.stages_) > len(by_epoch.stages_)
    assert_same_at_epochs(by_epoch, by_step)


@pytest.mark.parametrize("channels_last", [False, True], ids=["vmap", "grouped"])
def test_a_member_records_the_same_steps_alone_as_in_a_group(
    digits, engine_fits, channels_last
):
    alone = fit(digits, 2, member_chunk=1, channels_last=channels_last)
    together = engine_fits(channels_last)[2]
    np.testing.assert_array_equal(alone.record_.steps, together.record_.steps)
    for name in ("train", "test"):  # batched kernels round differently
        agree = alone.record_.predictions[name] == together.record_.predictions[name]
        assert agree.mean() > 0.99
        for kind in OUTPUTS:
            np.testing.assert_allclose(
                alone.record_.output(kind, name),
                together.record_.output(kind, name),
                rtol=1e-3,
                atol=1e-4,
            )


def test_the_record_of_a_step_schedule(fits, tmp_path):
    record = fits[2].record_
    assert record.stage_kind == "step"
    np.testing.assert_array_equal(record.stages, [0, 2, 4, 6, 8])
    np.testing.assert_array_equal(record.steps, record.stages)
    np.testing.assert_array_equal(record.epochs, [0, 0.5, 1, 1.5, 2])
    np.testing.assert_array_equal(fits["log"].record_.stages, [0, 1, 2, 3, 4, 8])
    np.testing.assert_array_equal(
        fits["log"].record_.epochs, [0, *np.arange(1, 5) / 4, 2]
    )
    record.save(tmp_path / "record")
    loaded = PredictionRecord.load(tmp_path / "record")
    np.testing.assert_array_equal(loaded.steps, record.steps)
    np.testing.assert_array_equal(loaded.epochs, record.epochs)
    np.testing.assert_array_equal(
        loaded.predictions["test"], record.predictions["test"]
    )


def test_without_stage_0_and_on_a_subset(digits):
    """Steps per epoch are the member's: a quarter of the rows drawn, one step."""
    ed = fit(digits, 1, n_estimators=2, record_initial=False, max_samples=0.25)
    np.testing.assert_array_equal(ed.stages_, [1, 2])  # 30 rows: 1 step an epoch
    np.testing.assert_array_equal(ed.record_.epochs, [1.0, 2.0])


def test_epoch_recording_gives_positions(digits, fits):
    by_epoch = fits["epoch"].record_
    assert by_epoch.stage_kind == "epoch"
    np.testing.assert_array_equal(by_epoch.stages, [0, 1, 2])
    np.testing.assert_array_equal(by_epoch.steps, [0, 4, 8])
    np.testing.assert_array_equal(by_epoch.epochs, [0.0, 1.0, 2.0])
    X, y, _, _ = digits
    net = VectorisedCNN("mnist", max_epochs=3, batch_size=50)  # 3 steps an epoch
    kept = EnsembleDifficulty(net, n_estimators=2, stage_step=2).fit(X, y).record_
    np.testing.assert_array_equal(kept.stages, [0, 2, 3])
    np.testing.assert_array_equal(kept.steps, [0, 6, 9])
    np.testing.assert_array_equal(kept.epochs, [0.0, 2.0, 3.0])


def test_the_cache_gives_back_the_record_of_a_step_schedule(digits, fits, tmp_path):
    first = fit(digits, 2, memory=tmp_path)
    again = fit(digits, 2, memory=tmp_path)
    assert first.members_from_memory_ == 0 and again.members_from_memory_ == 3
    for ed in (first, again):  # the same as the members trained without a cache
        np.testing.assert_array_equal(ed.record_.steps, fits[2].record_.steps)
        np.testing.assert_array_equal(ed.record_.epochs, fits[2].record_.epochs)
        np.testing.assert_array_equal(
            ed.record_.predictions["test"], fits[2].record_.predictions["test"]
        )
        np.testing.assert_array_equal(
            ed.record_.output("margin", "test"),
            fits[2].record_.output("margin", "test"),
        )
    by_epoch = fit(digits, "epoch", memory=tmp_path)  # a schedule is its own entry
    assert by_epoch.members_from_memory_ == 0
    np.testing.assert_array_equal(by_epoch.stages_, [0, 1, 2])


def test_the_recording_pass_leaves_torchs_generator_alone(digits):
    """A Dataset's DataLoaders draw their base seed from torch's generator."""
    X, y, _, _ = digits
    data = TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
    after = []
    for every in ("epoch", 1):
        torch.manual_seed(0)
        EnsembleDifficulty(network(), n_estimators=1, record_every=every).fit(data)
        after.append(torch.rand(3))
    torch.testing.assert_close(after[0], after[1], rtol=0, atol=0)


@pytest.mark.parametrize(
    ("every", "n_draw", "expected"),
    [("epoch", None, 3), (1, None, 9), ("log", None, 6), (1, 60, 5)],
)
def test_n_stages_counts_the_scheduled_steps(digits, every, n_draw, expected):
    X, y, _, _ = digits
    plan = MemberPlan(
        X=X, y=y, fit_params={}, scored=(X,), names=("train",), targets=(),
        classes=np.arange(10), sample_shape=X.shape[1:],
        schedule=check_record_every(every), n_draw=n_draw,
    )  # fmt: skip
    assert VectorisedRecorder().n_stages(network(), plan) == expected
