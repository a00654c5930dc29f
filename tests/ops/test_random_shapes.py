"""Hypothesis-generated shapes, dims and index keys for reductions and indexing, vs PyTorch."""
import numpy as np
import pytest

pytest.importorskip("hypothesis")
from hypothesis import given, settings, strategies as st  # noqa: E402

import npgrad  # noqa: E402

# n - correction <= 0 gives nan in both libraries, each with its own warning
pytestmark = pytest.mark.filterwarnings("ignore:invalid value:RuntimeWarning", "ignore:var\\(\\):UserWarning")

REDUCTIONS = {
    "sum": lambda T, x, d, k: x.sum(d, keepdim=k),
    "mean": lambda T, x, d, k: x.mean(d, keepdim=k),
    "amax": lambda T, x, d, k: x.amax(d, keepdim=k),
    "amin": lambda T, x, d, k: T.amin(x, d, keepdim=k),
    "var": lambda T, x, d, k: x.var(d, keepdim=k),
    "std": lambda T, x, d, k: x.std(d, keepdim=k, correction=0),
    "logsumexp": lambda T, x, d, k: T.logsumexp(x, d, keepdim=k),
    "norm": lambda T, x, d, k: x.norm(dim=d[:2] if isinstance(d, tuple) else d, keepdim=k),  # torch: <= 2 dims
    "prod": lambda T, x, d, k: x.prod(d[0] if isinstance(d, tuple) else d, keepdim=k),
    "max": lambda T, x, d, k: x.max(d[0] if isinstance(d, tuple) else d, keepdim=k)[0],
    "cumsum": lambda T, x, d, k: x.cumsum(d[0] if isinstance(d, tuple) else d),
}


@st.composite
def shape_and_dim(draw):
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    n = len(shape)
    dims = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=n, unique_by=lambda d: d % n))
    dim = dims[0] if len(dims) == 1 and draw(st.booleans()) else tuple(dims)
    return shape, dim


def _run(f, x0):
    import torch
    res = []
    for T in (npgrad, torch):
        x = T.tensor(x0, requires_grad=True)
        out = f(T, x)
        w = T.tensor(np.cos(np.arange(out.numel())).reshape(tuple(out.shape)))
        (out * w).sum().backward()
        res.append((out.detach().numpy(), x.grad.numpy()))
    for a, b in zip(*res):
        assert a.shape == b.shape
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-12)


@settings(max_examples=80, deadline=None)
@given(sd=shape_and_dim(), name=st.sampled_from(sorted(REDUCTIONS)), keep=st.booleans(), seed=st.integers(0, 999))
def test_reductions_match_torch(sd, name, keep, seed):
    pytest.importorskip("torch")
    shape, dim = sd
    x0 = np.random.default_rng(seed).permutation(np.linspace(-2, 2, int(np.prod(shape)))).reshape(shape) + 0.01
    _run(lambda T, x: REDUCTIONS[name](T, x, dim, keep), x0)


@st.composite
def basic_key(draw):
    shape = tuple(draw(st.lists(st.integers(1, 5), min_size=1, max_size=3)))
    items = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "all", "none"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            a, b = draw(st.integers(-n, n)), draw(st.integers(-n, n))
            items.append(slice(a, b, draw(st.integers(1, 3))))
        elif kind == "none":
            items += [None, slice(None)]
        else:
            items.append(slice(None))
    if draw(st.booleans()) and len(items) > 1:
        cut = draw(st.integers(0, len(items) - 1))
        items = items[:cut] + [Ellipsis]
    return shape, tuple(items)


@settings(max_examples=80, deadline=None)
@given(sk=basic_key(), seed=st.integers(0, 999))
def test_basic_indexing_matches_torch(sk, seed):
    pytest.importorskip("torch")
    shape, key = sk
    x0 = np.random.default_rng(seed).standard_normal(shape)
    _run(lambda T, x: x[key] * 1.0, x0)


@settings(max_examples=60, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), seed=st.integers(0, 999))
def test_advanced_indexing_with_repeats_matches_torch(shape, seed):
    pytest.importorskip("torch")
    rng = np.random.default_rng(seed)
    x0 = rng.standard_normal(shape)
    idx = rng.integers(-shape[0], shape[0], rng.integers(1, 6)).tolist()
    mask = (rng.random(shape) > 0.5).tolist()
    _run(lambda T, x: x[idx] * 2.0, x0)
    _run(lambda T, x: x[T.tensor(mask)] * 3.0, x0)
