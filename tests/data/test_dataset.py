import numpy as np
import pytest

import npgrad
from npgrad.utils.data import ConcatDataset, Dataset, Subset, TensorDataset, TransformDataset, random_split


def test_tensor_dataset_items_and_len():
    x, y = npgrad.randn(5, 2), npgrad.arange(5)
    ds = TensorDataset(x, y)
    assert len(ds) == 5
    xi, yi = ds[3]
    np.testing.assert_array_equal(xi.numpy(), x.numpy()[3])
    assert yi.item() == 3


def test_tensor_dataset_size_mismatch_names_sizes():
    with pytest.raises(ValueError, match=r"\[5, 4\]"):
        TensorDataset(npgrad.zeros(5, 2), npgrad.zeros(4))


def test_subset_and_concat():
    ds = TensorDataset(npgrad.arange(10))
    s = Subset(ds, [9, 0, 4])
    assert len(s) == 3 and [s[i][0].item() for i in range(3)] == [9, 0, 4]
    c = ConcatDataset([ds, s])
    assert len(c) == 13 and c[10][0].item() == 9 and c[-1][0].item() == 4
    assert len(ds + s) == 13
    with pytest.raises(ValueError):
        ConcatDataset([])


def test_random_split_lengths_and_fractions():
    ds = TensorDataset(npgrad.arange(10))
    parts = random_split(ds, [3, 7], generator=npgrad.Generator().manual_seed(1))
    assert [len(p) for p in parts] == [3, 7]
    seen = sorted(p[i][0].item() for p in parts for i in range(len(p)))
    assert seen == list(range(10))
    assert [len(p) for p in random_split(ds, [0.33, 0.33, 0.34])] == [4, 3, 3]  # remainder round-robin
    with pytest.raises(ValueError, match="sum of input lengths"):
        random_split(ds, [3, 3])


def test_random_split_reproducible():
    ds = TensorDataset(npgrad.arange(20))
    npgrad.manual_seed(5)
    a = random_split(ds, [0.5, 0.5])
    npgrad.manual_seed(5)
    b = random_split(ds, [0.5, 0.5])
    np.testing.assert_array_equal(a[0].indices, b[0].indices)
    c = random_split(ds, [0.5, 0.5], generator=npgrad.Generator().manual_seed(5))
    d = random_split(ds, [0.5, 0.5], generator=npgrad.Generator().manual_seed(5))
    np.testing.assert_array_equal(c[1].indices, d[1].indices)


def test_random_split_lengths_match_torch(torch):
    for fracs in ([0.8, 0.2], [0.33, 0.33, 0.34], [0.1, 0.9]):
        ours = [len(p) for p in random_split(TensorDataset(npgrad.arange(17)), fracs)]
        theirs = [len(p) for p in torch.utils.data.random_split(range(17), fracs)]
        assert ours == theirs


def test_transform_dataset_applies_to_input_and_target():
    ds = TransformDataset(TensorDataset(npgrad.ones(3, 2), npgrad.arange(3)), lambda x: x * 3, lambda y: y + 1)
    x, y = ds[2]
    assert x.tolist() == [3.0, 3.0] and y.item() == 3


def test_base_dataset_requires_getitem():
    with pytest.raises(NotImplementedError):
        Dataset()[0]
