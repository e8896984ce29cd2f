"""torch Datasets as X: streamed to the members, recorded as arrays would be."""

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="the torch extra is not installed")

from torch.utils.data import Dataset, Subset, TensorDataset  # noqa: E402

from sklearn_difficulty import EnsembleDifficulty  # noqa: E402
from sklearn_difficulty._inputs import dataset_labels  # noqa: E402
from sklearn_difficulty._random import MemberStreams  # noqa: E402
from sklearn_difficulty.datasets import load_digits_images  # noqa: E402
from sklearn_difficulty.nets import SkorchCNN, VectorisedCNN  # noqa: E402


@pytest.fixture(scope="module")
def digits():
    X, y = load_digits_images(return_X_y=True)
    return X[:160], y[:160], X[160:220], y[160:220]


class CountingImages(Dataset):
    """Images with ``targets``; counts how many images were read."""

    def __init__(self, X, y):
        self.X, self.targets = torch.as_tensor(X), np.asarray(y)
        self.reads = 0

    def __len__(self):
        return len(self.X)

    def __getitem__(self, index):
        self.reads += 1
        return self.X[index], int(self.targets[index])


def tensors(X, y):
    return TensorDataset(torch.as_tensor(X), torch.as_tensor(y))


NETS = {
    "skorch": lambda: SkorchCNN("mnist", max_epochs=2, batch_size=40),
    "vectorised": lambda: VectorisedCNN("mnist", max_epochs=2, batch_size=40),
}


@pytest.mark.parametrize("name", sorted(NETS))
def test_a_dataset_gives_the_record_of_the_same_images_as_arrays(digits, name):
    X, y, X_test, y_test = digits
    params = dict(n_estimators=2, max_samples=0.8, random_state=0)
    arrays = EnsembleDifficulty(NETS[name](), **params).fit(
        X, y, eval_set={"test": (X_test, y_test)}
    )
    streamed = EnsembleDifficulty(NETS[name](), **params).fit(
        tensors(X, y), eval_set={"test": (tensors(X_test, y_test), None)}
    )
    assert streamed.stage_method_ == name
    for set_name in ("train", "test"):
        np.testing.assert_array_equal(
            streamed.record_.predictions[set_name], arrays.record_.predictions[set_name]
        )
    np.testing.assert_array_equal(streamed.record_.in_bag, arrays.record_.in_bag)
    np.testing.assert_allclose(
        streamed.predict_proba(tensors(X_test, y_test)),
        arrays.predict_proba(X_test),
        rtol=1e-5,
        atol=1e-6,
    )


def test_labels_are_read_without_opening_images(digits):
    X, y, _, _ = digits
    data = CountingImages(X, y)
    np.testing.assert_array_equal(dataset_labels(data), y)
    np.testing.assert_array_equal(dataset_labels(Subset(data, [3, 1])), y[[3, 1]])
    assert data.reads == 0
    np.testing.assert_array_equal(dataset_labels(tensors(X[:5], y[:5])), y[:5])


def test_string_labels_any_labels_and_y_given_with_a_dataset(digits):
    X, y, _, _ = digits
    names = np.array([f"digit {k}" for k in range(10)])
    ed = EnsembleDifficulty(NETS["vectorised"](), n_estimators=2, random_state=0)
    ed.fit(tensors(X, y), names[y])  # y wins over the data set's own labels
    assert set(ed.classes_) <= set(names)
    assert set(ed.predict(tensors(X[:5], y[:5]))) <= set(names)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        ed.fit(tensors(X, y), y[:10])


def test_a_dataset_with_a_resumed_cache(digits, tmp_path):
    X, y, _, _ = digits
    params = dict(n_estimators=2, random_state=0, memory=tmp_path)
    first = EnsembleDifficulty(NETS["skorch"](), **params).fit(CountingImages(X, y))
    again = CountingImages(X, y)
    second = EnsembleDifficulty(NETS["skorch"](), **params).fit(again)
    assert again.reads <= 2  # the members came from the cache
    np.testing.assert_array_equal(
        first.record_.predictions["train"], second.record_.predictions["train"]
    )


def test_a_dataset_needs_a_network(digits):
    from sklearn.tree import DecisionTreeClassifier

    X, y, _, _ = digits
    ed = EnsembleDifficulty(DecisionTreeClassifier(), n_estimators=2, max_samples=0.5)
    with pytest.raises(ValueError, match="read by networks"):
        ed.fit(tensors(X, y))
    with pytest.raises(ValueError, match="requires y to be passed"):
        ed.fit(X.reshape(len(X), -1))


# Several GPUs, simulated ------------------------------------------------------------


def test_groups_are_spread_over_the_gpus_of_the_process(monkeypatch):
    from sklearn_difficulty.nets import spread_over_gpus
    from sklearn_difficulty.nets.skorch_recorder import SkorchRecorder
    from sklearn_difficulty.nets.vectorised import VectorisedRecorder

    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 3)
    assert [spread_over_gpus("cuda", g) for g in range(5)] == [
        "cuda:0", "cuda:1", "cuda:2", "cuda:0", "cuda:1",
    ]  # fmt: skip
    assert spread_over_gpus("cuda:2", 0) == "cuda:2"  # an index is kept
    assert spread_over_gpus("cpu", 1) == "cpu"
    net = SkorchCNN("mnist", device="cuda")
    placed = SkorchRecorder().place(net, 4)
    assert placed.get_params()["device"] == "cuda:1"
    assert net.get_params()["device"] == "cuda"  # the user's net is untouched
    trainer = VectorisedCNN("mnist", device="cuda")
    assert VectorisedRecorder().place(trainer, 2).device == "cuda:2"
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)  # a worker's own GPU
    assert spread_over_gpus("cuda", 5) == "cuda"


def test_groups_are_sized_from_the_plans_images_in_nchw(digits, monkeypatch):
    """member_chunk="auto" on a GPU: the same groups for NCHW, NHWC and a Dataset."""
    from sklearn_difficulty.nets.vectorised import VectorisedRecorder
    from sklearn_difficulty.recorders import MemberPlan

    X, y, _, _ = digits
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "mem_get_info", lambda device: (2**26, 2**30))
    net = VectorisedCNN("mnist", device="cuda", member_chunk="auto")

    def group_size(data, sample_shape):
        plan = MemberPlan(
            X=data, y=y, fit_params={}, scored=(), names=(), targets=(),
            classes=np.arange(10), sample_shape=sample_shape,
        )  # fmt: skip
        return VectorisedRecorder().group_size(net, plan, 1000)

    channels_last = X.transpose(0, 2, 3, 1)
    sizes = {
        group_size(X, X.shape[1:]),
        group_size(channels_last, channels_last.shape[1:]),
        group_size(tensors(X, y), (1, 8, 8)),
    }
    assert len(sizes) == 1 and 1 < sizes.pop() < 1000
    with pytest.raises(ValueError, match="reshape"):
        group_size(X.reshape(len(X), -1), (64,))


def test_every_job_is_placed_with_its_group_index(digits, monkeypatch):
    from sklearn_difficulty.nets.vectorised import VectorisedRecorder

    X, y, _, _ = digits
    groups = []
    place = VectorisedRecorder.place

    def spy(self, estimator, group):
        groups.append(group)
        return place(self, estimator, group)

    monkeypatch.setattr(VectorisedRecorder, "place", spy)
    net = VectorisedCNN("mnist", max_epochs=1, batch_size=40, member_chunk=2)
    EnsembleDifficulty(net, n_estimators=5, random_state=0).fit(X, y)
    assert groups == [0, 1, 2]


def test_a_member_task_for_a_folder_of_20000_images_pickles_small(tmp_path):
    """What joblib sends a worker: the folder's description, not its images."""
    import io
    import pickle

    from PIL import Image

    from sklearn_difficulty.datasets import load_image_folder

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (10, 20, 30)).save(buffer, format="PNG")
    for name in ("a", "b", "c", "d"):
        (tmp_path / name).mkdir()
        for k in range(5000):
            (tmp_path / name / f"{k:05d}.png").write_bytes(buffer.getvalue())
    folder = load_image_folder(tmp_path)
    ed = EnsembleDifficulty(SkorchCNN("mnist"), n_estimators=2, max_samples=0.5)
    recorder, plan = ed._check_and_plan(folder, None, None, None, {})
    task = pickle.dumps((recorder, ed.estimator, plan, [1234]))
    assert len(task) < 1_000_000, len(task)
    X, y, _, _ = plan.training_data(MemberStreams.from_seed(1234))
    assert len(X) == len(y) == 10_000
    assert len(pickle.dumps(X)) < 1_000_000  # a Subset: indices and description


@pytest.mark.parametrize("name", sorted(NETS))
def test_an_image_folder_gives_the_record_of_its_images_as_arrays(tmp_path, name):
    from PIL import Image

    from sklearn_difficulty.datasets import load_image_folder

    X, y = load_digits_images(return_X_y=True)
    pixels = np.round(X[:150, 0] * 255).astype(np.uint8)
    for index, (image, label) in enumerate(zip(pixels, y[:150], strict=True)):
        (tmp_path / f"digit_{label}").mkdir(exist_ok=True)
        Image.fromarray(image).save(tmp_path / f"digit_{label}" / f"{index:04d}.png")
    folder = load_image_folder(tmp_path, mode="L")
    order = [int(Path(path).stem) for path, _ in folder.samples]  # folder order
    arrays = pixels[order][:, np.newaxis].astype(np.float32) / 255
    params = dict(n_estimators=2, max_samples=0.8, random_state=0)
    streamed = EnsembleDifficulty(NETS[name](), **params).fit(folder)
    in_memory = EnsembleDifficulty(NETS[name](), **params).fit(arrays, y[:150][order])
    np.testing.assert_array_equal(
        streamed.record_.predictions["train"], in_memory.record_.predictions["train"]
    )
    assert streamed.classes_.tolist() == list(range(10))


def test_a_corrupt_image_fails_its_members_by_the_failure_policy(tmp_path):
    from PIL import Image

    from sklearn_difficulty import MemberFailedWarning
    from sklearn_difficulty.datasets import load_image_folder

    for label in range(2):
        (tmp_path / f"c{label}").mkdir()
        for k in range(10):
            Image.new("L", (8, 8), 20 * k).save(tmp_path / f"c{label}" / f"{k}.png")
    (tmp_path / "c1" / "9.png").write_bytes(b"not a png")
    folder = load_image_folder(tmp_path, mode="L")
    net = SkorchCNN("mnist", max_epochs=1, batch_size=5)
    with pytest.raises(OSError, match="9.png"):
        EnsembleDifficulty(net, n_estimators=2).fit(folder)
    with pytest.warns(MemberFailedWarning, match="9.png"):
        with pytest.raises(ValueError, match="only 0 of 2 members"):
            EnsembleDifficulty(net, n_estimators=2, on_error="drop").fit(folder)


class Spy(torch.nn.Module):
    """A tiny net that keeps the largest pixel it saw in training and in eval."""

    seen = {"train": 0.0, "eval": 0.0}

    def __init__(self):
        super().__init__()
        self.layers = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 10))

    def forward(self, X):
        mode = "train" if self.training else "eval"
        Spy.seen[mode] = max(Spy.seen[mode], float(X.max()))
        return self.layers(X)


def test_the_recording_pass_never_sees_an_augmented_image(digits):
    from skorch import NeuralNetClassifier

    from sklearn_difficulty.datasets import augmented

    X, y, X_test, y_test = digits
    marked = augmented(tensors(X, y), lambda image: image + 10)  # pixels > 1
    net = NeuralNetClassifier(
        Spy, max_epochs=2, lr=0.1, batch_size=40,
        criterion=torch.nn.CrossEntropyLoss, verbose=0,
    )  # fmt: skip
    Spy.seen.update(train=0.0, eval=0.0)
    ed = EnsembleDifficulty(net, n_estimators=2, random_state=0)
    ed.fit(marked, eval_set={"test": (tensors(X_test, y_test), None)})
    assert Spy.seen["train"] > 10  # members trained on augmented images
    assert Spy.seen["eval"] <= 1  # every recorded prediction saw plain ones
    plain = EnsembleDifficulty(net, n_estimators=2, random_state=0)
    plain.fit(tensors(X, y))
    assert not np.array_equal(
        ed.record_.predictions["train"], plain.record_.predictions["train"]
    )
    with pytest.raises(ValueError, match="augmentation"):
        EnsembleDifficulty(NETS["vectorised"](), n_estimators=2).fit(marked)
