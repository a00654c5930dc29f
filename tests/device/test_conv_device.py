"""The notes' CNN (conv32-pool-conv64-pool-128-10) on the stand-in device (strictnp as "cuda") computes
what it computes on the CPU: outputs, the input gradient and every parameter gradient (float64).

At batch 2 both devices run the plain NumPy code.  At batch 16 the CPU takes its fast paths (pooled
buffers from ``npgrad._memory``, the compiled kernels of ``npgrad._jit`` for 2x2 pooling, its
gradient through the ReLU and col2im) while the device runs the plain array-module code, so the
two paths are compared with each other."""
import numpy as np
import pytest

import npgrad
from npgrad import _jit, _memory, nn

from .conftest import assert_on, on_host


def _cnn():
    npgrad.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10)).double()


def _step(model, x, w, dev):
    """One forward and backward on ``dev``: (output, input gradient, parameter gradients)."""
    model = model.to(dev)
    xt = npgrad.tensor(x, device=dev).requires_grad_()
    out = model(xt)
    (out * npgrad.tensor(w, device=dev)).sum().backward()
    return out, xt.grad, [p.grad for p in model.parameters()]


@pytest.mark.parametrize("batch,jit", [(2, True), (16, True), (16, False)], ids=["small", "fast", "nojit"])
def test_cnn_forward_backward_matches_cpu(batch, jit, cuda):
    if jit and batch >= 16 and not _jit.available():
        pytest.skip("numba is not installed: the compiled CPU kernels cannot run")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 1, 28, 28))
    w = rng.standard_normal((batch, 10))
    was = _jit.set_enabled(jit)
    try:
        _memory.release()
        cpu = _step(_cnn(), x, w, npgrad.device("cpu"))
        if batch >= 16:  # the CPU took its fast paths (pooled buffers)
            assert _memory.held_bytes() > 0
        dev = _step(_cnn(), x, w, cuda)
    finally:
        _jit.set_enabled(was)
    for c, d in zip([cpu[0], cpu[1]] + cpu[2], [dev[0], dev[1]] + dev[2]):
        assert_on(d, cuda)
        assert d.shape == c.shape and d.dtype == c.dtype
        np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-10, atol=1e-12)


def test_cnn_layers_on_device_stay_there(cuda):
    """Every activation of the CNN is a device array (nothing falls back to host memory)."""
    model = _cnn().to(cuda)
    h = npgrad.randn(4, 1, 28, 28, dtype=npgrad.float64).to(cuda)
    for layer in model:
        h = layer(h)
        assert_on(h, cuda)


def test_conv_layers_made_on_device(cuda):
    """``device=`` (or the default device) puts a conv layer's parameters there, with the values the
    CPU's random stream gives."""
    for cls, args in ((nn.Conv2d, (2, 3, 3)), (nn.ConvTranspose1d, (2, 3, 2)), (nn.Conv3d, (1, 2, 2))):
        npgrad.manual_seed(5)
        cpu = cls(*args)
        npgrad.manual_seed(5)
        dev = cls(*args, device=cuda)
        npgrad.set_default_device(cuda)
        try:
            npgrad.manual_seed(5)
            default = cls(*args)
        finally:
            npgrad.set_default_device(None)
        for m in (dev, default):
            for p, q in zip(m.parameters(), cpu.parameters()):
                assert_on(p, cuda)
                np.testing.assert_array_equal(on_host(p), q.detach().numpy())
