"""Every op of the op table on the stand-in device (strictnp as "cuda"): the outputs live on the
device, equal the CPU's, and so do the gradients (float64, so equal means equal)."""
import numpy as np
import pytest

import npgrad
from tests.ops.optable import OPS, cases, make_inputs

from .conftest import assert_on, on_host


def _tuple(x):
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def _run(op, xs, dev):
    ts = [npgrad.tensor(x, requires_grad=op.grad).to(dev).detach().requires_grad_(op.grad) for x in xs]
    npgrad.set_default_device(dev)  # constants made inside the op's code follow, as under PyTorch
    try:
        outs = _tuple(op.run(npgrad, *ts))
    finally:
        npgrad.set_default_device(None)
    return ts, outs


@pytest.mark.parametrize("op,shapes", cases(first_only=True))
def test_op_on_device_matches_cpu(op, shapes, cuda):
    xs = make_inputs(op, shapes, np.float64)
    cpu_in, cpu_out = _run(op, xs, npgrad.device("cpu"))
    dev_in, dev_out = _run(op, xs, cuda)
    assert len(cpu_out) == len(dev_out)
    for c, d in zip(cpu_out, dev_out):
        assert_on(d, cuda)
        assert d.dtype == c.dtype and d.shape == c.shape
        np.testing.assert_allclose(on_host(d), on_host(c), rtol=1e-12, atol=1e-12)
    if not op.grad:
        return
    fl = [i for i, o in enumerate(cpu_out) if o.dtype.is_floating_point and o.requires_grad]
    if not fl:
        return
    rng = np.random.default_rng(3)
    ws = [rng.standard_normal(tuple(cpu_out[i].shape)) for i in fl]
    for ins, outs, dev in ((cpu_in, cpu_out, npgrad.device("cpu")), (dev_in, dev_out, cuda)):
        sum((outs[i] * npgrad.tensor(w, device=dev)).sum() for i, w in zip(fl, ws)).backward()
    for c, d in zip(cpu_in, dev_in):
        if c.grad is None:
            assert d.grad is None
            continue
        assert_on(d.grad, cuda)
        np.testing.assert_allclose(on_host(d.grad), on_host(c.grad), rtol=1e-12, atol=1e-12)
