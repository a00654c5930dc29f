"""Padding layers, InstanceNorm1d/2d/3d (F.instance_norm) and PixelShuffle/PixelUnshuffle against PyTorch."""
import numpy as np
import pytest

import npgrad


def _run(torch, make, x, train=True, steps=1):
    """Forward + backward through ``make(T)`` on both frameworks (same weights); returns both results."""
    res = []
    for T in (npgrad, torch):
        m = make(T)
        if T is torch and hasattr(m, "weight") and m.weight is not None:
            with torch.no_grad():
                m.weight.copy_(torch.linspace(0.5, 1.5, m.weight.numel()))
                m.bias.copy_(torch.linspace(-0.2, 0.2, m.bias.numel()))
        elif hasattr(m, "weight") and m.weight is not None:
            with npgrad.no_grad():
                m.weight.copy_(npgrad.linspace(0.5, 1.5, m.weight.numel()))
                m.bias.copy_(npgrad.linspace(-0.2, 0.2, m.bias.numel()))
        m.train(train)
        xt = T.tensor(x, requires_grad=True)
        for _ in range(steps):
            y = m(xt)
        (y * T.linspace(-1, 1, y.numel()).reshape(y.shape)).sum().backward()
        extra = [b.detach().numpy() for b in m.buffers() if b.dtype != T.int64]
        res.append([y.detach().numpy(), xt.grad.numpy()] + [p.grad.numpy() for p in m.parameters()] + extra
                   + [repr(m)])
    a, b = res
    assert a[-1] == b[-1]  # (the reprs)
    for u, v in zip(a[:-1], b[:-1]):
        np.testing.assert_allclose(u, v, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("name, args, shape", [
    ("ZeroPad2d", (1,), (2, 3, 4, 4)), ("ZeroPad1d", ((2, 0),), (2, 3, 4)),
    ("ConstantPad1d", (2, 3.5), (1, 2, 5)), ("ConstantPad3d", ((1, 0, 0, 1, 2, 0), -1.0), (1, 1, 2, 3, 3)),
    ("ReflectionPad1d", (2,), (1, 2, 5)), ("ReflectionPad2d", ((1, 0, 2, 1),), (2, 1, 4, 5)),
    ("ReplicationPad2d", (2,), (1, 2, 3, 3)), ("ReplicationPad3d", (1,), (1, 1, 2, 3, 3)),
    ("CircularPad1d", (1,), (1, 2, 4)), ("CircularPad2d", ((1, 2, 0, 1),), (1, 1, 3, 4)),
])
def test_padding_layers_match_torch(torch, rng, name, args, shape):
    _run(torch, lambda T: getattr(T.nn, name)(*args), rng.standard_normal(shape).astype(np.float32))


@pytest.mark.parametrize("name, kw, shape", [
    ("InstanceNorm1d", {}, (2, 3, 5)), ("InstanceNorm1d", {}, (3, 5)),
    ("InstanceNorm2d", dict(affine=True), (2, 3, 4, 4)),
    ("InstanceNorm2d", dict(affine=True, track_running_stats=True, momentum=0.3), (2, 3, 4, 4)),
    ("InstanceNorm3d", dict(eps=1e-3), (2, 2, 2, 3, 3)),
])
@pytest.mark.parametrize("train", [True, False])
def test_instance_norm_matches_torch(torch, rng, name, kw, shape, train):
    channels = 3 if name == "InstanceNorm1d" else shape[1]
    _run(torch, lambda T: getattr(T.nn, name)(channels, **kw), rng.standard_normal(shape).astype(np.float32),
         train=train, steps=2)


def test_instance_norm_needs_more_than_one_value(torch):
    for T in (npgrad, torch):
        with pytest.raises(ValueError, match="more than 1 spatial element"):
            T.nn.InstanceNorm1d(3)(T.ones(2, 3, 1))


@pytest.mark.parametrize("r, shape", [(2, (2, 8, 3, 3)), (3, (1, 9, 2, 1)), (2, (4, 2, 2))])
def test_pixel_shuffle_and_unshuffle_match_torch(torch, rng, r, shape):
    x = rng.standard_normal(shape).astype(np.float32)
    _run(torch, lambda T: T.nn.PixelShuffle(r), x)
    y = npgrad.nn.functional.pixel_shuffle(npgrad.tensor(x), r)
    _run(torch, lambda T: T.nn.PixelUnshuffle(r), y.numpy())
    assert npgrad.equal(npgrad.nn.functional.pixel_unshuffle(y, r), npgrad.tensor(x))
    for T in (npgrad, torch):
        with pytest.raises(RuntimeError):
            T.nn.functional.pixel_shuffle(T.ones(1, 3, 2, 2), 2)
