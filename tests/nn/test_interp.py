"""F.interpolate / nn.Upsample and F.scaled_dot_product_attention against PyTorch (forward and
gradients), plus their bad-input errors."""
import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F

CASES = [((2, 3, 5), dict(scale_factor=1.5, mode="linear")), ((2, 3, 5), dict(size=11, mode="linear", align_corners=True)),
         ((2, 3, 5), dict(size=3)), ((2, 3, 5), dict(scale_factor=2.5, mode="nearest-exact")),
         ((2, 3, 5, 7), dict(scale_factor=2)), ((2, 3, 5, 7), dict(size=(3, 4))),
         ((2, 3, 5, 7), dict(size=(8, 11), mode="bilinear")), ((2, 3, 5, 7), dict(size=(8, 11), mode="bilinear",
                                                                                    align_corners=True)),
         ((2, 3, 5, 7), dict(scale_factor=(0.5, 1.7), mode="bilinear")),
         ((2, 3, 5, 7), dict(scale_factor=1.5, mode="bilinear", recompute_scale_factor=True)),
         ((2, 3, 5, 7), dict(size=(9, 4), mode="bicubic")), ((2, 3, 5, 7), dict(size=(9, 4), mode="bicubic",
                                                                                  align_corners=True)),
         ((2, 3, 5, 7), dict(size=(3, 4), mode="area")), ((2, 3, 5, 7), dict(size=(1, 1), mode="bilinear",
                                                                              align_corners=True)),
         ((1, 2, 3, 4, 5), dict(scale_factor=2, mode="trilinear")), ((1, 2, 3, 4, 5), dict(size=(2, 5, 7))),
         ((1, 2, 3, 4, 5), dict(size=(4, 3, 9), mode="trilinear", align_corners=True)),
         # scale factors that keep or double a size: PyTorch's kernels copy or repeat there (per mode, per rank)
         ((2, 1, 3, 6), dict(scale_factor=(1.04, 1.79))), ((2, 2, 5, 1), dict(scale_factor=(2.09, 1.29))),
         ((2, 3, 3), dict(scale_factor=1.04, mode="linear")),
         ((1, 1, 3, 4), dict(scale_factor=(1.04, 2.05), mode="bicubic")),
         ((1, 1, 3, 4), dict(scale_factor=(1.04, 2.05), mode="bilinear"))]


def _compare(torch, fn, *arrays, atol=1e-5):
    rng = np.random.default_rng(0)
    ours = [npgrad.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    theirs = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    o, t = fn(npgrad, *ours), fn(torch, *theirs)
    assert tuple(o.shape) == tuple(t.shape) and o.dtype == npgrad.float32
    np.testing.assert_allclose(o.detach().numpy(), t.detach().numpy(), rtol=1e-5, atol=atol)
    w = rng.standard_normal(tuple(t.shape)).astype(np.float32)
    (o * npgrad.tensor(w)).sum().backward()
    (t * torch.tensor(w)).sum().backward()
    for a, b in zip(ours, theirs):
        if b.requires_grad:
            np.testing.assert_allclose(a.grad.numpy(), b.grad.numpy(), rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("shape,kw", CASES, ids=[f"{len(s) - 2}d-{kw}" for s, kw in CASES])
def test_interpolate_matches_torch(shape, kw, torch, rng):
    x = rng.standard_normal(shape).astype(np.float32)
    _compare(torch, lambda T, t: T.nn.functional.interpolate(t, **kw), x)


@pytest.mark.parametrize("shape,kw", [((2, 3, 3), dict(scale_factor=1.04)), ((2, 3, 3), dict(scale_factor=2.05)),
                                      ((1, 1, 3, 3, 4), dict(scale_factor=(1.04, 1.5, 2.05)))])
def test_nearest_1d_3d_kept_or_doubled_size(shape, kw, torch, rng):
    """PyTorch's 1-d/3-d nearest forward uses the scale here, while its backward kernel copies or
    repeats (so its gradient is not the adjoint of its forward): the forward matches PyTorch, the
    gradient is checked as the true adjoint (gradcheck)."""
    x = rng.standard_normal(shape)
    ours = F.interpolate(npgrad.tensor(x), **kw)
    np.testing.assert_array_equal(ours.numpy(), torch.nn.functional.interpolate(torch.tensor(x), **kw).numpy())
    assert npgrad.autograd.gradcheck(lambda t: F.interpolate(t, **kw), [npgrad.tensor(x, requires_grad=True)])


def test_upsample_layers(torch, rng):
    x = rng.standard_normal((1, 2, 3, 4)).astype(np.float32)
    _compare(torch, lambda T, t: T.nn.Upsample(scale_factor=2, mode="bilinear")(t), x)
    _compare(torch, lambda T, t: T.nn.UpsamplingBilinear2d(size=(5, 6))(t), x)
    _compare(torch, lambda T, t: T.nn.UpsamplingNearest2d(scale_factor=3)(t), x)
    assert repr(npgrad.nn.Upsample(scale_factor=2)) == repr(torch.nn.Upsample(scale_factor=2)).replace("torch", "")
    with pytest.warns(UserWarning, match="upsample_bilinear` is deprecated"):
        _compare(torch, lambda T, t: T.nn.functional.upsample_bilinear(t, scale_factor=2), x)


def test_interpolate_errors():
    x = npgrad.ones(1, 1, 4)
    with pytest.raises(ValueError, match="only one of size or scale_factor"):
        F.interpolate(x, size=4, scale_factor=2)
    with pytest.raises(ValueError, match="either size or scale_factor"):
        F.interpolate(x)
    with pytest.raises(ValueError, match="align_corners option"):
        F.interpolate(x, size=4, align_corners=True)
    with pytest.raises(NotImplementedError, match="bilinear mode needs 4D"):
        F.interpolate(x, size=4, mode="bilinear")
    with pytest.raises(NotImplementedError, match="got foo"):
        F.interpolate(x, size=4, mode="foo")
    with pytest.raises(ValueError, match="same number of spatial dimensions"):
        F.interpolate(x, size=(4, 4))
    with pytest.raises(RuntimeError, match=r"greater than 0, but got input \(H: 1, W: 3\) output \(H: 0, W: 1\)"):
        F.interpolate(npgrad.ones(1, 1, 1, 3), scale_factor=0.5, recompute_scale_factor=True)
    with pytest.raises(RuntimeError, match="floating-point or uint8"):
        F.interpolate(npgrad.ones(1, 1, 4, dtype=npgrad.int64), size=2)


@pytest.mark.parametrize("kw", [dict(scale_factor=2), dict(size=(5, 7), mode="nearest-exact"),
                                dict(scale_factor=2, mode="bilinear"), dict(size=(3, 8), mode="bilinear",
                                                                            align_corners=True)])
def test_interpolate_uint8_images(kw, torch, rng):
    x = rng.integers(0, 256, (1, 3, 4, 5)).astype(np.uint8)
    ours = F.interpolate(npgrad.tensor(x), **kw)
    theirs = torch.nn.functional.interpolate(torch.tensor(x), **kw)
    assert ours.dtype == npgrad.uint8
    assert np.abs(ours.numpy().astype(int) - theirs.numpy().astype(int)).max() <= (0 if "nearest" in kw.get(
        "mode", "nearest") else 1)


QKV = [(2, 3, 4, 8), (2, 3, 5, 8), (2, 3, 5, 6)]


@pytest.mark.parametrize("kw", [dict(), dict(is_causal=True), dict(scale=0.3), dict(mask="float"), dict(mask="bool"),
                                dict(is_causal=True, scale=2.0)])
def test_sdpa_matches_torch(kw, torch, rng):
    q, k, v = (rng.standard_normal(s).astype(np.float32) for s in QKV)
    arrays = [q, k, v]
    mask = kw.pop("mask", None)
    if mask == "float":
        arrays.append(rng.standard_normal((4, 5)).astype(np.float32))
    elif mask == "bool":
        m = rng.random((2, 1, 4, 5)) > 0.4
        m[..., 0] = True
        arrays.append(m)

    def run(T, q, k, v, m=None):
        return T.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=m, **kw)
    _compare(torch, run, *arrays)


def test_sdpa_gqa_and_dropout(torch, rng):
    q = rng.standard_normal((1, 4, 3, 8)).astype(np.float32)
    k, v = rng.standard_normal((2, 1, 2, 5, 8)).astype(np.float32)
    _compare(torch, lambda T, q, k, v: T.nn.functional.scaled_dot_product_attention(q, k, v, enable_gqa=True), q, k, v)
    qt, kt, vt = (npgrad.tensor(a) for a in (q, k[:, :1].repeat(4, 1), v[:, :1].repeat(4, 1)))
    assert np.all(F.scaled_dot_product_attention(qt, kt, vt, dropout_p=1.0).numpy() == 0)
    npgrad.manual_seed(0)
    half = F.scaled_dot_product_attention(qt, kt, vt, dropout_p=0.5).numpy()
    full = F.scaled_dot_product_attention(qt, kt, vt).numpy()
    assert half.shape == full.shape and not np.allclose(half, full)


def test_sdpa_errors():
    q = npgrad.ones(2, 3, 4)
    with pytest.raises(RuntimeError, match="is_causal"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=npgrad.ones(3, 3), is_causal=True)
    with pytest.raises(RuntimeError, match="last dim"):
        F.scaled_dot_product_attention(q, npgrad.ones(2, 3, 5), q)
    with pytest.raises(RuntimeError, match="at least 2 dims"):
        F.scaled_dot_product_attention(npgrad.ones(3), q, q)
