"""Tensor.unfold and view(dtype) against PyTorch: views sharing memory, bit reinterpretation, and
PyTorch's errors."""
import numpy as np
import pytest

import npgrad


def test_unfold_is_a_view(torch):
    for T in (npgrad, torch):
        x = T.arange(8.)
        w = x.unfold(0, 3, 2)
        x[2] = 100.0
        if T is npgrad:
            ours = w.numpy().copy()
        else:
            np.testing.assert_array_equal(ours, w.numpy())
    y = npgrad.arange(6.)
    assert np.shares_memory(y.unfold(0, 2, 2).numpy(), y.numpy())


def test_unfold_errors_and_0d(torch):
    with pytest.raises(RuntimeError, match="maximum size"):
        npgrad.ones(3).unfold(0, 4, 1)
    with pytest.raises(RuntimeError, match="step"):
        npgrad.ones(3).unfold(0, 2, 0)
    np.testing.assert_array_equal(npgrad.tensor(5.).unfold(0, 1, 1).numpy(), torch.tensor(5.).unfold(0, 1, 1).numpy())


@pytest.mark.parametrize("dt", ["int32", "int16", "float64", "uint8", "int8", "float32", "bool", "int64"])
def test_view_dtype_reinterprets_bits(dt, torch):
    x = np.array([[1.0, 2.0, -1.5, 0.0], [3.0, -1.0, 7.0, 8.0]], dtype=np.float32)
    if dt == "bool":
        x = np.array([[1, 0, 1, 1]], dtype=np.uint8).astype(np.float32)
        a, b = npgrad.tensor(x).to(npgrad.uint8), torch.tensor(x).to(torch.uint8)
    else:
        a, b = npgrad.tensor(x), torch.tensor(x)
    ours, theirs = a.view(getattr(npgrad, dt)), b.view(getattr(torch, dt))
    assert tuple(ours.shape) == tuple(theirs.shape)
    assert ours.dtype.name == str(theirs.dtype).replace("torch.", "")
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_view_dtype_shares_memory_and_errors():
    z = npgrad.ones(4, dtype=npgrad.int64)
    z.view(npgrad.int32)[0] = 5
    assert z.tolist() == [5, 1, 1, 1]
    x = npgrad.ones(2, 4)
    with pytest.raises(RuntimeError, match="divisible by 2 to view Float as Double"):
        x[:, :1].view(npgrad.float64)
    with pytest.raises(RuntimeError, match="stride"):
        x.t().view(npgrad.float64)
    with pytest.raises(RuntimeError, match="dim"):
        npgrad.tensor(1.0).view(npgrad.int16)
    y = npgrad.ones(2, requires_grad=True).view(npgrad.int32)
    assert not y.requires_grad
