"""One checked input object for every kind of X the ensemble takes."""

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import BaseEstimator

from sklearn_difficulty._inputs import (
    ArrayInputs,
    DatasetInputs,
    check_eval_sets,
    check_inputs,
    check_training_inputs,
)


class Holder(BaseEstimator):
    """What check_inputs sets its attributes on."""


def images(n=12):
    rng = np.random.RandomState(0)
    return rng.rand(n, 1, 4, 4).astype(np.float32), np.arange(n) % 3


@pytest.mark.parametrize(
    "kind", ["array", "sparse", "images", "dataframe", "dataset", "subset"]
)
def test_every_kind_of_input_gives_its_size_shape_labels_and_forms(kind):
    X, y = images()
    expected_shape = (16,)
    if kind == "array":
        data = X.reshape(12, -1)
    elif kind == "sparse":
        data = sp.csr_matrix(X.reshape(12, -1))
    elif kind == "images":
        data, expected_shape = X, (1, 4, 4)
    elif kind == "dataframe":
        pd = pytest.importorskip("pandas")
        data = pd.DataFrame(X.reshape(12, -1), columns=[f"p{i}" for i in range(16)])
    else:
        torch = pytest.importorskip("torch")
        from torch.utils.data import Subset, TensorDataset

        data = TensorDataset(torch.as_tensor(X), torch.as_tensor(y))
        expected_shape = (1, 4, 4)
        if kind == "subset":
            data, y = Subset(data, list(range(2, 12))), y[2:]
    holder = Holder()
    labelled = check_training_inputs(holder, data, None if "set" in kind else y)
    inputs = labelled.inputs
    np.testing.assert_array_equal(labelled.y, y)
    assert inputs.n_samples == len(y) and inputs.sample_shape == expected_shape
    assert holder.sample_shape_ == expected_shape
    assert holder.n_features_in_ == expected_shape[0]
    codes = np.unique(y, return_inverse=True)[1]
    learns_codes = "set" in kind
    members = inputs.for_members(codes, learns_codes=learns_codes, reader="a")
    scoring = inputs.for_scoring(codes)
    if "set" in kind:
        assert isinstance(inputs, DatasetInputs)
        assert [int(members[i][1]) for i in range(len(y))] == codes.tolist()
        assert [int(scoring[i][1]) for i in range(len(y))] == codes.tolist()
        with pytest.raises(ValueError, match="recorded by 'a': give it arrays"):
            inputs.for_members(codes, learns_codes=False, reader="a")
    else:
        assert isinstance(inputs, ArrayInputs)
        assert members is scoring is inputs.data
        assert type(members) is type(data) or kind != "dataframe"
    again = check_inputs(holder, data, reset=False)
    assert again.n_samples == len(y) and again.sample_shape == expected_shape


def test_per_example_fit_parameters_and_sample_weight_are_checked():
    X, y = images()
    inputs = check_training_inputs(Holder(), X.reshape(12, -1), y).inputs
    params = inputs.sample_params({"row_info": np.arange(12)}, np.ones(12))
    assert set(params) == {"row_info", "sample_weight"}
    with pytest.raises(ValueError, match="sample_weight.shape == \\(11,\\)"):
        inputs.sample_params({}, np.ones(11))


def test_an_input_of_another_shape_is_refused_after_fit():
    X, y = images()
    holder = Holder()
    check_training_inputs(holder, X, y)
    with pytest.raises(ValueError, match="X has samples of shape \\(1, 2, 8\\)"):
        check_inputs(holder, X.reshape(12, 1, 2, 8), reset=False)
    with pytest.raises(ValueError, match="requires y to be passed"):
        check_training_inputs(holder, X, None)


def test_evaluation_sets_are_named_checked_and_encoded():
    X, y = images()
    holder = Holder()
    check_training_inputs(holder, X, y)
    classes = np.array([0, 1, 2])
    (first, second) = check_eval_sets(holder, [(X[:4], y[:4]), (X[4:], y[4:])], classes)
    assert (first.name, second.name) == ("eval_0", "eval_1")
    np.testing.assert_array_equal(second.codes, y[4:])
    with pytest.raises(ValueError, match="labels never seen in training: \\[7\\]"):
        check_eval_sets(holder, {"test": (X[:2], [0, 7])}, classes)
    with pytest.raises(ValueError, match="distinct strings other than 'train'"):
        check_eval_sets(holder, {"train": (X[:2], [0, 1])}, classes)
    with pytest.raises(TypeError, match="must be a list of \\(X, y\\) pairs"):
        check_eval_sets(holder, (X, y), classes)
    with pytest.raises(ValueError, match="in the evaluation set 'test'"):
        try:
            check_eval_sets(holder, {"test": (X[:2], [0, 1, 2])}, classes)
        except ValueError as error:  # the note names the set
            raise ValueError(" ".join([str(error), *error.__notes__])) from error
