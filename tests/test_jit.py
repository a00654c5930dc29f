"""The optional compiled kernels (``npgrad._jit``): the same results as the NumPy code they
replace, bit for bit, in every memory layout the ops hand over; and a way to switch them off."""
import os
import subprocess
import sys

import numpy as np
import pytest

import npgrad
import npgrad.nn.functional as F
from npgrad import _jit

pytest.importorskip("numba")


@pytest.fixture
def jit_small(monkeypatch):
    """Kernels on for arrays of any size (the tests use small ones)."""
    from npgrad.ops import unary
    from npgrad.optim import sgd
    monkeypatch.setattr(_jit, "MIN_BYTES", 0)
    monkeypatch.setattr(unary, "_JIT_BYTES", 0)
    monkeypatch.setattr(sgd, "_JIT_BYTES", 0)
    prev = _jit.set_enabled(True)
    assert _jit.available()  # (waits for the first build of the compiled module)
    yield
    _jit.set_enabled(prev)


def _both(fn):
    """``fn()`` with the kernels on, then with them off."""
    prev = _jit.set_enabled(True)
    try:
        on = fn()
        _jit.set_enabled(False)
        off = fn()
    finally:
        _jit.set_enabled(prev)
    return on, off


def _activations(rng, shape, dtype):
    """ReLU-like data: many exact zeros (ties in every all-zero window), repeated values, -0.0."""
    x = np.maximum(np.round(rng.standard_normal(shape) * 4) / 4, 0).astype(dtype)
    x.reshape(-1)[::53] = -0.0
    return x


def _as_layout(x, layout):
    if layout == "chwn":  # conv outputs: (C, H, W, N) memory seen as NCHW
        return np.ascontiguousarray(x.transpose(1, 2, 3, 0)).transpose(3, 0, 1, 2)
    if layout == "nhwc":
        return np.ascontiguousarray(x.transpose(0, 2, 3, 1)).transpose(0, 3, 1, 2)
    return np.ascontiguousarray(x)


def test_available_with_numba():
    prev = _jit.set_enabled(True)
    try:
        assert _jit.available()
    finally:
        _jit.set_enabled(prev)


@pytest.mark.parametrize("layout", ["nchw", "chwn", "nhwc"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_matches_numpy(jit_small, rng, layout, dtype):
    # (the kernels vectorise over the frame's last axis: 16 images in our conv layout, 16 channels
    # in channels-last; the usual layout takes NumPy's path with and without them)
    x = _as_layout(_activations(rng, (16, 16, 8, 10), dtype), layout)
    x[0, 0, 0, 0] = np.nan  # a nan window: nan out, gradient to the last position
    g = rng.standard_normal((16, 16, 4, 5)).astype(dtype)

    def run():
        t = npgrad.tensor(x, requires_grad=True)
        y = F.max_pool2d(t, 2)
        y.backward(npgrad.tensor(g))
        _, idx = F.max_pool2d(npgrad.tensor(x), 2, return_indices=True)
        return y.detach().numpy().copy(), idx.numpy().copy(), t.grad.numpy().copy()

    on, off = _both(run)
    for a, b in zip(on, off):
        np.testing.assert_array_equal(a, b)


def test_max_pool_ties_go_to_the_first_maximum_like_torch(jit_small, torch):
    x = np.zeros((2, 3, 4, 4), np.float32)
    x[0, 0, 0, 1] = x[0, 0, 1, 0] = 1.0  # two equal maxima in one window
    prev = _jit.set_enabled(True)
    try:
        t = npgrad.tensor(x, requires_grad=True)
        F.max_pool2d(t, 2).sum().backward()
    finally:
        _jit.set_enabled(prev)
    tt = torch.tensor(x, requires_grad=True)
    torch.nn.functional.max_pool2d(tt, 2).sum().backward()
    np.testing.assert_array_equal(t.grad.numpy(), tt.grad.numpy())


@pytest.mark.parametrize("layout", ["nchw", "chwn"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_gradient_matches_numpy(jit_small, rng, layout, dtype):
    x = _as_layout(rng.standard_normal((4, 3, 8, 8)).astype(dtype), layout)
    x.reshape(-1)[::7] = 0.0
    g = rng.standard_normal(x.shape).astype(dtype)

    def run():
        t = npgrad.tensor(x, requires_grad=True)
        F.relu(t).backward(npgrad.tensor(g))
        return t.grad.numpy().copy()

    on, off = _both(run)
    np.testing.assert_array_equal(on, off)


@pytest.mark.parametrize("grad_from", ["mean", "other_layout"])
def test_relu_gradient_from_another_memory_order_matches_numpy(jit_small, monkeypatch, rng, grad_from):
    # a broadcast gradient (a mean's backward, as after adaptive average pooling) or one in another
    # memory order than the conv-layout activation: copied into the activation's order first
    from npgrad import _memory
    monkeypatch.setattr(_memory, "MIN_BYTES", 0)
    x = _as_layout(rng.standard_normal((4, 3, 8, 8)).astype(np.float32), "chwn")
    x.reshape(-1)[::7] = 0.0
    w = rng.standard_normal((4, 3, 8, 8)).astype(np.float32)

    def run():
        t = npgrad.tensor(x, requires_grad=True)
        y = F.relu(t)
        (y.mean((2, 3)) if grad_from == "mean" else y * npgrad.tensor(w)).sum().backward()
        return t.grad.numpy().copy()

    on, off = _both(run)
    g = np.broadcast_to(np.float32(1 / 64), x.shape) if grad_from == "mean" else w
    np.testing.assert_array_equal(on, g * (x > 0))
    np.testing.assert_array_equal(off, g * (x > 0))


def test_zero_gradient_stays_zero_next_to_inf(jit_small):
    # where the NumPy product would give 0 * inf = nan, the kernels give PyTorch's exact 0
    t = npgrad.tensor([[[[-1.0, 2.0], [0.5, 0.0]]]], requires_grad=True)
    F.relu(t).backward(npgrad.tensor(np.full((1, 1, 2, 2), np.inf, np.float32)))
    assert t.grad.numpy().tolist() == [[[[0.0, np.inf], [np.inf, 0.0]]]]


def test_cnn_training_steps_identical_with_and_without_kernels(rng):
    x = rng.standard_normal((64, 1, 28, 28)).astype(np.float32)  # conv outputs of 6.4 MB: above MIN_BYTES
    y = rng.integers(0, 10, 64)

    def train():
        npgrad.manual_seed(0)
        nn = npgrad.nn
        m = nn.Sequential(nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Conv2d(32, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                          nn.Flatten(), nn.Linear(16 * 49, 10))
        opt = npgrad.optim.SGD(m.parameters(), lr=0.1, momentum=0.9)
        for _ in range(2):
            opt.zero_grad()
            F.cross_entropy(m(npgrad.tensor(x)), npgrad.tensor(y)).backward()
            opt.step()
        return [p.detach().numpy().copy() for p in m.parameters()]

    on, off = _both(train)
    for a, b in zip(on, off):
        np.testing.assert_array_equal(a, b)


def test_pooling_in_the_usual_layout_stays_with_numpy(jit_small, rng, monkeypatch):
    # one value per window row in NCHW memory: NumPy's passes are faster than the kernel there
    assert _jit.available()
    monkeypatch.setattr(_jit._load(), "max_pool_2x2", lambda *a: pytest.fail("kernel used for NCHW"))
    F.max_pool2d(npgrad.tensor(rng.standard_normal((4, 3, 8, 8))), 2)


def test_small_arrays_never_use_the_kernels(monkeypatch):
    monkeypatch.setattr(_jit, "_load", lambda: pytest.fail("kernels loaded for a small array"))
    F.max_pool2d(npgrad.ones(1, 2, 4, 4), 2)
    F.relu(npgrad.ones(3, requires_grad=True)).sum().backward()


@pytest.mark.parametrize("var", ["NPGRAD_JIT", "NUMBA_DISABLE_JIT"])
def test_environment_variables_switch_them_off(var):
    # NUMBA_DISABLE_JIT would run the kernels as plain Python loops: NumPy is used instead
    code = "import npgrad._jit as j; print(j.available())"
    env = dict(os.environ, **{var: "0" if var == "NPGRAD_JIT" else "1"})
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


GEOMETRIES = [  # kernel, stride, padding (t, b, l, r), dilation, input size
    ((3, 3), (1, 1), (1, 1, 1, 1), (1, 1), (9, 11)),
    ((3, 2), (2, 2), (0, 1, 2, 0), (1, 1), (10, 9)),
    ((3, 3), (2, 1), (2, 2, 2, 2), (2, 2), (12, 12)),
    ((1, 1), (1, 1), (0, 0, 0, 0), (1, 1), (5, 6)),
]


@pytest.mark.parametrize("kernel, stride, padding, dilation, in_hw", GEOMETRIES)
def test_col2im_matches_strided_adds(jit_small, rng, kernel, stride, padding, dilation, in_hw):
    from npgrad.ops.conv import col2im, out_size
    ho = out_size(in_hw[0], kernel[0], stride[0], padding[0], padding[1], dilation[0])
    wo = out_size(in_hw[1], kernel[1], stride[1], padding[2], padding[3], dilation[1])
    for rows in ((0, ho), (1, ho - 1)):
        cols = rng.standard_normal((3,) + kernel + (rows[1] - rows[0], wo, 4))
        start = rng.standard_normal((3,) + in_hw + (4,))

        def run():
            return col2im(cols, in_hw, (ho, wo), kernel, stride, padding, dilation, start.copy(), rows=rows)

        on, off = _both(run)
        np.testing.assert_array_equal(on, off)


@pytest.mark.parametrize("stride, padding, dilation, groups", [(1, 1, 1, 1), (2, 1, 1, 1), (1, 2, 2, 1), (1, 1, 1, 2)])
def test_conv_input_gradient_matches_numpy(jit_small, rng, stride, padding, dilation, groups):
    # with the kernels the input gradient is W.T @ gy + col2im, without them (stride 1) a conv with
    # the flipped kernel: the same sums in another order
    x = rng.standard_normal((3, 4, 10, 9))
    w = rng.standard_normal((6, 4 // groups, 3, 3))
    g = None

    def run():
        nonlocal g
        t = npgrad.tensor(x, requires_grad=True)
        y = F.conv2d(t, npgrad.tensor(w), stride=stride, padding=padding, dilation=dilation, groups=groups)
        if g is None:
            g = rng.standard_normal(tuple(y.shape))
        y.backward(npgrad.tensor(g))
        return t.grad.numpy().copy()

    on, off = _both(run)
    np.testing.assert_allclose(on, off, rtol=1e-12, atol=1e-12)


def _block_input(rng):
    # pre-activations with whole windows <= 0: their maximum is a ReLU zero, where the plain
    # gradient of the ReLU's output is nonzero but the gradient below the ReLU is 0; in the
    # layout of conv outputs, the batch innermost (the layout the pooling kernels take)
    x = rng.standard_normal((16, 3, 6, 8))
    x[:, :, :2, :2] = -np.abs(x[:, :, :2, :2])
    return _as_layout(x, "chwn")


def test_relu_then_pool_gradient_applied_in_one_pass(jit_small, rng, monkeypatch):
    from npgrad.ops import unary
    x = _block_input(rng)
    calls = []
    real = unary._relu_grad
    monkeypatch.setattr(unary, "_relu_grad", lambda *a: (calls.append(1), real(*a))[1])

    def run():
        t = npgrad.tensor(x, requires_grad=True)
        (F.max_pool2d(F.relu(t), 2) * 3.0).sum().backward()
        return t.grad.numpy().copy()

    on, off = _both(run)
    np.testing.assert_array_equal(on, off)
    assert len(calls) == 1  # only the run without the kernels masked in ReLU's backward


@pytest.mark.parametrize("how", ["retain_grad", "hook", "autograd.grad", "backward(inputs)", "other_use"])
def test_relu_output_gradient_stays_exact_when_observed(jit_small, rng, how):
    x = _block_input(rng)

    def run():
        t = npgrad.tensor(x, requires_grad=True)
        r = F.relu(t)
        seen = []
        if how == "retain_grad":
            r.retain_grad()
        if how == "hook":
            r.register_hook(lambda g: seen.append(g.numpy().copy()))
        p = F.max_pool2d(r, 2)
        loss = (p * 3.0).sum() + ((r * r).sum() if how == "other_use" else 0.0)
        if how == "autograd.grad":
            gr, gt = npgrad.autograd.grad(loss, [r, t])
            return gr.numpy().copy(), gt.numpy().copy()
        if how == "backward(inputs)":
            loss.backward(inputs=[r, t])
            return r.grad.numpy().copy(), t.grad.numpy().copy()
        loss.backward()
        got = r.grad.numpy().copy() if how == "retain_grad" else seen[0] if how == "hook" else None
        return got, t.grad.numpy().copy()

    on, off = _both(run)
    for a, b in zip(on, off):
        if b is not None:
            np.testing.assert_array_equal(a, b)
    if on[0] is not None:  # the observed gradient is the plain one: nonzero at zero maxima too
        assert (on[0][:, :, :2, :2] != 0).any()


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sgd_momentum_update_matches_numpy(jit_small, rng, dtype):
    shapes = [(7, 5), (3,), (2, 3, 4)]
    grads = [[rng.standard_normal(s).astype(dtype) for s in shapes] for _ in range(4)]

    def run():
        params = [npgrad.tensor(np.ones(s, dtype), requires_grad=True) for s in shapes]
        opt = npgrad.optim.SGD(params, lr=0.05, momentum=0.9)
        for step in grads:
            for p, g in zip(params, step):
                p.grad = npgrad.tensor(g)
            opt.step()
        return [p.detach().numpy().copy() for p in params] + \
            [opt.state[p]["momentum_buffer"].numpy().copy() for p in params]

    on, off = _both(run)
    for a, b in zip(on, off):
        np.testing.assert_array_equal(a, b)


def _fresh_loader(monkeypatch, cache_dir):
    monkeypatch.setenv("NPGRAD_CACHE_DIR", str(cache_dir))
    for name, value in (("_loaded", False), ("_kernels", None), ("_build", None)):
        monkeypatch.setattr(_jit, name, value)
    monkeypatch.setattr(_jit, "_enabled", True)


def test_training_loads_the_ahead_compiled_module_not_numba():
    # numba and LLVM cost a process ~130 MB: the kernels come from the module compiled ahead
    code = ("import sys, numpy as np, npgrad, npgrad.nn.functional as F; from npgrad import _jit\n"
            "assert _jit.available()\n"
            "if _jit._load().aot is None: print('no module'); sys.exit()\n"
            "x = npgrad.tensor(np.random.rand(16, 64, 16, 16).astype(np.float32), requires_grad=True)\n"
            "w = npgrad.tensor(np.random.rand(64, 64, 3, 3).astype(np.float32), requires_grad=True)\n"
            "bn = npgrad.nn.BatchNorm2d(64)\n"
            "opt = npgrad.optim.SGD([w] + list(bn.parameters()), lr=0.1, momentum=0.9)\n"
            "for _ in range(2):\n"
            "    F.max_pool2d(F.relu(bn(F.conv2d(x, w, padding=1))), 2).sum().backward(); opt.step()\n"
            "print('numba' in sys.modules, 'llvmlite' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    if out == "no module":
        pytest.skip("the ahead-of-time module cannot be built here (no C compiler?)")
    assert out == "False False"


def test_the_module_is_built_in_another_process(monkeypatch, tmp_path):
    _fresh_loader(monkeypatch, tmp_path)
    assert _jit._load() is None  # building: NumPy meanwhile
    assert _jit._build is not None and _jit._build.pid != os.getpid()
    assert _jit.available()
    files = os.listdir(tmp_path / "kernels")
    if any(f.endswith(".failed") for f in files):
        assert _jit._load().aot is None  # the in-process fallback
    else:
        assert _jit._load().aot is not None and len(files) == 1  # its build folder is gone


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_failed_build_and_other_layouts_use_the_just_in_time_kernels(monkeypatch, tmp_path, rng, dtype):
    _fresh_loader(monkeypatch, tmp_path)
    path, _ = _jit._module_path()
    open(path + ".failed", "w").close()
    k = _jit._load()
    assert k is not None and k.aot is None
    g, out = rng.standard_normal((2, 50)).astype(dtype)
    res = np.empty(100, dtype)[::2]  # strided: not an exported layout
    k.relu_grad(g, out, res)
    np.testing.assert_array_equal(res, g * (out > 0))


def test_other_layouts_go_past_the_module_to_the_just_in_time_kernels(rng):
    assert _jit.available()
    k = _jit._load()
    g, out = rng.standard_normal((2, 50))
    res = np.empty(100)[::2]
    k.relu_grad(g[::1], out, res)
    np.testing.assert_array_equal(res, g * (out > 0))


@pytest.mark.parametrize("layout", ["nchw", "chwn"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_batch_norm_matches_numpy(jit_small, rng, layout, dtype, monkeypatch):
    assert _jit.available()
    k, calls = _jit._load(), []
    for name in ("batch_norm_affine", "batch_norm_input_grad"):
        monkeypatch.setattr(k, name, (lambda f: lambda *a: (calls.append(f.__name__), f(*a)))(getattr(k, name)))
    x = _as_layout(rng.standard_normal((8, 5, 6, 7)).astype(dtype) * 3 + 1, layout)
    g = _as_layout(rng.standard_normal((8, 5, 6, 7)).astype(dtype), layout)

    def run():
        bn = npgrad.nn.BatchNorm2d(5).to(npgrad.float64 if dtype == np.float64 else npgrad.float32)
        with npgrad.no_grad():
            bn.weight.copy_(npgrad.tensor(np.linspace(0.5, 2, 5)))
            bn.bias.copy_(npgrad.tensor(np.linspace(-1, 1, 5)))
        t = npgrad.tensor(x, requires_grad=True)
        y = bn(t)
        y.backward(npgrad.tensor(g))
        return [a.detach().numpy().copy() for a in (y, t.grad, bn.weight.grad, bn.bias.grad, bn.running_var)]

    on, off = _both(run)
    assert calls == ["batch_norm_affine", "batch_norm_input_grad"]
    for a, b in zip(on, off):
        assert a.dtype == dtype
        np.testing.assert_array_equal(a, b)
