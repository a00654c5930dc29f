import numpy as np
import pytest

import npgrad
from npgrad.datasets import (make_blobs, make_circles, make_line, make_moons, make_regression, make_spirals,
                             make_xor)

GENERATORS = [make_moons, make_circles, make_xor, make_spirals, make_blobs]


@pytest.mark.parametrize("fn", GENERATORS)
def test_shapes_dtypes_and_seeding(fn):
    X, y = fn(101, random_state=3)
    assert tuple(X.shape) == (101, 2) and X.dtype == npgrad.float32
    assert tuple(y.shape) == (101,) and y.dtype == npgrad.int64
    X2, y2 = fn(101, random_state=3)
    np.testing.assert_array_equal(X.numpy(), X2.numpy())
    np.testing.assert_array_equal(y.numpy(), y2.numpy())
    X3, _ = fn(101, random_state=4)
    assert not np.array_equal(X.numpy(), X3.numpy())


@pytest.mark.parametrize("fn", GENERATORS)
def test_none_seed_follows_manual_seed(fn):
    npgrad.manual_seed(11)
    a = fn(50)[0].numpy()
    npgrad.manual_seed(11)
    b = fn(50)[0].numpy()
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(fn(50, random_state=npgrad.Generator().manual_seed(2))[0].numpy(),
                                  fn(50, random_state=npgrad.Generator().manual_seed(2))[0].numpy())


def test_same_numbers_as_scikit_learn():
    datasets = pytest.importorskip("sklearn.datasets")
    for ours, theirs, kw in [
        (make_moons, datasets.make_moons, dict(n_samples=1000, noise=0.1, random_state=123)),
        (make_moons, datasets.make_moons, dict(n_samples=(5, 8), noise=None, random_state=0)),
        (make_circles, datasets.make_circles, dict(n_samples=99, noise=0.05, factor=0.5, random_state=1)),
        (make_blobs, datasets.make_blobs, dict(n_samples=101, centers=4, cluster_std=0.7, random_state=2)),
        (make_blobs, datasets.make_blobs, dict(n_samples=[10, 20], centers=[[0, 0], [5, 5]], random_state=2)),
        (make_regression, datasets.make_regression, dict(n_samples=40, n_features=3, noise=0.5, bias=2.0,
                                                         random_state=4)),
    ]:
        (X, y), (Xs, ys) = ours(**kw), theirs(**kw)
        np.testing.assert_allclose(X.numpy(), Xs, rtol=1e-6, atol=1e-6)
        np.testing.assert_allclose(y.numpy(), ys, rtol=1e-5, atol=1e-4)


def test_shifted_moons_as_in_the_perceptron_lab():
    """make_moons(1000, noise=0.1, random_state=123) then X[y == 0, 1] += 1, as the notes do."""
    X, y = make_moons(1000, noise=0.1, random_state=123)
    Xs, ys = make_moons(1000, noise=0.1, random_state=123, shift=1.0)
    ref = X.numpy().copy()
    ref[y.numpy() == 0, 1] += 1
    np.testing.assert_allclose(Xs.numpy(), ref, atol=1e-6)
    np.testing.assert_array_equal(ys.numpy(), y.numpy())
    # linearly separable: a perceptron reaches zero training errors
    A = np.hstack([np.ones((1000, 1)), Xs.numpy().astype(np.float64)])
    t = np.where(ys.numpy() == 1, 1.0, -1.0)
    w = np.zeros(3)
    for _ in range(1000):
        wrong = np.flatnonzero(np.sign(A @ w) != t)
        if not len(wrong):
            break
        w += 0.1 * t[wrong[0]] * A[wrong[0]]
    assert (np.sign(A @ w) == t).all()
    # without the shift the moons interlock: no line separates them (least-squares check)
    A0 = np.hstack([np.ones((1000, 1)), X.numpy().astype(np.float64)])
    w0 = np.linalg.lstsq(A0, t, rcond=None)[0]
    assert (np.sign(A0 @ w0) != t).any()


def test_xor_and_spirals_structure():
    X, y = make_xor(400, noise=0.1, random_state=0)
    quad = ((X.numpy()[:, 0] > 0) ^ (X.numpy()[:, 1] > 0)).astype(np.int64)
    assert (quad == y.numpy()).mean() > 0.99
    X, y = make_spirals(300, n_classes=3, noise=0.0, random_state=0)
    assert np.bincount(y.numpy()).tolist() == [100, 100, 100]
    r = np.linalg.norm(X.numpy(), axis=1)
    assert r.max() <= 1.0 + 1e-6 and r.min() > 0


def test_circles_radii():
    X, y = make_circles(200, noise=None, factor=0.3, random_state=0)
    r = np.linalg.norm(X.numpy(), axis=1)
    np.testing.assert_allclose(r[y.numpy() == 0], 1.0, atol=1e-6)
    np.testing.assert_allclose(r[y.numpy() == 1], 0.3, atol=1e-6)


def test_regression_and_line():
    X, y, w = make_regression(30, 2, coef=True, random_state=0)
    assert y.dtype == npgrad.float32 and tuple(w.shape) == (2,)
    np.testing.assert_allclose(X.numpy() @ w.numpy(), y.numpy(), rtol=1e-4)
    X, y = make_line(200, slope=-3.0, intercept=0.5, noise=0.01, random_state=1)
    assert tuple(X.shape) == (200, 1) == tuple(y.shape) and X.dtype == npgrad.float32
    slope, intercept = np.polyfit(X.numpy()[:, 0], y.numpy()[:, 0], 1)
    assert abs(slope + 3.0) < 0.01 and abs(intercept - 0.5) < 0.01


def test_bad_arguments():
    with pytest.raises(ValueError, match="factor"):
        make_circles(10, factor=1.5)
    with pytest.raises(ValueError, match="n_classes"):
        make_spirals(10, n_classes=0)
    with pytest.raises(TypeError, match="random_state"):
        make_moons(10, random_state="seed")
    with pytest.raises(ValueError, match="noise"):
        make_moons(10, noise=-1.0)
