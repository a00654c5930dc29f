import os

import numpy as np
import pytest

import npgrad
from npgrad.train.data import DATASETS, load_data

from tests.sample_data import mnist_t10k


@pytest.mark.parametrize("name", ["moons", "circles", "xor", "spirals"])
def test_toy_sets_are_standardised_and_split_80_20(name):
    d = load_data(name)
    assert d.input_shape == [2] and len(d.x_train) == 800 and len(d.x_test) == 200
    assert d.x_train.dtype == npgrad.float32 and d.y_train.dtype == npgrad.int64
    assert float(d.x_train._data.mean()) == pytest.approx(0.0, abs=1e-5)
    assert float(d.x_train._data.std()) == pytest.approx(1.0, abs=1e-4)
    # stratified: each class has the same share in both parts
    share_tr = np.bincount(d.y_train._data) / 800
    share_te = np.bincount(d.y_test._data) / 200
    np.testing.assert_allclose(share_tr, share_te, atol=0.01)


def test_split_does_not_depend_on_the_global_seed():
    npgrad.manual_seed(1)
    a = load_data("moons")
    npgrad.manual_seed(2)
    b = load_data("moons")
    np.testing.assert_array_equal(a.x_test._data, b.x_test._data)


def test_digits_split_limit_and_given_statistics():
    pytest.importorskip("sklearn")
    d = load_data("digits")
    assert d.input_shape == [1, 8, 8] and d.num_classes == 10 and (len(d.x_train), len(d.x_test)) == (1437, 360)
    assert 0.2 < d.mean < 0.4 and 0.3 < d.std < 0.5
    small = load_data("digits", limit=100, mean=0.5, std=2.0)
    assert len(small.x_train) == 100 and len(small.x_test) == 100 and small.mean == 0.5
    np.testing.assert_allclose(small.x_test._data * 2.0 + 0.5, d.x_test._data[:100] * d.std + d.mean, atol=1e-5)


def test_mnist_test_split_only(tmp_path):
    d = load_data("mnist", root=mnist_t10k(), train=False, mean=0.1307, std=0.3081, limit=50)
    assert d.input_shape == [1, 28, 28] and len(d.x_train) == 0 and len(d.x_test) == 50
    assert d.y_test._data[:3].tolist() == [7, 2, 1]


def test_bad_names_and_limits():
    with pytest.raises(ValueError, match="unknown dataset 'cifar'"):
        load_data("cifar")
    with pytest.raises(ValueError, match="limit"):
        load_data("moons", limit=0)
    assert "digits" in DATASETS and "fashion-mnist" in DATASETS
