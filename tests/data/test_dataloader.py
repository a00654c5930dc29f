import numpy as np
import pytest

import npgrad
from npgrad.utils.data import (BatchSampler, DataLoader, Dataset, IterableDataset, RandomSampler,
                               SequentialSampler, Subset, TensorDataset, TransformDataset, default_collate)
from npgrad.utils.data import transforms as T


def _ds(n=10, d=3):
    return TensorDataset(npgrad.randn(n, d), npgrad.arange(n))


class CountingTensorDataset(TensorDataset):
    """Fails the test if the loader ever falls back to per-sample access."""

    calls = 0

    def __getitem__(self, index):
        type(self).calls += 1
        return super().__getitem__(index)


class ListDataset(Dataset):
    def __init__(self, items):
        self.items = items

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        return self.items[i]


def test_batches_shapes_dtypes_and_len():
    x = npgrad.randn(10, 3)
    loader = DataLoader(TensorDataset(x, npgrad.arange(10)), batch_size=4)
    batches = list(loader)
    assert len(loader) == 3 == len(batches)
    assert [tuple(b[0].shape) for b in batches] == [(4, 3), (4, 3), (2, 3)]
    assert all(b[0].dtype == npgrad.float32 and b[1].dtype == npgrad.int64 for b in batches)
    np.testing.assert_array_equal(np.concatenate([b[0].numpy() for b in batches]), x.numpy())
    xb, yb = batches[1]  # unpacks like PyTorch's list of tensors
    np.testing.assert_array_equal(yb.numpy(), [4, 5, 6, 7])


def test_drop_last_and_len():
    ds = _ds(10)
    loader = DataLoader(ds, batch_size=4, drop_last=True)
    assert len(loader) == 2
    assert [len(b[1]) for b in loader] == [4, 4]
    assert len(DataLoader(ds, batch_size=5, drop_last=True)) == 2
    assert len(DataLoader(ds, batch_size=3, shuffle=True, drop_last=False)) == 4


def test_shuffle_is_a_permutation_reproducible_from_manual_seed():
    ds = _ds(23)
    npgrad.manual_seed(7)
    a = [b[1].numpy().copy() for b in DataLoader(ds, batch_size=5, shuffle=True)]
    npgrad.manual_seed(7)
    b = [b[1].numpy().copy() for b in DataLoader(ds, batch_size=5, shuffle=True)]
    assert all((u == v).all() for u, v in zip(a, b))
    order = np.concatenate(a)
    assert sorted(order.tolist()) == list(range(23))
    assert not (order == np.arange(23)).all()


def test_shuffle_changes_between_epochs_and_follows_generator():
    ds = _ds(50)
    loader = DataLoader(ds, batch_size=50, shuffle=True, generator=npgrad.Generator().manual_seed(3))
    e1, e2 = (next(iter(loader))[1].numpy().copy() for _ in range(2))
    assert not (e1 == e2).all()
    again = DataLoader(ds, batch_size=50, shuffle=True, generator=npgrad.Generator().manual_seed(3))
    np.testing.assert_array_equal(next(iter(again))[1].numpy(), e1)


def test_in_memory_path_gathers_without_per_sample_getitem():
    CountingTensorDataset.calls = 0
    ds = CountingTensorDataset(npgrad.randn(100, 4), npgrad.arange(100))
    for loader in (DataLoader(ds, batch_size=16, shuffle=True), DataLoader(ds, batch_size=16),
                   DataLoader(Subset(ds, list(range(0, 100, 3))), batch_size=8, shuffle=True),
                   DataLoader(TransformDataset(ds, T.Lambda(lambda x: x * 2, batched=True)), batch_size=8)):
        total = sum(len(y) for _, y in loader)
        assert total == len(loader.dataset)
    assert CountingTensorDataset.calls == 0


def test_gathered_batch_is_a_copy_not_a_view():
    x = npgrad.zeros(6, 2)
    for shuffle in (False, True):
        xb, _ = next(iter(DataLoader(TensorDataset(x, npgrad.arange(6)), batch_size=3, shuffle=shuffle)))
        xb.add_(1.0)
        assert float(x.abs().sum()) == 0.0


def test_non_batch_safe_transform_goes_sample_by_sample():
    CountingTensorDataset.calls = 0
    ds = CountingTensorDataset(npgrad.ones(6, 1, 2, 2), npgrad.arange(6))
    flat = TransformDataset(ds, T.Lambda(lambda img: img.reshape(-1)))  # per-image semantics
    xb, yb = next(iter(DataLoader(flat, batch_size=3)))
    assert tuple(xb.shape) == (3, 4)
    assert CountingTensorDataset.calls == 3


def test_generic_path_default_collate_dicts_tuples_numbers():
    items = [{"x": np.full(2, i, np.float32), "y": i, "w": float(i), "name": f"s{i}"} for i in range(5)]
    batches = list(DataLoader(ListDataset(items), batch_size=2))
    assert len(batches) == 3
    b = batches[0]
    assert b["x"].dtype == npgrad.float32 and tuple(b["x"].shape) == (2, 2)
    assert b["y"].dtype == npgrad.int64 and b["y"].tolist() == [0, 1]
    assert b["w"].dtype == npgrad.float64  # Python floats collate to float64, as in PyTorch
    assert b["name"] == ["s0", "s1"]
    pairs = ListDataset([(npgrad.tensor([float(i)]), i) for i in range(4)])
    xb, yb = next(iter(DataLoader(pairs, batch_size=4)))
    assert tuple(xb.shape) == (4, 1) and yb.tolist() == [0, 1, 2, 3]


def test_custom_collate_fn_receives_samples():
    seen = []

    def collate(batch):
        seen.append(len(batch))
        return len(batch)

    out = list(DataLoader(_ds(7), batch_size=3, collate_fn=collate))
    assert out == [3, 3, 1] and seen == [3, 3, 1]


def test_default_collate_errors_name_the_problem():
    with pytest.raises(RuntimeError, match="equal size"):
        default_collate([npgrad.zeros(2), npgrad.zeros(3)])
    with pytest.raises(TypeError, match="default_collate"):
        default_collate([object(), object()])


def test_collate_matches_torch(torch):
    from torch.utils.data import default_collate as tdc
    batch = [(np.float32(i), i, float(i) / 2, np.arange(3, dtype=np.float32) * i) for i in range(4)]
    ours, theirs = default_collate(batch), tdc(batch)
    assert isinstance(ours, list) and isinstance(theirs, list)
    for a, b in zip(ours, theirs):
        assert str(a.dtype).split(".")[-1] == str(b.dtype).split(".")[-1]
        np.testing.assert_array_equal(a.numpy(), b.numpy())


def test_batch_size_none_and_samplers_and_batch_sampler():
    ds = _ds(5)
    samples = list(DataLoader(ds, batch_size=None))
    assert len(samples) == 5 and samples[2][1].item() == 2
    loader = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 2, False))
    assert [b[1].tolist() for b in loader] == [[0, 1], [2, 3], [4]]
    loader = DataLoader(ds, batch_size=2, sampler=[4, 3, 2, 1, 0])
    assert [b[1].tolist() for b in loader] == [[4, 3], [2, 1], [0]]
    assert len(list(RandomSampler(ds, replacement=True, num_samples=12))) == 12


def test_iterable_dataset():
    class Stream(IterableDataset):
        def __iter__(self):
            return iter([(np.float32(i), i) for i in range(5)])

    assert [b[1].tolist() for b in DataLoader(Stream(), batch_size=2)] == [[0, 1], [2, 3], [4]]
    assert len(list(DataLoader(Stream(), batch_size=2, drop_last=True))) == 2
    with pytest.raises(ValueError, match="IterableDataset"):
        DataLoader(Stream(), shuffle=True)


@pytest.mark.parametrize("kwargs, match", [
    (dict(batch_size=0), "batch_size"),
    (dict(num_workers=-1), "num_workers"),
    (dict(sampler=[0, 1], shuffle=True), "mutually exclusive"),
    (dict(batch_size=None, drop_last=True), "drop_last"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        DataLoader(_ds(4), **kwargs)


def test_num_workers_accepted():
    with pytest.warns(UserWarning, match="no accelerator is found"):
        assert len(list(DataLoader(_ds(4), batch_size=2, num_workers=2, pin_memory=True))) == 2


def test_requires_grad_tensor_gather_is_differentiable():
    w = npgrad.randn(6, 2, requires_grad=True)
    xb, = next(iter(DataLoader(TensorDataset(w), batch_size=4, shuffle=True)))
    xb.sum().backward()
    assert float(w.grad.sum()) == 8.0


def test_pin_memory_without_accelerator_warns_as_torch(torch):
    import warnings

    def caught(lib):
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(lib.zeros(4, 2)), batch_size=2, pin_memory=True)
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            n = len(list(loader))
        return n, [str(x.message) for x in w if "pin_memory" in str(x.message)]
    assert caught(npgrad) == caught(torch)
