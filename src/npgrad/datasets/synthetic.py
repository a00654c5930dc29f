"""Small seeded toy datasets as npgrad tensors: X float32, y int64 (float32 for regression).

``make_moons``, ``make_circles``, ``make_blobs`` and ``make_regression`` follow scikit-learn's
algorithms and draw numbers in the same order, so the same ``random_state`` gives the same
points (rounded to float32).  ``random_state`` is an int, a ``numpy.random.RandomState``, an
``npgrad.Generator``, or ``None`` (a seed drawn from npgrad's global generator, so
``npgrad.manual_seed`` makes the data reproducible).  ``noise`` is always the standard deviation
of Gaussian noise added to the points.
"""
from __future__ import annotations

import numbers

import numpy as np

from ..random import _gen
from ..tensor import Tensor


def _const(arr):
    return Tensor._make(arr, None, False, None)


def _random_state(random_state):
    if isinstance(random_state, np.random.RandomState):
        return random_state
    if random_state is None or hasattr(random_state, "manual_seed"):
        return np.random.RandomState(int(_gen(random_state).integers(0, 2 ** 32)))
    if isinstance(random_state, (int, np.integer)) and not isinstance(random_state, bool):
        return np.random.RandomState(int(random_state))
    raise TypeError(f"random_state must be None, an int, a numpy RandomState or an npgrad.Generator, "
                    f"got {random_state!r}")


def _split_two(n_samples, name):
    if isinstance(n_samples, numbers.Integral):
        if n_samples < 0:
            raise ValueError(f"{name}: n_samples must be non-negative, got {n_samples}")
        return n_samples // 2, n_samples - n_samples // 2
    n = tuple(n_samples)
    if len(n) != 2:
        raise ValueError(f"{name}: n_samples should be an int or a two-element tuple, got {n_samples!r}")
    return int(n[0]), int(n[1])


def _finish(X, y, rng, shuffle, noise, y_dtype=np.int64):
    """scikit-learn's order: shuffle the rows, then add noise."""
    if shuffle:
        idx = np.arange(len(X))
        rng.shuffle(idx)
        X, y = X[idx], y[idx]
    if noise is not None and noise != 0:
        if noise < 0:
            raise ValueError(f"noise must be non-negative, got {noise}")
        X = X + rng.normal(scale=noise, size=X.shape)
    return X, y.astype(y_dtype)


def make_moons(n_samples=100, *, shuffle=True, noise=None, random_state=None, shift=0.0):
    """Two interleaving half circles; class 0 is the upper moon.

    ``shift`` moves the class-0 moon up by that amount (after the noise): ``shift=1`` makes the
    classes linearly separable, as in the perceptron lab (1,000 points, noise 0.1, seed 123).

    >>> from npgrad.datasets import make_moons
    >>> X, y = make_moons(1000, noise=0.1, random_state=123, shift=1.0)
    >>> X.shape, X.dtype, y.dtype
    (torch.Size([1000, 2]), torch.float32, torch.int64)
    """
    n_out, n_in = _split_two(n_samples, "make_moons")
    rng = _random_state(random_state)
    t_out, t_in = np.linspace(0, np.pi, n_out), np.linspace(0, np.pi, n_in)
    X = np.vstack([np.append(np.cos(t_out), 1 - np.cos(t_in)),
                   np.append(np.sin(t_out), 1 - np.sin(t_in) - 0.5)]).T
    y = np.hstack([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X, y = _finish(X, y, rng, shuffle, noise)
    if shift:
        X[y == 0, 1] += shift
    return _const(X.astype(np.float32)), _const(y)


def make_circles(n_samples=100, *, shuffle=True, noise=None, random_state=None, factor=0.8):
    """A large circle (class 0) around a smaller one (class 1) of radius ``factor``.

    >>> from npgrad.datasets import make_circles
    >>> X, y = make_circles(200, noise=0.05, random_state=0)
    >>> X.shape, int(y.sum())
    (torch.Size([200, 2]), 100)
    """
    if not 0 <= factor < 1:
        raise ValueError(f"make_circles: factor has to be between 0 and 1, got {factor}")
    n_out, n_in = _split_two(n_samples, "make_circles")
    rng = _random_state(random_state)
    t_out = np.linspace(0, 2 * np.pi, n_out, endpoint=False)
    t_in = np.linspace(0, 2 * np.pi, n_in, endpoint=False)
    X = np.vstack([np.append(np.cos(t_out), np.cos(t_in) * factor),
                   np.append(np.sin(t_out), np.sin(t_in) * factor)]).T
    y = np.hstack([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    X, y = _finish(X, y, rng, shuffle, noise)
    return _const(X.astype(np.float32)), _const(y)


def make_xor(n_samples=200, *, noise=0.2, random_state=None, shuffle=True):
    """XOR: points around the corners (+-1, +-1); class 1 in the 2nd and 4th quadrants.

    No single line separates the classes; one hidden layer does.

    >>> from npgrad.datasets import make_xor
    >>> X, y = make_xor(8, noise=0.0, random_state=0, shuffle=False)
    >>> X[:4].tolist(), y[:4].tolist()
    ([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]], [0, 1, 0, 1])
    """
    if n_samples < 0:
        raise ValueError(f"make_xor: n_samples must be non-negative, got {n_samples}")
    rng = _random_state(random_state)
    corners = np.array([[1.0, 1.0], [-1.0, 1.0], [-1.0, -1.0], [1.0, -1.0]])
    which = np.arange(n_samples) % 4
    X, y = corners[which], (which % 2).astype(np.int64)
    X, y = _finish(X, y, rng, shuffle, noise)
    return _const(X.astype(np.float32)), _const(y)


def make_spirals(n_samples=200, *, n_classes=2, turns=1.0, noise=0.05, random_state=None, shuffle=True):
    """``n_classes`` interleaved spiral arms of ``turns`` revolutions, radius growing to 1.

    >>> from npgrad.datasets import make_spirals
    >>> X, y = make_spirals(300, n_classes=3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    (torch.Size([300, 2]), [0, 1, 2])
    """
    if not isinstance(n_classes, int) or n_classes < 1:
        raise ValueError(f"make_spirals: n_classes must be a positive int, got {n_classes!r}")
    if n_samples < 0:
        raise ValueError(f"make_spirals: n_samples must be non-negative, got {n_samples}")
    rng = _random_state(random_state)
    y = np.repeat(np.arange(n_classes), -(-n_samples // n_classes))[:n_samples]
    counts = np.bincount(y, minlength=n_classes)
    # position along each arm in (0, 1]: its radius, and the fraction of the turns done
    r = np.concatenate([np.linspace(0, 1, c + 1)[1:] for c in counts])
    theta = 2 * np.pi * (turns * r + y / n_classes)
    X = np.stack([r * np.cos(theta), r * np.sin(theta)], axis=1)
    X, y = _finish(X, y, rng, shuffle, noise)
    return _const(X.astype(np.float32)), _const(y)


def make_blobs(n_samples=100, n_features=2, *, centers=None, cluster_std=1.0, center_box=(-10.0, 10.0),
               shuffle=True, random_state=None, return_centers=False):
    """Gaussian blobs, one class per centre (scikit-learn's algorithm).

    >>> from npgrad.datasets import make_blobs
    >>> X, y = make_blobs(90, centers=3, random_state=0)
    >>> X.shape, sorted(set(y.tolist()))
    (torch.Size([90, 2]), [0, 1, 2])
    """
    rng = _random_state(random_state)
    if isinstance(n_samples, numbers.Integral):
        if centers is None:
            centers = 3
        if isinstance(centers, numbers.Integral):
            centers = rng.uniform(center_box[0], center_box[1], size=(centers, n_features))
        else:
            centers = np.asarray(centers, np.float64)
            n_features = centers.shape[1]
        per = [n_samples // len(centers)] * len(centers)
        for i in range(n_samples % len(centers)):
            per[i] += 1
    else:
        per = [int(n) for n in n_samples]
        if centers is None:
            centers = rng.uniform(center_box[0], center_box[1], size=(len(per), n_features))
        centers = np.asarray(centers, np.float64)
        if len(centers) != len(per):
            raise ValueError(f"make_blobs: length of centers ({len(centers)}) does not match length of "
                             f"n_samples ({len(per)})")
        n_features = centers.shape[1]
    stds = np.full(len(centers), cluster_std) if isinstance(cluster_std, numbers.Real) \
        else np.asarray(cluster_std, np.float64)
    # one draw per centre, in order, as scikit-learn does (a loop over centres, not samples)
    X = np.concatenate([rng.normal(loc=c, scale=s, size=(n, n_features)) for c, s, n in zip(centers, stds, per)]
                       or [np.empty((0, n_features))])
    y = np.repeat(np.arange(len(per)), per)
    X, y = _finish(X, y, rng, shuffle, None)
    out = (_const(X.astype(np.float32)), _const(y))
    return out + (_const(centers.astype(np.float32)),) if return_centers else out


def make_regression(n_samples=100, n_features=1, *, noise=0.0, bias=0.0, shuffle=True, coef=False,
                    random_state=None):
    """A random linear regression problem: ``y = X @ w + bias + noise`` (scikit-learn's algorithm
    with every feature informative and one target).

    Returns float32 ``X`` (n_samples, n_features) and ``y`` (n_samples,), plus ``w`` with ``coef=True``.

    >>> from npgrad.datasets import make_regression
    >>> X, y, w = make_regression(50, 3, noise=0.1, coef=True, random_state=0)
    >>> X.shape, y.shape, w.shape
    (torch.Size([50, 3]), torch.Size([50]), torch.Size([3]))
    """
    rng = _random_state(random_state)
    X = rng.standard_normal(size=(n_samples, n_features))
    w = 100 * rng.uniform(size=(n_features, 1))
    y = X @ w + bias
    if noise > 0.0:
        y = y + rng.normal(scale=noise, size=y.shape)
    if shuffle:
        idx = np.arange(n_samples)
        rng.shuffle(idx)
        X, y = X[idx], y[idx]
        cols = np.arange(n_features)
        rng.shuffle(cols)
        X, w = X[:, cols], w[cols]
    out = (_const(X.astype(np.float32)), _const(y[:, 0].astype(np.float32)))
    return out + (_const(w[:, 0].astype(np.float32)),) if coef else out


def make_line(n_samples=100, *, slope=2.0, intercept=1.0, noise=0.1, x_range=(-1.0, 1.0), random_state=None):
    """Noisy points on the line ``y = slope * x + intercept``, x uniform in ``x_range``.

    Returns float32 ``X`` and ``y`` of shape (n_samples, 1), ready for ``nn.Linear(1, 1)`` and
    ``nn.MSELoss``.

    >>> from npgrad.datasets import make_line
    >>> X, y = make_line(5, noise=0.0, random_state=0)
    >>> bool(((y - (2 * X + 1)).abs() < 1e-6).all())
    True
    """
    rng = _random_state(random_state)
    x = rng.uniform(x_range[0], x_range[1], size=(n_samples, 1))
    y = slope * x + intercept
    if noise:
        y = y + rng.normal(scale=noise, size=y.shape)
    return _const(x.astype(np.float32)), _const(y.astype(np.float32))
