"""Conv1d/Conv2d/ConvTranspose1d/2d and F.conv*, F.unfold/fold: NumPy reference, gradcheck, PyTorch."""
import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck
from npgrad.ops import conv as C


def naive_conv2d(x, w, b, stride, pad, dilation, groups):
    """Direct loops over output positions: the definition of (cross-)correlation."""
    (sh, sw), (ph, pw), (dh, dw) = stride, pad, dilation
    n, c, h, wd = x.shape
    o, cg, kh, kw = w.shape
    xp = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), x.dtype)
    xp[:, :, ph:ph + h, pw:pw + wd] = x
    ho = (h + 2 * ph - dh * (kh - 1) - 1) // sh + 1
    wo = (wd + 2 * pw - dw * (kw - 1) - 1) // sw + 1
    y = np.zeros((n, o, ho, wo), x.dtype)
    og = o // groups
    for oc in range(o):
        g = oc // og
        for i in range(ho):
            for j in range(wo):
                rows = slice(i * sh, i * sh + dh * (kh - 1) + 1, dh)
                cols = slice(j * sw, j * sw + dw * (kw - 1) + 1, dw)
                patch = xp[:, g * cg:(g + 1) * cg, rows, cols]
                y[:, oc, i, j] = (patch * w[oc]).sum(axis=(1, 2, 3))
    if b is not None:
        y += b[None, :, None, None]
    return y


CONFIGS = [  # (N, C, H, W, O, kernel, stride, padding, dilation, groups)
    (2, 3, 7, 6, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1),
    (1, 4, 9, 8, 6, (3, 2), (2, 1), (1, 0), (1, 2), 2),
    (2, 2, 5, 5, 2, (2, 2), (2, 2), (0, 0), (1, 1), 1),
    (2, 6, 8, 7, 3, (3, 3), (3, 3), (2, 2), (2, 2), 3),
    (1, 4, 6, 6, 4, (1, 1), (1, 1), (0, 0), (1, 1), 4),
    (3, 1, 4, 9, 2, (4, 5), (1, 2), (2, 1), (1, 1), 1),
]


def _t(a, rg=False):
    return npgrad.tensor(a, requires_grad=rg)


@pytest.mark.parametrize("cfg", CONFIGS)
def test_conv2d_matches_naive_loops(cfg, rng):
    n, c, h, w, o, k, s, p, d, g = cfg
    x = rng.standard_normal((n, c, h, w))
    wt = rng.standard_normal((o, c // g) + k)
    b = rng.standard_normal(o)
    y = F.conv2d(_t(x), _t(wt), _t(b), s, p, d, g)
    np.testing.assert_allclose(y.detach().numpy(), naive_conv2d(x, wt, b, s, p, d, g), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("cfg", CONFIGS)
def test_conv2d_gradcheck(cfg, rng):
    n, c, h, w, o, k, s, p, d, g = cfg
    x = _t(rng.standard_normal((n, c, h, w)), True)
    wt = _t(rng.standard_normal((o, c // g) + k), True)
    b = _t(rng.standard_normal(o), True)
    assert gradcheck(lambda x, wt, b: F.conv2d(x, wt, b, s, p, d, g), (x, wt, b))


@pytest.mark.parametrize("cfg", CONFIGS[:4])
def test_conv_transpose2d_gradcheck(cfg, rng):
    n, c, h, w, o, k, s, p, d, g = cfg
    op = tuple(si - 1 for si in s)
    x = _t(rng.standard_normal((n, c, h, w)), True)
    wt = _t(rng.standard_normal((c, o // g) + k), True)
    b = _t(rng.standard_normal(o), True)
    assert gradcheck(lambda x, wt, b: F.conv_transpose2d(x, wt, b, s, p, op, g, d), (x, wt, b))


def test_double_backward(rng):
    x = _t(rng.standard_normal((2, 4, 5, 6)), True)
    w = _t(rng.standard_normal((6, 2, 3, 2)), True)
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, None, (2, 1), 1, (1, 2), 2), (x, w))
    w1 = _t(rng.standard_normal((3, 4, 3, 3)), True)  # stride 1: the input gradient is a flipped-kernel conv
    assert gradgradcheck(lambda x, w: F.conv2d(x, w, None, 1, 1), (x, w1))
    wt = _t(rng.standard_normal((4, 3, 2, 3)), True)
    assert gradgradcheck(lambda x, w: F.conv_transpose2d(x, w, None, 2, 1, 1, 1, 1), (x, wt))


def test_conv_transpose2d_is_the_adjoint_of_conv2d(rng):
    x = rng.standard_normal((2, 3, 9, 8))
    w = rng.standard_normal((5, 3, 3, 3))
    y = F.conv2d(_t(x), _t(w), stride=2, padding=1)
    v = rng.standard_normal(y.shape)
    xt = F.conv_transpose2d(_t(v), _t(w), stride=2, padding=1, output_padding=(0, 1))
    assert xt.shape == x.shape
    np.testing.assert_allclose((y.detach().numpy() * v).sum(), (x * xt.detach().numpy()).sum(), rtol=1e-10)


def test_batch_chunks_gradients(rng, monkeypatch):
    x0 = rng.standard_normal((7, 3, 6, 5))
    w0 = rng.standard_normal((4, 3, 3, 3))
    g0 = rng.standard_normal((7, 4, 6, 5))

    def run():
        x, w = _t(x0, True), _t(w0, True)
        y = F.conv2d(x, w, padding=1)
        y.backward(_t(g0))
        return y.detach().numpy(), x.grad.detach().numpy(), w.grad.detach().numpy()

    ref = run()
    monkeypatch.setattr(C, "CHUNK_BYTES", 1000)
    for a, b in zip(run(), ref):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cfg", CONFIGS)
@pytest.mark.parametrize("chunk", [None, 1000])
def test_plain_backward_from_kept_cols_matches_graph_backward(cfg, chunk, rng, monkeypatch):
    """Plain backward takes gW and gb from one GEMM against the im2col matrix kept by forward;
    create_graph takes the differentiable path (Conv2dWeight, sum): both must agree."""
    if chunk:
        monkeypatch.setattr(C, "CHUNK_BYTES", chunk)
    n, c, h, w, o, k, s, p, d, g = cfg
    x0, w0, b0 = rng.standard_normal((n, c, h, w)), rng.standard_normal((o, c // g) + k), rng.standard_normal(o)
    gy = None
    res = []
    for create_graph in (False, True):
        x, wt, b = _t(x0, True), _t(w0, True), _t(b0, True)
        y = F.conv2d(x, wt, b, s, p, d, g)
        gy = rng.standard_normal(y.shape) if gy is None else gy
        y.backward(_t(gy), create_graph=create_graph)
        res.append([t.grad.detach().numpy() for t in (x, wt, b)])
    for a, b_ in zip(*res):
        np.testing.assert_allclose(a, b_, rtol=1e-10, atol=1e-10)


def test_bias_only_and_weight_only_gradients(rng):
    x0, w0, b0 = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    ref_w, ref_b = _t(w0, True), _t(b0, True)
    F.conv2d(_t(x0), ref_w, ref_b, padding=1).sum().backward()
    w, b = _t(w0), _t(b0, True)
    F.conv2d(_t(x0), w, b, padding=1).sum().backward()
    np.testing.assert_allclose(b.grad.numpy(), ref_b.grad.numpy(), rtol=1e-12)
    w, b = _t(w0, True), _t(b0)
    F.conv2d(_t(x0), w, b, padding=1).sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), ref_w.grad.numpy(), rtol=1e-12)


def test_padding_same_and_valid(rng):
    x = rng.standard_normal((2, 3, 7, 8))
    for k, d in (((3, 4), (1, 1)), ((2, 2), (2, 1)), ((5, 1), (1, 3))):
        w = rng.standard_normal((2, 3) + k)
        y = F.conv2d(_t(x), _t(w), padding="same", dilation=d)
        assert y.shape == (2, 2, 7, 8)
        # PyTorch puts the odd extra padding pixel at the end
        tot = [di * (ki - 1) for ki, di in zip(k, d)]
        xp = np.pad(x, ((0, 0), (0, 0), (tot[0] // 2, tot[0] - tot[0] // 2), (tot[1] // 2, tot[1] - tot[1] // 2)))
        np.testing.assert_allclose(y.detach().numpy(), naive_conv2d(xp, w, None, (1, 1), (0, 0), d, 1), atol=1e-12)
    w = rng.standard_normal((2, 3, 3, 3))
    np.testing.assert_allclose(F.conv2d(_t(x), _t(w), padding="valid").detach().numpy(),
                               naive_conv2d(x, w, None, (1, 1), (0, 0), (1, 1), 1), atol=1e-12)


def test_conv1d_matches_2d_reference(rng):
    x = rng.standard_normal((2, 4, 11))
    w = rng.standard_normal((6, 2, 3))
    b = rng.standard_normal(6)
    y = F.conv1d(_t(x), _t(w), _t(b), stride=2, padding=2, dilation=2, groups=2)
    ref = naive_conv2d(x[:, :, None], w[:, :, None], b, (1, 2), (0, 2), (1, 2), 2)[:, :, 0]
    np.testing.assert_allclose(y.detach().numpy(), ref, atol=1e-12)
    xg, wg = _t(x, True), _t(w, True)
    assert gradcheck(lambda a, b: F.conv1d(a, b, None, 2, 1, 1, 2), (xg, wg))


def test_float32_stays_float32(rng):
    conv = nn.Conv2d(3, 4, 3, padding=1)
    x = npgrad.tensor(rng.standard_normal((2, 3, 5, 5)).astype(np.float32), requires_grad=True)
    y = conv(x)
    y.sum().backward()
    assert y.dtype == npgrad.float32 and x.grad.dtype == npgrad.float32
    assert conv.weight.grad.dtype == npgrad.float32 and conv.bias.grad.dtype == npgrad.float32


def test_unbatched_input_and_layout(rng):
    conv = nn.Conv2d(2, 3, 3).double()
    x = rng.standard_normal((2, 6, 6))
    y = conv(_t(x))
    assert y.shape == (3, 4, 4)
    np.testing.assert_allclose(y.detach().numpy(), conv(_t(x[None])).detach().numpy()[0])
    # outputs are channel-first views; viewing them flat gives NCHW order like PyTorch
    yb = conv(_t(np.stack([x, x + 1])))
    flat = np.ascontiguousarray(yb.detach().numpy()).reshape(2, -1)
    np.testing.assert_allclose(yb.view(2, -1).detach().numpy(), flat)


def test_module_init_and_state_dict_layout():
    npgrad.manual_seed(0)
    conv = nn.Conv2d(4, 8, (3, 5), groups=2)
    assert conv.weight.shape == (8, 2, 3, 5) and conv.bias.shape == (8,)
    bound = 1 / np.sqrt(2 * 3 * 5)
    assert np.abs(conv.weight.detach().numpy()).max() <= bound and np.abs(conv.bias.detach().numpy()).max() <= bound
    assert conv.weight.detach().numpy().std() > bound / 3  # uniform over the full range, not a constant
    assert list(conv.state_dict()) == ["weight", "bias"]
    assert list(nn.Conv1d(2, 3, 3, bias=False).state_dict()) == ["weight"]
    up = nn.ConvTranspose2d(4, 6, 3, groups=2)
    assert up.weight.shape == (4, 3, 3, 3)
    assert repr(conv) == "Conv2d(4, 8, kernel_size=(3, 5), stride=(1, 1), groups=2)"


@pytest.mark.parametrize("bad, match", [
    (lambda: nn.Conv2d(3, 0, 3), r"out_channels=0"),
    (lambda: nn.Conv2d(3, 4, 3, groups=2), r"in_channels=3, groups=2.*divisible"),
    (lambda: nn.Conv2d(4, 3, 3, groups=2), r"out_channels=3, groups=2.*divisible"),
    (lambda: nn.Conv2d(3, 4, 3, stride=2, padding="same"), r"padding='same'.*strided"),
    (lambda: nn.Conv2d(3, 4, 3, padding="full"), r"invalid padding string"),
    (lambda: nn.Conv2d(3, 4, 3, padding_mode="mirror"), r"padding_mode"),
])
def test_constructor_errors(bad, match):
    with pytest.raises(ValueError, match=match):
        bad()


def test_negative_sizes_raise_runtime_error_as_pytorch():
    with pytest.raises(RuntimeError, match=r"Conv2d\(in_channels=-1\).*negative dimension"):
        nn.Conv2d(-1, 4, 3)
    with pytest.raises(RuntimeError, match=r"kernel_size must be positive"):
        nn.Conv2d(3, 4, -2)


def test_call_errors_name_layer_and_shapes():
    conv = nn.Conv2d(3, 4, 3)
    with pytest.raises(RuntimeError, match=r"Conv2d\(3, 4.*expects input \(2, 5, 8, 8\) to have 3 channels"):
        conv(npgrad.randn(2, 5, 8, 8))
    with pytest.raises(RuntimeError, match=r"Conv2d\(3, 4.*3D \(unbatched\) or 4D.*\(8, 8\)"):
        conv(npgrad.randn(8, 8))
    with pytest.raises(RuntimeError, match=r"Conv2d.*smaller than the \(dilated\) kernel"):
        conv(npgrad.randn(1, 3, 2, 2))
    with pytest.raises(RuntimeError, match=r"Conv1d\(2, 3.*3D"):
        nn.Conv1d(2, 3, 3)(npgrad.randn(1, 2, 5, 5))
    with pytest.raises(RuntimeError, match=r"conv2d: input \(torch.float64\) and weight \(torch.float32\)"):
        F.conv2d(npgrad.randn(1, 3, 5, 5, dtype=npgrad.float64), npgrad.randn(4, 3, 3, 3))
    with pytest.raises(RuntimeError, match=r"ConvTranspose2d.*expects input \(1, 2, 4, 4\) to have 3 channels"):
        nn.ConvTranspose2d(3, 2, 2)(npgrad.randn(1, 2, 4, 4))


# -- PyTorch ---------------------------------------------------------------------------------------
TORCH_CASES = [
    ("Conv2d", (3, 6, 3), dict(padding=1)),
    ("Conv2d", (4, 6, (3, 2)), dict(stride=(2, 1), padding=(1, 0), dilation=(1, 2), groups=2)),
    ("Conv2d", (3, 6, 4), dict(padding="same", dilation=2, bias=False)),
    ("Conv2d", (3, 3, 3), dict(padding=2, padding_mode="reflect", groups=3)),
    ("Conv2d", (3, 4, 3), dict(padding=1, padding_mode="circular", stride=2)),
    ("Conv1d", (4, 6, 5), dict(stride=2, padding=2, groups=2)),
    ("Conv1d", (4, 2, 4), dict(padding="same", padding_mode="replicate")),
    ("ConvTranspose2d", (4, 6, 3), dict(stride=2, padding=1, output_padding=1, groups=2)),
    ("ConvTranspose2d", (3, 2, (2, 3)), dict(stride=(1, 2), dilation=2, bias=False)),
    ("ConvTranspose2d", (3, 2, 3), dict(padding=1, dilation=2, output_padding=1)),  # output_padding >= stride
    ("ConvTranspose1d", (4, 6, 3), dict(stride=3, padding=1, output_padding=2, dilation=2)),
]


@pytest.mark.parametrize("name, args, kw", TORCH_CASES)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_matches_pytorch(torch, name, args, kw, dtype, rng):
    tm = getattr(torch.nn, name)(*args, **kw).to(getattr(torch, dtype))
    m = getattr(nn, name)(*args, **kw).to(getattr(npgrad, dtype))
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    nd = 1 if name.endswith("1d") else 2
    x = rng.standard_normal((2, args[0]) + (9, 8)[:nd]).astype(dtype)
    xn, xt = npgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    y, yt = m(xn), tm(xt)
    tol = dict(rtol=1e-4, atol=1e-5) if dtype == "float32" else dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), **tol)
    g = rng.standard_normal(yt.shape).astype(dtype)
    y.backward(npgrad.tensor(g))
    yt.backward(torch.tensor(g))
    np.testing.assert_allclose(xn.grad.detach().numpy(), xt.grad.detach().numpy(), **tol)
    for (k, p), (kt, pt) in zip(m.named_parameters(), tm.named_parameters()):
        assert k == kt
        np.testing.assert_allclose(p.grad.detach().numpy(), pt.grad.detach().numpy(), **tol)


def test_conv_transpose_output_size_matches_pytorch(torch, rng):
    tm = torch.nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    m = nn.ConvTranspose2d(2, 3, 3, stride=2, padding=1).double()
    m.load_state_dict({k: v.detach().numpy() for k, v in tm.state_dict().items()})
    x = rng.standard_normal((1, 2, 4, 5))
    y = m(npgrad.tensor(x), output_size=(8, 10))
    yt = tm(torch.tensor(x), output_size=[8, 10])
    np.testing.assert_allclose(y.detach().numpy(), yt.detach().numpy(), atol=1e-12)
    with pytest.raises(ValueError, match="output_size"):
        m(npgrad.tensor(x), output_size=(12, 10))


def test_unfold_fold_match_pytorch(torch, rng):
    x = rng.standard_normal((2, 3, 9, 8))
    kw = dict(kernel_size=(2, 3), padding=1, stride=2, dilation=(1, 2))
    xn = npgrad.tensor(x, requires_grad=True)
    u = F.unfold(xn, **kw)
    ut = torch.nn.functional.unfold(torch.tensor(x), **kw)
    np.testing.assert_allclose(u.detach().numpy(), ut.detach().numpy(), atol=1e-12)
    f = F.fold(u, (9, 8), **kw)
    ft = torch.nn.functional.fold(ut, (9, 8), **kw)
    np.testing.assert_allclose(f.detach().numpy(), ft.detach().numpy(), atol=1e-12)
    a = _t(rng.standard_normal((1, 2, 4, 5)), True)
    assert gradcheck(lambda a: F.fold(F.unfold(a, 2, stride=1), (4, 5), 2), (a,))
    # unbatched: (C, H, W) -> (C*kh*kw, L) and back, as PyTorch
    u1, f1 = F.unfold(npgrad.tensor(x[0]), **kw), F.fold(npgrad.tensor(ut[0].numpy()), (9, 8), **kw)
    np.testing.assert_allclose(u1.numpy(), ut[0].numpy(), atol=1e-12)
    np.testing.assert_allclose(f1.numpy(), ft[0].detach().numpy(), atol=1e-12)
    with pytest.raises(RuntimeError, match="expected input"):  # no blocks (PyTorch refuses empty non-batch dims)
        F.fold(npgrad.ones(1, 8, 0), (3, 1), 2)


def test_conv_outputs_in_batch_innermost_memory_behave_like_pytorch_tensors(rng):
    """Conv/pool outputs are (N, C, H, W) views of (C, H, W, N) memory: not contiguous, but view,
    flatten, contiguous() and gradients work as on PyTorch's tensors."""
    m = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2))
    x = _t(rng.standard_normal((3, 2, 8, 8)).astype(np.float32))
    y = m(x)
    assert not y.is_contiguous()
    c = y.contiguous()
    assert c.is_contiguous() and c.stride() == (64, 16, 4, 1)
    np.testing.assert_array_equal(c.detach().numpy(), y.detach().numpy())
    flat = y.view(3, -1)
    np.testing.assert_array_equal(flat.detach().numpy(), y.detach().numpy().reshape(3, -1))
    (c * _t(np.arange(c.numel(), dtype=np.float32).reshape(c.shape))).sum().backward()
    ref = m[0].weight.grad.numpy().copy()
    m.zero_grad()
    y = m(x)
    (y * _t(np.arange(y.numel(), dtype=np.float32).reshape(y.shape))).sum().backward()
    np.testing.assert_allclose(m[0].weight.grad.numpy(), ref, rtol=1e-6)


@pytest.mark.parametrize("nd", [1, 2, 3])
def test_conv_transpose_output_padding_too_large_raises_in_forward_as_pytorch(nd):
    """PyTorch builds the module and refuses the call with a RuntimeError (the functional form as well)."""
    m = getattr(nn, f"ConvTranspose{nd}d")(1, 1, 1, output_padding=1)
    x = npgrad.ones(*(1, 1) + (3,) * nd)
    with pytest.raises(RuntimeError, match="output_padding must be smaller than either stride or dilation"):
        m(x)
    with pytest.raises(RuntimeError, match="output_padding must be smaller than either stride or dilation"):
        getattr(F, f"conv_transpose{nd}d")(x, m.weight, output_padding=1)
