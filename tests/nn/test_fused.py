"""The hot-path primitives are single graph nodes, and a float32 model stays float32 end to end."""
import numpy as np

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F


def test_linear_and_cross_entropy_are_single_nodes():
    x = npgrad.randn(4, 3)
    lin = nn.Linear(3, 5)
    z = lin(x)
    assert z.grad_fn.name() == "LinearBackward0"
    leaves = [fn.variable for fn, _ in z.grad_fn.next_functions if fn is not None and fn.name() == "AccumulateGrad"]
    assert leaves == [lin.weight, lin.bias]  # x @ W.T + b in one node, straight to the parameters
    loss = F.cross_entropy(z, npgrad.tensor([0, 1, 2, 3]))
    assert loss.grad_fn.name() == "CrossEntropyBackward0"
    assert loss.grad_fn.next_functions[0][0] is z.grad_fn  # log_softmax + NLL fused
    assert F.log_softmax(z, 1).grad_fn.name() == "LogSoftmaxBackward0"
    assert nn.BatchNorm1d(5)(z).grad_fn.name() == "BatchNormBackward0"


def test_float32_model_stays_float32():
    npgrad.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.BatchNorm1d(8), nn.GELU(), nn.Dropout(0.1), nn.LayerNorm(8),
                          nn.Linear(8, 4), nn.LogSoftmax(1))
    emb = nn.Embedding(10, 6)
    out = model(emb(npgrad.tensor([1, 2, 3, 4, 5])))
    assert out.dtype == npgrad.float32
    F.nll_loss(out, npgrad.tensor([0, 1, 2, 3, 0])).backward()
    for name, p in list(model.named_parameters()) + list(emb.named_parameters()):
        assert p.grad is not None and p.grad.dtype == npgrad.float32, name
    for name, b in model.named_buffers():
        assert b.dtype in (npgrad.float32, npgrad.int64), name


def test_training_a_small_mlp_reduces_the_loss():
    npgrad.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((64, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR-like quadrants: needs the hidden layer
    model = nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 2))
    xt, yt = npgrad.tensor(x), npgrad.tensor(y)
    first = None
    for _ in range(300):
        loss = F.cross_entropy(model(xt), yt)
        first = first if first is not None else loss.item()
        model.zero_grad()
        loss.backward()
        with npgrad.no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert loss.item() < 0.3 * first
    assert F.zero_one_loss(model(xt), yt).item() < 0.1
