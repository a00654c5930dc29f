"""histc and histogram against NumPy's counting and PyTorch's results and errors."""
import numpy as np
import pytest

import npgrad


@pytest.mark.parametrize("bins, lo, hi", [(10, 0, 0), (7, -1.0, 1.0), (3, 0.25, 0.5), (1, 0, 0)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_histc_matches_torch(torch, rng, bins, lo, hi, dtype):
    x = rng.standard_normal(200).astype(dtype)
    ours = npgrad.histc(npgrad.tensor(x), bins=bins, min=lo, max=hi)
    theirs = torch.histc(torch.tensor(x), bins=bins, min=lo, max=hi)
    assert ours.dtype == npgrad.float64 if dtype == np.float64 else ours.dtype == npgrad.float32
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())
    assert int(ours.sum().item()) == int(((x >= (lo if lo != hi else x.min())) & (x <= (hi if lo != hi else x.max()))).sum())


def test_histogram_counts_edges_weights_and_density_match_torch(torch, rng):
    x = rng.standard_normal(100).astype(np.float32)
    w = rng.random(100).astype(np.float32)
    for kw in ({"bins": 5}, {"bins": 4, "range": (-1.0, 1.0)}, {"bins": 6, "density": True}):
        ours, theirs = npgrad.histogram(npgrad.tensor(x), **kw), torch.histogram(torch.tensor(x), **kw)
        np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-5)
        np.testing.assert_allclose(ours.bin_edges.numpy(), theirs.bin_edges.numpy(), rtol=1e-6)
    edges = np.array([-2.0, -0.5, 0.0, 3.0], np.float32)
    ours = npgrad.histogram(npgrad.tensor(x), bins=npgrad.tensor(edges), weight=npgrad.tensor(w))
    theirs = torch.histogram(torch.tensor(x), bins=torch.tensor(edges), weight=torch.tensor(w))
    np.testing.assert_allclose(ours.hist.numpy(), theirs.hist.numpy(), rtol=1e-5)
    assert npgrad.tensor(x).histogram(3).hist.sum().item() == 100


def test_counts_carry_no_gradient():
    x = npgrad.randn(10, requires_grad=True)
    assert not npgrad.histc(x, bins=3).requires_grad and not npgrad.histogram(x, 3).hist.requires_grad


@pytest.mark.parametrize("call, exc", [
    (lambda T: T.histc(T.tensor([1, 2]), bins=3), NotImplementedError),
    (lambda T: T.histc(T.tensor([1.0, 2.0]), bins=-1), RuntimeError),
    (lambda T: T.histc(T.tensor([1.0, 2.0]), bins=3, min=3, max=1), RuntimeError),
    (lambda T: T.histc(T.tensor([float("nan")]), bins=2), RuntimeError),
    (lambda T: T.histogram(T.tensor([1.0]), bins=T.tensor([[0.0, 1.0]])), RuntimeError),
    (lambda T: T.histogram(T.tensor([1.0, 2.0]), 2, weight=T.tensor([1.0])), RuntimeError),
])
def test_bad_calls_raise_as_torch(torch, call, exc):
    with pytest.raises(exc):
        call(npgrad)
    with pytest.raises(exc):
        call(torch)
