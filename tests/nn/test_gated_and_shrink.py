"""GLU, Softshrink, Hardshrink and Softmax2d against PyTorch: values, gradients (at the thresholds too) and errors."""
import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("make", [
    lambda T: T.nn.GLU(), lambda T: T.nn.GLU(dim=1), lambda T: T.nn.Softshrink(), lambda T: T.nn.Softshrink(0.25),
    lambda T: T.nn.Hardshrink(), lambda T: T.nn.Hardshrink(1.0), lambda T: T.nn.Softmax2d(),
])
def test_matches_torch(torch, rng, make):
    x = rng.standard_normal((2, 4, 3, 2)).astype(np.float32)
    x[0, 0, 0, :] = [0.5, -0.5]  # values at the thresholds
    res = []
    for T in (npgrad, torch):
        xt = T.tensor(x, requires_grad=True)
        y = make(T)(xt)
        (y * T.linspace(-1, 1, y.numel()).reshape(y.shape)).sum().backward()
        res.append((y.detach().numpy(), xt.grad.numpy(), repr(make(T))))
    np.testing.assert_allclose(res[0][0], res[1][0], rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(res[0][1], res[1][1], rtol=1e-6, atol=1e-7)
    assert res[0][2] == res[1][2]


def test_glu_needs_an_even_dimension(torch):
    for T in (npgrad, torch):
        with pytest.raises(RuntimeError, match="even"):
            T.nn.functional.glu(T.ones(2, 3))
