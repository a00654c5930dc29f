"""The datasets of the ``npgrad`` command, loaded as standardised train/test tensors.

Every dataset has a fixed train/test split (independent of the training seed), so runs with
different seeds are compared on the same test examples.  Inputs are standardised with one mean
and one standard deviation measured on the training split; both go into the checkpoint so that
``npgrad predict`` prepares a new image exactly as the training images were prepared.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..tensor import Tensor

__all__ = ["DATASETS", "IMAGE_DATASETS", "DataSplit", "load_data", "standardise"]

IMAGE_DATASETS = ("digits", "mnist", "fashion-mnist")
TOY_DATASETS = ("moons", "circles", "xor", "spirals")
DATASETS = IMAGE_DATASETS + TOY_DATASETS

# Fixed seed of every split and generated toy set: the test examples never depend on --seed.
SPLIT_SEED = 0
TOY_SAMPLES = 1000


@dataclass
class DataSplit:
    """Train and test tensors plus what a checkpoint needs to prepare new inputs the same way."""
    name: str
    x_train: Tensor
    y_train: Tensor
    x_test: Tensor
    y_test: Tensor
    classes: list
    mean: float = 0.0
    std: float = 1.0
    extra: dict = field(default_factory=dict)

    @property
    def input_shape(self):
        return list(self.x_train.shape[1:])

    @property
    def num_classes(self):
        return len(self.classes)


def _const(arr):
    return Tensor._make(np.ascontiguousarray(arr), None, False, None)


def standardise(x, mean, std):
    """``(x - mean) / std`` in float32 (a new array)."""
    out = np.subtract(x, np.float32(mean), dtype=np.float32)
    out /= np.float32(std)
    return out


def load_data(name, root=None, download=False, limit=None, mean=None, std=None, train=True):
    """Load dataset ``name`` (one of :data:`DATASETS`) as a standardised :class:`DataSplit`.

    ``limit`` keeps the first ``limit`` training examples and at most ``limit`` test examples.
    ``mean``/``std`` (a checkpoint's) replace the training split's statistics.  ``train=False`` skips
    reading MNIST's training file when only the test split is needed (evaluation).

    >>> split = load_data("moons")
    >>> split.input_shape, split.num_classes, len(split.x_train), len(split.x_test)
    ([2], 2, 800, 200)
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}; choose one of {', '.join(DATASETS)}")
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be a positive number of examples, got {limit}")
    if name == "digits":
        x_tr, y_tr, x_te, y_te, classes = _digits()
    elif name in ("mnist", "fashion-mnist"):
        x_tr, y_tr, x_te, y_te, classes = _mnist(name, root, download, limit, train)
    else:
        x_tr, y_tr, x_te, y_te, classes = _toy(name)
    if limit is not None:
        x_tr, y_tr, x_te, y_te = x_tr[:limit], y_tr[:limit], x_te[:limit], y_te[:limit]
    if mean is None or std is None:
        if len(x_tr) == 0:
            raise ValueError(f"{name}: no training examples to measure the mean and std from")
        mean, std = float(x_tr.mean(dtype=np.float64)), float(x_tr.std(dtype=np.float64)) or 1.0
    return DataSplit(name, _const(standardise(x_tr, mean, std)), _const(y_tr),
                     _const(standardise(x_te, mean, std)), _const(y_te), classes, mean, std)


def _digits():
    """scikit-learn's 1,797 8x8 digits, pixels in [0, 1]; a stratified 80/20 split."""
    from ..datasets import load_digits, train_test_split
    x, y = load_digits()
    x_tr, x_te, y_tr, y_te = train_test_split(x._data, y._data, test_size=0.2, random_state=SPLIT_SEED,
                                              stratify=y._data)
    return x_tr, y_tr, x_te, y_te, [str(i) for i in range(10)]


def _mnist(name, root, download, limit, need_train):
    """MNIST or Fashion-MNIST's own 60k/10k split; pixels scaled to [0, 1], shape (N, 1, 28, 28)."""
    from ..datasets import MNIST, FashionMNIST
    cls = MNIST if name == "mnist" else FashionMNIST
    test = cls(root, train=False, download=download)
    x_te, y_te = _scaled(test, limit)
    x_tr, y_tr = _scaled(cls(root, train=True, download=download), limit) if need_train else (x_te[:0], y_te[:0])
    classes = [str(i) for i in range(10)] if name == "mnist" else list(cls.classes)
    return x_tr, y_tr, x_te, y_te, classes


def _scaled(ds, limit):
    # Scale only the examples that are kept: a float32 copy of all 60,000 images costs 188 MB.
    n = len(ds) if limit is None else min(limit, len(ds))
    return np.divide(ds.data._data[:n, None], 255.0, dtype=np.float32), ds.targets._data[:n]


def _toy(name):
    """1,000 generated 2-D points (fixed seed), stratified 80/20 split."""
    from .. import datasets as D
    make = {"moons": lambda: D.make_moons(TOY_SAMPLES, noise=0.2, random_state=SPLIT_SEED),
            "circles": lambda: D.make_circles(TOY_SAMPLES, noise=0.1, factor=0.5, random_state=SPLIT_SEED),
            "xor": lambda: D.make_xor(TOY_SAMPLES, noise=0.3, random_state=SPLIT_SEED),
            "spirals": lambda: D.make_spirals(TOY_SAMPLES, n_classes=3, turns=1.0, noise=0.04,
                                              random_state=SPLIT_SEED)}
    x, y = make[name]()
    x_tr, x_te, y_tr, y_te = D.train_test_split(x._data, y._data, test_size=0.2, random_state=SPLIT_SEED,
                                                stratify=y._data)
    return x_tr, y_tr, x_te, y_te, [str(c) for c in range(int(y._data.max()) + 1)]
