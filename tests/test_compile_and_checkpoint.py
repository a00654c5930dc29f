"""torch.compile (the model comes back, runs eagerly) and torch.utils.checkpoint (a plain call): programs
that use them run unchanged with PyTorch's numbers."""
import warnings

import numpy as np
import pytest

import npgrad
from npgrad.utils import checkpoint as cp


def test_compile_returns_the_model_and_works_as_a_decorator():
    model = npgrad.nn.Linear(2, 2)
    assert npgrad.compile(model) is model
    assert npgrad.compile(model, mode="reduce-overhead", fullgraph=True) is model

    @npgrad.compile
    def double(x):
        return x * 2

    @npgrad.compile(dynamic=True)
    def triple(x):
        return x * 3

    assert double(npgrad.ones(2)).tolist() == [2.0, 2.0] and triple(npgrad.ones(1)).tolist() == [3.0]


def test_checkpoint_gives_the_plain_call_and_its_gradients(torch, rng):
    w = (rng.standard_normal((3, 3)) * 0.3).astype(np.float32)
    x = rng.standard_normal((2, 3)).astype(np.float32)
    grads = []
    for T, mod in ((npgrad, cp), (torch, __import__("torch.utils.checkpoint").utils.checkpoint)):
        seq = T.nn.Sequential(T.nn.Linear(3, 3), T.nn.Tanh(), T.nn.Linear(3, 3))
        with T.no_grad():
            for m in (seq[0], seq[2]):
                m.weight.copy_(T.tensor(w))
                m.bias.zero_()
        xt = T.tensor(x, requires_grad=True)
        y = mod.checkpoint(lambda a, scale=1.0: seq(a) * scale, xt, use_reentrant=False, scale=2.0)
        z = mod.checkpoint_sequential(seq, 1, y, use_reentrant=False)
        z.sum().backward()
        grads.append([z.detach().numpy(), xt.grad.numpy(), seq[0].weight.grad.numpy()])
    for a, b in zip(*grads):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_checkpoint_warns_without_use_reentrant_as_torch():
    with pytest.warns(UserWarning, match="use_reentrant"):
        cp.checkpoint(lambda t: t, npgrad.ones(1))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        cp.checkpoint(lambda t: t, npgrad.ones(1), use_reentrant=True)
