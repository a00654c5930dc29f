"""Datasets shaped like ``torch.utils.data``: map-style ``Dataset`` and its in-memory helpers.

A dataset may also define ``_get_batch(indices)``: given an int64 index array it returns the
whole collated batch (a list of tensors) with one fancy-index per stored array.  ``DataLoader``
uses it when present, so in-memory data is never gathered with a Python loop over samples.
"""
from __future__ import annotations

import bisect
import math

import numpy as np

from ... import _backend
from ...random import _gen
from ...tensor import Tensor


def _as_index_array(indices):
    """Batch indices as an int64 array; a ``slice`` (contiguous batch) is kept as is."""
    if isinstance(indices, slice):
        return indices
    return np.asarray(indices, dtype=np.int64).reshape(-1)


def _take(t, idx):
    """``t[idx]`` as a new array made by one gather (or one copy of a contiguous slice).

    ``np.take`` along axis 0 copies whole rows and beats plain fancy indexing.

    The copy keeps batches independent of the dataset, so in-place ops on a batch are safe.
    Autograd tracks the gather only when ``t`` requires grad.
    """
    if t.requires_grad:
        return t[idx if isinstance(idx, slice) else Tensor._make(idx, None, False, None)]
    if isinstance(idx, slice):
        return Tensor._make(t._data[idx].copy(), None, False, None)
    try:
        if type(t._data) is np.ndarray:
            out = np.take(t._data, idx, axis=0)
        else:  # data on a device: the (host) indices go there; checked here, as a GPU gather wraps around
            n = t._data.shape[0]
            if idx.size and (idx.max() >= n or idx.min() < -n):
                raise IndexError
            out = np.take(t._data, _backend.like(t._data, idx), axis=0)
    except IndexError:  # say it as PyTorch does (and which index), not as NumPy
        n = t._data.shape[0]
        bad = idx[(idx >= n) | (idx < -n)].flat[0]
        raise IndexError(f"index {bad} is out of bounds for dimension 0 with size {n} (a sampler or batch_sampler "
                         f"gave an index outside the dataset of length {n})") from None
    return Tensor._make(out, None, False, None)


class Dataset:
    """Base class of map-style datasets: subclasses define ``__getitem__`` and ``__len__``.

    >>> from npgrad.utils.data import Dataset
    >>> class Squares(Dataset):
    ...     def __len__(self): return 4
    ...     def __getitem__(self, i): return i * i
    >>> Squares()[3]
    9
    """

    def __getitem__(self, index):
        raise NotImplementedError(f"{type(self).__name__} must implement __getitem__")

    def __add__(self, other):
        return ConcatDataset([self, other])


class IterableDataset(Dataset):
    """A dataset that is a stream: subclasses define ``__iter__`` (``DataLoader`` batches it in order)."""

    def __iter__(self):
        raise NotImplementedError(f"{type(self).__name__} must implement __iter__")


class _SizeMismatch(AssertionError, ValueError):
    """PyTorch raises AssertionError here; a ValueError is what the mistake is, so both catch it."""


class TensorDataset(Dataset):
    """Samples are the rows of tensors that share their first dimension.

    Batches are gathered with one fancy-index per tensor (see ``DataLoader``).

    >>> import npgrad
    >>> from npgrad.utils.data import TensorDataset
    >>> ds = TensorDataset(npgrad.zeros(5, 2), npgrad.arange(5))
    >>> len(ds), ds[1][1]
    (5, tensor(1))
    """

    def __init__(self, *tensors):
        if not tensors:
            raise ValueError("TensorDataset: needs at least one tensor")
        tensors = tuple(t if isinstance(t, Tensor) else Tensor._make(np.asarray(t), None, False, None)
                        for t in tensors)
        sizes = [t.shape[0] if t.ndim else None for t in tensors]
        if any(s is None for s in sizes) or len(set(sizes)) != 1:
            raise _SizeMismatch(f"TensorDataset: Size mismatch between tensors: first dimensions are {sizes}; "
                             "all tensors must have the same size in the first dimension")
        self.tensors = tensors

    def __getitem__(self, index):
        return tuple(t[index] for t in self.tensors)

    def __len__(self):
        return self.tensors[0].shape[0]

    def _get_batch(self, indices):
        idx = _as_index_array(indices)
        return [_take(t, idx) for t in self.tensors]


class TransformDataset(Dataset):
    """Applies ``transform`` to the first field (the input) of every sample, or of a whole batch.

    Transforms from ``npgrad.utils.data.transforms`` work on one image (C,H,W) and on a batch
    (N,C,H,W), so an in-memory dataset stays on the one-gather-per-batch path.

    >>> import npgrad
    >>> from npgrad.utils.data import TensorDataset, TransformDataset
    >>> ds = TransformDataset(TensorDataset(npgrad.ones(4, 1, 2, 2), npgrad.arange(4)), lambda x: x * 2)
    >>> ds[0][0].sum().item()
    8.0
    """

    def __init__(self, dataset, transform=None, target_transform=None):
        self.dataset = dataset
        self.transform = transform
        self.target_transform = target_transform

    def __len__(self):
        return len(self.dataset)

    def _apply(self, sample):
        sample = list(sample) if isinstance(sample, (tuple, list)) else [sample]
        if self.transform is not None:
            sample[0] = self.transform(sample[0])
        if self.target_transform is not None and len(sample) > 1:
            sample[1] = self.target_transform(sample[1])
        return sample

    def __getitem__(self, index):
        return tuple(self._apply(self.dataset[index]))

    def __getattr__(self, name):
        # Only expose the batched path when the wrapped dataset has one and the transforms
        # give the same result on a batch as image by image.
        from .transforms import is_batch_safe
        d = self.__dict__
        if name == "_get_batch" and hasattr(d.get("dataset"), "_get_batch") \
                and is_batch_safe(d.get("transform")) and is_batch_safe(d.get("target_transform")):
            return lambda indices: self._apply(self.dataset._get_batch(indices))
        raise AttributeError(name)


class Subset(Dataset):
    """The samples of ``dataset`` at ``indices``.

    >>> import npgrad
    >>> from npgrad.utils.data import Subset, TensorDataset
    >>> s = Subset(TensorDataset(npgrad.arange(10)), [7, 2])
    >>> len(s), s[0][0].item()
    (2, 7)
    """

    def __init__(self, dataset, indices):
        self.dataset = dataset
        self.indices = indices
        self._idx = _as_index_array(indices._data if isinstance(indices, Tensor) else indices)

    def __getitem__(self, idx):
        if isinstance(idx, list):
            return self.dataset[[int(self._idx[i]) for i in idx]]
        return self.dataset[int(self._idx[idx])]

    def __len__(self):
        return len(self._idx)

    def __getattr__(self, name):
        if name == "_get_batch" and hasattr(self.__dict__.get("dataset"), "_get_batch"):
            return lambda indices: self.dataset._get_batch(self._idx[_as_index_array(indices)])
        raise AttributeError(name)


class ConcatDataset(Dataset):
    """The concatenation of several datasets.

    >>> import npgrad
    >>> from npgrad.utils.data import ConcatDataset, TensorDataset
    >>> c = ConcatDataset([TensorDataset(npgrad.arange(3)), TensorDataset(npgrad.arange(2))])
    >>> len(c), c[4][0].item()
    (5, 1)
    """

    def __init__(self, datasets):
        self.datasets = list(datasets)
        if not self.datasets:
            raise ValueError("ConcatDataset: datasets should not be an empty iterable")
        for d in self.datasets:
            if isinstance(d, IterableDataset):
                raise TypeError("ConcatDataset: does not support IterableDataset")
        self.cumulative_sizes = list(np.cumsum([len(d) for d in self.datasets]).tolist())

    def __len__(self):
        return self.cumulative_sizes[-1]

    def __getitem__(self, idx):
        if idx < 0:
            if -idx > len(self):
                raise ValueError("ConcatDataset: absolute value of index should not exceed dataset length")
            idx = len(self) + idx
        d = bisect.bisect_right(self.cumulative_sizes, idx)
        start = self.cumulative_sizes[d - 1] if d > 0 else 0
        return self.datasets[d][idx - start]


def _split_lengths(n, lengths):
    """Integer split sizes; fractions summing to 1 get the remainder round-robin, as in PyTorch."""
    lengths = list(lengths)
    if math.isclose(sum(lengths), 1) and sum(lengths) <= 1:
        sizes = []
        for i, frac in enumerate(lengths):
            if frac < 0 or frac > 1:
                raise ValueError(f"random_split: fraction at index {i} is not between 0 and 1, got {frac}")
            sizes.append(int(math.floor(n * frac)))
        for i in range(n - sum(sizes)):
            sizes[i % len(sizes)] += 1
        lengths = sizes
    if any(not isinstance(x, (int, np.integer)) or x < 0 for x in lengths):
        raise ValueError(f"random_split: lengths must be non-negative ints or fractions summing to 1, "
                         f"got {lengths}")
    if sum(lengths) != n:
        raise ValueError(f"random_split: sum of input lengths ({sum(lengths)}) does not equal the length "
                         f"of the input dataset ({n})")
    return lengths


def random_split(dataset, lengths, generator=None):
    """Split ``dataset`` into non-overlapping random ``Subset``s of the given lengths or fractions.

    Draws from ``generator`` or npgrad's global generator (reproducible with ``npgrad.manual_seed``).

    >>> import npgrad
    >>> from npgrad.utils.data import TensorDataset, random_split
    >>> train, test = random_split(TensorDataset(npgrad.arange(10)), [0.8, 0.2],
    ...                            generator=npgrad.Generator().manual_seed(0))
    >>> len(train), len(test)
    (8, 2)
    """
    lengths = _split_lengths(len(dataset), lengths)
    perm = _gen(generator).permutation(sum(lengths))
    bounds = np.cumsum([0] + lengths)
    return [Subset(dataset, perm[a:b]) for a, b in zip(bounds[:-1], bounds[1:])]
