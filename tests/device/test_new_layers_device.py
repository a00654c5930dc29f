"""The attention, image, gated and packed-sequence layers, the pair losses, counting ops, distributions and
the GradScaler on the stand-in device: the CPU's numbers, with results and gradients on the device."""
import numpy as np
import pytest

import npgrad
from npgrad import nn
from npgrad.distributions import Categorical, Normal, kl_divergence
from npgrad.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from .conftest import assert_on, on_host

F = nn.functional


class SelfAttention(nn.Module):
    def __init__(self):
        super().__init__()
        self.mha = nn.MultiheadAttention(4, 2, batch_first=True)

    def forward(self, x):
        mask = npgrad.tensor([[False, False, True]], device=x.device).expand(x.shape[0], 3)
        causal = nn.Transformer.generate_square_subsequent_mask(3, device=x.device, dtype=x.dtype)
        out, w = self.mha(x, x, x, key_padding_mask=mask, attn_mask=causal)
        return out + w.sum()


LAYERS = [
    ("mha", SelfAttention, (2, 3, 4)),
    ("encoder_layer", lambda: nn.TransformerEncoderLayer(4, 2, 8, dropout=0.0, batch_first=True), (2, 3, 4)),
    ("instance_norm", lambda: nn.InstanceNorm2d(3, affine=True, track_running_stats=True), (2, 3, 4, 4)),
    ("reflection_pad", lambda: nn.ReflectionPad2d((1, 0, 2, 1)), (2, 1, 4, 5)),
    ("replication_pad", lambda: nn.ReplicationPad1d(2), (2, 3, 4)),
    ("pixel_shuffle", lambda: nn.PixelShuffle(2), (2, 8, 3, 3)),
    ("glu", nn.GLU, (3, 4)), ("softshrink", nn.Softshrink, (3, 4)), ("hardshrink", nn.Hardshrink, (3, 4)),
    ("softmax2d", nn.Softmax2d, (2, 3, 2, 2)),
]


def _both(cuda, run):
    return [run(dev) for dev in ("cpu", cuda)]


@pytest.mark.parametrize("name,make,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_on_device_matches_cpu(name, make, shape, cuda):
    x = np.random.default_rng(0).standard_normal(shape)

    def run(dev):
        npgrad.manual_seed(0)
        m = make().double().to(dev)
        xi = npgrad.tensor(x, device=dev, requires_grad=True)
        out = m(xi)
        (out * out).sum().backward()
        return out, xi.grad, [p.grad for p in m.parameters()]
    (co, cg, cp), (do, dg, dp) = _both(cuda, run)
    assert_on(do, cuda) and assert_on(dg, cuda)
    np.testing.assert_allclose(on_host(do), on_host(co), rtol=1e-11, atol=1e-12)
    np.testing.assert_allclose(on_host(dg), on_host(cg), rtol=1e-10, atol=1e-12)
    for a, b in zip(cp, dp):
        np.testing.assert_allclose(on_host(b), on_host(a), rtol=1e-10, atol=1e-12)


def test_packed_lstm_losses_and_counting_on_device(cuda):
    rng = np.random.default_rng(1)
    x, a, p, n = (rng.standard_normal(s) for s in ((3, 4, 2), (4, 3), (4, 3), (4, 3)))

    def run(dev):
        npgrad.manual_seed(0)
        lstm = nn.LSTM(2, 3, bidirectional=True).double().to(dev)
        xi = npgrad.tensor(x, device=dev, requires_grad=True)
        out, (h, c) = lstm(pack_padded_sequence(xi, [3, 1, 2, 3], enforce_sorted=False))
        padded, lens = pad_packed_sequence(out)
        ai, pi, ni = (npgrad.tensor(v, device=dev, requires_grad=True) for v in (a, p, n))
        loss = padded.sum() + h.sum() + F.triplet_margin_loss(ai, pi, ni) + F.gaussian_nll_loss(ai, pi, ni.abs()) \
            + npgrad.median(ai) + npgrad.diff(pi, dim=0).sum() + npgrad.zeros(3, device=dev, dtype=ai.dtype) \
            .index_add(0, npgrad.tensor([0, 2, 0, 1], device=dev), ni[:, 0]).sum()
        loss.backward()
        counts = npgrad.bincount(npgrad.tensor([0, 2, 2], device=dev))
        return [loss, xi.grad, ai.grad, pi.grad, ni.grad, counts, npgrad.unique(counts), lens]
    cpu, dev = _both(cuda, run)
    for u, v in zip(cpu[:-1], dev[:-1]):
        assert_on(v, cuda)
        np.testing.assert_allclose(on_host(v), on_host(u), rtol=1e-10, atol=1e-12)
    assert cpu[-1].tolist() == dev[-1].tolist()


def test_distributions_and_grad_scaler_on_device(cuda):
    def run(dev):
        logits = npgrad.tensor([[0.1, 1.0, -0.5]], device=dev, requires_grad=True)
        m = Categorical(logits=logits)
        lp = m.log_prob(npgrad.tensor([2], device=dev)) + m.entropy()
        q = Normal(npgrad.zeros(2, device=dev), npgrad.ones(2, device=dev))
        kl = kl_divergence(Normal(logits[0, :2], logits[0, 1:].exp()), q).sum()
        w = nn.Parameter(npgrad.ones(2, device=dev))
        opt = npgrad.optim.SGD([w, logits], lr=0.1)
        scaler = npgrad.amp.GradScaler("cuda", init_scale=4.0)
        scaler.scale((lp.sum() + kl + (w ** 2).sum())).backward()
        scaler.step(opt)
        scaler.update()
        return [lp, kl, w, logits, m.sample().to("cpu") * 0]
    cpu, dev = _both(cuda, run)
    for u, v in zip(cpu[:-1], dev[:-1]):
        assert_on(v, cuda)
        np.testing.assert_allclose(on_host(v), on_host(u), rtol=1e-6)
