"""Layers, activations and losses on the stand-in device: a module moved with ``.to("cuda")`` gives the
CPU's outputs and gradients (float64, so equal means equal), and keeps its state on the device."""
import numpy as np
import pytest

import npgrad
from npgrad import nn

from .conftest import assert_on, on_host

F = nn.functional

#: (name, module factory, input shapes, integer targets?)
LAYERS = [
    ("linear", lambda: nn.Linear(5, 3), [(4, 5)]),
    ("bilinear", lambda: nn.Bilinear(3, 4, 2), [(5, 3), (5, 4)]),
    ("batchnorm1d", lambda: nn.BatchNorm1d(5), [(8, 5)]),
    ("batchnorm2d", lambda: nn.BatchNorm2d(3), [(4, 3, 2, 2)]),
    ("layernorm", lambda: nn.LayerNorm(5), [(4, 5)]),
    ("groupnorm", lambda: nn.GroupNorm(2, 4), [(3, 4, 5)]),
    ("flatten", lambda: nn.Sequential(nn.Flatten(), nn.Linear(6, 2)), [(4, 2, 3)]),
    ("unflatten", lambda: nn.Unflatten(1, (2, 3)), [(4, 6)]),
    ("relu", nn.ReLU, [(4, 5)]), ("leaky_relu", lambda: nn.LeakyReLU(0.1), [(4, 5)]),
    ("elu", nn.ELU, [(4, 5)]), ("selu", nn.SELU, [(4, 5)]), ("celu", nn.CELU, [(4, 5)]),
    ("gelu", nn.GELU, [(4, 5)]), ("gelu_tanh", lambda: nn.GELU("tanh"), [(4, 5)]),
    ("silu", nn.SiLU, [(4, 5)]), ("mish", nn.Mish, [(4, 5)]), ("sigmoid", nn.Sigmoid, [(4, 5)]),
    ("tanh", nn.Tanh, [(4, 5)]), ("softplus", nn.Softplus, [(4, 5)]), ("softsign", nn.Softsign, [(4, 5)]),
    ("hardtanh", nn.Hardtanh, [(4, 5)]), ("relu6", nn.ReLU6, [(4, 5)]), ("hardswish", nn.Hardswish, [(4, 5)]),
    ("hardsigmoid", nn.Hardsigmoid, [(4, 5)]), ("logsigmoid", nn.LogSigmoid, [(4, 5)]),
    ("softmax", lambda: nn.Softmax(1), [(4, 5)]), ("log_softmax", lambda: nn.LogSoftmax(1), [(4, 5)]),
    ("prelu", nn.PReLU, [(4, 5)]), ("tanhshrink", nn.Tanhshrink, [(4, 5)]),
    ("threshold", lambda: nn.Threshold(0.1, 20.0), [(4, 5)]),
    ("dropout_eval", lambda: nn.Dropout(0.5).eval(), [(4, 5)]),
    ("sequential", lambda: nn.Sequential(nn.Linear(5, 8), nn.ReLU(), nn.Linear(8, 2)), [(4, 5)]),
]

LOSSES = [
    ("cross_entropy", lambda x, t: F.cross_entropy(x, t), (6, 4), "class"),
    ("cross_entropy_w_ls", lambda x, t: F.cross_entropy(x, t, weight=_w(x, 4), label_smoothing=0.1), (6, 4), "class"),
    ("cross_entropy_ignore", lambda x, t: F.cross_entropy(x, t, ignore_index=1), (6, 4), "class"),
    ("cross_entropy_none", lambda x, t: F.cross_entropy(x, t, reduction="none"), (6, 4), "class"),
    ("cross_entropy_probs", lambda x, t: F.cross_entropy(x, t.softmax(1)), (6, 4), "float"),
    ("cross_entropy_2d", lambda x, t: F.cross_entropy(x, t), (2, 4, 3), "class2d"),
    ("nll", lambda x, t: F.nll_loss(F.log_softmax(x, 1), t), (6, 4), "class"),
    ("nll_w", lambda x, t: F.nll_loss(F.log_softmax(x, 1), t, weight=_w(x, 4), reduction="sum"), (6, 4), "class"),
    ("mse", lambda x, t: F.mse_loss(x, t), (6, 4), "float"),
    ("l1", lambda x, t: F.l1_loss(x, t), (6, 4), "float"),
    ("smooth_l1", lambda x, t: F.smooth_l1_loss(x, t, beta=0.5), (6, 4), "float"),
    ("huber", lambda x, t: F.huber_loss(x, t), (6, 4), "float"),
    ("bce", lambda x, t: F.binary_cross_entropy(x.sigmoid(), t.sigmoid()), (6, 4), "float"),
    ("bce_logits", lambda x, t: F.binary_cross_entropy_with_logits(x, t.sigmoid(), pos_weight=_w(x, 4)),
     (6, 4), "float"),
    ("kl_div", lambda x, t: F.kl_div(F.log_softmax(x, 1), t.softmax(1), reduction="batchmean"), (6, 4), "float"),
    ("soft_margin", lambda x, t: F.soft_margin_loss(x, t.sign()), (6, 4), "float"),
    ("multi_margin", lambda x, t: F.multi_margin_loss(x, t), (6, 4), "class"),
    ("hinge_embedding", lambda x, t: F.hinge_embedding_loss(x, t.sign()), (6, 4), "float"),
    ("cosine_similarity", lambda x, t: F.cosine_similarity(x, t).sum(), (6, 4), "float"),
    ("pairwise_distance", lambda x, t: F.pairwise_distance(x, t).sum(), (6, 4), "float"),
    ("normalize", lambda x, t: (F.normalize(x, dim=1) * t).sum(), (6, 4), "float"),
]


def _w(x, c):
    return npgrad.linspace(0.5, 1.5, c, dtype=x.dtype, device=x.device)


def _sign(x):
    return npgrad.tensor([1.0, -1.0, 1.0, 1.0, -1.0, 1.0], dtype=x.dtype, device=x.device)


def _inputs(shapes, seed=0):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) for s in shapes]


@pytest.mark.parametrize("name,make,shapes", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_on_device_matches_cpu(name, make, shapes, cuda):
    xs = _inputs(shapes)
    res = []
    for dev in ("cpu", cuda):
        npgrad.manual_seed(0)
        m = make().double().to(dev)
        ins = [npgrad.tensor(x, device=dev, requires_grad=True) for x in xs]
        out = m(*ins)
        (out * npgrad.tensor(_inputs([tuple(out.shape)], seed=1)[0], device=dev)).sum().backward()
        res.append((m, ins, out))
    (cm, ci, co), (dm, di, do) = res
    assert_on(do, cuda)
    np.testing.assert_allclose(on_host(do), on_host(co), rtol=1e-12, atol=1e-13)
    for a, b in zip(ci, di):
        assert_on(b.grad, cuda)
        np.testing.assert_allclose(on_host(b.grad), on_host(a.grad), rtol=1e-11, atol=1e-13)
    for (k, a), (_, b) in zip(cm.named_parameters(), dm.named_parameters()):
        assert_on(b, cuda) and assert_on(b.grad, cuda)
        np.testing.assert_allclose(on_host(b.grad), on_host(a.grad), rtol=1e-11, atol=1e-13, err_msg=k)
    for (k, a), (_, b) in zip(cm.named_buffers(), dm.named_buffers()):
        assert_on(b, cuda)
        np.testing.assert_allclose(on_host(b), on_host(a), rtol=1e-12, err_msg=k)


@pytest.mark.parametrize("name,fn,shape,kind", LOSSES, ids=[c[0] for c in LOSSES])
def test_loss_on_device_matches_cpu(name, fn, shape, kind, cuda):
    rng = np.random.default_rng(4)
    x = rng.standard_normal(shape)
    if kind == "class":
        t = rng.integers(0, shape[1], shape[0])
    elif kind == "class2d":
        t = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    else:
        t = rng.standard_normal(shape)
    res = []
    for dev in ("cpu", cuda):
        xi = npgrad.tensor(x, device=dev, requires_grad=True)
        out = fn(xi, npgrad.tensor(t, device=dev))
        out.sum().backward()
        res.append((out, xi.grad))
    (co, cg), (do, dg) = res
    assert_on(do, cuda) and assert_on(dg, cuda)
    assert do.dtype == co.dtype and do.shape == co.shape
    np.testing.assert_allclose(on_host(do), on_host(co), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(on_host(dg), on_host(cg), rtol=1e-11, atol=1e-13)


def test_embedding_on_device(cuda):
    res = []
    for dev in ("cpu", cuda):
        npgrad.manual_seed(0)
        emb = nn.Embedding(10, 3, padding_idx=0).double()
        emb.to(dev)
        out = emb(npgrad.tensor([[1, 0, 4], [4, 9, 1]], device=dev))
        (out * out).sum().backward()
        res.append((emb, out))
    (ce, co), (de, do) = res
    assert_on(do, cuda) and assert_on(de.weight.grad, cuda)
    np.testing.assert_array_equal(on_host(do), on_host(co))
    np.testing.assert_array_equal(on_host(de.weight.grad), on_host(ce.weight.grad))
    oh = F.one_hot(npgrad.tensor([0, 2, 1], device=cuda), 3)
    assert_on(oh, cuda)
    assert on_host(oh).tolist() == [[1, 0, 0], [0, 0, 1], [0, 1, 0]]


def test_layers_made_on_device(cuda):
    for m in (nn.Linear(3, 2, device=cuda), nn.Bilinear(2, 2, 3, device="cuda"), nn.BatchNorm1d(3, device=cuda),
              nn.LayerNorm(3, device=cuda), nn.GroupNorm(1, 2, device=cuda), nn.Embedding(4, 2, device=cuda)):
        for t in list(m.parameters()) + list(m.buffers()):
            assert_on(t, cuda)
    npgrad.set_default_device(cuda)
    try:
        lin = nn.Linear(3, 2)
    finally:
        npgrad.set_default_device(None)
    assert_on(lin.weight, cuda)
