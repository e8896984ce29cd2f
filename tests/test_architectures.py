"""torchvision's architectures as members: built for the data, from scratch."""

import numpy as np
import pytest
from sklearn.base import clone

torch = pytest.importorskip("torch", reason="the torch extra is not installed")
pytest.importorskip("skorch", reason="the torch extra is not installed")
torchvision = pytest.importorskip(
    "torchvision", reason="the torch extra is not installed"
)

from torch import nn  # noqa: E402

from sklearn_difficulty.nets import (  # noqa: E402
    MODULES,
    STVGG,
    Architecture,
    SkorchCNN,
    build_architecture,
    list_architectures,
)
from sklearn_difficulty.nets.architectures import (  # noqa: E402
    SMALL_INPUT_RULES,
    minimum_input_size,
)
from sklearn_difficulty.nets.modules import (  # noqa: E402
    adapts_to_data,
    resolve_module,
)
from sklearn_difficulty.nets.recipes import RECIPES, recipe_for  # noqa: E402

SHAPES = [(3, 32, 32), (1, 28, 28)]


@pytest.fixture(autouse=True, scope="module")
def one_torch_thread():
    """One thread, as each member has: the networks are too small to gain from
    more, and OpenMP threads slow down many times on a busy machine."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def first_conv(model):
    return next(layer for layer in model.modules() if isinstance(layer, nn.Conv2d))


def test_torchvision_names_are_modules_built_for_the_data():
    names = list_architectures()
    models = torchvision.models
    assert set(names) == set(models.list_models(module=models))
    for name in ("resnet18", "resnet50", "alexnet", "densenet121", "vgg16"):
        module = resolve_module(name)
        assert module == Architecture(name)
        assert adapts_to_data(module)
        assert recipe_for(name) is RECIPES["st_vgg"]  # the default recipe
    # The paper's networks, and classes or instances, as before.
    for name, cls in MODULES.items():
        assert resolve_module(name) is cls
        assert adapts_to_data(cls)
    instance = STVGG(input_shape=(3, 8, 8), n_classes=2)
    assert resolve_module(instance) is instance
    assert resolve_module(nn.Linear) is nn.Linear
    assert not adapts_to_data(nn.Linear)
    assert not adapts_to_data(instance)
    with pytest.raises(ValueError, match="unknown module 'resnet7'.*'resnet18'"):
        resolve_module("resnet7")
    with pytest.raises(ValueError, match="unknown torchvision architecture 'st_vgg'"):
        Architecture("st_vgg")


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("name", ["resnet18", "alexnet", "vgg11"])
def test_small_networks_run_on_cifar_and_mnist_images(name, shape):
    model = build_architecture(name, shape, n_classes=7).eval()
    assert first_conv(model).in_channels == shape[0]
    with torch.no_grad():
        assert model(torch.randn(2, *shape)).shape == (2, 7)


@pytest.mark.parametrize("shape", SHAPES)
def test_densenet_is_built_for_small_images(shape):
    densenet = build_architecture("densenet121", shape, n_classes=5)
    assert densenet.features.conv0.in_channels == shape[0]
    assert densenet.features.conv0.kernel_size == (3, 3)
    assert isinstance(densenet.features.pool0, nn.Identity)
    if shape == (3, 32, 32):  # one forward pass
        with torch.no_grad():
            assert densenet.eval()(torch.randn(2, *shape)).shape == (2, 5)


def test_vgg16_runs_on_cifar_images():
    vgg = build_architecture("vgg16", (3, 32, 32), n_classes=5).eval()
    with torch.no_grad():
        assert vgg(torch.randn(2, 3, 32, 32)).shape == (2, 5)


def meta_build(*args, **kwargs):
    """The network's layers without drawing its weights: a structure, fast."""
    with torch.device("meta"):
        return build_architecture(*args, **kwargs)


def test_small_input_rules():
    assert set(SMALL_INPUT_RULES) == {"resnet", "densenet", "alexnet", "vgg"}
    small = meta_build("resnet18", (3, 32, 32), 4)  # "auto": below 64
    assert small.conv1.kernel_size == (3, 3) and small.conv1.stride == (1, 1)
    assert isinstance(small.maxpool, nn.Identity)
    large = meta_build("resnet18", (3, 64, 64), 4)
    assert large.conv1.kernel_size == (7, 7) and large.conv1.stride == (2, 2)
    assert isinstance(large.maxpool, nn.MaxPool2d)
    forced = meta_build("resnet18", (3, 64, 64), 4, small_input=True)
    assert forced.conv1.kernel_size == (3, 3)
    kept = meta_build("resnet18", (3, 32, 32), 4, small_input=False)
    assert kept.conv1.kernel_size == (7, 7)
    alexnet = meta_build("alexnet", (3, 32, 32), 4)
    assert alexnet.features[0].kernel_size == (3, 3)
    assert alexnet.features[0].stride == (1, 1)
    vgg = meta_build("vgg11", (1, 28, 28), 4)
    pools = [layer for layer in vgg.features if isinstance(layer, nn.MaxPool2d)]
    assert len(pools) == 5 and all(pool.ceil_mode for pool in pools)
    widths = [
        layer.out_features for layer in vgg.classifier if hasattr(layer, "out_features")
    ]
    assert widths == [512, 512, 4]
    # Other families have no rule: "auto" keeps them, True is an error.
    efficientnet = meta_build("efficientnet_b0", (3, 32, 32), 4)
    assert first_conv(efficientnet).stride == (2, 2)
    with pytest.raises(ValueError, match="efficientnet_b0 has no small-input rule"):
        build_architecture("efficientnet_b0", (3, 32, 32), 4, small_input=True)
    with pytest.raises(ValueError, match="small_input must be 'auto', True or False"):
        build_architecture("resnet18", (3, 32, 32), 4, small_input="yes")


def test_other_channels_keep_the_initial_weights():
    torch.manual_seed(0)
    rgb = build_architecture("resnet18", (3, 64, 64), 4)
    torch.manual_seed(0)
    grey = build_architecture("resnet18", (1, 64, 64), 4)
    torch.manual_seed(0)
    rgba = build_architecture("resnet18", (4, 64, 64), 4)
    assert grey.conv1.in_channels == 1 and rgba.conv1.in_channels == 4
    torch.testing.assert_close(grey.conv1.weight, rgb.conv1.weight[:, :1])
    torch.testing.assert_close(rgba.conv1.weight, rgb.conv1.weight[:, [0, 1, 2, 0]])
    torch.testing.assert_close(grey.fc.weight, rgb.fc.weight)


def test_too_small_images_name_the_smallest_size():
    with pytest.raises(ValueError, match=r"too small for alexnet.*63x63.*15x15"):
        build_architecture("alexnet", (3, 32, 32), 4, small_input=False)
    with pytest.raises(ValueError, match=r"too small for alexnet.*at least 15x15"):
        build_architecture("alexnet", (1, 8, 8), 4)
    with pytest.raises(ValueError, match=r"too small for vgg16.*at least 32x32"):
        meta_build("vgg16", (1, 28, 28), 4, small_input=False)
    assert minimum_input_size("alexnet") == 63
    assert minimum_input_size("alexnet", small_input=True) == 15
    assert minimum_input_size("vgg11") == 32
    assert minimum_input_size("vgg11", small_input=True) == 1
    assert minimum_input_size("resnet18", small_input=True) == 1
    assert minimum_input_size("vit_b_16") == 16
    X = np.zeros((4, 3, 32, 32), dtype=np.float32)
    net = SkorchCNN("alexnet", module__small_input=False, max_epochs=1)
    with pytest.raises(ValueError, match="too small for alexnet"):
        net.fit(X, np.array([0, 1, 0, 1]))


def test_architectures_built_for_one_size_take_it_from_the_data():
    vit = meta_build("vit_b_16", (1, 32, 32), 3)
    assert vit.image_size == 32 and vit.conv_proj.in_channels == 1
    with pytest.raises(ValueError, match="vit_b_16 takes square images"):
        build_architecture("vit_b_16", (3, 32, 48), 3)
    with pytest.raises(ValueError, match="vit_b_16 cannot be built .* patch size"):
        build_architecture("vit_b_16", (3, 20, 20), 3)
    with pytest.raises(ValueError, match="weights cannot be given for resnet18"):
        build_architecture("resnet18", (3, 32, 32), 3, weights="DEFAULT")


def test_skorch_cnn_trains_a_torchvision_network():
    rng = np.random.default_rng(0)
    X = rng.random((32, 3, 32, 32), dtype=np.float32)
    y = np.arange(32) % 4
    net = SkorchCNN("resnet18", max_epochs=1, batch_size=16, random_state=0)
    net.fit(X, y)
    assert isinstance(net.module_, torchvision.models.ResNet)
    assert net.module_.conv1.kernel_size == (3, 3)  # small_input="auto"
    assert net.module_.fc.out_features == 4
    assert type(net.optimizer_).__name__ == "SGD"  # st-VGG's recipe
    assert net.predict(X[:4]).shape == (4,)
    assert clone(net).get_params()["module"] == "resnet18"
