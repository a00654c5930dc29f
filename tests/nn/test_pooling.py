"""Max/avg/adaptive pooling (modules and F.*): NumPy reference, tie rule, gradcheck, PyTorch."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck


def _t(a, rg=False):
    return npgrad.tensor(a, requires_grad=rg)


def _np(t):
    return t.detach().numpy()


def naive_pool(x, k, s, p, fill, reduce):
    """Windows of the padded input, reduced by ``reduce`` (max or mean over the last axis)."""
    n, c, h, w = x.shape
    xp = np.full((n, c, h + 2 * p[0], w + 2 * p[1]), fill)
    xp[:, :, p[0]:p[0] + h, p[1]:p[1] + w] = x
    ho, wo = (h + 2 * p[0] - k[0]) // s[0] + 1, (w + 2 * p[1] - k[1]) // s[1] + 1
    y = np.empty((n, c, ho, wo))
    for i in range(ho):
        for j in range(wo):
            win = xp[:, :, i * s[0]:i * s[0] + k[0], j * s[1]:j * s[1] + k[1]].reshape(n, c, -1)
            y[:, :, i, j] = reduce(win, axis=-1)
    return y


@pytest.mark.parametrize("k, s, p", [((2, 2), (2, 2), (0, 0)), ((3, 3), (2, 2), (1, 1)), ((3, 2), (1, 2), (1, 0)),
                                     ((2, 2), (1, 1), (0, 0))])
def test_max_and_avg_pool_match_naive(k, s, p, rng):
    x = rng.standard_normal((2, 3, 9, 8))
    np.testing.assert_allclose(_np(F.max_pool2d(_t(x), k, s, p)), naive_pool(x, k, s, p, -np.inf, np.max))
    np.testing.assert_allclose(_np(F.avg_pool2d(_t(x), k, s, p)), naive_pool(x, k, s, p, 0.0, np.mean), atol=1e-12)


def test_max_pool_gradient_goes_to_first_max_on_ties():
    x = _t(np.array([[[[1., 1., 0., 2.], [1., 0., 2., 2.]]]]), True)
    F.max_pool2d(x, 2).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [[[[1., 0., 0., 1.], [0., 0., 0., 0.]]]])
    # overlapping windows accumulate on a shared maximum
    x = _t(np.array([[[0., 5., 1., 0.]]]), True)
    F.max_pool1d(x, 2, stride=1).sum().backward()
    np.testing.assert_array_equal(_np(x.grad), [[[0., 2., 1., 0.]]])


def test_max_pool_nonoverlapping_with_leftover_rows(rng):
    x = _t(rng.standard_normal((1, 2, 5, 7)), True)
    y = F.max_pool2d(x, 2)
    assert y.shape == (1, 2, 2, 3)
    y.sum().backward()
    g = _np(x.grad)
    assert g[:, :, 4].sum() == 0 and g[:, :, :, 6].sum() == 0 and g.sum() == 12


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(3, 2), stride=(1, 2), dilation=(2, 1)),
                                dict(kernel_size=3, stride=2, ceil_mode=True)])
def test_max_pool_gradcheck(kw, rng):
    x = _t(rng.permutation(2 * 3 * 7 * 8).reshape(2, 3, 7, 8) / 10.0, True)  # distinct values: no ties
    assert gradcheck(lambda a: F.max_pool2d(a, **kw), (x,))
    assert gradgradcheck(lambda a: F.max_pool2d(a, **kw), (x,))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
                                dict(kernel_size=2, divisor_override=3)])
def test_avg_pool_gradcheck(kw, rng):
    x = _t(rng.standard_normal((2, 2, 7, 6)), True)
    assert gradcheck(lambda a: F.avg_pool2d(a, **kw), (x,))
    assert gradgradcheck(lambda a: F.avg_pool2d(a, **kw), (x,))


@pytest.mark.parametrize("size", [1, (3, 2), (2, None), (5, 4)])
def test_adaptive_avg_pool_gradcheck(size, rng):
    x = _t(rng.standard_normal((2, 2, 7, 6)), True)
    assert gradcheck(lambda a: F.adaptive_avg_pool2d(a, size), (x,))


# -- PyTorch ---------------------------------------------------------------------------------------
POOL_CASES = [
    ("MaxPool2d", dict(kernel_size=2)),
    ("MaxPool2d", dict(kernel_size=3, stride=2, padding=1)),
    ("MaxPool2d", dict(kernel_size=(3, 2), stride=(2, 1), padding=(1, 1), dilation=(2, 2), ceil_mode=True)),
    ("MaxPool1d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("AvgPool2d", dict(kernel_size=2)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ("AvgPool2d", dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ("AvgPool2d", dict(kernel_size=(2, 3), stride=1, divisor_override=4)),
    ("AvgPool1d", dict(kernel_size=4, stride=3, padding=2, ceil_mode=True, count_include_pad=False)),
    ("AdaptiveAvgPool2d", dict(output_size=(3, 4))),
    ("AdaptiveAvgPool2d", dict(output_size=1)),
    ("AdaptiveAvgPool2d", dict(output_size=(None, 2))),
    ("AdaptiveAvgPool1d", dict(output_size=5)),
]


@pytest.mark.parametrize("name, kw", POOL_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_pytorch(torch, name, kw, dtype, rng):
    nd = 1 if name.endswith("1d") else 2
    x = rng.standard_normal((2, 3) + (9, 8)[:nd]).astype(dtype)
    x[0, 0, :2] = 1.0  # ties
    m, tm = getattr(nn, name)(**kw), getattr(torch.nn, name)(**kw)
    xn, xt = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = m(xn), tm(xt)
    tol = dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(_np(y), yt.detach().numpy(), **tol)
    g = rng.standard_normal(yt.shape).astype(dtype)
    y.backward(npgrad.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(_np(xn.grad), xt.grad.numpy(), **tol)
    assert y.dtype == getattr(npgrad, dtype) and xn.grad.dtype == getattr(npgrad, dtype)


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1, dilation=1),
                                dict(kernel_size=2, stride=1, dilation=2, ceil_mode=True)])
def test_return_indices_match_pytorch(torch, kw, rng):
    x = rng.standard_normal((2, 3, 7, 8))
    y, i = F.max_pool2d(_t(x), return_indices=True, **kw)
    yt, it = torch.nn.functional.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(_np(i), it.numpy())
    assert i.dtype == npgrad.int64
    m = nn.MaxPool1d(2, return_indices=True)
    y1, i1 = m(_t(x[0]))
    y1t, i1t = torch.nn.MaxPool1d(2, return_indices=True)(torch.tensor(x[0]))
    np.testing.assert_array_equal(_np(i1), i1t.numpy())


def test_channel_first_layout_from_conv_is_pooled_correctly(torch, rng):
    conv = nn.Conv2d(2, 4, 3, padding=1).double()
    x = _t(rng.standard_normal((3, 2, 8, 8)))
    h = conv(x)  # a channel-first view
    np.testing.assert_allclose(_np(F.max_pool2d(h, 2)),
                               torch.nn.functional.max_pool2d(torch.tensor(np.ascontiguousarray(_np(h))), 2).numpy())


def test_repr_and_unbatched():
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0, dilation=1, ceil_mode=False)"
    assert repr(nn.AvgPool2d(3, 1)) == "AvgPool2d(kernel_size=3, stride=1, padding=0)"
    assert repr(nn.AdaptiveAvgPool2d((1, 1))) == "AdaptiveAvgPool2d(output_size=(1, 1))"
    assert nn.MaxPool2d(2)(npgrad.randn(3, 8, 6)).shape == (3, 4, 3)


def test_errors_name_layer_and_arguments():
    with pytest.raises(RuntimeError, match=r"MaxPool2d: kernel_size must be positive"):
        nn.MaxPool2d(-2)
    with pytest.raises(RuntimeError, match=r"AvgPool2d: stride must be positive"):
        nn.AvgPool2d(2, stride=0)
    with pytest.raises(RuntimeError, match=r"MaxPool2d\(kernel_size=2.*padding should be at most half"):
        nn.MaxPool2d(2, padding=2)(npgrad.randn(1, 1, 8, 8))
    with pytest.raises(RuntimeError, match=r"MaxPool2d\(kernel_size=2.*3D \(unbatched\) or 4D.*\(8,\)"):
        nn.MaxPool2d(2)(npgrad.randn(8))
    with pytest.raises(RuntimeError, match=r"MaxPool2d\(kernel_size=5.*\(1, 1, 3, 3\) is too small"):
        nn.MaxPool2d(5)(npgrad.randn(1, 1, 3, 3))
    with pytest.raises(RuntimeError, match=r"AdaptiveAvgPool2d.*output_size must be positive"):
        nn.AdaptiveAvgPool2d((0, 2))(npgrad.randn(1, 1, 4, 4))


@pytest.mark.parametrize("k", [(2, 2), (2, 3), (3, 1), (1, 4)])
@pytest.mark.parametrize("channel_first", [False, True])
def test_reshape_fast_path_matches_general_path(k, channel_first, rng, monkeypatch):
    from npgrad.ops import pool
    x0 = rng.integers(0, 3, (2, 3, 6, 12)).astype(np.float64)  # many ties
    g = rng.standard_normal((2, 3, 6 // k[0], 12 // k[1]))

    def run():
        leaf = npgrad.tensor(x0.transpose(1, 0, 2, 3) if channel_first else x0, requires_grad=True)
        x = leaf.permute(1, 0, 2, 3) if channel_first else leaf
        y, i = F.max_pool2d(x, k, return_indices=True)
        (gx,) = npgrad.autograd.grad(y, x, npgrad.tensor(g))
        return _np(y), _np(i), _np(gx)

    fast = run()
    monkeypatch.setattr(pool, "_fast_ok", lambda *a: False)
    slow = run()
    for a, b in zip(fast, slow):
        np.testing.assert_array_equal(a, b)


def test_fast_path_double_backward_and_indices(torch, rng):
    x = _t(rng.permutation(2 * 2 * 4 * 6).reshape(2, 2, 4, 6) / 7.0, True)
    assert gradgradcheck(lambda a: F.max_pool2d(a, 2), (x,))
    v = rng.integers(0, 2, (2, 3, 4, 6)).astype(np.float32)
    _, i = F.max_pool2d(_t(v), 2, return_indices=True)
    _, it = torch.nn.functional.max_pool2d(torch.tensor(v), 2, return_indices=True)
    np.testing.assert_array_equal(_np(i), it.numpy())
