"""narrow: a view of a slice of one dimension, with PyTorch's errors."""
import numpy as np
import pytest

import npgrad


def test_narrow_is_a_view_that_autograd_sees():
    x = npgrad.arange(12.0).reshape(3, 4)
    y = x.narrow(1, 1, 2)
    y[0, 0] = 100.0
    assert x[0, 1].item() == 100.0 and np.shares_memory(x.numpy(), y.numpy())
    w = npgrad.ones(3, 4, requires_grad=True)
    (npgrad.narrow(w, 0, 1, 2) * 3).sum().backward()
    np.testing.assert_array_equal(w.grad.numpy(), [[0] * 4, [3] * 4, [3] * 4])


CALLS = [(0, 1, 2), (1, -2, 2), (-1, 0, 0), (0, 3, 0), (0, -3, 3), (5, 0, 1), (0, 4, 0), (0, -4, 1), (0, 2, 2),
         (0, 1, -1)]


@pytest.mark.parametrize("args", CALLS, ids=str)
def test_narrow_matches_torch(torch, args):
    def run(lib):
        try:
            return "ok", lib.arange(12.0).reshape(3, 4).narrow(*args).tolist()
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
    ours, theirs = run(npgrad), run(torch)
    assert ours[0] == theirs[0]
    if ours[0] == "ok":
        assert ours == theirs
    else:
        assert theirs[1] in ours[1]


def test_narrow_bad_inputs():
    with pytest.raises(RuntimeError, match="0-dim"):
        npgrad.tensor(1.0).narrow(0, 0, 1)
    with pytest.raises(TypeError, match="start must be an int"):
        npgrad.zeros(3).narrow(0, 1.0, 1)
    assert npgrad.zeros(3, 4).narrow(0, npgrad.tensor(1), 2).shape == (2, 4)
