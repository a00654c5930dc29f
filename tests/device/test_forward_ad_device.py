"""Forward-mode AD on the device: tangents live with their primals and equal the CPU's."""
import numpy as np
import pytest

import npgrad
import npgrad.autograd.forward_ad as fwAD
from npgrad.autograd.forward_ad import jvp

from .conftest import assert_on, on_host


def _f(x, w):
    return (npgrad.tanh(x @ w) * 2.0 + x.sum(dim=1, keepdim=True)).softmax(dim=1).log().mean(dim=0)


def test_jvp_on_the_device_equals_the_cpu(cuda):
    rng = np.random.default_rng(0)
    x, w, tx, tw = (rng.standard_normal(s) for s in ((4, 3), (3, 3), (4, 3), (3, 3)))
    cpu = [npgrad.tensor(a) for a in (x, w, tx, tw)]
    dev = [t.to(cuda) for t in cpu]
    out_c, tan_c = jvp(_f, tuple(cpu[:2]), tuple(cpu[2:]))
    out_d, tan_d = jvp(_f, tuple(dev[:2]), tuple(dev[2:]))
    assert_on(out_d, cuda)
    assert_on(tan_d, cuda)
    np.testing.assert_allclose(on_host(out_d), on_host(out_c), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(on_host(tan_d), on_host(tan_c), rtol=1e-12, atol=1e-12)


def test_dual_tensors_on_the_device(cuda):
    x = npgrad.randn(5, dtype=npgrad.float64).to(cuda)
    t = npgrad.ones(5, dtype=npgrad.float64).to(cuda)
    with fwAD.dual_level():
        y = fwAD.make_dual(x, t).exp().sum()
        tangent = fwAD.unpack_dual(y).tangent
    assert_on(tangent, cuda)
    np.testing.assert_allclose(on_host(tangent), on_host(x.exp().sum()), rtol=1e-12)
    with fwAD.dual_level(), pytest.raises(RuntimeError, match="same device"):
        fwAD.make_dual(x, t.cpu())
