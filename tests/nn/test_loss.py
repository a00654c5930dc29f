"""Losses vs PyTorch (all reductions, forward and gradients of input and target), float64 gradcheck,
stability for huge logits, and argument errors."""
import warnings

import numpy as np
import pytest

import npgrad
import npgrad.nn as nn
import npgrad.nn.functional as F
from npgrad.autograd import gradcheck, gradgradcheck

REDUCTIONS = ["mean", "sum", "none"]


def _rand(rng, *shape):
    return rng.standard_normal(shape).astype(np.float32)


def _signs(rng, *shape):
    return np.where(rng.random(shape) < 0.5, -1.0, 1.0).astype(np.float32)


def _cases(rng):
    """(name, module kwargs, input, target, target differentiable) for each PyTorch loss."""
    x, t = _rand(rng, 6, 4), _rand(rng, 6, 4)
    p, q = rng.uniform(0.05, 0.95, (6, 4)).astype(np.float32), rng.uniform(0, 1, (6, 4)).astype(np.float32)
    cls = rng.integers(0, 4, 6)
    logp = x - np.log(np.exp(x).sum(1, keepdims=True))
    probs = np.exp(_rand(rng, 6, 4))
    probs /= probs.sum(1, keepdims=True)
    w = rng.uniform(0.5, 2, 4).astype(np.float32)
    return [
        ("MSELoss", {}, x, t, True), ("L1Loss", {}, x, t + 0.1, True),
        ("HuberLoss", {"delta": 0.7}, x, t, True), ("SmoothL1Loss", {"beta": 0.5}, x, t, True),
        ("SmoothL1Loss", {"beta": 0.0}, x, t, True),
        ("BCELoss", {}, p, q, True), ("BCELoss", {"weight": w}, p, q, True),
        ("BCEWithLogitsLoss", {}, x, q, True), ("BCEWithLogitsLoss", {"pos_weight": w * 2}, x, q, True),
        ("BCEWithLogitsLoss", {"weight": w, "pos_weight": w}, x, q, True),
        ("CrossEntropyLoss", {}, x, cls, False), ("CrossEntropyLoss", {"weight": w}, x, cls, False),
        ("CrossEntropyLoss", {"label_smoothing": 0.2}, x, cls, False),
        ("CrossEntropyLoss", {"weight": w, "label_smoothing": 0.3, "ignore_index": 2}, x, cls, False),
        ("CrossEntropyLoss", {"ignore_index": 1}, x, cls, False),
        ("CrossEntropyLoss", {}, x, probs, True), ("CrossEntropyLoss", {"weight": w, "label_smoothing": 0.1},
                                                   x, probs, True),
        ("NLLLoss", {}, logp, cls, False), ("NLLLoss", {"weight": w, "ignore_index": 0}, logp, cls, False),
        ("KLDivLoss", {}, logp, probs, True), ("KLDivLoss", {"log_target": True}, logp, np.log(probs), True),
        ("HingeEmbeddingLoss", {"margin": 0.5}, x, _signs(rng, 6, 4), False),
        ("MultiMarginLoss", {}, x, cls, False), ("MultiMarginLoss", {"p": 2, "margin": 0.5, "weight": w}, x, cls,
                                                 False),
        ("SoftMarginLoss", {}, x, _signs(rng, 6, 4), False),
    ]


def _make(lib, name, kw, tensor):
    kw = {k: tensor(v) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    return getattr(lib, name)(**kw)


CASE_IDS = [f"{c[0]}{i}" for i, c in enumerate(_cases(np.random.default_rng(0)))]


TORCH_CASES = [(i, r) for i, name in enumerate(CASE_IDS)
               for r in REDUCTIONS + (["batchmean"] if name.startswith("KLDiv") else [])]


@pytest.mark.parametrize("idx,reduction", TORCH_CASES, ids=[f"{CASE_IDS[i]}-{r}" for i, r in TORCH_CASES])
def test_loss_vs_torch(torch, idx, reduction):
    name, kw, x, t, t_grad = _cases(np.random.default_rng(idx))[idx]
    kw = dict(kw, reduction=reduction)
    ours, theirs = _make(nn, name, kw, npgrad.tensor), _make(torch.nn, name, kw, torch.tensor)
    xt, tt = torch.tensor(x, requires_grad=True), torch.tensor(t, requires_grad=t_grad)
    xn, tn = npgrad.tensor(x, requires_grad=True), npgrad.tensor(t, requires_grad=t_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lt, ln = theirs(xt, tt), ours(xn, tn)
    assert ln.shape == tuple(lt.shape) and ln.dtype == npgrad.float32
    np.testing.assert_allclose(ln._data, lt.detach().numpy(), rtol=1e-5, atol=1e-6)
    go = np.random.default_rng(1).standard_normal(tuple(lt.shape)).astype(np.float32)
    lt.backward(torch.tensor(go))
    ln.backward(npgrad.tensor(go))
    np.testing.assert_allclose(xn.grad._data, xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    if t_grad:
        np.testing.assert_allclose(tn.grad._data, tt.grad.numpy(), rtol=1e-4, atol=1e-6)


@pytest.mark.parametrize("idx", range(len(CASE_IDS)), ids=CASE_IDS)
def test_loss_gradcheck(idx):
    name, kw, x, t, t_grad = _cases(np.random.default_rng(idx))[idx]
    kw = {k: npgrad.tensor(v.astype(np.float64)) if isinstance(v, np.ndarray) else v for k, v in kw.items()}
    loss = getattr(nn, name)(**kw, reduction="sum")
    xn = npgrad.tensor(x[:3].astype(np.float64), requires_grad=True)
    td = t[:3].astype(np.float64) if t.dtype.kind == "f" else t[:3]
    tn = npgrad.tensor(td, requires_grad=t_grad)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert gradcheck(lambda a, b: loss(a, b), (xn, tn))


@pytest.mark.parametrize("kw", [{}, {"weight": [1.0, 2.0, 0.5, 1.0]}, {"label_smoothing": 0.25},
                                {"ignore_index": 0}])
def test_cross_entropy_spatial_dims(torch, rng, kw):
    x = _rand(rng, 2, 4, 3, 5)
    y = rng.integers(0, 4, (2, 3, 5))
    kw_t = {k: torch.tensor(v) if isinstance(v, list) else v for k, v in kw.items()}
    kw_n = {k: npgrad.tensor(v) if isinstance(v, list) else v for k, v in kw.items()}
    for red in REDUCTIONS:
        xt, xn = torch.tensor(x, requires_grad=True), npgrad.tensor(x, requires_grad=True)
        lt = torch.nn.functional.cross_entropy(xt, torch.tensor(y), reduction=red, **kw_t)
        ln = F.cross_entropy(xn, npgrad.tensor(y), reduction=red, **kw_n)
        np.testing.assert_allclose(ln._data, lt.detach().numpy(), rtol=1e-5, atol=1e-6)
        lt.sum().backward()
        ln.sum().backward()
        np.testing.assert_allclose(xn.grad._data, xt.grad.numpy(), rtol=1e-4, atol=1e-6)
    # class probabilities with spatial dims
    p = np.exp(_rand(rng, 2, 4, 3))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(F.cross_entropy(npgrad.tensor(x[..., 0]), npgrad.tensor(p)).item(),
                               torch.nn.functional.cross_entropy(torch.tensor(x[..., 0]), torch.tensor(p)).item(),
                               rtol=1e-5)


def test_cross_entropy_unbatched(torch, rng):
    x = _rand(rng, 5)
    ours = F.cross_entropy(npgrad.tensor(x), npgrad.tensor(3))
    theirs = torch.nn.functional.cross_entropy(torch.tensor(x), torch.tensor(3))
    assert ours.shape == () and abs(ours.item() - theirs.item()) < 1e-5


def test_cross_entropy_double_backward(rng):
    x = npgrad.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    y = npgrad.tensor([0, 3, 1])
    assert gradgradcheck(lambda a: F.cross_entropy(a, y), (x,))
    assert gradgradcheck(lambda a: F.cross_entropy(a, y, label_smoothing=0.1, reduction="none"), (x,))
    assert gradgradcheck(lambda a: F.binary_cross_entropy_with_logits(a, npgrad.ones(3, 4) * 0.3), (x,))


def test_cross_entropy_matches_notes_examples():
    # one-hot target [0, 0, 1, 0...] with p = 0.6 for the true class: -ln 0.6 = 0.5108; p = 0.1: 2.3026
    for p, expected in ((0.6, 0.5108), (0.1, 2.3026)):
        logits = npgrad.tensor([[np.log(p), np.log((1 - p) / 2), np.log((1 - p) / 2)]])
        assert abs(F.cross_entropy(logits, npgrad.tensor([0])).item() - expected) < 1e-4


def test_cross_entropy_all_ignored_is_nan(torch):
    x = npgrad.randn(3, 4)
    assert np.isnan(F.cross_entropy(x, npgrad.tensor([-100, -100, -100])).item())


def test_nll_loss_mean_with_zero_total_weight_grad_as_pytorch(torch):
    """Loss nan (0/0); the gradient is -w/0 (nan) at the counted targets only, 0 at the ignored ones."""
    x = np.zeros((2, 2, 3))
    for t, w in (([[1, 1, 1], [1, 1, 1]], None), ([[0, 1, 1], [1, 1, 1]], [0.0, 1.0])):
        grads = []
        for T in (npgrad, torch):
            xt = T.tensor(x, requires_grad=True)
            loss = T.nn.functional.nll_loss(xt, T.tensor(t), weight=None if w is None else T.tensor(np.array(w)),
                                            ignore_index=1)
            loss.backward()
            assert np.isnan(loss.item())
            grads.append(xt.grad.numpy())
        np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
def test_cross_entropy_mean_with_zero_total_weight_grad_as_pytorch(torch, label_smoothing):
    """nan rows where the target counts (weight 0), 0 rows where it is ignored; unbatched too."""
    x = np.random.default_rng(0).standard_normal((3, 2))
    for xs, t in ((x, [0, 1, 1]), (x[0], 1)):
        grads = []
        for T in (npgrad, torch):
            xt = T.tensor(xs, requires_grad=True)
            loss = T.nn.functional.cross_entropy(xt, T.tensor(t), weight=T.tensor(np.array([0.0, 1.0])),
                                                 ignore_index=1, label_smoothing=label_smoothing)
            loss.backward()
            grads.append((loss.item(), xt.grad.numpy()))
        assert not np.isfinite(grads[0][0]) and repr(grads[0][0]) == repr(grads[1][0])  # nan or (smoothing) inf
        np.testing.assert_array_equal(grads[0][1], grads[1][1])


def test_huge_logits_finite_everywhere():
    z = npgrad.tensor([[500.0, -500.0, 0.0], [-800.0, 800.0, 1.0]], requires_grad=True)
    y = npgrad.tensor([1, 0])
    for loss in (F.cross_entropy(z, y), F.cross_entropy(z, y, label_smoothing=0.1),
                 F.nll_loss(F.log_softmax(z, 1), y), F.focal_loss(z, y), F.multi_margin_loss(z, y)):
        z.grad = None
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(z.grad._data).all()
    assert abs(F.cross_entropy(z, y).item() - (1000 + 1600) / 2) < 1e-3
    a = npgrad.tensor([300.0, -300.0, 700.0, -700.0], requires_grad=True)
    t01 = npgrad.tensor([0.0, 1.0, 0.0, 1.0])
    tpm = t01 * 2 - 1
    for loss in (F.binary_cross_entropy_with_logits(a, t01), F.sigmoid_focal_loss(a, t01, reduction="mean"),
                 F.soft_margin_loss(a, tpm), F.hinge_loss(a, tpm), F.exponential_loss(a, tpm),
                 F.binary_cross_entropy_with_logits(a, t01, pos_weight=npgrad.tensor([3.0])),
                 F.binary_cross_entropy(F.sigmoid(a), t01)):
        a.grad = None
        loss.backward()
        assert np.isfinite(loss.item()), loss
        assert np.isfinite(a.grad._data).all(), loss
    assert abs(F.binary_cross_entropy_with_logits(a, t01, reduction="sum").item() - 2000) < 1e-2


def test_bce_weights_of_another_dtype_keep_the_input_dtype(torch):
    """A float64 weight / pos_weight with float32 probabilities or logits: a float32 loss, as PyTorch."""
    rng = np.random.default_rng(0)
    x, t, w = rng.uniform(0.1, 0.9, (2, 3)).astype(np.float32), rng.uniform(0, 1, (2, 3)).astype(np.float32), \
        rng.uniform(0.5, 2, 3)
    for T in (npgrad, torch):
        F_ = T.nn.functional
        outs = [F_.binary_cross_entropy(T.tensor(x), T.tensor(t), weight=T.tensor(w), reduction="none"),
                F_.binary_cross_entropy_with_logits(T.tensor(x), T.tensor(t), weight=T.tensor(w)),
                F_.binary_cross_entropy_with_logits(T.tensor(x), T.tensor(t), pos_weight=T.tensor(w))]
        assert [o.dtype for o in outs] == [T.float32] * 3
        if T is npgrad:
            ours = [o.numpy() for o in outs]
    for a, b in zip(ours, outs):
        np.testing.assert_allclose(a, b.numpy(), rtol=1e-6)


def test_bce_clamps_log_at_minus_100(torch):
    p = npgrad.tensor([0.0, 1.0, 0.5], requires_grad=True)
    t = npgrad.tensor([1.0, 0.0, 1.0])
    out = F.binary_cross_entropy(p, t, reduction="none")
    np.testing.assert_allclose(out._data, [100.0, 100.0, np.log(2)], rtol=1e-6)
    out.sum().backward()
    pt = torch.tensor([0.0, 1.0, 0.5], requires_grad=True)
    torch.nn.functional.binary_cross_entropy(pt, torch.tensor([1.0, 0.0, 1.0]), reduction="sum").backward()
    np.testing.assert_allclose(p.grad._data, pt.grad.numpy(), rtol=1e-6)


def test_kl_div_zero_target_and_batchmean():
    logq = F.log_softmax(npgrad.tensor([[0.0, 1.0, 2.0]]), 1)
    p = npgrad.tensor([[0.0, 0.5, 0.5]], requires_grad=True)
    loss = F.kl_div(logq, p, reduction="batchmean")
    expected = sum(pi * (np.log(pi) - qi) for pi, qi in zip([0.5, 0.5], logq._data[0, 1:]))
    assert abs(loss.item() - expected) < 1e-6
    loss.backward()
    assert np.isfinite(p.grad._data).all()


def test_loss_errors():
    x = npgrad.randn(3, 4)
    with pytest.raises(ValueError, match="avg is not a valid value for reduction"):
        F.mse_loss(x, x, reduction="avg")
    with pytest.raises(ValueError, match=r"MSELoss\(reduction='avg'\)"):
        nn.MSELoss(reduction="avg")
    with pytest.raises(ValueError, match=r"Expected input batch_size \(3\) to match target batch_size \(2\)"):
        F.cross_entropy(x, npgrad.tensor([0, 1]))
    with pytest.raises(IndexError, match="Target 7 is out of bounds"):
        F.cross_entropy(x, npgrad.tensor([0, 1, 7]))
    with pytest.raises(IndexError, match="Target -2 is out of bounds"):
        F.nll_loss(x, npgrad.tensor([0, -2, 1]))
    with pytest.raises(RuntimeError, match="weight tensor should be defined either for all 4 classes"):
        F.cross_entropy(x, npgrad.tensor([0, 1, 2]), weight=npgrad.ones(3))
    with pytest.raises(RuntimeError, match="label_smoothing"):
        F.cross_entropy(x, npgrad.tensor([0, 1, 2]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"target size \(torch.Size\(\[4\]\)\).*input size \(torch.Size\(\[3\]\)\)"):
        F.binary_cross_entropy(npgrad.rand(3), npgrad.rand(4))
    with pytest.raises(RuntimeError, match="between 0 and 1"):
        F.binary_cross_entropy(npgrad.tensor([1.5]), npgrad.tensor([1.0]))
    with pytest.warns(UserWarning, match="different to the input size"):
        F.mse_loss(npgrad.ones(3, 1), npgrad.ones(3))
    with pytest.raises(RuntimeError, match="not broadcastable"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        F.mse_loss(npgrad.ones(3), npgrad.ones(4))
    with pytest.raises(ValueError, match="only p == 1 and p == 2"):
        nn.MultiMarginLoss(p=3)


def test_legacy_size_average_reduce(torch):
    x, t = npgrad.randn(4), npgrad.randn(4)
    with pytest.warns(UserWarning):
        assert nn.MSELoss(size_average=False).reduction == "sum"
    with pytest.warns(UserWarning):
        out = F.l1_loss(x, t, reduce=False)
    assert out.shape == (4,)


def test_loss_modules_weights_are_buffers(torch):
    ours = nn.CrossEntropyLoss(weight=npgrad.ones(3))
    assert list(ours.state_dict()) == list(torch.nn.CrossEntropyLoss(weight=torch.ones(3)).state_dict())
    assert list(nn.BCEWithLogitsLoss(pos_weight=npgrad.ones(2)).state_dict()) == ["pos_weight"]
    assert repr(ours) == "CrossEntropyLoss()"


def test_one_hot(torch):
    y = np.array([[0, 2], [1, 3]])
    np.testing.assert_array_equal(F.one_hot(npgrad.tensor(y))._data,
                                  torch.nn.functional.one_hot(torch.tensor(y)).numpy())
    assert F.one_hot(npgrad.tensor([1]), 5).shape == (1, 5) and F.one_hot(npgrad.tensor([1]), 5).dtype == npgrad.int64
    with pytest.raises(RuntimeError, match="non-negative"):
        F.one_hot(npgrad.tensor([-1, 0]))
    with pytest.raises(RuntimeError, match="smaller than num_classes"):
        F.one_hot(npgrad.tensor([3]), 3)
    with pytest.raises(RuntimeError, match="index tensor"):
        F.one_hot(npgrad.tensor([1.0]))
