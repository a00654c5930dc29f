"""Dropout / Dropout1d / Dropout2d: inverted scaling, train vs eval, seeding, gradients."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F


def test_inverted_dropout_statistics():
    npgrad.manual_seed(0)
    x = npgrad.ones(200, 500)
    y = nn.Dropout(0.3)(x)._data
    assert set(np.unique(y)) <= {0.0, np.float32(1 / 0.7)}
    assert abs((y == 0).mean() - 0.3) < 0.01
    assert abs(y.mean() - 1.0) < 0.01  # expectation preserved
    assert y.dtype == np.float32


def test_eval_is_identity_and_train_toggles():
    d = nn.Dropout(0.5)
    x = npgrad.randn(10, 10)
    d.eval()
    assert d(x) is x
    d.train()
    assert (d(x)._data == 0).any()
    assert F.dropout(x, 0.5, training=False) is x
    assert nn.Dropout(0.0)(x) is x
    np.testing.assert_array_equal(nn.Dropout(1.0)(x)._data, np.zeros((10, 10)))


def test_seeded_by_manual_seed():
    x = npgrad.ones(50)
    npgrad.manual_seed(3)
    a = F.dropout(x, 0.5)._data
    npgrad.manual_seed(3)
    b = F.dropout(x, 0.5)._data
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, F.dropout(x, 0.5)._data)


def test_gradient_is_the_same_mask():
    x = npgrad.randn(20, 20, requires_grad=True)
    y = F.dropout(x, 0.4)
    y.sum().backward()
    kept = y._data != 0
    np.testing.assert_allclose(x.grad._data, kept / 0.6, rtol=1e-6)


def test_dropout2d_zeroes_whole_channels():
    npgrad.manual_seed(1)
    x = npgrad.ones(4, 16, 3, 3, requires_grad=True)
    y = nn.Dropout2d(0.5)(x)
    per_channel = y._data.reshape(4, 16, -1)
    assert np.all((per_channel == 0).all(-1) | (per_channel == 2).all(-1))
    assert 0 < (per_channel == 0).all(-1).mean() < 1
    y.sum().backward()
    np.testing.assert_array_equal(x.grad._data, y._data)
    y1 = nn.Dropout1d(0.5)(npgrad.ones(3, 8, 5))._data
    assert np.all((y1 == 0).all(-1) | (y1 == 2).all(-1))


def test_inplace_and_repr(torch):
    x = npgrad.ones(100)
    r = F.dropout(x, 0.5, inplace=True)
    assert r is x and (x._data == 0).any()
    assert repr(nn.Dropout(0.2)) == repr(torch.nn.Dropout(0.2))
    assert repr(nn.Dropout2d(0.2, inplace=True)) == repr(torch.nn.Dropout2d(0.2, inplace=True))


def test_bad_arguments():
    with pytest.raises(ValueError, match=r"Dropout\(p=1.5\): dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)
    with pytest.raises(ValueError, match="between 0 and 1, but got -0.1"):
        F.dropout(npgrad.ones(2), -0.1)
    with pytest.raises(RuntimeError, match="Feature dropout requires at least 2 dimensions"), pytest.warns(UserWarning):
        nn.Dropout2d()(npgrad.ones(3))


def test_gradcheck_with_a_fixed_mask():
    x = npgrad.randn(4, 3, 2, 2, dtype=npgrad.float64, requires_grad=True)

    def drop(t, fn):
        npgrad.manual_seed(11)  # the same mask on every call
        return fn(t, 0.3)
    from npgrad.autograd import gradcheck
    assert gradcheck(lambda t: drop(t, F.dropout), (x,))
    assert gradcheck(lambda t: drop(t, F.dropout2d), (x,))


def _warnings(fn):
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = fn()
    return out, [str(w.message) for w in caught]


@pytest.mark.parametrize("cls, shape", [("Dropout2d", (6, 40)), ("Dropout2d", (4, 6, 40)), ("Dropout2d", (2, 3, 4, 5, 6)),
                                        ("Dropout3d", (6, 40)), ("Dropout3d", (4, 6, 40)), ("Dropout3d", (2, 3, 4, 5)),
                                        ("Dropout2d", (2, 3, 4, 5))])
def test_feature_dropout_on_any_rank_warns_and_masks_as_torch(torch, cls, shape):
    x = npgrad.ones(*shape)
    y, ours = _warnings(lambda: getattr(nn, cls)(0.5)(x))
    _, theirs = _warnings(lambda: getattr(torch.nn, cls)(0.5)(torch.ones(*shape)))
    assert ours == theirs
    # one draw per (N, C) entry, shared by the trailing dims: 2-D inputs drop single elements
    per = y.numpy().reshape(shape[0], shape[1], -1)
    assert ((per == 0).all(-1) | (per == 2).all(-1)).all()
    assert 0 < (per == 0).mean() < 1
    assert _warnings(lambda: getattr(nn, cls)(0.5).eval()(x))[0] is x


def test_dropout2d_on_2d_input_is_elementwise():
    npgrad.manual_seed(3)
    y, _ = _warnings(lambda: F.dropout2d(npgrad.ones(50, 50), 0.5))
    rows = y.numpy()
    assert ((rows == 0).any(1) & (rows == 2).any(1)).all()  # rows are mixed: not whole-row drops


@pytest.mark.parametrize("name", ["npgrad.nn.dropout", "npgrad.nn.layer_functional"])
def test_docstring_examples(name):
    import doctest
    import importlib
    assert doctest.testmod(importlib.import_module(name), optionflags=doctest.ELLIPSIS).failed == 0
