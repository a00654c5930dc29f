"""Conv3d / MaxPool3d / AvgPool3d / MaxUnpool and integer max pooling against PyTorch (layers with
copied weights, forward and every gradient), plus their bad-input errors."""
import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F

from .nn_helpers import compare_module, gradcheck_module


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(padding="same", dilation=(1, 2, 1)),
                                dict(groups=2, bias=False, stride=(1, 2, 1)), dict(padding=1, padding_mode="circular"),
                                dict(padding=(1, 0, 2), padding_mode="reflect")])
def test_conv3d_layer_matches_torch(kw, torch, rng):
    x = rng.standard_normal((2, 4, 5, 6, 7)).astype(np.float32)
    torch.manual_seed(0)
    compare_module(torch, npgrad.nn.Conv3d(4, 6, 3, **kw), torch.nn.Conv3d(4, 6, 3, **kw), x, rtol=1e-4, atol=1e-4)


def test_conv3d_unbatched_and_gradcheck(rng, torch):
    x = rng.standard_normal((2, 3, 4, 4))
    torch.manual_seed(0)
    compare_module(torch, npgrad.nn.Conv3d(2, 3, 2), torch.nn.Conv3d(2, 3, 2), x.astype(np.float32), atol=1e-4)
    assert gradcheck_module(npgrad.nn.Conv3d(2, 2, (2, 1, 2), stride=(1, 2, 1), padding=(1, 0, 0)), x[None])


@pytest.mark.parametrize("kw", [dict(), dict(stride=2, padding=1), dict(stride=(2, 1, 2), output_padding=(1, 0, 1)),
                                dict(groups=2, bias=False, dilation=(2, 1, 1), padding=(1, 0, 0)),
                                dict(stride=3, padding=2, output_padding=(2, 0, 1))])
def test_conv_transpose3d_layer_matches_torch(kw, torch, rng):
    x = rng.standard_normal((2, 4, 3, 4, 5)).astype(np.float32)
    torch.manual_seed(0)
    compare_module(torch, npgrad.nn.ConvTranspose3d(4, 6, 3, **kw), torch.nn.ConvTranspose3d(4, 6, 3, **kw), x,
                   atol=1e-4)


def test_conv_transpose3d_output_size_and_gradcheck(torch, rng):
    x = rng.standard_normal((1, 2, 3, 3, 3)).astype(np.float32)
    torch.manual_seed(0)
    ours, theirs = npgrad.nn.ConvTranspose3d(2, 2, 3, stride=2), torch.nn.ConvTranspose3d(2, 2, 3, stride=2)
    ours.load_state_dict({k: v.detach().numpy() for k, v in theirs.state_dict().items()})
    a = ours(npgrad.tensor(x), output_size=(8, 7, 8))
    b = theirs(torch.tensor(x), output_size=(8, 7, 8))
    np.testing.assert_allclose(a.detach().numpy(), b.detach().numpy(), atol=1e-5)
    assert gradcheck_module(npgrad.nn.ConvTranspose3d(2, 2, (2, 1, 2), stride=(2, 1, 1), padding=(1, 0, 0)),
                            x[:, :, :2].astype(np.float64))


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=(2, 3, 2), stride=(1, 2, 2), dilation=(2, 1, 1), ceil_mode=True)])
def test_max_pool3d_matches_torch(kw, torch, rng):
    x = rng.standard_normal((2, 3, 5, 6, 7)).astype(np.float32)
    compare_module(torch, npgrad.nn.MaxPool3d(**kw), torch.nn.MaxPool3d(**kw), x)
    ours, i1 = F.max_pool3d(npgrad.tensor(x), return_indices=True, **kw)
    theirs, i2 = torch.nn.functional.max_pool3d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(i1.numpy(), i2.numpy())


@pytest.mark.parametrize("kw", [dict(kernel_size=2), dict(kernel_size=3, stride=2, padding=1),
                                dict(kernel_size=3, stride=2, padding=1, count_include_pad=False, ceil_mode=True),
                                dict(kernel_size=(1, 2, 3), divisor_override=4)])
def test_avg_pool3d_matches_torch(kw, torch, rng):
    x = rng.standard_normal((2, 3, 5, 6, 7)).astype(np.float32)
    compare_module(torch, npgrad.nn.AvgPool3d(**kw), torch.nn.AvgPool3d(**kw), x)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_max_unpool_roundtrip_matches_torch(nd, torch, rng):
    x = rng.standard_normal((2, 3) + (6,) * nd).astype(np.float32)
    pool = {1: "MaxPool1d", 2: "MaxPool2d", 3: "MaxPool3d"}[nd]
    unpool = f"MaxUnpool{nd}d"

    def run(T, t):
        y, i = getattr(T.nn, pool)(2, return_indices=True)(t)
        return getattr(T.nn, unpool)(2)(y, i, output_size=t.shape)
    a, b = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    ya, yb = run(npgrad, a), run(torch, b)
    np.testing.assert_array_equal(ya.detach().numpy(), yb.detach().numpy())
    w = rng.standard_normal(tuple(yb.shape)).astype(np.float32)
    (ya * npgrad.tensor(w)).sum().backward()
    (yb * torch.tensor(w)).sum().backward()
    np.testing.assert_array_equal(a.grad.numpy(), b.grad.numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "uint8"])
def test_integer_max_pooling(dtype, torch, rng):
    x = (rng.standard_normal((2, 3, 6, 6)) * 50).astype(dtype) if dtype != "uint8" else rng.integers(
        0, 255, (2, 3, 6, 6)).astype(dtype)
    for fn, args in (("max_pool2d", (x, 2)), ("max_pool2d", (x, 3, 2, 1)), ("max_pool3d", (x[None], 2))):
        ours = getattr(F, fn)(npgrad.tensor(args[0]), *args[1:], return_indices=True)
        theirs = getattr(torch.nn.functional, fn)(torch.tensor(args[0]), *args[1:], return_indices=True)
        for o, t in zip(ours, theirs):
            assert o.dtype.name == str(t.dtype).replace("torch.", "")
            np.testing.assert_array_equal(o.numpy(), t.numpy())


@pytest.mark.parametrize("size", [1, (2, 3, 4), (None, 2, 5)])
def test_adaptive_avg_pool3d_matches_torch(size, torch, rng):
    x = rng.standard_normal((2, 3, 5, 6, 7)).astype(np.float32)
    compare_module(torch, npgrad.nn.AdaptiveAvgPool3d(size), torch.nn.AdaptiveAvgPool3d(size), x)


def test_conv3d_valid_padding_string_vs_torch(torch):
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((1, 2, 4, 5, 3)), rng.standard_normal((3, 2, 2, 3, 1))
    ours = F.conv3d(npgrad.tensor(x), npgrad.tensor(w), padding="valid", dilation=(1, 2, 1))
    theirs = torch.nn.functional.conv3d(torch.tensor(x), torch.tensor(w), padding="valid", dilation=(1, 2, 1))
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-12)


def test_errors():
    with pytest.raises(RuntimeError, match="channels"):
        F.conv3d(npgrad.ones(1, 3, 4, 4, 4), npgrad.ones(2, 2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="5-D"):
        F.conv3d(npgrad.ones(1, 2, 4, 4, 4), npgrad.ones(2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="4D .*5D"):
        F.conv3d(npgrad.ones(2, 4, 4), npgrad.ones(2, 2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="smaller than the"):
        F.conv3d(npgrad.ones(1, 2, 1, 4, 4), npgrad.ones(2, 2, 2, 2, 2))
    with pytest.raises(RuntimeError, match="half of effective kernel"):
        F.max_pool3d(npgrad.ones(1, 1, 4, 4, 4), 2, padding=2)
    with pytest.raises(RuntimeError, match="divisor"):
        F.avg_pool3d(npgrad.ones(1, 1, 4, 4, 4), 2, divisor_override=0)
    with pytest.raises(RuntimeError, match=r"Calculated output size: \(2x0x2x1\). Output size is too small"):
        F.max_pool3d(npgrad.ones(2, 2, 5, 3), 2, stride=3, padding=(0, 1, 0), dilation=2)  # depth 2 < 3 dilated
    with pytest.raises(RuntimeError, match=r"input image \(T: 2 H: 3 W: 3\) smaller than kernel size"):
        F.avg_pool3d(npgrad.ones(1, 1, 2, 3, 3), 3, padding=1, ceil_mode=True)  # PyTorch ignores the padding here
    y, i = F.max_pool2d(npgrad.randn(1, 1, 4, 4), 2, return_indices=True)
    with pytest.raises(RuntimeError, match="invalid max index"):
        F.max_unpool2d(y, i * 10, 2)
    with pytest.raises(RuntimeError, match="shape of indices"):
        F.max_unpool2d(y, i[..., :1], 2)
    with pytest.raises(ValueError, match="output_size"):
        F.max_unpool2d(y, i, 2, output_size=(9, 9))
    with pytest.raises(ValueError, match="padding_mode"):
        npgrad.nn.Conv3d(1, 1, 2, padding_mode="bogus")
