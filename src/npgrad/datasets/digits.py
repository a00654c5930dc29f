"""The 1,797 real 8x8 handwritten digits that ship inside scikit-learn, and a seeded split.

scikit-learn is an optional extra (``pip install scikit-learn`` or ``pip install npgrad[digits]``);
it is only imported when ``load_digits`` is called.
"""
from __future__ import annotations

import numpy as np

from ..random import _gen
from ..tensor import Tensor
from ..utils.data.dataset import TensorDataset


def _const(arr):
    return Tensor._make(arr, None, False, None)


def load_digits(flatten=False, as_dataset=False):
    """The UCI handwritten digits bundled with scikit-learn, as npgrad tensors.

    Returns ``(images, targets)``: float32 images scaled from 0..16 to [0, 1], shaped
    (1797, 1, 8, 8), or (1797, 64) with ``flatten=True``; int64 targets 0..9.  With
    ``as_dataset=True`` returns a ``TensorDataset`` of the two instead.

    >>> from npgrad.datasets import load_digits
    >>> X, y = load_digits(flatten=True)
    >>> X.shape, X.dtype, y.dtype, float(X.max())
    (torch.Size([1797, 64]), torch.float32, torch.int64, 1.0)
    """
    from .._optional import require
    _sk_load_digits = require("sklearn.datasets", "load_digits (scikit-learn bundles the digits)").load_digits
    bunch = _sk_load_digits()
    images = np.divide(bunch.images, 16.0, dtype=np.float32)
    images = images.reshape(len(images), 64) if flatten else images[:, None]
    X, y = _const(np.ascontiguousarray(images)), _const(bunch.target.astype(np.int64))
    return TensorDataset(X, y) if as_dataset else (X, y)


def _n_test(n, test_size):
    if isinstance(test_size, float):
        if not 0.0 < test_size < 1.0:
            raise ValueError(f"train_test_split: a float test_size must be in (0, 1), got {test_size}")
        k = int(np.ceil(n * test_size))
    elif isinstance(test_size, (int, np.integer)) and not isinstance(test_size, bool):
        k = int(test_size)
    else:
        raise TypeError(f"train_test_split: test_size must be a float or an int, got {test_size!r}")
    if not 0 < k < n:
        raise ValueError(f"train_test_split: test_size={test_size} leaves an empty train or test set "
                         f"for {n} samples")
    return k


def _stratified_test_index(labels, k, rng):
    """``k`` test indices drawn from every class in proportion to its size."""
    classes, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse)
    quota = np.floor(counts * k / len(labels)).astype(np.int64)
    # hand the rounding remainder to the classes with the largest fractional parts
    order = np.argsort(-(counts * k / len(labels) - quota), kind="stable")
    quota[order[: k - quota.sum()]] += 1
    picks = [rng.permutation(np.flatnonzero(inverse == c))[:q] for c, q in enumerate(quota)]
    return np.concatenate(picks)


def train_test_split(*arrays, test_size=0.25, random_state=None, shuffle=True, stratify=None):
    """Split tensors (or arrays) along their first axis into train and test parts.

    Returns ``[a_train, a_test, b_train, b_test, ...]`` like scikit-learn.  ``random_state``
    (an int or an ``npgrad.Generator``) makes the split reproducible; ``None`` draws from
    npgrad's global generator.  ``stratify`` (labels) keeps the class proportions in both parts.

    >>> import npgrad
    >>> from npgrad.datasets import train_test_split
    >>> X, y = npgrad.randn(10, 2), npgrad.arange(10)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.2, random_state=0)
    >>> X_tr.shape, y_te.shape
    (torch.Size([8, 2]), torch.Size([2]))
    """
    if not arrays:
        raise ValueError("train_test_split: at least one array required as input")
    n = len(arrays[0])
    lengths = [len(a) for a in arrays]
    if len(set(lengths)) != 1:
        raise ValueError(f"train_test_split: found input variables with inconsistent numbers of samples: {lengths}")
    k = _n_test(n, test_size)
    rng = _rng(random_state)
    if stratify is not None:
        labels = np.asarray(stratify._data if isinstance(stratify, Tensor) else stratify).reshape(n, -1)[:, 0]
        test = _stratified_test_index(labels, k, rng)
        mask = np.zeros(n, bool)
        mask[test] = True
        train = np.flatnonzero(~mask)
        train, test = rng.permutation(train), rng.permutation(test)
    else:
        order = rng.permutation(n) if shuffle else np.arange(n)
        train, test = order[: n - k], order[n - k:]
    out = []
    for a in arrays:
        data = a._data if isinstance(a, Tensor) else np.asarray(a)
        wrap = _const if isinstance(a, Tensor) else (lambda x: x)
        out += [wrap(data[train]), wrap(data[test])]
    return out


def _rng(random_state):
    if random_state is None or hasattr(random_state, "manual_seed"):
        return _gen(random_state)
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.default_rng(int(random_state))
    raise TypeError(f"train_test_split: random_state must be None, an int or an npgrad.Generator, "
                    f"got {random_state!r}")
