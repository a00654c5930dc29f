"""Elementwise, reduction, comparison and scan ops on the stand-in device beyond the op table's first
cases: in-place variants under autograd, Python-number and 0-d CPU tensor operands mixed with device
tensors, dtype promotion, integer and bool ops, and the paths only large or special inputs reach."""
import numpy as np
import pytest

import npgrad
from npgrad.ops import special

from .conftest import assert_on, on_host

CPU = npgrad.device("cpu")


def _both(fn, *arrays, grad=False, dev):
    """``fn`` run on CPU tensors and on device tensors made from ``arrays``: checks that every output
    is on the device with the CPU's dtype, shape and values; with ``grad``, the inputs' gradients of
    a weighted sum of the float outputs too.  Returns the device outputs."""
    results = []
    for d in (CPU, dev):
        ts = [npgrad.tensor(a).to(d).requires_grad_(grad) if grad else npgrad.tensor(a).to(d) for a in arrays]
        out = fn(*ts)
        outs = out if isinstance(out, (tuple, list)) else (out,)
        diff = [o for o in outs if o.requires_grad]
        if grad and diff:
            sum((o * npgrad.tensor(np.linspace(-1, 1, o.numel()).reshape(o.shape), dtype=o.dtype, device=d)).sum()
                for o in diff).backward()
        results.append((ts, outs))
    (cts, couts), (dts, douts) = results
    assert len(couts) == len(douts)
    for c, o in zip(couts, douts):
        assert_on(o, dev)
        assert o.dtype == c.dtype and o.shape == c.shape, (o.dtype, c.dtype, o.shape, c.shape)
        np.testing.assert_allclose(on_host(o), on_host(c), rtol=1e-12, atol=1e-12)
    if grad:
        for c, t in zip(cts, dts):
            assert (c.grad is None) == (t.grad is None)
            if c.grad is not None:
                assert_on(t.grad, dev)
                np.testing.assert_allclose(on_host(t.grad), on_host(c.grad), rtol=1e-12, atol=1e-12)
    return douts


RNG = np.random.default_rng(0)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((3, 4))
POS = RNG.uniform(0.5, 2.0, (3, 4))
INTS = np.array([[5, -7, 0, 3], [2, 9, -4, 1]], dtype=np.int64)
SMALL_INTS = np.array([[2, 3, 1, 5], [4, 1, 2, 3]], dtype=np.int64)


# -- in-place variants under autograd ---------------------------------------------------------
@pytest.mark.parametrize("name,fn", [
    ("pow_", lambda x, y: (x * 1).abs().pow_(2.5) * y),
    ("clamp_", lambda x, y: (x * 1).clamp_(-0.5, 0.5) * y),
    ("clamp_min_", lambda x, y: (x * 1).clamp_(min=0.1) * y),
    ("scalar_chain", lambda x, y: (x * 1).add_(3.0).mul_(2).sub_(1, alpha=2).div_(4) * y),
    ("iadd_scalar", lambda x, y: _iadd(x * 1, 2.0) * y),
    ("masked_fill_", lambda x, y: (x * 1).masked_fill_(y > 1, 0.25) * y),
    ("exp_", lambda x, y: (x * 1).exp_() * y),
    ("neg_", lambda x, y: (x * 1).neg_() * y),
    ("sigmoid_", lambda x, y: (x * 1).sigmoid_() * y),
])
def test_inplace_under_autograd(cuda, name, fn):
    _both(fn, A, POS, grad=True, dev=cuda)


@pytest.mark.parametrize("name,fn", [
    ("add_", lambda x, y: (x * 1).add_(y, alpha=2)),
    ("sub_", lambda x, y: (x * 1).sub_(y)),
    ("mul_", lambda x, y: (x * 1).mul_(y)),
    ("div_", lambda x, y: (x * 1).div_(y)),
    ("clamp_tensor_", lambda x, y: (x * 1).clamp_(min=y)),
    ("iadd", lambda x, y: _iadd(x * 1, y)),
    ("copy_", lambda x, y: (x * 1).copy_(y) * x),
    ("fill_", lambda x, y: (x * 1).fill_(1.5) * y),
])
def test_inplace_with_tensor_operand(cuda, name, fn):
    _both(fn, A, POS, grad=True, dev=cuda)


def _iadd(x, y):
    x += y
    x *= 2
    x -= 0.5
    return x


def test_inplace_integer_and_no_grad(cuda):
    _both(lambda x: (x * 1).add_(3).mul_(2).clamp_(min=-3, max=12), INTS, dev=cuda)
    _both(lambda x: _iadd(x * 1.0, 3), INTS, dev=cuda)
    _both(lambda x: x.clone().zero_(), A, dev=cuda)
    _both(lambda x: x.clone().fill_(2), INTS, dev=cuda)


def test_inplace_tensor_operand_without_grad(cuda):
    with npgrad.no_grad():
        _both(lambda x, y: x.add_(y), A, B, dev=cuda)


# -- Python numbers and 0-d CPU tensors with device tensors ----------------------------------
@pytest.mark.parametrize("fn", [
    lambda x: x + 2, lambda x: 2 - x, lambda x: x * 0.5, lambda x: 1 / x, lambda x: x ** 2, lambda x: 2 ** x,
    lambda x: x % 0.7, lambda x: 3.0 % x, lambda x: x // 0.3, lambda x: 5 // x, lambda x: npgrad.pow(x, 3),
    lambda x: npgrad.maximum(x, npgrad.tensor(0.5)), lambda x: npgrad.where(x > 0, x, 0.0),
    lambda x: npgrad.where(x > 0, 1.0, -1.0), lambda x: npgrad.clamp(x, 0.8, 1.5),
    lambda x: npgrad.atan2(x, 2.0), lambda x: npgrad.atan2(2.0, x), lambda x: npgrad.copysign(x, -1.0),
    lambda x: npgrad.logaddexp(x, 1.0), lambda x: npgrad.fmax(x, 1.0), lambda x: npgrad.fmin(1.0, x),
    lambda x: npgrad.remainder(x, 0.6), lambda x: npgrad.fmod(x, 0.6), lambda x: npgrad.lerp(x, 2.0, 0.25),
])
def test_number_operands(cuda, fn):
    _both(fn, POS, grad=True, dev=cuda)


def test_cpu_scalar_tensor_joins_the_device(cuda):
    s = npgrad.tensor(1.5)
    for fn in (lambda x: x + s, lambda x: s * x, lambda x: x / s, lambda x: s - x, lambda x: x ** s,
               lambda x: npgrad.maximum(s, x), lambda x: npgrad.where(x > 0, x, s), lambda x: x > s,
               lambda x: npgrad.atan2(x, s), lambda x: npgrad.logaddexp(s, x), lambda x: x // s,
               lambda x: npgrad.where(s > 1, x, -x), lambda x: npgrad.where(x > 0, s, 0.0)):
        out = fn(npgrad.tensor(A).to(cuda))
        assert_on(out, cuda)
        np.testing.assert_allclose(on_host(out), on_host(fn(npgrad.tensor(A))), rtol=1e-12)


def test_gradient_of_cpu_scalar_tensor_stays_on_cpu(cuda):
    # gradients through the mixed op reach the CPU scalar on the CPU, the device tensor on the device
    x = npgrad.tensor(A).to(cuda).requires_grad_()
    w = npgrad.tensor(2.0, requires_grad=True)
    (x * w).sum().backward()
    assert_on(x.grad, cuda)
    assert_on(w.grad, CPU)
    np.testing.assert_allclose(on_host(w.grad), A.sum(), rtol=1e-6)  # (w is float32)


def test_cpu_tensor_with_dimensions_is_refused(cuda):
    x = npgrad.tensor(A).to(cuda)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        x + npgrad.tensor(B)
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        npgrad.maximum(x, npgrad.tensor(B))


# -- dtype promotion on the device equals the CPU's -------------------------------------------
@pytest.mark.parametrize("fn,arrays", [
    (lambda a, b: a + b, (INTS, A[:2])),
    (lambda a, b: a + b, (INTS.astype(np.int32), INTS)),
    (lambda a, b: a * b, (INTS > 0, INTS.astype(np.int16))),
    (lambda a, b: a / b, (INTS, SMALL_INTS)),
    (lambda a, b: a + 2.5, (INTS, SMALL_INTS)),
    (lambda a, b: a.to(npgrad.uint8) + 300, (SMALL_INTS, SMALL_INTS)),
    (lambda a, b: a.float() + b.double()[0, 0], (A[:2], SMALL_INTS)),
    (lambda a, b: a.float() * npgrad.tensor(2.0, dtype=npgrad.float64), (A[:2], SMALL_INTS)),
    (lambda a, b: a + True, (INTS, SMALL_INTS)),
    (lambda a, b: (a > 0) + (b > 2), (INTS, SMALL_INTS)),
    (lambda a, b: npgrad.where(a > 0, a, 1.5), (INTS, SMALL_INTS)),
    (lambda a, b: npgrad.where(a > 0, a, b.float()), (INTS, SMALL_INTS)),
    (lambda a, b: a.half() + b, (A[:2], SMALL_INTS)),
    (lambda a, b: npgrad.maximum(a, b.double()), (INTS.astype(np.int32), SMALL_INTS)),
    (lambda a, b: a.sum() + b.prod(), (INTS, SMALL_INTS)),
    (lambda a, b: npgrad.exp(a) + npgrad.sqrt(b), (SMALL_INTS, SMALL_INTS)),
    (lambda a, b: a.mean(dtype=npgrad.float32), (INTS, SMALL_INTS)),
])
def test_promotion_matches_cpu(cuda, fn, arrays):
    _both(fn, *arrays, dev=cuda)


# -- integer and bool ops ---------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda a, b: a // b, lambda a, b: a % b, lambda a, b: npgrad.fmod(a, b), lambda a, b: -a // 2,
    lambda a, b: npgrad.div(a, b, rounding_mode="trunc"), lambda a, b: npgrad.div(a, b, rounding_mode="floor"),
    lambda a, b: a & b, lambda a, b: a | b, lambda a, b: a ^ b, lambda a, b: ~a,
    lambda a, b: a << 2, lambda a, b: a >> 1, lambda a, b: 1 << b, lambda a, b: npgrad.bitwise_left_shift(a, b),
    lambda a, b: a ** 2, lambda a, b: b ** b, lambda a, b: npgrad.pow(a, -b),
    lambda a, b: (a > 0) & (b > 2), lambda a, b: (a > 0) | (b > 2), lambda a, b: ~(a > 0),
    lambda a, b: npgrad.logical_xor(a, b), lambda a, b: npgrad.logical_not(a), lambda a, b: a == b,
    lambda a, b: a.abs(), lambda a, b: a.sign(), lambda a, b: a.clamp(-2, 4), lambda a, b: a.sum(),
    lambda a, b: a.sum(1), lambda a, b: (a > 0).sum(), lambda a, b: b.prod(1), lambda a, b: a.cumsum(1),
    lambda a, b: b.cumprod(0), lambda a, b: a.argmax(), lambda a, b: a.argmin(1), lambda a, b: a.amax(0),
    lambda a, b: a.max(), lambda a, b: npgrad.count_nonzero(a), lambda a, b: npgrad.count_nonzero(a, 1),
    lambda a, b: a.all(), lambda a, b: a.any(1), lambda a, b: (a > 0).all(1, keepdim=True),
    lambda a, b: npgrad.nonzero(a), lambda a, b: npgrad.nonzero(a, as_tuple=True), lambda a, b: npgrad.where(a),
    lambda a, b: npgrad.maximum(a, b), lambda a, b: npgrad.minimum(a, 0), lambda a, b: a.float().mean(),
    lambda a, b: npgrad.heaviside(a, b), lambda a, b: npgrad.isclose(a, b), lambda a, b: a.sub(b, alpha=2),
])
def test_integer_and_bool_ops(cuda, fn):
    _both(fn, INTS, SMALL_INTS, dev=cuda)


def test_integer_division_by_zero_raises_on_device(cuda):
    a = npgrad.tensor(INTS).to(cuda)
    with pytest.raises(RuntimeError, match="division by zero"):
        a // npgrad.tensor(INTS).to(cuda)
    with pytest.raises(RuntimeError, match="Subtraction"):
        (a > 0) - (a > 1)


# -- what only larger or special inputs reach --------------------------------------------------
def test_relu_on_large_arrays(cuda):
    big = RNG.standard_normal((100, 200))  # past the flat-loop threshold of the CPU kernel
    _both(npgrad.relu, big, grad=True, dev=cuda)
    _both(lambda x: npgrad.relu(x.float()), big, dev=cuda)


@pytest.mark.parametrize("fn", [
    lambda x: npgrad.rsqrt(x.abs().sum()), lambda x: x.abs().rsqrt(), lambda x: npgrad.erf(x),
    lambda x: npgrad.erfc(x), lambda x: npgrad.erfinv(x * 0.3), lambda x: npgrad.logsumexp(x * 300, 1),
    lambda x: x.var(0), lambda x: x.std(1, keepdim=True), lambda x: npgrad.var_mean(x, 1, correction=0),
    lambda x: x.half().var().float(), lambda x: x.prod(), lambda x: (x * (x > 0)).prod(1),
    lambda x: x.cumprod(1), lambda x: (x * (x > 0)).cumprod(1), lambda x: x.norm(), lambda x: x.norm(1, 1),
    lambda x: x.norm(float("inf")), lambda x: x.norm(3, 0), lambda x: npgrad.logcumsumexp(x, 1),
    lambda x: npgrad.logcumsumexp(x * 500, 0), lambda x: x.amax(1), lambda x: x.amin(), lambda x: x.max(),
    lambda x: x.sum(0, keepdim=True), lambda x: x.mean((0, 1)), lambda x: npgrad.nan_to_num(x / 0.0),
    lambda x: x.floor() + x.ceil() + x.round() + x.trunc(), lambda x: npgrad.isfinite(x / 0.0),
    lambda x: npgrad.sigmoid(x) * npgrad.tanh(x), lambda x: npgrad.float_power(x, 2),
    lambda x: npgrad.square(x), lambda x: npgrad.reciprocal(x), lambda x: npgrad.exp2(x) + npgrad.log2(x.abs()),
    lambda x: npgrad.expm1(x) + npgrad.log1p(x.abs()) + npgrad.log10(x.abs()), lambda x: npgrad.tan(x),
    lambda x: npgrad.sinh(x) + npgrad.cosh(x) + npgrad.asinh(x) + npgrad.atanh(x * 0.2),
    lambda x: npgrad.copysign(x, -x), lambda x: npgrad.logaddexp2(x, -x), lambda x: npgrad.sgn(x),
])
def test_float_ops_with_gradients(cuda, fn):
    _both(fn, A, grad=True, dev=cuda)


def test_running_extrema_on_device(cuda):
    x = np.array([[1.0, 3.0, 2.0, 3.0, 0.5, 4.0, 4.0], [2.0, 1.0, np.nan, 0.0, 5.0, -1.0, 7.0]])
    for fn in (lambda t: npgrad.cummax(t, 1), lambda t: npgrad.cummin(t, 1), lambda t: npgrad.cummax(t, 0),
               lambda t: npgrad.cummin(t[:, :1], 1)):
        _both(lambda t: tuple(fn(t)), x, dev=cuda)
    _both(lambda t: tuple(npgrad.cummax(t, 1)), INTS, dev=cuda)
    _both(lambda t: tuple(npgrad.cummax(t, 0)), np.array(2.0), dev=cuda)


def test_mean_of_empty_dim_on_device(cuda):
    _both(lambda t: t.mean(1), np.zeros((3, 0)), dev=cuda)


def test_histograms_on_device(cuda):
    x = RNG.standard_normal(50)
    _both(lambda t: npgrad.histc(t, bins=7), x, dev=cuda)
    _both(lambda t: npgrad.histc(t, bins=4, min=-1, max=1), x, dev=cuda)
    _both(lambda t: tuple(npgrad.histogram(t, bins=5)), x, dev=cuda)
    _both(lambda t: tuple(npgrad.histogram(t, bins=3, range=(-1.0, 2.0), density=True)), x, dev=cuda)
    _both(lambda t, w: tuple(npgrad.histogram(t, bins=4, weight=w)), x, RNG.uniform(size=50), dev=cuda)


def test_erf_family_without_scipy(cuda, monkeypatch):
    monkeypatch.setattr(special, "_scipy", lambda name: None)
    y = np.array([-0.9999999, -0.5, 0.0, 0.3, 0.99, 0.9999999])
    _both(npgrad.erfinv, y, grad=True, dev=cuda)
    _both(npgrad.erf, A, grad=True, dev=cuda)
    _both(npgrad.erfc, A, dev=cuda)


def test_zero_dim_tensors_on_device(cuda):
    for fn in (lambda t: t.argmax(), lambda t: t.argmax(0), lambda t: npgrad.nonzero(t),
               lambda t: npgrad.nonzero(t > 5, as_tuple=True), lambda t: t.max(0), lambda t: npgrad.sort(t),
               lambda t: npgrad.topk(t, 1), lambda t: npgrad.cummin(t, 0), lambda t: t + 1, lambda t: t.sum()):
        out = fn(npgrad.tensor(2.5).to(cuda))
        for o in out if isinstance(out, tuple) else (out,):
            assert_on(o, cuda)
            ref = fn(npgrad.tensor(2.5))
            ref = ref if isinstance(ref, tuple) else (ref,)
        for o, r in zip(out if isinstance(out, tuple) else (out,), ref):
            assert o.shape == r.shape and o.dtype == r.dtype
            np.testing.assert_array_equal(on_host(o), on_host(r))


def test_copy_between_devices(cuda):
    x = npgrad.zeros(3, 4).to(cuda)
    x.copy_(npgrad.tensor(A))
    assert_on(x, cuda)
    np.testing.assert_array_equal(on_host(x), A.astype(np.float32))
    h = npgrad.zeros(3, 4, dtype=npgrad.float64)
    h.copy_(npgrad.tensor(B).to(cuda))
    assert_on(h, CPU)
    np.testing.assert_array_equal(on_host(h), B)
    # under autograd the gradient goes back across the copy, to the source's device
    src = npgrad.tensor(A, requires_grad=True)
    y = npgrad.zeros(3, 4, dtype=npgrad.float64, device=cuda) * 1
    y.copy_(src)
    (y * 2).sum().backward()
    assert_on(src.grad, CPU)
    np.testing.assert_array_equal(on_host(src.grad), np.full((3, 4), 2.0))
