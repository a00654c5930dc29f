"""The op table (optable.py) drives every check: forward vs NumPy in float32 and float64,
float64 gradcheck (broadcast shapes included), gradgradcheck, and forward+backward vs PyTorch."""
import numpy as np
import pytest

import npgrad
from npgrad.autograd import gradcheck, gradgradcheck

from .optable import OPS, cases, make_inputs

GRAD_OPS = [op for op in OPS if op.grad]


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _float_outs(outs):
    return [o for o in outs if o.dtype.is_floating_point]


def _weights(outs, seed=7):
    """Random upstream gradients, so that backward is tested with more than a plain sum."""
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(o.shape)).astype(np.float32) for o in outs]


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["f32", "f64"])
@pytest.mark.parametrize("op,shapes", cases())
def test_forward_matches_numpy(op, shapes, dtype):
    xs = make_inputs(op, shapes, dtype)
    ts = [npgrad.tensor(x, requires_grad=op.grad) for x in xs]
    outs = _tuple(op.run(npgrad, *ts))
    refs = _tuple(op.ref(*[x.astype(np.float64) for x in xs]))
    assert len(outs) == len(refs)
    rtol, atol = (op.rtol32, op.atol32) if dtype == np.float32 else (1e-10, 1e-12)
    for o, r in zip(outs, refs):
        r = np.asarray(r)
        assert isinstance(o, npgrad.Tensor)
        assert tuple(o.shape) == r.shape
        if r.dtype.kind == "f":
            assert o._data.dtype == (op.out_dtype or dtype), "float outputs keep the input's float dtype"
            np.testing.assert_allclose(o._data, r, rtol=rtol, atol=atol)
        else:
            assert o._data.dtype == (np.bool_ if r.dtype == np.bool_ else np.int64)
            np.testing.assert_array_equal(o._data, r)
    if op.grad:  # gradients come back in the leaves' own dtype and shape
        fouts = _float_outs(outs)
        sum(((o * npgrad.tensor(w).to(o.dtype)).sum() for o, w in zip(fouts, _weights(fouts))),
            npgrad.tensor(0.0, dtype=npgrad.float64 if dtype == np.float64 else npgrad.float32)).backward()
        for t in ts:
            assert t.grad is not None and t.grad._data.dtype == dtype and t.grad.shape == t.shape


@pytest.mark.parametrize("op,shapes", cases(GRAD_OPS))
def test_gradcheck(op, shapes):
    xs = [npgrad.tensor(x, requires_grad=True) for x in make_inputs(op, shapes, np.float64)]
    assert gradcheck(lambda *a: tuple(_float_outs(_tuple(op.run(npgrad, *a)))), xs)


@pytest.mark.parametrize("op,shapes", cases([op for op in OPS if op.gg], first_only=True))
def test_gradgradcheck(op, shapes):
    xs = [npgrad.tensor(x, requires_grad=True) for x in make_inputs(op, shapes, np.float64)]
    assert gradgradcheck(lambda *a: tuple(_float_outs(_tuple(op.run(npgrad, *a)))), xs)


@pytest.mark.parametrize("op,shapes", cases())
def test_matches_torch(op, shapes, torch):
    xs = make_inputs(op, shapes, np.float32)
    ours = [npgrad.tensor(x, requires_grad=op.grad) for x in xs]
    theirs = [torch.tensor(x, requires_grad=op.grad) for x in xs]
    o1, o2 = _tuple(op.run(npgrad, *ours)), _tuple(op.run(torch, *theirs))
    assert len(o1) == len(o2)
    for a, b in zip(o1, o2):
        assert a.dtype.name == str(b.dtype).replace("torch.", "")
        assert tuple(a.shape) == tuple(b.shape)
        np.testing.assert_allclose(a._data, b.detach().numpy(), rtol=op.rtol32, atol=op.atol32)
    if not op.grad:
        return
    f1, f2 = _float_outs(o1), [o for o in o2 if o.dtype.is_floating_point]
    ws = _weights(f1)
    sum((o * npgrad.tensor(w)).sum() for o, w in zip(f1, ws)).backward()
    sum((o * torch.tensor(w)).sum() for o, w in zip(f2, ws)).backward()
    for a, b in zip(ours, theirs):
        ga = np.zeros_like(a._data) if a.grad is None else a.grad._data
        gb = np.zeros_like(a._data) if b.grad is None else b.grad.numpy()
        assert ga.dtype == np.float32
        np.testing.assert_allclose(ga, gb, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("op,shapes", cases(GRAD_OPS))
def test_forward_ad_matches_directional_derivative(op, shapes):
    """Forward mode (jvp) equals the central difference of f along a random direction."""
    import npgrad.autograd.forward_ad as fwAD
    xs = make_inputs(op, shapes, np.float64)
    vs = [np.random.default_rng(5).standard_normal(x.shape) for x in xs]
    with fwAD.dual_level():
        duals = [fwAD.make_dual(npgrad.tensor(x), npgrad.tensor(v)) for x, v in zip(xs, vs)]
        tangents = [fwAD.unpack_dual(o).tangent for o in _float_outs(_tuple(op.run(npgrad, *duals)))]
    eps = 1e-6

    def at(sign):
        return [o._data for o in _float_outs(_tuple(op.run(npgrad, *[npgrad.tensor(x + sign * eps * v)
                                                                     for x, v in zip(xs, vs)])))]
    for t, hi, lo in zip(tangents, at(1), at(-1)):
        t = np.zeros_like(hi) if t is None else t._data
        np.testing.assert_allclose(t, (hi - lo) / (2 * eps), rtol=1e-5, atol=1e-6)
