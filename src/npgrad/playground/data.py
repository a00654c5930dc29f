"""The playground's points: npgrad's toy generators on a common scale, the input features, CSV upload.

Every dataset lives in the square [-DOMAIN, DOMAIN]² so the decision-boundary picture, the neuron
heat maps and ``sin x`` features mean the same thing for all of them.

>>> X, y, task = make_points("circles", 100, noise=0.0, seed=0)
>>> X.shape, task, float(abs(X).max()) <= DOMAIN
((100, 2), 'classification', True)
"""
from __future__ import annotations

import csv
import io

import numpy as np

import npgrad
from npgrad import datasets

from .config import LIMITS, task_of

DOMAIN = 3.0


class CSVError(ValueError):
    """An uploaded file that is not two numeric feature columns and a label column."""


def _np(t):
    return np.asarray(t.numpy(), dtype=np.float32)


def make_points(name, n, noise, seed):
    """``(X, y, task)``: X float32 (n, 2) within the domain, y float32 (n,), 0/1 for classification."""
    if name == "circles":
        X, y = datasets.make_circles(n, noise=noise, factor=0.5, random_state=seed)
        X, y = _np(X) * 2.4, _np(y)                # the inner circle is class 1
    elif name == "xor":
        X, y = datasets.make_xor(n, noise=noise * 2, random_state=seed)
        X, y = _np(X) * 1.5, _np(y)
    elif name == "moons":
        X, y = datasets.make_moons(n, noise=noise, random_state=seed)
        X, y = (_np(X) - np.array([0.5, 0.25], np.float32)) * 1.7, _np(y)
    elif name == "spirals":
        X, y = datasets.make_spirals(n, noise=noise / 2, turns=1.25, random_state=seed)
        X, y = _np(X) * 2.8, _np(y)
    elif name == "gaussian":
        X, y = datasets.make_blobs(n, centers=[[1.4, 1.4], [-1.4, -1.4]], cluster_std=0.4 + 2 * noise,
                                   random_state=seed)
        X, y = _np(X), _np(y)
    elif name == "plane":
        X, y = datasets.make_regression(n, 2, noise=noise * 30, random_state=seed)
        X, y = _np(X), _np(y)
        y = y / max(float(np.abs(y).max()), 1e-6)
    elif name == "bumps":
        X, _ = datasets.make_regression(n, 2, random_state=seed)
        X = npgrad.from_numpy(np.clip(_np(X) * 1.2, -DOMAIN, DOMAIN))
        bump = lambda c: npgrad.exp(-((X - npgrad.tensor(c)) ** 2).sum(1))      # noqa: E731
        gen = npgrad.Generator().manual_seed(seed)
        y = bump([1.0, 1.0]) - bump([-1.0, -1.0]) + noise * npgrad.randn(n, generator=gen)
        X, y = _np(X), _np(y)
    else:
        raise ValueError(f"make_points: unknown dataset {name!r}")
    return np.clip(X, -DOMAIN, DOMAIN), y, task_of(name)


def features(X, names):
    """The network's input columns, computed with npgrad ops from the raw (x1, x2) points."""
    X = X if isinstance(X, npgrad.Tensor) else npgrad.from_numpy(np.asarray(X, np.float32))
    x1, x2 = X[:, 0], X[:, 1]
    table = {"x1": lambda: x1, "x2": lambda: x2, "x1^2": lambda: x1 * x1, "x2^2": lambda: x2 * x2,
             "x1x2": lambda: x1 * x2, "sin_x1": lambda: npgrad.sin(x1), "sin_x2": lambda: npgrad.sin(x2)}
    return npgrad.stack([table[n]() for n in names], dim=1)


def split(n, train_frac, seed):
    """Indices of the training and test points: a seeded permutation cut at ``train_frac``."""
    perm = np.random.RandomState(seed + 1).permutation(n)
    cut = min(max(int(round(n * train_frac)), 1), n - 1)
    return perm[:cut], perm[cut:]


def grid(n):
    """An n x n grid of points over the domain, row by row from the top (x2 = +DOMAIN) down."""
    ticks = np.linspace(-DOMAIN, DOMAIN, n, dtype=np.float32)
    gx, gy = np.meshgrid(ticks, ticks[::-1])
    return np.stack([gx.ravel(), gy.ravel()], axis=1)


def parse_csv(text):
    """Read an uploaded CSV of ``x1, x2, label`` rows (an optional header line is skipped).

    Returns ``(X, y, task, note)``.  Labels with exactly two distinct values are a classification
    (the smaller value is class 0); other numeric labels a regression.  The points are scaled into
    the domain; labels of a regression to [-1, 1].

    >>> X, y, task, note = parse_csv("x1,x2,label\\n0,0,0\\n1,1,1\\n0,1,1\\n")
    >>> task, y.tolist()
    ('classification', [0.0, 1.0, 1.0])
    """
    if not isinstance(text, str):
        raise CSVError("the CSV must be sent as text")
    if len(text.encode("utf-8", "replace")) > LIMITS["csv_bytes"]:
        raise CSVError(f"the file is larger than {LIMITS['csv_bytes'] // 1000} kB")
    rows = _rows(text)
    if len(rows) < 4:
        raise CSVError(f"need at least 4 data rows (x1, x2, label), found {len(rows)}")
    note = []
    if len(rows) > LIMITS["csv_rows"]:
        note.append(f"only the first {LIMITS['csv_rows']} of {len(rows)} rows are used")
        rows = rows[:LIMITS["csv_rows"]]
    data = np.array(rows, dtype=np.float64)
    X, labels = data[:, :2], data[:, 2]
    values = np.unique(labels)
    if len(values) < 2:
        raise CSVError(f"every label is {values[0]:g}: need two classes or varying targets")
    if len(values) == 2:
        y, task = (labels == values[1]).astype(np.float32), "classification"
        note.append(f"two label values ({values[0]:g}, {values[1]:g}): classification")
    else:
        y = (labels / max(np.abs(labels).max(), 1e-12)).astype(np.float32)
        task = "regression"
        note.append(f"{len(values)} distinct label values: regression (targets scaled to [-1, 1])")
    centre = (X.max(0) + X.min(0)) / 2
    span = max(np.abs(X - centre).max(), 1e-12)
    X = ((X - centre) * (DOMAIN * 0.9 / span)).astype(np.float32)
    return X, y, task, "; ".join(note)


def _rows(text):
    rows = []
    reader = csv.reader(io.StringIO(text.replace(";", ",").replace("\t", ",")))
    for lineno, row in enumerate(reader, 1):
        cells = [c.strip() for c in row]
        if not any(cells):
            continue
        if len(cells) != 3:
            raise CSVError(f"line {lineno}: expected 3 columns (x1, x2, label), found {len(cells)}")
        try:
            values = [float(c) for c in cells]
        except ValueError:
            if lineno == 1 and not rows:
                continue                           # a header line
            raise CSVError(f"line {lineno}: not a number in {','.join(cells)!r}") from None
        if not all(np.isfinite(values)):
            raise CSVError(f"line {lineno}: values must be finite, got {','.join(cells)!r}")
        rows.append(values)
    return rows
