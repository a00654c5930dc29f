"""The ReLU kernel of ``npgrad.ops.unary``: max(x, 0) against a row of zeros, for every size and
memory layout, equal to NumPy's plain ``np.maximum(x, 0)`` bit for bit."""
import numpy as np
import pytest

import npgrad
from npgrad.ops.unary import _ROW, _SMALL, _relu

SIZES = [1, _SMALL - 1, _SMALL, 128 * 256, _ROW, _ROW + 1, 3 * _ROW, 3 * _ROW + 7]


def _data(rng, n, dtype):
    x = rng.standard_normal(n).astype(dtype)
    x[::97] = np.nan
    x[1::89] = -np.inf
    x[2::83] = np.inf
    x[3::79] = -0.0
    return x


@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_flat_sizes_match_numpy(rng, n, dtype):
    x = _data(rng, n, dtype)
    out = _relu(x, np.empty_like(x))
    np.testing.assert_array_equal(out, np.maximum(x, 0))
    assert out.dtype == x.dtype


@pytest.mark.parametrize("layout", ["c", "batch_innermost", "fortran", "strided", "reversed"])
def test_layouts_match_numpy(rng, layout):
    base = _data(rng, 8 * 32 * 28 * 28, np.float32)
    if layout == "c":
        x = base.reshape(8, 32, 28, 28)
    elif layout == "batch_innermost":  # the (C, H, W, N) memory of conv outputs, seen as NCHW
        x = base.reshape(32, 28, 28, 8).transpose(3, 0, 1, 2)
    elif layout == "fortran":
        x = np.asfortranarray(base.reshape(8 * 32, 28 * 28))
    elif layout == "strided":
        x = base.reshape(8 * 32, 28 * 28)[:, ::3]
    else:
        x = base[::-1].reshape(64, -1)
    out = _relu(x, np.empty_like(x))
    np.testing.assert_array_equal(out, np.maximum(x, 0))


def test_output_in_another_layout_is_still_right(rng):
    x = _data(rng, 6 * _ROW, np.float32).reshape(6, _ROW).T  # Fortran-ordered view
    out = np.empty(x.shape, np.float32)  # C order: the flat memories differ in element order
    np.testing.assert_array_equal(_relu(x, out), np.maximum(x, 0))


def test_relu_op_keeps_values_and_gradient(rng):
    a = _data(rng, 4 * _ROW + 3, np.float32)
    a = np.nan_to_num(a, nan=1.0, posinf=2.0, neginf=-2.0)
    x = npgrad.tensor(a, requires_grad=True)
    y = npgrad.relu(x)
    np.testing.assert_array_equal(y.detach().numpy(), np.maximum(a, 0))
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), (a > 0).astype(np.float32))
