"""Neural networks as members: recording, the paper's networks, SkorchCNN."""

import dataclasses
import pickle
import warnings

import numpy as np
import pytest
from sklearn.base import clone

torch = pytest.importorskip("torch", reason="the torch extra is not installed")
skorch = pytest.importorskip("skorch", reason="the torch extra is not installed")

from skorch import NeuralNetClassifier  # noqa: E402
from skorch.callbacks import Callback, EarlyStopping  # noqa: E402
from torch import nn  # noqa: E402
from torch.optim.lr_scheduler import StepLR  # noqa: E402

from sklearn_difficulty import DeviceWarning, EnsembleDifficulty  # noqa: E402
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import (  # noqa: E402
    MODULES,
    STVGG,
    EpochPredictionRecorder,
    MNISTNet,
    SkorchCNN,
    SmallSTVGG,
    images_to_nchw,
)
from sklearn_difficulty.nets.recipes import (  # noqa: E402
    RECIPES,
    Recipe,
    optimizer_class,
    recipe_for,
)


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images(return_X_y=True)
    return X[:240], y[:240], X[240:360], y[240:360]


def small_cnn(**kwargs):
    params = dict(module="mnist", max_epochs=3, batch_size=50)  # the MNIST recipe
    params.update(kwargs)
    return SkorchCNN(**params)


@pytest.fixture(scope="module")
def fitted(digits):
    X, y, X_test, y_test = digits
    return EnsembleDifficulty(small_cnn(), n_estimators=3, random_state=0).fit(
        X, y, eval_set={"test": (X_test, y_test)}
    )


def test_three_cnns_three_epochs_give_four_stages(fitted):
    assert fitted.stage_method_ == "skorch"
    assert fitted.record_.stage_kind == "epoch"
    np.testing.assert_array_equal(fitted.stages_, [0, 1, 2, 3])  # 0: untrained
    assert fitted.consistency_.shape == fitted.consensus_.shape == (4, 240)
    assert fitted.eval_consistency_["test"].shape == (4, 120)
    assert fitted.member_accuracy_.shape == (3, 4)


def test_record_is_an_eval_mode_pass_of_the_saved_member(fitted, digits):
    X, _, X_test, _ = digits
    for m, member in enumerate(fitted.estimators_):
        np.testing.assert_array_equal(
            fitted.record_.predictions["train"][m, -1], member.predict(X)
        )
        np.testing.assert_array_equal(
            fitted.record_.predictions["test"][m, -1], member.predict(X_test)
        )
    # With dropout on (train mode), the same member predicts otherwise.
    member = fitted.estimators_[0]
    torch.manual_seed(0)
    noisy = np.concatenate(
        [
            out.argmax(1).numpy()
            for out in member.forward_iter(images_to_nchw(X), training=True)
        ]
    )
    assert not np.array_equal(noisy, fitted.record_.predictions["train"][0, -1])


def test_members_keep_no_recorder_and_no_data(fitted):
    for member in fitted.estimators_:
        names = [name for name, _ in member.callbacks_]
        assert "sklearn_difficulty_recorder" not in names
        assert "train_loss" in names


def test_members_differ_and_get_their_own_batch_order(fitted):
    predictions = fitted.record_.predictions["train"]
    assert not np.array_equal(predictions[0], predictions[1])
    first = [m.module_.features[0].weight.detach() for m in fitted.estimators_]
    assert not torch.equal(first[0], first[1])
    generators = [m.iterator_train__generator for m in fitted.estimators_]
    assert all(m.iterator_train__shuffle for m in fitted.estimators_)
    states = [g.get_state() for g in generators]
    assert not torch.equal(states[0], states[1])


def test_same_random_state_same_record_whatever_n_jobs_or_backend():
    import joblib

    X, y = load_digits_images(return_X_y=True)
    X, y = X[:700], y[:700]

    def fit(**kwargs):
        net = small_cnn(module="small_st_vgg", max_epochs=2)
        ed = EnsembleDifficulty(net, n_estimators=2, random_state=0, **kwargs)
        return ed.fit(X, y).record_.predictions["train"]

    threads = torch.get_num_threads()
    reference = fit(n_jobs=1)
    assert torch.get_num_threads() == threads  # restored after the members
    np.testing.assert_array_equal(fit(n_jobs=2), reference)
    with joblib.parallel_config(backend="threading", n_jobs=2):
        np.testing.assert_array_equal(fit(), reference)


class TinyMLP(nn.Module):
    def __init__(self, n_hidden=16):
        super().__init__()
        self.layers = nn.Sequential(
            nn.Flatten(), nn.Linear(64, n_hidden), nn.ReLU(), nn.Linear(n_hidden, 10)
        )

    def forward(self, X):
        return self.layers(X)


def test_a_users_own_skorch_module_with_string_labels(digits):
    X, y, X_test, y_test = digits
    names = np.array([f"digit {k}" for k in range(10)])
    net = NeuralNetClassifier(
        TinyMLP,
        criterion=nn.CrossEntropyLoss,
        optimizer=torch.optim.Adam,
        max_epochs=4,
        lr=0.02,
        verbose=0,
    )
    ed = EnsembleDifficulty(net, n_estimators=2, random_state=0)
    ed.fit(
        X.reshape(-1, 64), names[y], eval_set=[(X_test.reshape(-1, 64), names[y_test])]
    )
    np.testing.assert_array_equal(ed.stages_, [0, 1, 2, 3, 4])
    assert set(ed.predict(X_test.reshape(-1, 64))) <= set(names)
    assert ed.score(X_test.reshape(-1, 64), names[y_test]) > 0.5
    for member in ed.estimators_:
        assert member.train_split is None  # skorch's hidden split is switched off
        assert member.history[-1, "train_loss"] > 0
        assert "valid_loss" not in member.history[-1]


def test_early_stopping_keeps_the_last_epoch(digits):
    X, y, _, _ = digits
    net = small_cnn(
        max_epochs=8,
        callbacks=[EarlyStopping(monitor="train_loss", patience=1, threshold=10.0)],
    )
    ed = EnsembleDifficulty(net, n_estimators=2, stage_step=3, random_state=0).fit(X, y)
    last = [len(m.history) for m in ed.estimators_]
    assert max(last) < 8
    assert ed.stages_[-1] == max(last)
    for m, member in enumerate(ed.estimators_):
        np.testing.assert_array_equal(
            ed.record_.predictions["train"][m, -1], member.predict(X)
        )


def test_switched_off_callbacks_are_refused(digits):
    X, y, _, _ = digits
    ed = EnsembleDifficulty(small_cnn(callbacks="disable"), n_estimators=1)
    with pytest.raises(ValueError, match="recording of every epoch"):
        ed.fit(X, y)


def test_recorder_alone(digits):
    X, y, X_test, _ = digits
    recorder = EpochPredictionRecorder([X_test, X[:10]], every=2)
    net = small_cnn(callbacks=[recorder]).fit(X, y)
    assert recorder.epochs_ == [0, 2, 3]
    assert [p.shape for p in recorder.predictions_[1]] == [(10,)] * 3
    np.testing.assert_array_equal(recorder.predictions_[0][-1], net.predict(X_test))
    untrained = recorder.predictions_[0][0]
    assert not np.array_equal(untrained, recorder.predictions_[0][-1])
    recorder.set_params(initial=False)
    small_cnn(callbacks=[recorder]).fit(X, y)
    assert recorder.epochs_ == [2, 3]


# The paper's networks ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MODULES))
@pytest.mark.parametrize("shape", [(1, 8, 8), (3, 32, 32), (1, 28, 28)])
def test_networks_adapt_to_input_shape_and_classes(name, shape):
    module = MODULES[name](input_shape=shape, n_classes=7)
    assert module(torch.zeros(2, *shape)).shape == (2, 7)


def test_xavier_initialisation():
    torch.manual_seed(0)
    module = STVGG(input_shape=(3, 32, 32), n_classes=5)
    for layer in module.modules():
        if isinstance(layer, nn.Conv2d | nn.Linear):
            fan_in, fan_out = nn.init._calculate_fan_in_and_fan_out(layer.weight)
            bound = np.sqrt(6 / (fan_in + fan_out))
            weights = layer.weight.detach().abs()
            assert weights.max() <= bound
            assert weights.max() > 0.9 * bound
            assert torch.all(layer.bias == 0)


def test_st_vgg_matches_the_paper():
    module = STVGG(input_shape=(3, 32, 32), n_classes=5)
    convs = [layer for layer in module.modules() if isinstance(layer, nn.Conv2d)]
    assert [c.out_channels for c in convs] == [32, 32, 64, 64, 128, 128, 256, 256]
    assert [c.kernel_size for c in convs] == [(3, 3)] * 6 + [(2, 2)] * 2
    dense = [layer for layer in module.modules() if isinstance(layer, nn.Linear)]
    assert [d.out_features for d in dense] == [512, 5]
    drops = [layer.p for layer in module.modules() if isinstance(layer, nn.Dropout)]
    assert drops == [0.25] * 4 + [0.5]
    assert sum(isinstance(x, nn.MaxPool2d) for x in module.modules()) == 4
    small = SmallSTVGG(input_shape=(3, 32, 32), n_classes=5)
    assert [d.out_features for d in small.modules() if isinstance(d, nn.Linear)] == [
        128,
        5,
    ]
    mnist = MNISTNet(input_shape=(1, 28, 28), n_classes=10)
    assert mnist.classifier[1].in_features == 64 * 12 * 12


@pytest.mark.parametrize("cls", [STVGG, SmallSTVGG, MNISTNet])
def test_linear_variant_has_no_non_linearity(cls):
    module = cls(input_shape=(3, 16, 16), n_classes=4, linear=True).eval()
    kinds = {type(layer) for layer in module.modules()}
    assert not kinds & {nn.ReLU, nn.MaxPool2d}
    assert nn.AvgPool2d in kinds
    torch.manual_seed(0)
    a, b = torch.randn(3, 3, 16, 16), torch.randn(3, 3, 16, 16)
    zero = module(torch.zeros(1, 3, 16, 16))
    with torch.no_grad():  # affine: f(2a - b) - f(0) = 2 (f(a) - f(0)) - (f(b) - f(0))
        left = module(2 * a - b) - zero
        right = 2 * (module(a) - zero) - (module(b) - zero)
    torch.testing.assert_close(left, right, rtol=1e-4, atol=1e-4)
    non_linear = cls(input_shape=(3, 16, 16), n_classes=4).eval()
    assert nn.ReLU in {type(layer) for layer in non_linear.modules()}


def test_networks_without_dropout():
    module = STVGG(input_shape=(3, 32, 32), n_classes=5, dropout=False)
    assert not any(isinstance(layer, nn.Dropout) for layer in module.modules())


def test_too_small_images_and_bad_shapes():
    with pytest.raises(ValueError, match="too small"):
        MNISTNet(input_shape=(1, 3, 3), n_classes=2)
    with pytest.raises(ValueError, match="channels, height, width"):
        STVGG(input_shape=(32, 32), n_classes=2)


# SkorchCNN -------------------------------------------------------------------


def test_recipes_follow_the_paper():
    # Supplementary A: st-VGG and small st-VGG, SGD at 0.05 divided by 1.8
    # every 20 epochs, batches of 100; the MNIST network, AdaDelta at 1 for
    # 12 epochs, batches of 100.
    for name in ("st_vgg", "small_st_vgg"):
        assert RECIPES[name] == Recipe(
            optimizer="sgd",
            lr=0.05,
            lr_step=20,
            lr_decay=1.8,
            max_epochs=140,
            batch_size=100,
            momentum=0.0,
            weight_decay=0.0,
        )
    assert RECIPES["mnist"] == Recipe(
        optimizer="adadelta",
        lr=1.0,
        lr_step=None,
        lr_decay=None,
        max_epochs=12,
        batch_size=100,
        momentum=0.0,
        weight_decay=0.0,
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        RECIPES["mnist"].lr = 0.1
    assert set(RECIPES) == set(MODULES)


def test_recipe_of_a_module_name_class_or_instance():
    assert recipe_for("mnist") is RECIPES["mnist"]
    assert recipe_for(MNISTNet) is RECIPES["mnist"]
    assert (
        recipe_for(SmallSTVGG(input_shape=(1, 8, 8), n_classes=2))
        is RECIPES["small_st_vgg"]
    )

    class WiderMNISTNet(MNISTNet):
        pass

    assert recipe_for(WiderMNISTNet) is RECIPES["mnist"]
    assert recipe_for(TinyMLP) is RECIPES["st_vgg"]  # a module of one's own
    assert recipe_for(TinyMLP()) is RECIPES["st_vgg"]
    assert recipe_for("vgg19") is RECIPES["st_vgg"]  # torchvision's VGG-19
    with pytest.raises(ValueError, match="unknown module 'vgg99'"):
        recipe_for("vgg99")
    assert optimizer_class("sgd") is torch.optim.SGD
    assert optimizer_class("adadelta") is torch.optim.Adadelta
    assert optimizer_class("adam") is torch.optim.Adam
    with pytest.raises(ValueError, match="unknown optimizer 'rmsprop'"):
        optimizer_class("rmsprop")


RECIPE_PARAMS = ("optimizer", "lr", "max_epochs", "lr_step", "lr_decay")


def test_skorch_cnn_defaults_follow_the_paper():
    net = SkorchCNN()
    assert net.module == "st_vgg"
    assert all(net.get_params()[name] == "auto" for name in RECIPE_PARAMS)
    assert net.batch_size == 100
    assert net.criterion is nn.CrossEntropyLoss
    assert net.train_split is None
    assert net.iterator_train__shuffle
    assert net.random_state is None


def _unchanged(before, after):
    assert before.keys() == after.keys()
    for key, value in before.items():
        assert after[key] is value or after[key] == value, key


def test_a_module_of_ones_own_trains_with_the_st_vgg_recipe(digits):
    X, y, _, _ = digits
    net = SkorchCNN(TinyMLP, random_state=0)
    before = net.get_params(deep=False)
    net.fit(X[:100], y[:100])  # one batch an epoch
    _unchanged(before, net.get_params(deep=False))
    assert type(net.optimizer_) is torch.optim.SGD
    assert len(net.history) == 140
    assert net.optimizer_.param_groups[0]["momentum"] == 0
    # divided by 1.8 after epochs 20, 40, ..., 140
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.05 / 1.8**7)
    scheduler = dict(net.callbacks_)["lr_scheduler"]
    assert scheduler.policy is StepLR and scheduler.kwargs["step_size"] == 20


def test_st_vgg_gets_its_recipe_before_any_data():
    net = SkorchCNN(module__input_shape=(1, 8, 8), module__n_classes=3).initialize()
    assert type(net.optimizer_) is torch.optim.SGD
    assert net.optimizer_.param_groups[0]["lr"] == 0.05
    assert dict(net.callbacks_)["lr_scheduler"].kwargs["gamma"] == 1 / 1.8


def test_the_mnist_network_trains_with_the_mnist_recipe(digits):
    X, y, _, _ = digits
    net = SkorchCNN("mnist", random_state=0)
    before = net.get_params(deep=False)
    net.fit(X[:100], y[:100])
    _unchanged(before, net.get_params(deep=False))
    assert type(net.optimizer_) is torch.optim.Adadelta
    assert net.optimizer_.param_groups[0]["lr"] == 1.0  # constant: no schedule
    assert "lr_scheduler" not in dict(net.callbacks_)
    assert len(net.history) == 12
    assert net.score(X[:100], y[:100]) > 0.5


def test_explicit_values_win_over_the_recipe(digits):
    X, y, _, _ = digits
    net = small_cnn(
        optimizer="sgd", lr=0.1, lr_step=1, lr_decay=2.0, optimizer__momentum=0.9
    ).fit(X, y)
    assert type(net.optimizer_) is torch.optim.SGD
    assert net.optimizer_.param_groups[0]["momentum"] == 0.9
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.1 / 2**3)
    assert len(net.history) == 3
    net = small_cnn(optimizer=torch.optim.Adam, lr=0.01, max_epochs=1).fit(X, y)
    assert type(net.optimizer_) is torch.optim.Adam
    assert net.optimizer_.param_groups[0]["lr"] == 0.01
    net = small_cnn(optimizer__lr=0.5, max_epochs=1).fit(X, y)
    assert net.optimizer_.param_groups[0]["lr"] == 0.5


@pytest.mark.parametrize(
    "params, message",
    [
        ({"optimizer": "sgd"}, "give lr"),
        ({"lr_step": 5}, "lr_decay"),
        ({"lr_decay": 2.0}, "lr_step"),
        ({"optimizer": "rmsprop"}, "unknown optimizer 'rmsprop'"),
    ],
)
def test_recipe_values_that_do_not_go_together(digits, params, message):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match=message):
        small_cnn(max_epochs=1, **params).fit(X, y)


def test_learning_rate_is_divided_by_1_8_every_step(digits):
    X, y, _, _ = digits
    net = small_cnn(optimizer="sgd", lr=0.1, lr_step=1, lr_decay=1.8).fit(X, y)
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.1 / 1.8**3)
    net = small_cnn(
        module="small_st_vgg", max_epochs=2, callbacks__lr_scheduler__step_size=2
    ).fit(X, y)
    assert net.optimizer_.param_groups[0]["lr"] == pytest.approx(0.05 / 1.8)


def test_random_state_alone_fixes_weights_dropout_and_batch_order(digits):
    X, y, X_test, _ = digits

    def fit(random_state, global_seed, **kwargs):
        torch.manual_seed(global_seed)
        user_state = torch.get_rng_state()
        net = small_cnn(random_state=random_state, **kwargs).fit(X, y)
        assert torch.equal(torch.get_rng_state(), user_state)  # left untouched
        return net

    first, second = fit(0, global_seed=1), fit(0, global_seed=2)
    np.testing.assert_array_equal(
        first.predict_proba(X_test), second.predict_proba(X_test)
    )
    assert first.history[:, "train_loss"] == second.history[:, "train_loss"]
    other = fit(1, global_seed=1)
    assert not np.allclose(first.predict_proba(X_test), other.predict_proba(X_test))
    # dropout masks and batch order come from it too: the same initial weights
    # trained in another batch order, or with other masks, end elsewhere
    order = torch.Generator().manual_seed(5)
    shuffled = fit(0, global_seed=1, iterator_train__generator=order)
    assert shuffled.history[:, "train_loss"] != first.history[:, "train_loss"]
    # a fitted net's streams go on: one epoch, then one more, is two epochs
    split = fit(0, global_seed=3, max_epochs=1)
    split.partial_fit(X, y)
    two = fit(0, global_seed=4, max_epochs=2)
    np.testing.assert_array_equal(
        split.predict_proba(X_test), two.predict_proba(X_test)
    )


class BatchLabels(Callback):
    def initialize(self):
        self.labels_ = []
        return self

    def on_batch_begin(self, net, batch=None, training=False, **kwargs):
        if training:
            self.labels_.append(batch[1].numpy().copy())


def test_batch_order_is_a_stream_of_its_own(digits):
    # Dropout draws from the weights' stream; the batch order is the same
    # whether there are dropout masks to draw or not.
    X, y, _, _ = digits
    orders = []
    for dropout in (True, False):
        batches = BatchLabels()
        small_cnn(random_state=0, module__dropout=dropout, callbacks=[batches]).fit(
            X, y
        )
        orders.append(np.concatenate(batches.labels_))
    np.testing.assert_array_equal(*orders)


def test_members_get_their_own_random_state(digits):
    X, y, _, _ = digits

    def fit():
        net = SkorchCNN("mnist", max_epochs=2)
        ed = EnsembleDifficulty(net, n_estimators=2, random_state=0)
        return ed.fit(X[:200], y[:200])

    first, second = fit(), fit()
    seeds = [member.random_state for member in first.estimators_]
    assert None not in seeds and seeds[0] != seeds[1]
    assert seeds == [member.random_state for member in second.estimators_]
    np.testing.assert_array_equal(
        first.record_.predictions["train"], second.record_.predictions["train"]
    )
    assert not np.array_equal(*first.record_.predictions["train"][:, -1])


def test_channels_last_images_give_the_same_network(digits):
    X, y, X_test, _ = digits
    rgb = np.repeat(X, 3, axis=1)  # (N, 3, 8, 8)
    torch.manual_seed(0)
    first = small_cnn(max_epochs=1).fit(rgb, y)
    torch.manual_seed(0)
    last = small_cnn(max_epochs=1).fit(rgb.transpose(0, 2, 3, 1), y)
    rgb_test = np.repeat(X_test, 3, axis=1)
    np.testing.assert_array_equal(
        first.predict(rgb_test), last.predict(rgb_test.transpose(0, 2, 3, 1))
    )


# Precision and memory format -------------------------------------------------


@pytest.fixture
def one_torch_thread():
    """One thread, as each member has: OpenMP threads on a busy machine slow
    down many times."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.mark.usefixtures("one_torch_thread")
def test_bfloat16_runs_the_forward_pass_in_bfloat16_and_learns(digits):
    X, y, X_test, y_test = digits
    full = small_cnn(random_state=0).fit(X, y)
    mixed = small_cnn(random_state=0, precision="bfloat16").fit(X, y)
    dtypes = []
    conv = mixed.module_.features[0]
    hook = conv.register_forward_hook(lambda *args: dtypes.append(args[2].dtype))
    proba = mixed.predict_proba(X_test)
    hook.remove()
    assert set(dtypes) == {torch.bfloat16}  # under autocast
    assert proba.dtype == np.float32  # the output back in float32
    assert mixed.infer(torch.as_tensor(X_test[:4])).dtype == torch.float32
    assert all(p.dtype == torch.float32 for p in mixed.module_.parameters())
    assert np.mean(proba.argmax(1) == y_test) > 0.4  # it learns (chance: 0.1)
    agree = np.mean(proba.argmax(1) == full.predict(X_test))
    assert agree > 0.8


@pytest.mark.usefixtures("one_torch_thread")
def test_channels_last_gives_the_same_predictions(digits):
    X, y, X_test, _ = digits
    rgb, rgb_test = np.repeat(X, 3, axis=1), np.repeat(X_test, 3, axis=1)
    # Without dropout: its masks are drawn in memory order.
    default = small_cnn(random_state=0, module__dropout=False).fit(rgb, y)
    last = small_cnn(random_state=0, module__dropout=False, channels_last=True)
    last.fit(rgb, y)
    for conv in [m for m in last.module_.modules() if isinstance(m, nn.Conv2d)]:
        assert conv.weight.is_contiguous(memory_format=torch.channels_last)
        assert not conv.weight.is_contiguous()
    batches = []
    hook = last.module_.register_forward_pre_hook(
        lambda module, args: batches.append(args[0])
    )
    proba = last.predict_proba(rgb_test)
    hook.remove()
    assert all(b.is_contiguous(memory_format=torch.channels_last) for b in batches)
    assert all(not b.is_contiguous() for b in batches)
    np.testing.assert_allclose(
        proba, default.predict_proba(rgb_test), rtol=1e-4, atol=1e-5
    )


@pytest.mark.parametrize(
    "params, message",
    [
        ({"precision": "float16"}, "precision must be one of.*got 'float16'"),
        ({"precision": torch.bfloat16}, "precision must be one of"),
        ({"channels_last": "yes"}, "channels_last must be True or False"),
    ],
)
def test_precision_and_channels_last_errors(digits, params, message):
    X, y, _, _ = digits
    net = small_cnn(max_epochs=1, **params)
    with pytest.raises(ValueError, match=message):
        net.fit(X, y)
    params = SkorchCNN().get_params()
    assert params["precision"] == "float32" and params["channels_last"] is False


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((5, 64)), "reshape"),
        (np.zeros((5, 8, 8)), "channel axis"),
        (np.zeros((5, 7, 8, 9)), "cannot tell the channel axis"),
        (np.zeros((5, 1, 8, 8), dtype=object), "must be numbers"),
    ],
)
def test_bad_images(X, message):
    with pytest.raises(ValueError, match=message):
        images_to_nchw(X)


def test_skorch_cnn_errors(digits):
    X, y, _, _ = digits
    with pytest.raises(ValueError, match="class indices"):
        small_cnn().fit(X, np.array(["a", "b"])[y % 2])
    with pytest.raises(ValueError, match="unknown module 'vgg99'"):
        small_cnn(module="vgg99").fit(X, y)
    with pytest.raises(ValueError, match="reshape"):
        EnsembleDifficulty(small_cnn(), n_estimators=1).fit(X.reshape(-1, 64), y)


def test_eval_images_of_another_shape_are_refused(digits):
    X, y, _, _ = digits
    ed = EnsembleDifficulty(small_cnn(), n_estimators=1)
    with pytest.raises(ValueError, match="samples of shape"):
        ed.fit(X, y, eval_set=[(np.zeros((4, 1, 9, 9)), y[:4])])


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here: see next test")
def test_cuda_asked_without_a_gpu_runs_on_the_cpu_with_a_warning(digits):
    X, y, _, _ = digits
    with pytest.warns(DeviceWarning, match="CUDA is not available"):
        ed = EnsembleDifficulty(small_cnn(device="cuda", max_epochs=1), n_estimators=1)
        ed.fit(X, y)
    assert ed.estimators_[0].device == "cpu"
    with pytest.warns(DeviceWarning):
        small_cnn(device="cuda", max_epochs=1).fit(X, y)


@pytest.mark.skipif(torch.cuda.is_available(), reason="a GPU is here")
def test_a_fitted_net_keeps_the_device_it_was_asked_for(digits):
    X, y, X_test, _ = digits
    net = small_cnn(device="cuda", max_epochs=1)
    with pytest.warns(DeviceWarning, match="CUDA is not available"):
        net.fit(X, y)
    assert net.get_params()["device"] == "cuda"
    assert net.device_ == "cpu"
    assert net.module_.features[0].weight.device.type == "cpu"
    assert clone(net).get_params()["device"] == "cuda"
    predicted = net.predict_proba(X_test)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DeviceWarning from skorch either
        copy = pickle.loads(pickle.dumps(net))
    assert copy.get_params()["device"] == "cuda" and copy.device_ == "cpu"
    np.testing.assert_array_equal(copy.predict_proba(X_test), predicted)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a GPU")
def test_members_share_a_gpu(digits):  # pragma: no cover - GPU machines only
    X, y, _, _ = digits
    ed = EnsembleDifficulty(small_cnn(device="cuda"), n_estimators=2, n_jobs=2)
    ed.fit(X, y)
    assert all(
        str(m.module_.features[0].weight.device).startswith("cuda")
        for m in ed.estimators_
    )
