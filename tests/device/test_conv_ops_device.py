"""Convolution, pooling, unpooling, interpolation and unfold/fold on the stand-in device (strictnp as
"cuda"): each case runs on the CPU and on the device, and the outputs, their devices and the
gradients of every input must agree (float64, so equal means equal up to summation order)."""
import warnings

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F

from .conftest import assert_on, on_host

# (name, input shapes, fn(T, *inputs) -> tensor or tuple of tensors)
CASES = [
    ("conv2d", [(2, 3, 7, 6), (4, 3, 3, 3), (4,)], lambda T, x, w, b: T.nn.functional.conv2d(x, w, b)),
    ("conv2d_pad_stride", [(2, 3, 7, 6), (4, 3, 3, 2), (4,)],
     lambda T, x, w, b: T.nn.functional.conv2d(x, w, b, stride=(2, 1), padding=(1, 2))),
    ("conv2d_dilation", [(1, 2, 9, 8), (3, 2, 3, 3)],
     lambda T, x, w: T.nn.functional.conv2d(x, w, padding=2, dilation=(2, 1))),
    ("conv2d_groups", [(2, 4, 6, 6), (6, 2, 3, 3), (6,)],
     lambda T, x, w, b: T.nn.functional.conv2d(x, w, b, padding=1, groups=2)),
    ("conv2d_same", [(2, 3, 6, 5), (2, 3, 4, 3)], lambda T, x, w: T.nn.functional.conv2d(x, w, padding="same")),
    ("conv2d_same_dilated", [(1, 2, 8, 8), (2, 2, 3, 3)],
     lambda T, x, w: T.nn.functional.conv2d(x, w, padding="same", dilation=2)),
    ("conv2d_1x1_stride", [(2, 3, 5, 5), (4, 3, 1, 1)], lambda T, x, w: T.nn.functional.conv2d(x, w, stride=2)),
    ("conv2d_unbatched", [(3, 5, 5), (2, 3, 3, 3)], lambda T, x, w: T.nn.functional.conv2d(x, w, padding=1)),
    ("conv1d", [(2, 3, 10), (4, 3, 3), (4,)], lambda T, x, w, b: T.nn.functional.conv1d(x, w, b, stride=2, padding=1)),
    ("conv1d_groups_dil", [(2, 4, 11), (4, 2, 3)],
     lambda T, x, w: T.nn.functional.conv1d(x, w, groups=2, dilation=2, padding="same")),
    ("conv_transpose2d", [(2, 3, 4, 5), (3, 2, 3, 3), (2,)],
     lambda T, x, w, b: T.nn.functional.conv_transpose2d(x, w, b, stride=2, padding=1, output_padding=1)),
    ("conv_transpose2d_s1", [(2, 3, 4, 5), (3, 2, 3, 2)],
     lambda T, x, w: T.nn.functional.conv_transpose2d(x, w, padding=(1, 0))),
    ("conv_transpose2d_groups_dil", [(1, 4, 4, 4), (4, 3, 2, 3)],
     lambda T, x, w: T.nn.functional.conv_transpose2d(x, w, stride=(1, 2), groups=2, dilation=2)),
    ("conv_transpose1d", [(2, 3, 6), (3, 4, 3), (4,)],
     lambda T, x, w, b: T.nn.functional.conv_transpose1d(x, w, b, stride=3, padding=1)),
    ("conv3d", [(1, 2, 4, 5, 4), (3, 2, 2, 3, 2), (3,)],
     lambda T, x, w, b: T.nn.functional.conv3d(x, w, b, stride=(1, 2, 1), padding=1)),
    ("max_pool2d", [(2, 3, 6, 8)], lambda T, x: T.nn.functional.max_pool2d(x, 2)),
    ("max_pool2d_3x3", [(2, 3, 6, 9)], lambda T, x: T.nn.functional.max_pool2d(x, 3)),
    ("max_pool2d_overlap", [(2, 3, 7, 8)], lambda T, x: T.nn.functional.max_pool2d(x, 3, stride=2, padding=1)),
    ("max_pool2d_ceil", [(1, 2, 7, 7)], lambda T, x: T.nn.functional.max_pool2d(x, 2, ceil_mode=True)),
    ("max_pool2d_dilation", [(1, 2, 9, 9)], lambda T, x: T.nn.functional.max_pool2d(x, 2, stride=1, dilation=2)),
    ("max_pool2d_indices", [(2, 3, 6, 7)],
     lambda T, x: T.nn.functional.max_pool2d(x, (2, 3), stride=2, padding=1, return_indices=True)),
    ("max_pool2d_ties", [(1, 2, 5, 4)], lambda T, x: T.nn.functional.max_pool2d(x, 2, stride=1)),  # rounded input
    ("max_pool1d", [(2, 3, 9)], lambda T, x: T.nn.functional.max_pool1d(x, 3, stride=2, padding=1,
                                                                          ceil_mode=True, return_indices=True)),
    ("avg_pool2d", [(2, 3, 6, 8)], lambda T, x: T.nn.functional.avg_pool2d(x, 2)),
    ("avg_pool2d_pad", [(2, 3, 7, 6)],
     lambda T, x: T.nn.functional.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False, ceil_mode=True)),
    ("avg_pool2d_divisor", [(1, 2, 6, 6)], lambda T, x: T.nn.functional.avg_pool2d(x, 3, divisor_override=4)),
    ("avg_pool1d", [(2, 3, 9)], lambda T, x: T.nn.functional.avg_pool1d(x, 3, stride=2, padding=1)),
    ("adaptive_avg_pool2d", [(2, 3, 7, 5)], lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, (3, 2))),
    ("adaptive_avg_pool2d_even", [(2, 3, 6, 4)], lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, (3, 2))),
    ("adaptive_avg_pool2d_1", [(2, 3, 6, 4)], lambda T, x: T.nn.functional.adaptive_avg_pool2d(x, 1)),
    ("adaptive_avg_pool1d", [(2, 3, 7)], lambda T, x: T.nn.functional.adaptive_avg_pool1d(x, 3)),
    ("adaptive_avg_pool3d", [(1, 2, 5, 4, 6)], lambda T, x: T.nn.functional.adaptive_avg_pool3d(x, (2, 4, 3))),
    ("max_unpool1d", [(2, 3, 8)],
     lambda T, x: T.nn.functional.max_unpool1d(*T.nn.functional.max_pool1d(x, 2, return_indices=True), 2)),
    ("max_unpool2d", [(2, 3, 4, 6)],
     lambda T, x: T.nn.functional.max_unpool2d(*T.nn.functional.max_pool2d(x, 2, return_indices=True), 2)),
    ("unfold", [(2, 3, 6, 5)], lambda T, x: T.nn.functional.unfold(x, (2, 3), padding=1, stride=(2, 1))),
    ("fold", [(2, 12, 10)], lambda T, x: T.nn.functional.fold(x, (5, 6), 2, stride=(2, 1))),
    ("interp_nearest", [(2, 3, 3, 4)], lambda T, x: T.nn.functional.interpolate(x, scale_factor=2)),
    ("interp_nearest_1d", [(2, 3, 5)], lambda T, x: T.nn.functional.interpolate(x, size=8)),
    ("interp_nearest_exact", [(1, 2, 3, 5)],
     lambda T, x: T.nn.functional.interpolate(x, size=(4, 7), mode="nearest-exact")),
    ("interp_bilinear", [(2, 3, 3, 4)], lambda T, x: T.nn.functional.interpolate(x, size=(5, 7), mode="bilinear")),
    ("interp_bilinear_ac", [(2, 3, 3, 4)],
     lambda T, x: T.nn.functional.interpolate(x, scale_factor=1.5, mode="bilinear", align_corners=True)),
    ("interp_bicubic", [(1, 2, 4, 4)], lambda T, x: T.nn.functional.interpolate(x, size=(6, 5), mode="bicubic")),
    ("interp_linear", [(2, 3, 4)], lambda T, x: T.nn.functional.interpolate(x, scale_factor=2.5, mode="linear")),
    ("interp_trilinear", [(1, 2, 2, 3, 2)],
     lambda T, x: T.nn.functional.interpolate(x, size=(3, 4, 3), mode="trilinear", align_corners=True)),
    ("interp_area", [(1, 2, 7, 5)], lambda T, x: T.nn.functional.interpolate(x, size=(3, 2), mode="area")),
    ("upsample_nearest", [(1, 2, 3, 3)], lambda T, x: T.nn.Upsample(scale_factor=2)(x)),
    ("upsample_bilinear", [(1, 2, 3, 3)],
     lambda T, x: T.nn.UpsamplingBilinear2d(scale_factor=2)(x)),
    ("sdpa_causal", [(2, 3, 4), (2, 3, 4), (2, 3, 4)],
     lambda T, q, k, v: T.nn.functional.scaled_dot_product_attention(q, k, v, is_causal=True)),
]


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _run(fn, xs, dev):
    ts = [npgrad.tensor(x).to(dev).requires_grad_() for x in xs]
    outs = _tuple(fn(npgrad, *ts))
    fl = [o for o in outs if o.dtype.is_floating_point]
    rng = np.random.default_rng(1)
    loss = sum((o * npgrad.tensor(rng.standard_normal(tuple(o.shape)), device=dev)).sum() for o in fl)
    loss.backward()
    return outs, [t.grad for t in ts]


@pytest.mark.parametrize("name,shapes,fn", CASES, ids=[c[0] for c in CASES])
def test_matches_cpu(name, shapes, fn, cuda):
    rng = np.random.default_rng(0)
    xs = [rng.standard_normal(s) for s in shapes]
    if name.endswith("ties"):  # equal maxima in a window: the gradient goes to the first, on both devices
        xs = [np.round(a) for a in xs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cpu = _run(fn, xs, npgrad.device("cpu"))
        dev = _run(fn, xs, cuda)
    for c, d in zip(cpu[0] + tuple(cpu[1]), dev[0] + tuple(dev[1])):
        if c is None:
            assert d is None
            continue
        assert_on(d, cuda)
        assert d.dtype == c.dtype and d.shape == c.shape
        np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("pool", ["max", "avg"])
def test_double_backward_matches_cpu(pool, cuda):
    """Gradients of gradients (create_graph): the differentiable backward primitives on the device."""
    rng = np.random.default_rng(2)
    xs = [rng.standard_normal((2, 3, 8, 8)), rng.standard_normal((4, 3, 3, 3))]
    res = []
    for dev in (npgrad.device("cpu"), cuda):
        x, w = (npgrad.tensor(a).to(dev).requires_grad_() for a in xs)
        y = F.conv2d(x, w, padding=1, stride=1).tanh()
        y = F.max_pool2d(y, 2) if pool == "max" else F.avg_pool2d(y, 3, stride=2, padding=1)
        y = F.conv_transpose2d(y, w, stride=2)
        gx, gw = npgrad.autograd.grad((y ** 2).sum(), (x, w), create_graph=True)
        ((gx ** 2).sum() + (gw ** 2).sum()).backward()
        res.append([gx, gw, x.grad, w.grad])
    for c, d in zip(*res):
        assert_on(d, cuda)
        np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-10, atol=1e-12)


def test_jvp_matches_cpu(cuda):
    """Forward-mode rules (``jvp``) of the conv and pooling primitives on device arrays."""
    from npgrad import _backend
    from npgrad.ops import conv as C
    from npgrad.ops import pool as P
    rng = np.random.default_rng(4)
    host = [rng.standard_normal(s) for s in ((2, 3, 6, 6), (2, 3, 6, 6), (4, 3, 3, 3), (4, 3, 3, 3), (4,), (4,))]
    conv_geom = ((1, 2), (1, 1, 0, 1), (1, 1), 1)
    same_geom = ((1, 1), (1, 1, 1, 1), (1, 1), 1)  # 6x6 -> 6x6, so its transpose maps 6x6 back
    max_geom = ((2, 2), (2, 2), (0, 0, 0, 0), (1, 1), (3, 3))
    avg_geom = ((3, 3), (2, 2), (1, 1, 1, 1), (3, 3))
    div = P.avg_divisor((6, 6), (3, 3), (3, 3), (2, 2), (1, 1, 1, 1), False, np.float64)
    res = []
    for move in (lambda a: a, lambda a: _backend.transfer(a, cuda)):
        x, tx, w, tw, b, tb = (move(a) for a in host)
        outs = [C.Conv2d.jvp(None, (x, w, b, conv_geom), (tx, tw, tb), None),
                C.ConvTranspose2d.jvp(None, (x, w.transpose(1, 0, 2, 3).copy(), None, same_geom, (6, 6)),
                                      (tx, tw.transpose(1, 0, 2, 3).copy(), None), None),
                P.AvgPool2d.jvp(None, (x, avg_geom, move(div)), (tx,), None)]
        ctx = P._Ctx()
        ctx.needs_input_grad = (True, False)
        ctx.save_for_backward = lambda *a: None
        P.MaxPool2d.forward(ctx, x, max_geom)
        outs.append(P.MaxPool2d.jvp(ctx, (x, max_geom), (tx,), None))
        res.append(outs)
    for c, d in zip(*res):
        assert _backend.device_of(d) == cuda
        np.testing.assert_allclose(_backend.to_numpy(d), c, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("where", ["input", "weight", "bias"])
def test_mixed_devices_raise_pytorch_error(where, cuda):
    rng = np.random.default_rng(5)
    arrs = {"input": rng.standard_normal((2, 3, 5, 5)), "weight": rng.standard_normal((4, 3, 3, 3)),
            "bias": rng.standard_normal(4)}
    ts = {k: npgrad.tensor(a, device=cuda if k == where else "cpu") for k, a in arrs.items()}
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device"):
        F.conv2d(ts["input"], ts["weight"], ts["bias"], padding=1)
