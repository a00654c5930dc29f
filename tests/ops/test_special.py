"""Special functions, bit shifts and reflected operators against PyTorch, beyond the op table:
erf/erfinv accuracy over the whole range, PyTorch's edge values, in-place forms and bad inputs."""
import math

import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("scipy", [True, False], ids=["scipy", "math"])
def test_erf_family_float64_round_off(scipy, torch, monkeypatch):
    """Both paths: scipy.special when installed (a few ulp), and the math.erf / Newton fallback."""
    from npgrad.ops import special
    if not scipy:
        monkeypatch.setattr(special, "_scipy", lambda name: None)
    elif special._scipy("erf") is None:
        pytest.skip("scipy is not installed")
    rtol = 1e-14 if scipy else 1e-15
    x = np.concatenate([np.linspace(-6, 6, 1201), [0.0, -0.0, np.inf, -np.inf]])
    for name in ("erf", "erfc"):
        ours = getattr(npgrad, name)(npgrad.tensor(x)).numpy()
        np.testing.assert_allclose(ours, getattr(torch, name)(torch.tensor(x)).numpy(), rtol=rtol, atol=1e-300)
    y = np.concatenate([np.linspace(-0.999999, 0.999999, 2001), 1 - np.logspace(-16, -6, 40),
                        -1 + np.logspace(-16, -6, 40)])
    np.testing.assert_allclose(npgrad.erfinv(npgrad.tensor(y)).numpy(), torch.erfinv(torch.tensor(y)).numpy(),
                               rtol=2 * rtol, atol=1e-15)


@pytest.mark.parametrize("scipy", [True, False], ids=["scipy", "math"])
def test_erfinv_edges(scipy, torch, monkeypatch):
    from npgrad.ops import special
    if not scipy:
        monkeypatch.setattr(special, "_scipy", lambda name: None)
    y = np.array([1.0, -1.0, 1.5, -2.0, 0.0, np.nan])
    np.testing.assert_array_equal(npgrad.erfinv(npgrad.tensor(y)).numpy(), torch.erfinv(torch.tensor(y)).numpy())


def test_erf_of_integers_is_float():
    assert npgrad.erf(npgrad.tensor([0, 1])).dtype == npgrad.float32
    assert abs(npgrad.erf(npgrad.tensor([1])).item() - math.erf(1)) < 1e-7


@pytest.mark.parametrize("name", ["asin", "acos", "atanh", "acosh"])
def test_out_of_domain_is_nan_as_torch(name, torch):
    x = np.array([-3.0, -1.0, 1.0, 3.0, 0.5])
    ours = getattr(npgrad, name)(npgrad.tensor(x)).numpy()
    np.testing.assert_allclose(ours, getattr(torch, name)(torch.tensor(x)).numpy(), rtol=1e-15)


@pytest.mark.parametrize("name", ["asin", "acos", "atan", "sinh", "cosh", "asinh", "atanh", "erf", "erfc", "erfinv"])
def test_inplace_forms(name, torch):
    x = np.array([0.1, -0.4, 0.7])
    a, b = npgrad.tensor(x), torch.tensor(x)
    assert getattr(a, name + "_")() is a
    getattr(b, name + "_")()
    np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-14)


def test_copysign_and_atan2_inplace_and_grad_at_zero(torch):
    for T in (npgrad, torch):
        a = T.tensor([0.0, -2.0, 3.0], requires_grad=True)
        T.copysign(a, T.tensor([-1.0, 1.0, -1.0])).sum().backward()
        if T is npgrad:
            ours = a.grad.numpy()
        else:
            np.testing.assert_array_equal(ours, a.grad.numpy())
    x = npgrad.tensor([1.0, 2.0])
    x.atan2_(npgrad.tensor([-1.0, 1.0]))
    np.testing.assert_allclose(x.numpy(), np.arctan2([1.0, 2.0], [-1.0, 1.0]), rtol=1e-6)
    assert npgrad.copysign(npgrad.tensor([1, 2]), -1).dtype == npgrad.float32


def test_logaddexp_extremes(torch):
    a = np.array([-np.inf, np.inf, 1e308, -1000.0])
    b = np.array([-np.inf, 1.0, 1e308, -1000.0])
    np.testing.assert_array_equal(npgrad.logaddexp(npgrad.tensor(a), npgrad.tensor(b)).numpy(),
                                  torch.logaddexp(torch.tensor(a), torch.tensor(b)).numpy())


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "int8", "uint8"])
def test_shifts_every_amount(dtype, torch):
    x = np.array([1, 5, 100, 127], dtype=dtype) if dtype == "uint8" else np.array([1, -8, 5, -1, 100], dtype=dtype)
    for s in [-1, 0, 1, 3, 7, 15, 31, 63, 64, 70]:
        for fn in ("bitwise_left_shift", "bitwise_right_shift"):
            ours = getattr(npgrad, fn)(npgrad.tensor(x), s)
            theirs = getattr(torch, fn)(torch.tensor(x), s)
            assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
            np.testing.assert_array_equal(ours.numpy(), theirs.numpy(), err_msg=f"{fn} {dtype} by {s}")


def test_shift_operators(torch):
    for T in (npgrad, torch):
        x = T.tensor([1, 2, -16])
        y = T.tensor([3, 1, 2])
        res = [x << 2, x >> 1, 5 << y, 1024 >> y, x << y, T.tensor([True]) << 1]
        x <<= 1
        res.append(x)
        x.bitwise_right_shift_(2)
        res.append(x)
        if T is npgrad:
            ours = [r.numpy() for r in res]
        else:
            for o, t in zip(ours, res):
                np.testing.assert_array_equal(o, t.numpy())


def test_shifts_reject_floats():
    with pytest.raises(NotImplementedError, match="lshift"):
        npgrad.tensor([1.5]) << 1
    with pytest.raises(NotImplementedError, match="rshift"):
        npgrad.bitwise_right_shift(npgrad.tensor([4]), npgrad.tensor([1.0]))


def test_reflected_operators(torch):
    x = np.array([3.0, -7.0, 2.5])
    for expr in ("100 % x", "-7 % x", "100 // x", "2 ** x", "1.5 % x"):
        ours = eval(expr, {"x": npgrad.tensor(x)})
        theirs = eval(expr, {"x": torch.tensor(x)})
        np.testing.assert_allclose(ours.numpy(), theirs.numpy())
    xi = np.array([3, -7, 4])
    for expr in ("100 % x", "100 // x", "2 ** x"):
        ours, theirs = eval(expr, {"x": npgrad.tensor(xi)}), eval(expr, {"x": torch.tensor(xi)})
        assert ours.dtype == npgrad.int64
        np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_inplace_mod_and_floordiv(torch):
    for T in (npgrad, torch):
        x = T.tensor([7.0, -7.0, 5.5])
        alias = x
        x %= 3
        x //= 0.5
        assert alias is x
        if T is npgrad:
            ours = x.numpy().copy()
    np.testing.assert_array_equal(ours, x.numpy())


def test_bad_inputs():
    with pytest.raises(RuntimeError, match="atan2"):
        npgrad.atan2(npgrad.ones(3), npgrad.ones(4))
    with pytest.raises(RuntimeError, match="logaddexp"):
        npgrad.logaddexp(npgrad.ones(2, 3), npgrad.ones(4))
    with pytest.raises(RuntimeError, match="copysign"):
        npgrad.copysign(npgrad.ones(3), npgrad.ones(2))
